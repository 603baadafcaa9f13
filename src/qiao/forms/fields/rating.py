"""Rating (评分): a whole number of stars from 1 to the field's ``max`` (3 to 10).

Stored as a small integer so that averages, sorting and range filters are plain SQL.
No value (None) means "not rated"; 0 is refused rather than stored, because a star
widget cannot show the difference between "0 stars" and "not rated".
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from pydantic import Field

from qiao.errors import FieldValueError
from qiao.forms.fields._decimal import NUMBER_OPERATORS
from qiao.forms.fields.base import FieldSettings, FieldType, registry
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta


class RatingSettings(FieldSettings):
    max: int = Field(default=5, ge=3, le=10)
    #: display text: stars (★★★☆☆) or a fraction (3/5)
    style: str = Field(default="stars", pattern="^(stars|fraction)$")


def parse_rating(value: Any) -> int:
    """An integer from an int, an integral float/Decimal or digits text."""
    if isinstance(value, bool):
        raise FieldValueError("rating_not_integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal) and value == int(value):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise FieldValueError("rating_not_integer")


@registry.register
class RatingType(FieldType):
    key = "rating"
    formula = Kind.NUMBER
    settings_model = RatingSettings
    operators = NUMBER_OPERATORS

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> int:
        return 4

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        # fixed whatever ``max`` is, so changing the maximum never converts the column
        return sa.SmallInteger()

    def top(self, field: FieldMeta) -> int:
        return int(getattr(field.settings, "max", 5))

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        stars = parse_rating(value)
        if not 1 <= stars <= self.top(field):
            raise FieldValueError("rating_range", max=self.top(field))
        return stars

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        # filters may ask beyond the current maximum (it may have been lowered since)
        stars = parse_rating(value)
        if not 0 <= stars <= 10:
            raise FieldValueError("rating_range", max=10)
        return stars

    def display(self, field: FieldMeta, stored: Any, ctx: Ctx) -> str:
        if stored is None:
            return ""
        top = self.top(field)
        if getattr(field.settings, "style", "stars") == "fraction":
            return f"{stored}/{top}"
        filled = min(int(stored), top)
        return "★" * filled + "☆" * (top - filled)

    def from_text(self, field: FieldMeta, text: str, ctx: Ctx) -> Any:
        """Accepts what ``display`` writes: ``★★★☆☆`` or ``3/5`` as well as ``3``."""
        stripped = text.strip()
        if stripped and set(stripped) <= {"★", "☆"}:
            return self.to_storage(field, stripped.count("★"), ctx)
        if "/" in stripped:
            stripped = stripped.split("/", 1)[0]
        return self.to_storage(field, stripped, ctx)

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "integer", "minimum": 1, "maximum": self.top(field)}
