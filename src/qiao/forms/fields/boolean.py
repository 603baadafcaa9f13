"""Yes/no (是/否)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from qiao.errors import FieldValueError
from qiao.forms.fields.base import FieldType, by_locale, registry
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

_TRUE = {"true", "1", "yes", "y", "是", "对", "√", "on"}
_FALSE = {"false", "0", "no", "n", "否", "不是", "×", "off"}


@registry.register
class BooleanType(FieldType):
    key = "boolean"
    formula = Kind.BOOL
    operators = ("eq", "ne", "is_empty", "is_not_empty")

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> str:
        return by_locale(ctx, "是", "Yes")

    def template_choices(self, field: FieldMeta, ctx: Ctx) -> list[str]:
        return by_locale(ctx, ["是", "否"], ["Yes", "No"])

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return sa.Boolean()

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            text = value.strip().lower()
            if not text:
                return None
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
        raise FieldValueError("not_boolean")

    def display(self, field: FieldMeta, stored: Any, ctx: Ctx) -> str:
        if stored is None:
            return ""
        if ctx.locale == "en":
            return "Yes" if stored else "No"
        return "是" if stored else "否"

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "boolean"}
