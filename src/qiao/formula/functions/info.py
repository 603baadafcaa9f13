"""Information: what kind of value an argument is. These see error values instead of
propagating them (ISERROR(1/0) is TRUE)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

from qiao.formula.registry import Category, Kind, Param, function
from qiao.formula.values import ErrorValue, FormulaErrorSignal, Value, to_number, to_serial


def _is_number(value: Value) -> bool:
    return isinstance(value, Decimal | int | float | date) and not isinstance(value, bool)


@function(
    "ISBLANK",
    Category.INFO,
    [Param("value")],
    Kind.BOOL,
    zh='值为空时返回 TRUE（空文本 "" 不算空）',
    en='TRUE when the value is blank (empty text "" is not blank)',
    examples=[("ISBLANK(note)", "TRUE", {"note": None}), ('ISBLANK("")', "FALSE")],
    accepts_errors=True,
)
def isblank(value: Value) -> bool:
    return value is None


@function(
    "ISNUMBER",
    Category.INFO,
    [Param("value")],
    Kind.BOOL,
    zh="值是数字（含日期）时返回 TRUE；数字形式的文本不算",
    en="TRUE when the value is a number (dates included); numeric text is not",
    examples=[("ISNUMBER(12)", "TRUE"), ('ISNUMBER("12")', "FALSE")],
    accepts_errors=True,
)
def isnumber(value: Value) -> bool:
    return _is_number(value)


@function(
    "ISTEXT",
    Category.INFO,
    [Param("value")],
    Kind.BOOL,
    zh="值是文本时返回 TRUE",
    en="TRUE when the value is text",
    examples=[('ISTEXT("abc")', "TRUE"), ("ISTEXT(1)", "FALSE")],
    accepts_errors=True,
)
def istext(value: Value) -> bool:
    return isinstance(value, str)


@function(
    "ISLOGICAL",
    Category.INFO,
    [Param("value")],
    Kind.BOOL,
    zh="值是逻辑值时返回 TRUE",
    en="TRUE when the value is a logical value",
    examples=[("ISLOGICAL(1 > 0)", "TRUE"), ("ISLOGICAL(1)", "FALSE")],
    accepts_errors=True,
)
def islogical(value: Value) -> bool:
    return isinstance(value, bool)


@function(
    "ISERROR",
    Category.INFO,
    [Param("value")],
    Kind.BOOL,
    zh="值是任一错误值时返回 TRUE",
    en="TRUE when the value is any error",
    examples=[("ISERROR(1/0)", "TRUE"), ("ISERROR(1)", "FALSE")],
    accepts_errors=True,
)
def iserror(value: Value) -> bool:
    return isinstance(value, ErrorValue)


@function(
    "ISERR",
    Category.INFO,
    [Param("value")],
    Kind.BOOL,
    zh="值是 #N/A 以外的错误值时返回 TRUE",
    en="TRUE when the value is an error other than #N/A",
    examples=[("ISERR(1/0)", "TRUE"), ("ISERR(NA())", "FALSE")],
    accepts_errors=True,
)
def iserr(value: Value) -> bool:
    return isinstance(value, ErrorValue) and value is not ErrorValue.NA


@function(
    "ISNA",
    Category.INFO,
    [Param("value")],
    Kind.BOOL,
    zh="值是 #N/A 时返回 TRUE",
    en="TRUE when the value is #N/A",
    examples=[("ISNA(NA())", "TRUE"), ("ISNA(1/0)", "FALSE")],
    accepts_errors=True,
)
def isna(value: Value) -> bool:
    return value is ErrorValue.NA


def _whole(value: Value) -> int:
    if isinstance(value, ErrorValue):
        raise FormulaErrorSignal(value)
    if isinstance(value, bool) or (
        isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE")
    ):
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return int(to_number(value).to_integral_value(ROUND_DOWN))


@function(
    "ISEVEN",
    Category.INFO,
    [Param("number")],
    Kind.BOOL,
    zh="数字（截去小数后）是偶数时返回 TRUE",
    en="TRUE when the number (truncated) is even",
    examples=[
        ("ISEVEN(4)", "TRUE"),
        ("ISEVEN(-3.5)", "FALSE"),
        ("ISEVEN(amount)", "TRUE", {"amount": None}),
    ],
)
def iseven(value: Value) -> bool:
    return _whole(value) % 2 == 0


@function(
    "ISODD",
    Category.INFO,
    [Param("number")],
    Kind.BOOL,
    zh="数字（截去小数后）是奇数时返回 TRUE",
    en="TRUE when the number (truncated) is odd",
    examples=[("ISODD(3)", "TRUE"), ("ISODD(2.9)", "FALSE")],
)
def isodd(value: Value) -> bool:
    return _whole(value) % 2 == 1


@function(
    "N",
    Category.INFO,
    [Param("value")],
    Kind.NUMBER,
    zh="把值转换为数字：数字不变，日期为序列号，TRUE 为 1，其他（含文本）为 0",
    en="The value as a number: numbers as they are, dates as serials, TRUE as 1, anything "
    "else (text too) 0",
    examples=[("N(7)", "7"), ("N(TRUE)", "1"), ('N("7")', "0")],
)
def n(value: Value) -> Decimal:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, date):
        return to_serial(value)
    if _is_number(value):
        return to_number(value)
    return Decimal(0)


@function(
    "T",
    Category.INFO,
    [Param("value")],
    Kind.TEXT,
    zh="值是文本时原样返回，否则返回空文本",
    en="The value when it is text, else empty text",
    examples=[('T("abc")', "abc"), ("T(12)", "")],
)
def t(value: Value) -> str:
    return value if isinstance(value, str) else ""


@function(
    "NA",
    Category.INFO,
    [],
    Kind.ANY,
    zh="返回错误值 #N/A（表示“没有可用的值”）",
    en="The error value #N/A (no value available)",
    examples=[("NA()", "#N/A")],
)
def na() -> ErrorValue:
    return ErrorValue.NA


@function(
    "ERROR.TYPE",
    Category.INFO,
    [Param("error_value")],
    Kind.NUMBER,
    zh="错误值的编号：#NULL! 为 1，#DIV/0! 为 2，#VALUE! 为 3，#REF! 为 4，#NAME? 为 5，#NUM! 为 6，#N/A 为 7；不是错误值时为 #N/A",
    en="The number of an error value: #NULL! 1, #DIV/0! 2, #VALUE! 3, #REF! 4, #NAME? 5, "
    "#NUM! 6, #N/A 7; #N/A when the value is not an error",
    examples=[("ERROR.TYPE(1/0)", "2"), ("ERROR.TYPE(1)", "#N/A")],
    accepts_errors=True,
)
def error_type(value: Value) -> Value:
    numbers = {
        ErrorValue.NULL: 1,
        ErrorValue.DIV0: 2,
        ErrorValue.VALUE: 3,
        ErrorValue.REF: 4,
        ErrorValue.NAME: 5,
        ErrorValue.NUM: 6,
        ErrorValue.NA: 7,
    }
    if isinstance(value, ErrorValue):
        return Decimal(numbers[value])
    return ErrorValue.NA
