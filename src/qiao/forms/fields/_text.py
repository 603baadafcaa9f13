"""Shared behaviour of text-like types (text, textarea, phone, email, url, autonumber)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from pydantic import Field

from qiao.errors import FieldValueError
from qiao.forms.fields.base import FieldSettings, FieldType
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

TEXT_OPERATORS = (
    "eq",
    "ne",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "starts_with",
    "is_empty",
    "is_not_empty",
)
#: Operators whose operand is a fragment of text, not a whole valid value.
FRAGMENT_OPERATORS = frozenset({"contains", "not_contains", "starts_with"})


class TextSettings(FieldSettings):
    max_length: int = Field(default=200, ge=1, le=1000)


def as_text(field: FieldMeta, value: Any) -> str | None:
    """Accept strings (and plain numbers, as their text); blank becomes None."""
    if type(value) is str:  # the usual input first: this runs per text value written
        text = value.strip()
    elif value is None:
        return None
    elif isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise FieldValueError("not_text")
    else:
        text = str(value).strip()
    if "\x00" in text:
        # PostgreSQL cannot store or compare NUL; SQLite cuts strings at it
        raise FieldValueError("text_nul")
    return text or None


class TextLike(FieldType):
    formula = Kind.TEXT
    rule_kinds = ("regex", "length")
    operators = TEXT_OPERATORS
    searchable = True
    can_be_unique = True
    max_length_default: ClassVar[int] = 200

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return sa.Text()

    def max_length(self, field: FieldMeta) -> int:
        return int(getattr(field.settings, "max_length", self.max_length_default))

    def normalize(self, field: FieldMeta, text: str) -> str:
        """Type-specific normalisation and validation of non-blank text."""
        return text

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        text = as_text(field, value)
        if text is None:
            return None
        limit = self.max_length(field)
        if len(text) > limit:
            raise FieldValueError("too_long", max=limit)
        return self.normalize(field, text)

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        if op in FRAGMENT_OPERATORS:
            text = as_text(field, value)
            if text is None:
                raise FieldValueError("filter_value_required", op=op)
            return text
        return super().filter_operand(field, op, value, ctx)

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "string", "maxLength": self.max_length(field)}
