"""The record id as a filterable, sortable system field (not offered in the designer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from qiao.db.types import IdType
from qiao.forms.fields._decimal import NUMBER_OPERATORS
from qiao.forms.fields._ids import parse_id
from qiao.forms.fields.base import FieldType, registry
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta


@registry.register
class RecordIdType(FieldType):
    key = "sys_id"
    formula = Kind.NUMBER
    internal = True
    operators = tuple(op for op in NUMBER_OPERATORS if op not in ("is_empty", "is_not_empty"))

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return IdType

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        return parse_id(value, "not_record_id")

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "integer"}
