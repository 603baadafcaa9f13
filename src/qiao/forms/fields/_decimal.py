"""Exact decimals stored as scaled 64-bit integers (number, money, percent).

Why integers: SQLite has no exact decimal type (NUMERIC becomes a float), and sums of
floats show artefacts such as 0.30000000000000004. A BIGINT holding value × 10^scale is
exact on both engines, sums exactly in SQL, sorts and indexes natively.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from pydantic import Field, model_validator

from qiao.errors import FieldValueError
from qiao.forms.fields.base import FieldSettings, FieldType
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

NUMBER_OPERATORS = (
    "eq", "ne", "gt", "gte", "lt", "lte", "between", "in", "not_in", "is_empty", "is_not_empty",
)  # fmt: skip
_NUMERIC_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
#: thousands separators are accepted only where they belong: 1,234,567.89
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_MAX_STORED = 2**63 - 1
#: 10^-n for the precisions in use, built once rather than per value
_QUANTA = tuple(Decimal(1).scaleb(-n) for n in range(16))


def quantum(places: int) -> Decimal:
    """``Decimal(1).scaleb(-places)``, from the table when it holds it."""
    return _QUANTA[places] if 0 <= places < len(_QUANTA) else Decimal(1).scaleb(-places)


class DecimalSettings(FieldSettings):
    precision: int | None = Field(default=None, ge=0, le=6)
    min: Decimal | None = None
    max: Decimal | None = None

    @model_validator(mode="after")
    def _min_below_max(self) -> DecimalSettings:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        return self


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise FieldValueError("not_number")
    if isinstance(value, int | Decimal):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if text.isdigit() and text.isascii():
            # plain digits (the usual spreadsheet amount): the checks below pass them
            return Decimal(text)
        if "," in text:
            if not _GROUPED.match(text):
                raise FieldValueError("not_number")
            text = text.replace(",", "")
        if not _NUMERIC_TEXT.match(text):
            raise FieldValueError("not_number")
        try:
            result = Decimal(text)
        except InvalidOperation as exc:
            raise FieldValueError("not_number") from exc
    else:
        raise FieldValueError("not_number")
    if not result.is_finite():
        raise FieldValueError("not_number")
    return result


class ScaledDecimal(FieldType):
    formula = Kind.NUMBER
    rule_kinds = ("range",)
    operators = NUMBER_OPERATORS
    can_be_unique = True
    settings_model: ClassVar[type[FieldSettings]] = DecimalSettings
    #: digits after the point that are stored (fixed per type, so precision changes
    #: never rewrite data)
    scale: ClassVar[int] = 6
    max_precision: ClassVar[int] = 6

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return sa.BigInteger()

    def precision(self, field: FieldMeta) -> int:
        value = getattr(field.settings, "precision", None)
        return self.max_precision if value is None else int(value)

    def parse(self, value: Any) -> Decimal:
        """API value -> the Decimal the user means (percent overrides this)."""
        return parse_decimal(value)

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        number = self.parse(value)
        try:
            number = number.quantize(quantum(self.precision(field)), rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:
            raise FieldValueError("number_out_of_range") from exc
        settings = field.settings
        low, high = getattr(settings, "min", None), getattr(settings, "max", None)
        if low is not None and number < low:
            raise FieldValueError("number_too_small", min=self.format_bound(low))
        if high is not None and number > high:
            raise FieldValueError("number_too_large", max=self.format_bound(high))
        stored = int(number.scaleb(self.scale))
        if abs(stored) > _MAX_STORED:
            raise FieldValueError("number_out_of_range")
        return stored

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        """Filter values are compared at full stored precision, without the field's
        min/max (filtering "amount > -1" on a field with min 0 is a fair question)."""
        number = self.parse(value)
        try:
            number = number.quantize(quantum(self.scale), rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:
            raise FieldValueError("number_out_of_range") from exc
        stored = int(number.scaleb(self.scale))
        if abs(stored) > _MAX_STORED:
            raise FieldValueError("number_out_of_range")
        return stored

    def format_bound(self, bound: Decimal) -> str:
        return str(bound)

    def to_decimal(self, field: FieldMeta, stored: int) -> Decimal:
        return (
            Decimal(stored)
            .scaleb(-self.scale)
            .quantize(quantum(self.precision(field)), rounding=ROUND_HALF_UP)
        )

    def to_formula(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        return None if stored is None else Decimal(stored).scaleb(-self.scale).normalize()

    def to_json(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        if stored is None:
            return None
        if type(stored) is int:
            if not stored % 10**self.scale:
                # a whole number (most amounts): rounding to the precision cannot change it
                return stored // 10**self.scale
            dropped = self.scale - self.precision(field)
            if dropped >= 0 and not stored % 10**dropped:
                # no digit beyond the precision: rounding only pads zeros, which
                # normalize() takes off again
                return Decimal(stored).scaleb(-self.scale).normalize()
        number = self.to_decimal(field, stored)
        if number == number.to_integral_value():
            return int(number)
        return number.normalize()

    def display(self, field: FieldMeta, stored: Any, ctx: Ctx) -> str:
        if stored is None:
            return ""
        if getattr(field.settings, "precision", None) is None:
            # no fixed precision: show what is there, without trailing zeros
            value = self.to_json(field, stored, ctx)
            return str(value) if isinstance(value, int) else f"{value:f}"
        return f"{self.to_decimal(field, stored):f}"

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "number"}
        settings = field.settings
        if getattr(settings, "min", None) is not None:
            schema["minimum"] = float(settings.min)  # type: ignore[attr-defined]
        if getattr(settings, "max", None) is not None:
            schema["maximum"] = float(settings.max)  # type: ignore[attr-defined]
        return schema
