"""Math: rounding as Excel rounds (half away from zero), MOD with the divisor's sign,
INT towards minus infinity, and the rest of the usual library."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)

from qiao.formula.evaluator import arithmetic
from qiao.formula.functions._common import excel, numbers, numbers_and_dates
from qiao.formula.registry import Category, Kind, Param, function
from qiao.formula.values import ErrorValue, FormulaErrorSignal, Value, from_serial

_ONE = Decimal(1)
_MOD_LIMIT = Decimal(2) ** 53  # Excel: #NUM! when number/divisor is this large
_PI = Decimal("3.141592653589793238462643383")


def _num(error: ErrorValue = ErrorValue.NUM) -> FormulaErrorSignal:
    return FormulaErrorSignal(error)


def _digits(value: Decimal) -> int:
    """Excel truncates a digits argument to an integer."""
    return int(value.to_integral_value(ROUND_DOWN))


def round_to(number: Decimal, digits: int, mode: str) -> Decimal:
    """``number`` rounded to ``digits`` decimals (negative: tens, hundreds, …)."""
    number = excel(number)
    if number == 0:
        return Decimal(0)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -digits:
        return number  # no more decimals than asked for
    if number.adjusted() + 1 + digits <= -1:
        return Decimal(0) if mode != ROUND_UP else Decimal(1).scaleb(-digits).copy_sign(number)
    return number.quantize(_ONE.scaleb(-digits), rounding=mode)


@function(
    "SUM",
    Category.MATH,
    [Param("number1", range=True), Param("number2", optional=True, variadic=True, range=True)],
    Kind.NUMBER,
    zh="求和；直接给出的文本数字会被转换，区域中的文本和逻辑值被忽略",
    en="Adds numbers; numeric text given directly is converted, text and logical values in "
    "ranges are ignored",
    examples=[
        ("SUM(1, 2, 3)", "6"),
        ('SUM(1, "2", TRUE)', "4"),
        ("SUM(lines.qty)", "7", {"lines.qty": [3, 4, None]}),
        ("SUM(lines.qty*lines.price)", "17", {"lines.qty": [1, 2], "lines.price": [5, 6]}),
    ],
)
def sum_(*args: list[Value]) -> Decimal:
    return sum(numbers(args), Decimal(0))


@function(
    "PRODUCT",
    Category.MATH,
    [Param("number1", range=True), Param("number2", optional=True, variadic=True, range=True)],
    Kind.NUMBER,
    zh="求乘积（没有数字时为 0）",
    en="Multiplies numbers (0 when there are none)",
    examples=[("PRODUCT(2, 3, 4)", "24"), ("PRODUCT(lines.qty)", "12", {"lines.qty": [3, 4]})],
)
def product(*args: list[Value]) -> Decimal:
    found = list(numbers(args))
    if not found:
        return Decimal(0)
    result = Decimal(1)
    for number in found:
        result *= number
    return result


@function(
    "ROUND",
    Category.MATH,
    [Param("number", Kind.NUMBER), Param("digits", Kind.NUMBER)],
    Kind.NUMBER,
    zh="四舍五入到指定小数位数（.5 远离零进位；位数为负时舍入到十位、百位…）",
    en="Rounds to the given number of decimals (halves away from zero; negative digits round "
    "to tens, hundreds, …)",
    examples=[
        ("ROUND(2.345, 2)", "2.35"),
        ("ROUND(-2.5, 0)", "-3"),
        ("ROUND(1234.5, -2)", "1200"),
    ],
)
def round_(number: Decimal, digits: Decimal) -> Decimal:
    return round_to(number, _digits(digits), ROUND_HALF_UP)


@function(
    "ROUNDUP",
    Category.MATH,
    [Param("number", Kind.NUMBER), Param("digits", Kind.NUMBER)],
    Kind.NUMBER,
    zh="向远离零的方向舍入",
    en="Rounds away from zero",
    examples=[("ROUNDUP(3.141, 2)", "3.15"), ("ROUNDUP(-3.141, 1)", "-3.2")],
)
def roundup(number: Decimal, digits: Decimal) -> Decimal:
    return round_to(number, _digits(digits), ROUND_UP)


@function(
    "ROUNDDOWN",
    Category.MATH,
    [Param("number", Kind.NUMBER), Param("digits", Kind.NUMBER)],
    Kind.NUMBER,
    zh="向零的方向舍入（截断）",
    en="Rounds towards zero",
    examples=[("ROUNDDOWN(3.149, 2)", "3.14"), ("ROUNDDOWN(-3.149, 1)", "-3.1")],
)
def rounddown(number: Decimal, digits: Decimal) -> Decimal:
    return round_to(number, _digits(digits), ROUND_DOWN)


@function(
    "INT",
    Category.MATH,
    [Param("number", Kind.NUMBER)],
    Kind.NUMBER,
    zh="向下取整到不大于它的整数",
    en="Rounds down to the nearest integer",
    examples=[("INT(8.9)", "8"), ("INT(-8.1)", "-9")],
)
def int_(number: Decimal) -> Decimal:
    return excel(number).to_integral_value(ROUND_FLOOR)


@function(
    "TRUNC",
    Category.MATH,
    [Param("number", Kind.NUMBER), Param("digits", Kind.NUMBER, optional=True)],
    Kind.NUMBER,
    zh="截去小数部分（可保留指定位数）",
    en="Truncates to an integer (or to the given number of decimals)",
    examples=[("TRUNC(-8.9)", "-8"), ("TRUNC(3.14159, 2)", "3.14")],
)
def trunc(number: Decimal, digits: Decimal = Decimal(0)) -> Decimal:
    return round_to(number, _digits(digits), ROUND_DOWN)


@function(
    "MOD",
    Category.MATH,
    [Param("number", Kind.NUMBER), Param("divisor", Kind.NUMBER)],
    Kind.NUMBER,
    zh="求余数，结果的符号与除数相同",
    en="The remainder; its sign is the divisor's",
    examples=[
        ("MOD(10, 3)", "1"),
        ("MOD(-3, 2)", "1"),
        ("MOD(3, -2)", "-1"),
        ("MOD(1, 0)", "#DIV/0!"),
    ],
)
def mod(number: Decimal, divisor: Decimal) -> Decimal:
    if divisor == 0:
        raise _num(ErrorValue.DIV0)
    quotient = excel(number / divisor).to_integral_value(ROUND_FLOOR)
    if abs(quotient) >= _MOD_LIMIT:  # the remainder would be below the precision
        raise _num()
    return number - divisor * quotient


@function(
    "ABS",
    Category.MATH,
    [Param("number", Kind.NUMBER)],
    Kind.NUMBER,
    zh="绝对值",
    en="The absolute value",
    examples=[("ABS(-4.5)", "4.5")],
)
def abs_(number: Decimal) -> Decimal:
    return abs(number)


def _extreme_kind(kinds: list[Kind]) -> Kind:
    return Kind.DATE if kinds and all(k == Kind.DATE for k in kinds) else Kind.NUMBER


def _extreme(args: tuple[list[Value], ...], pick: Callable[[list[Decimal]], Decimal]) -> Value:
    found, all_dates = numbers_and_dates(args)
    if not found:
        return Decimal(0)
    best = pick(found)
    return from_serial(best) if all_dates else best


@function(
    "MAX",
    Category.MATH,
    [Param("number1", range=True), Param("number2", optional=True, variadic=True, range=True)],
    Kind.NUMBER,
    zh="最大值（没有数字时为 0；全是日期时结果是日期）",
    en="The largest number (0 when there are none; a date when all are dates)",
    examples=[
        ("MAX(3, 9, 4)", "9"),
        ("MAX(lines.price)", "12.5", {"lines.price": [3, 12.5, None]}),
    ],
    infer=_extreme_kind,
)
def max_(*args: list[Value]) -> Value:
    return _extreme(args, max)


@function(
    "MIN",
    Category.MATH,
    [Param("number1", range=True), Param("number2", optional=True, variadic=True, range=True)],
    Kind.NUMBER,
    zh="最小值（没有数字时为 0；全是日期时结果是日期）",
    en="The smallest number (0 when there are none; a date when all are dates)",
    examples=[("MIN(3, 9, 4)", "3"), ("MIN(lines.price)", "0", {"lines.price": []})],
    infer=_extreme_kind,
)
def min_(*args: list[Value]) -> Value:
    return _extreme(args, min)


@function(
    "AVERAGE",
    Category.MATH,
    [Param("number1", range=True), Param("number2", optional=True, variadic=True, range=True)],
    Kind.NUMBER,
    zh="平均值；区域中的空值和文本不计入，没有数字时为 #DIV/0!",
    en="The mean; blanks and text in ranges do not count, #DIV/0! when there are no numbers",
    examples=[
        ("AVERAGE(2, 4, 9)", "5"),
        ("AVERAGE(lines.qty)", "3", {"lines.qty": [2, None, 4]}),
        ("AVERAGE(lines.qty)", "#DIV/0!", {"lines.qty": []}),
    ],
)
def average(*args: list[Value]) -> Decimal:
    found = list(numbers(args))
    if not found:
        raise _num(ErrorValue.DIV0)
    return sum(found, Decimal(0)) / len(found)


@function(
    "POWER",
    Category.MATH,
    [Param("number", Kind.NUMBER), Param("power", Kind.NUMBER)],
    Kind.NUMBER,
    zh="乘幂，等同于 ^",
    en="A number raised to a power, like ^",
    examples=[("POWER(2, 10)", "1024"), ("POWER(4, 0.5)", "2"), ("POWER(-8, 1/3)", "#NUM!")],
)
def power(number: Decimal, exponent: Decimal) -> Value:
    return arithmetic("^", number, exponent)


@function(
    "SQRT",
    Category.MATH,
    [Param("number", Kind.NUMBER)],
    Kind.NUMBER,
    zh="平方根（负数为 #NUM!）",
    en="The square root (#NUM! for a negative number)",
    examples=[("SQRT(16)", "4"), ("SQRT(-1)", "#NUM!")],
)
def sqrt(number: Decimal) -> Decimal:
    if number < 0:
        raise _num()
    return number.sqrt()


@function(
    "EXP",
    Category.MATH,
    [Param("number", Kind.NUMBER)],
    Kind.NUMBER,
    zh="e 的乘幂",
    en="e raised to a power",
    examples=[("EXP(1)", "2.71828182845905"), ("EXP(0)", "1")],
)
def exp(number: Decimal) -> Decimal:
    return number.exp()


@function(
    "LN",
    Category.MATH,
    [Param("number", Kind.NUMBER)],
    Kind.NUMBER,
    zh="自然对数",
    en="The natural logarithm",
    examples=[("LN(EXP(2))", "2"), ("LN(0)", "#NUM!")],
)
def ln(number: Decimal) -> Decimal:
    if number <= 0:
        raise _num()
    return number.ln()


@function(
    "LOG",
    Category.MATH,
    [Param("number", Kind.NUMBER), Param("base", Kind.NUMBER, optional=True)],
    Kind.NUMBER,
    zh="对数，底数默认为 10",
    en="The logarithm, to base 10 unless given",
    examples=[("LOG(100)", "2"), ("LOG(8, 2)", "3")],
)
def log(number: Decimal, base: Decimal = Decimal(10)) -> Decimal:
    if number <= 0 or base <= 0:
        raise _num()
    if base == 1:
        raise _num(ErrorValue.DIV0)
    return number.ln() / base.ln()


@function(
    "LOG10",
    Category.MATH,
    [Param("number", Kind.NUMBER)],
    Kind.NUMBER,
    zh="以 10 为底的对数",
    en="The base-10 logarithm",
    examples=[("LOG10(1000)", "3")],
)
def log10(number: Decimal) -> Decimal:
    if number <= 0:
        raise _num()
    return number.log10()


def _multiple(number: Decimal, significance: Decimal, mode: str) -> Decimal:
    number = excel(number)
    if number > 0 and significance < 0:
        raise _num()
    return (number / significance).to_integral_value(mode) * significance


@function(
    "CEILING",
    Category.MATH,
    [Param("number", Kind.NUMBER), Param("significance", Kind.NUMBER, optional=True)],
    Kind.NUMBER,
    zh="向上舍入到基数的倍数（基数默认为 1）",
    en="Rounds up to a multiple of the significance (1 unless given)",
    examples=[("CEILING(2.1, 1)", "3"), ("CEILING(-2.5, 2)", "-2"), ("CEILING(12, 5)", "15")],
)
def ceiling(number: Decimal, significance: Decimal = _ONE) -> Decimal:
    if significance == 0:
        return Decimal(0)
    return _multiple(number, significance, ROUND_CEILING)


@function(
    "FLOOR",
    Category.MATH,
    [Param("number", Kind.NUMBER), Param("significance", Kind.NUMBER, optional=True)],
    Kind.NUMBER,
    zh="向下舍入到基数的倍数（基数默认为 1）",
    en="Rounds down to a multiple of the significance (1 unless given)",
    examples=[("FLOOR(2.9, 1)", "2"), ("FLOOR(-2.5, 2)", "-4"), ("FLOOR(12, 5)", "10")],
)
def floor(number: Decimal, significance: Decimal = _ONE) -> Decimal:
    if significance == 0:
        raise _num(ErrorValue.DIV0)
    return _multiple(number, significance, ROUND_FLOOR)


@function(
    "SIGN",
    Category.MATH,
    [Param("number", Kind.NUMBER)],
    Kind.NUMBER,
    zh="符号：正数为 1，零为 0，负数为 -1",
    en="The sign: 1, 0 or -1",
    examples=[("SIGN(-3)", "-1"), ("SIGN(0)", "0")],
)
def sign(number: Decimal) -> Decimal:
    return Decimal((number > 0) - (number < 0))


@function(
    "PI",
    Category.MATH,
    [],
    Kind.NUMBER,
    zh="圆周率 π",
    en="The number π",
    examples=[("PI()", "3.14159265358979"), ("ROUND(PI(), 2)", "3.14")],
)
def pi() -> Decimal:
    return _PI


def _grouped(digits: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ",".join(parts)


@function(
    "FIXED",
    Category.MATH,
    [
        Param("number", Kind.NUMBER),
        Param("decimals", Kind.NUMBER, optional=True),
        Param("no_commas", Kind.BOOL, optional=True),
    ],
    Kind.TEXT,
    zh="把数字四舍五入为指定小数位数的文本，默认带千分位逗号",
    en="The number rounded to the given decimals as text, with thousands separators unless "
    "told otherwise",
    examples=[
        ("FIXED(1234.567, 1)", "1,234.6"),
        ("FIXED(1234.567)", "1,234.57"),
        ("FIXED(-1234.567, -1, TRUE)", "-1230"),
    ],
)
def fixed(number: Decimal, decimals: Decimal = Decimal(2), no_commas: bool = False) -> str:
    places = _digits(decimals)
    if places > 127:
        raise _num(ErrorValue.VALUE)
    rounded = round_to(number, places, ROUND_HALF_UP)
    text = format(abs(rounded), f".{max(places, 0)}f")
    whole, _, fraction = text.partition(".")
    if not no_commas:
        whole = _grouped(whole)
    body = f"{whole}.{fraction}" if fraction else whole
    return f"-{body}" if rounded < 0 else body


def _to_parity(number: Decimal, odd: bool) -> Decimal:
    number = excel(number)
    magnitude = int(abs(number).to_integral_value(ROUND_CEILING))
    if odd:
        if magnitude % 2 == 0:
            magnitude += 1
    elif magnitude % 2:
        magnitude += 1
    return Decimal(-magnitude if number < 0 else magnitude)


@function(
    "EVEN",
    Category.MATH,
    [Param("number", Kind.NUMBER)],
    Kind.NUMBER,
    zh="向远离零的方向舍入到最近的偶数",
    en="Rounds away from zero to the nearest even integer",
    examples=[("EVEN(1.5)", "2"), ("EVEN(3)", "4"), ("EVEN(-1)", "-2")],
)
def even(number: Decimal) -> Decimal:
    return _to_parity(number, odd=False)


@function(
    "ODD",
    Category.MATH,
    [Param("number", Kind.NUMBER)],
    Kind.NUMBER,
    zh="向远离零的方向舍入到最近的奇数",
    en="Rounds away from zero to the nearest odd integer",
    examples=[("ODD(1.5)", "3"), ("ODD(2)", "3"), ("ODD(0)", "1")],
)
def odd(number: Decimal) -> Decimal:
    return _to_parity(number, odd=True)


def _integers(args: tuple[list[Value], ...]) -> list[int]:
    found = [int(n.to_integral_value(ROUND_FLOOR)) for n in numbers(args)]
    if any(n < 0 for n in found):
        raise _num()
    return found


@function(
    "GCD",
    Category.MATH,
    [Param("number1", range=True), Param("number2", optional=True, variadic=True, range=True)],
    Kind.NUMBER,
    zh="最大公约数",
    en="The greatest common divisor",
    examples=[("GCD(24, 36)", "12"), ("GCD(7, 0)", "7")],
)
def gcd(*args: list[Value]) -> int:
    return math.gcd(*_integers(args))


@function(
    "LCM",
    Category.MATH,
    [Param("number1", range=True), Param("number2", optional=True, variadic=True, range=True)],
    Kind.NUMBER,
    zh="最小公倍数",
    en="The least common multiple",
    examples=[("LCM(4, 6)", "12"), ("LCM(3, 0)", "0")],
)
def lcm(*args: list[Value]) -> int:
    return math.lcm(*_integers(args))


@function(
    "RADIANS",
    Category.MATH,
    [Param("angle", Kind.NUMBER)],
    Kind.NUMBER,
    zh="角度转换为弧度",
    en="Degrees to radians",
    examples=[("RADIANS(180)", "3.14159265358979")],
)
def radians(angle: Decimal) -> Decimal:
    return angle * _PI / 180


@function(
    "DEGREES",
    Category.MATH,
    [Param("angle", Kind.NUMBER)],
    Kind.NUMBER,
    zh="弧度转换为角度",
    en="Radians to degrees",
    examples=[("DEGREES(PI())", "180")],
)
def degrees(angle: Decimal) -> Decimal:
    return angle * 180 / _PI


@function(
    "SIN",
    Category.MATH,
    [Param("angle", Kind.NUMBER)],
    Kind.NUMBER,
    zh="正弦（参数为弧度）",
    en="The sine of an angle in radians",
    examples=[("SIN(RADIANS(30))", "0.5")],
)
def sin(angle: Decimal) -> float:
    return math.sin(float(angle))


@function(
    "COS",
    Category.MATH,
    [Param("angle", Kind.NUMBER)],
    Kind.NUMBER,
    zh="余弦（参数为弧度）",
    en="The cosine of an angle in radians",
    examples=[("COS(0)", "1"), ("COS(RADIANS(60))", "0.5")],
)
def cos(angle: Decimal) -> float:
    return math.cos(float(angle))


@function(
    "TAN",
    Category.MATH,
    [Param("angle", Kind.NUMBER)],
    Kind.NUMBER,
    zh="正切（参数为弧度）",
    en="The tangent of an angle in radians",
    examples=[("TAN(RADIANS(45))", "1")],
)
def tan(angle: Decimal) -> float:
    return math.tan(float(angle))
