"""The values formulas compute with, and Excel's coercions between them.

A formula value is one of:

- ``None``: blank (an empty field). Arithmetic reads it as 0, text as "", logic as FALSE.
- ``Decimal``: every number. Exact decimals, so 0.1 + 0.2 is 0.3 as Excel shows it;
  results are rounded to Excel's 15 significant digits by :func:`normalize_number`.
- ``str``, ``bool``.
- ``datetime.date`` and ``datetime.datetime``: typed dates. Where Excel would use a
  serial number (date arithmetic, a date given to a number parameter) they convert
  through :func:`to_serial` / :func:`from_serial` with Excel's epoch, 1899-12-30.
- :class:`ErrorValue`: #DIV/0!, #VALUE!, … Errors are values: they flow through
  arithmetic and functions until IFERROR/ISERROR catches them.
- ``list``: a range — a sub-form column or a field of several related records. Only
  aggregate functions (SUM, COUNTIF, …) and functions with range parameters take one.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias

Value: TypeAlias = Any  # Decimal | str | bool | date | datetime | None | ErrorValue | list


class ErrorValue(enum.Enum):
    DIV0 = "#DIV/0!"
    VALUE = "#VALUE!"
    NA = "#N/A"
    NAME = "#NAME?"
    NUM = "#NUM!"
    REF = "#REF!"
    NULL = "#NULL!"

    def __str__(self) -> str:
        return self.value


class FormulaErrorSignal(Exception):
    """Raised inside a function or a coercion to make the call's result an error value."""

    def __init__(self, error: ErrorValue) -> None:
        super().__init__(error.value)
        self.error = error


EPOCH = date(1899, 12, 30)  # Excel's serial 0 (it counts the non-existent 1900-02-29)
SIGNIFICANT = 15
_NUMERIC = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def is_error(value: Value) -> bool:
    return isinstance(value, ErrorValue)


def is_blank(value: Value) -> bool:
    return value is None


def normalize_number(number: Decimal) -> Decimal:
    """Round to 15 significant digits (what Excel keeps) and drop trailing zeros."""
    if not number.is_finite():
        raise FormulaErrorSignal(ErrorValue.NUM)
    if number == 0:
        return Decimal(0)
    if number.adjusted() >= 308:  # beyond a double, as Excel
        raise FormulaErrorSignal(ErrorValue.NUM)
    digits = number.adjusted() + 1
    rounded = round(number, SIGNIFICANT - digits)
    result = rounded.normalize()
    # normalize() writes 100 as 1E+2; keep an integral exponent form out of the value
    # (through int: quantize would need more than the context's 28 digits for 1E+30)
    if result == result.to_integral_value():
        return Decimal(int(result))
    return result


def to_serial(value: date) -> Decimal:
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - datetime(1899, 12, 30)
        seconds = Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds) / (
            10**6
        )
        return normalize_number(seconds / 86400)
    return Decimal((value - EPOCH).days)


def from_serial(serial: Decimal) -> date | datetime:
    """A whole serial is a date, a fractional one a datetime (naive, in the user's zone)."""
    if serial < 0 or serial > 2958465:  # 9999-12-31
        raise FormulaErrorSignal(ErrorValue.NUM)
    days = int(serial)
    fraction = serial - days
    day = EPOCH + timedelta(days=days)
    if fraction == 0:
        return day
    seconds = int((fraction * 86400).to_integral_value())
    return datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)


def parse_number_text(text: str) -> Decimal | None:
    """Numeric text as Excel accepts it in arithmetic: "12", " 1,234.5 ", "50%", "-3e2"."""
    cleaned = text.strip()
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1].strip()
    if _GROUPED.match(cleaned):
        cleaned = cleaned.replace(",", "")
    if not _NUMERIC.match(cleaned):
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    if number != 0 and not -308 <= number.adjusted() <= 308:
        return None  # beyond Excel's range (±9.99E+307): not a number Excel would read
    return number / 100 if percent else number


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M")


def parse_date_text(text: str) -> date | datetime | None:
    cleaned = text.strip()
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt)
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            pass
    return None


def check(value: Value) -> Value:
    """Raise the signal for an error value, so that a coercion's caller returns it."""
    if isinstance(value, ErrorValue):
        raise FormulaErrorSignal(value)
    return value


def to_number(value: Value) -> Decimal:
    check(value)
    if value is None:
        return Decimal(0)
    if isinstance(value, bool):
        return Decimal(1 if value else 0)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, date):
        return to_serial(value)
    if isinstance(value, str):
        number = parse_number_text(value)
        if number is not None:
            return number
        parsed = parse_date_text(value)
        if parsed is not None:
            return to_serial(parsed)
    raise FormulaErrorSignal(ErrorValue.VALUE)


def format_number(number: Decimal) -> str:
    """Excel's General format for a number in text: no exponent, no trailing zeros."""
    number = normalize_number(number)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def to_text(value: Value) -> str:
    """Text as ``&`` and text functions see a value. Differs from Excel in one place on
    purpose: a date becomes "2024-03-05" (Excel would give its serial, 45356), because
    our dates are typed and nobody means the serial."""
    check(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal | int | float):
        return format_number(to_number(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise FormulaErrorSignal(ErrorValue.VALUE)


def to_bool(value: Value) -> bool:
    check(value)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal | int | float):
        return value != 0
    if isinstance(value, str):
        upper = value.strip().upper()
        if upper == "TRUE":
            return True
        if upper == "FALSE":
            return False
    raise FormulaErrorSignal(ErrorValue.VALUE)


def to_date(value: Value) -> date:
    """A date (a datetime keeps its time); numbers are serials, text is parsed."""
    check(value)
    if isinstance(value, date):
        return value
    if value is None:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    if isinstance(value, bool):
        raise FormulaErrorSignal(ErrorValue.VALUE)
    if isinstance(value, Decimal | int | float):
        return from_serial(to_number(value))
    if isinstance(value, str):
        parsed = parse_date_text(value)
        if parsed is not None:
            return parsed
    raise FormulaErrorSignal(ErrorValue.VALUE)


def display(value: Value) -> str:
    """How a result is written in docs, examples and the designer's live preview."""
    if isinstance(value, ErrorValue):
        return value.value
    if isinstance(value, list):
        return "{" + ", ".join(display(v) for v in value) + "}"
    return to_text(value)
