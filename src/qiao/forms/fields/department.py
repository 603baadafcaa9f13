"""Department (部门): the id of a department of the organization.

Filters also take "$my_department" (the departments of the user running the query) and
"$my_department_tree" (those and every department below them); see ``_org_values``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.db import schema
from qiao.db.types import IdType
from qiao.errors import FieldValueError
from qiao.forms.fields import _org_values as dyn
from qiao.forms.fields._ids import flatten, missing_ids, parse_id
from qiao.forms.fields.base import FieldType, FilterTarget, registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

DYNAMIC_VALUES = (dyn.MY_DEPARTMENT, dyn.MY_DEPARTMENT_TREE)


def _resolve(col: sa.ColumnElement[Any], name: str, ctx: Ctx) -> sa.ColumnElement[bool]:
    from qiao.org.departments import department_ids_of

    return col.in_(department_ids_of(ctx.user_id, tree=name == dyn.MY_DEPARTMENT_TREE))


@registry.register
class DepartmentType(FieldType):
    key = "department"

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return IdType

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None or value == "":
            return None
        return parse_id(value, "department_value_invalid")

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        if op not in dyn.DYNAMIC_OPS:
            return super().filter_operand(field, op, value, ctx)
        return dyn.operand(value, DYNAMIC_VALUES, "department_value_invalid")

    def compile_filter(
        self, field: FieldMeta, op: str, operand: Any, target: FilterTarget, ctx: Ctx
    ) -> sa.ColumnElement[bool]:
        assert target.column is not None
        found = dyn.compile_membership(op, operand, target.column, ctx, _resolve)
        if found is not None:
            return found
        return super().compile_filter(field, op, operand, target, ctx)

    def check_stored(
        self, conn: Connection, field: FieldMeta, values: Sequence[Any]
    ) -> dict[int, FieldValueError]:
        pairs = list(flatten(values))
        if not pairs:
            return {}
        table = schema.departments
        missing = missing_ids(conn, table.c.id, sa.true(), {did for _, did in pairs})
        return {
            pos: FieldValueError("department_value_invalid") for pos, did in pairs if did in missing
        }

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "integer", "description": "department id"}
