"""Member (成员): the id of an active user.

Filters also take "$me" (the user running the query) and "$my_department" /
"$my_department_tree" (users who share a department with me, or belong to one below
mine); see ``_org_values``.
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

DYNAMIC_VALUES = (dyn.ME, dyn.MY_DEPARTMENT, dyn.MY_DEPARTMENT_TREE)


def _resolve(col: sa.ColumnElement[Any], name: str, ctx: Ctx) -> sa.ColumnElement[bool]:
    from qiao.org.departments import users_sharing_departments

    if name == dyn.ME:
        return sa.false() if ctx.user_id is None else col == sa.literal(ctx.user_id)
    tree = name == dyn.MY_DEPARTMENT_TREE
    return col.in_(users_sharing_departments(ctx.user_id, tree=tree))


@registry.register
class UserType(FieldType):
    key = "user"

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return IdType

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None or value == "":
            return None
        return parse_id(value, "user_not_found")

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        if op not in dyn.DYNAMIC_OPS:
            return super().filter_operand(field, op, value, ctx)
        return dyn.operand(value, DYNAMIC_VALUES, "user_not_found")

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
        users = schema.users
        missing = missing_ids(conn, users.c.id, users.c.is_active, {uid for _, uid in pairs})
        return {pos: FieldValueError("user_not_found") for pos, uid in pairs if uid in missing}

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "integer", "description": "user id"}
