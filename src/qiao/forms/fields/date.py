"""Date (日期): ``YYYY-MM-DD``; conversions from text also read 2024/3/5 and 2024年3月5日."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from qiao.errors import FieldValueError
from qiao.forms.fields.base import FieldType, registry
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

DATE_OPERATORS = (
    "eq", "ne", "gt", "gte", "lt", "lte", "between", "is_empty", "is_not_empty",
    "today", "yesterday", "this_week", "this_month", "this_quarter", "this_year",
    "last_n_days", "next_n_days",
)  # fmt: skip
_LOOSE_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_iso_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise FieldValueError("invalid_date")
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise FieldValueError("invalid_date")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise FieldValueError("invalid_date") from exc


@registry.register
class DateType(FieldType):
    key = "date"
    template_format = "date"
    formula = Kind.DATE
    rule_kinds = ("range",)
    operators = DATE_OPERATORS
    can_be_unique = True

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> date:
        return date(2024, 3, 5)

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return sa.Date()

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return parse_iso_date(value)

    def to_json(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        return None if stored is None else stored.isoformat()

    def to_formula(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        return stored

    def from_text(self, field: FieldMeta, text: str, ctx: Ctx) -> Any:
        text = text.strip()
        if not text:
            return None
        match = _LOOSE_DATE.match(text)
        if match:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError as exc:
                raise FieldValueError("invalid_date") from exc
        if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text):
            return parse_iso_date(text[:10])
        return parse_iso_date(text)

    def day_range(
        self, field: FieldMeta, first: date, after_last: date, ctx: Ctx
    ) -> tuple[Any, Any]:
        """Bounds [lo, hi) in stored form for the days first .. after_last - 1."""
        return first, after_last

    def next_day(self, day: date) -> date:
        return day + timedelta(days=1)

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "string", "format": "date"}
