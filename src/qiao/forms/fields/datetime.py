"""Date and time (日期时间): stored in UTC, read and shown in the organisation's zone.

Input is ISO 8601; without an offset it is taken in the organisation's zone. A filter
value that is only a date means that whole day in the organisation's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from qiao.db.types import UTCDateTime
from qiao.errors import FieldValueError
from qiao.forms.fields.base import Bounds, registry
from qiao.forms.fields.date import DateType, parse_iso_date
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta


def parse_datetime(value: Any, ctx: Ctx) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) <= 10:
            raise FieldValueError("invalid_datetime")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise FieldValueError("invalid_datetime") from exc
    else:
        raise FieldValueError("invalid_datetime")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ctx.tz)
    try:
        result = parsed.astimezone(UTC)
        result.astimezone(ctx.tz)  # must also be showable in the organisation's zone
    except OverflowError as exc:  # e.g. 0001-01-01T00:00+08:00 is before year 1 in UTC
        raise FieldValueError("invalid_datetime") from exc
    return result


@registry.register
class DateTimeType(DateType):
    key = "datetime"
    template_format = "datetime"
    formula = Kind.DATETIME

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> datetime:
        return datetime(2024, 3, 5, 9, 30)

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return UTCDateTime()

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return parse_datetime(value, ctx)

    def to_json(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        if stored is None:
            return None
        return stored.astimezone(ctx.tz).isoformat()

    def to_formula(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        """Naive, in the organisation's zone: what the user sees and what TODAY() means."""
        return None if stored is None else stored.astimezone(ctx.tz).replace(tzinfo=None)

    def display(self, field: FieldMeta, stored: Any, ctx: Ctx) -> str:
        if stored is None:
            return ""
        return str(stored.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M:%S"))

    def from_text(self, field: FieldMeta, text: str, ctx: Ctx) -> Any:
        text = text.strip()
        if not text:
            return None
        try:
            return parse_datetime(text, ctx)
        except FieldValueError:
            day = DateType.from_text(self, field, text, ctx)
            return parse_datetime(datetime.combine(day, time()), ctx)

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        if isinstance(value, str) and len(value.strip()) == 10:
            day = parse_iso_date(value)
            try:
                return Bounds(self.day_range(field, day, self.next_day(day), ctx))
            except OverflowError as exc:  # the first or last day of the calendar
                raise FieldValueError("invalid_date") from exc
        return super().filter_operand(field, op, value, ctx)

    def day_range(
        self, field: FieldMeta, first: date, after_last: date, ctx: Ctx
    ) -> tuple[Any, Any]:
        return (
            datetime.combine(first, time(), ctx.tz).astimezone(UTC),
            datetime.combine(after_last, time(), ctx.tz).astimezone(UTC),
        )

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}
