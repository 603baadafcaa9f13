"""Aggregates over ranges — sub-form columns (``lines.qty``) and fields of related
records — and over plain arguments: counting, conditional sums and averages, order
statistics. Criteria follow COUNTIF's language (see ``_common.criterion``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from qiao.formula.evaluator import DirectArg
from qiao.formula.functions._common import criterion, numbers
from qiao.formula.registry import Category, Kind, Param, function
from qiao.formula.values import ErrorValue, FormulaErrorSignal, Value, to_number, to_serial


def _fail(error: ErrorValue = ErrorValue.VALUE) -> FormulaErrorSignal:
    return FormulaErrorSignal(error)


def _is_number(value: Value) -> bool:
    return isinstance(value, Decimal | int | float | date) and not isinstance(value, bool)


def _number(value: Value) -> Decimal:
    return to_serial(value) if isinstance(value, date) else to_number(value)


def _single(arg: list[Value]) -> Value:
    """A criterion given where a range parameter repeats: one value."""
    if len(arg) != 1:
        raise _fail()
    return arg[0]


def _mask(pairs: list[list[Value]]) -> list[bool]:
    """Which positions meet every (range, criterion) pair; ranges must be one size."""
    if len(pairs) % 2:
        raise _fail(ErrorValue.NA)
    size = len(pairs[0])
    mask = [True] * size
    for index in range(0, len(pairs), 2):
        cells = pairs[index]
        if len(cells) != size:
            raise _fail()
        test = criterion(_single(pairs[index + 1]))
        for position, cell in enumerate(cells):
            if mask[position] and not test(cell):
                mask[position] = False
    return mask


def _picked(values: list[Value], mask: list[bool]) -> list[Decimal]:
    """The numbers of ``values`` where ``mask`` holds; an error there is the result."""
    if len(values) != len(mask):
        raise _fail()
    found: list[Decimal] = []
    for value, keep in zip(values, mask, strict=True):
        if not keep:
            continue
        if isinstance(value, ErrorValue):
            raise _fail(value)
        if _is_number(value):
            found.append(_number(value))
    return found


_RANGE = Param("range", range=True)
_MORE_PAIRS = Param("range2, criterion2", optional=True, variadic=True, range=True)


@function(
    "COUNT",
    Category.AGGREGATE,
    [Param("value1", range=True), Param("value2", optional=True, variadic=True, range=True)],
    Kind.NUMBER,
    zh="统计数字（含日期）的个数；直接给出的数字文本和逻辑值也计入",
    en="Counts numbers (dates included); numeric text and logical values given directly count too",
    examples=[
        ("COUNT(lines.qty)", "2", {"lines.qty": [1, None, "x", 5]}),
        ('COUNT(1, "2", "x", TRUE)', "3"),
    ],
    accepts_errors=True,
)
def count(*args: list[Value]) -> int:
    total = 0
    for arg in args:
        direct = isinstance(arg, DirectArg)
        for value in arg:
            if _is_number(value) or (direct and isinstance(value, bool)):
                total += 1
            elif direct and isinstance(value, str):
                try:
                    to_number(value)
                except FormulaErrorSignal:
                    continue
                total += 1
    return total


@function(
    "COUNTA",
    Category.AGGREGATE,
    [Param("value1", range=True), Param("value2", optional=True, variadic=True, range=True)],
    Kind.NUMBER,
    zh="统计非空值的个数（错误值和空文本也计入）",
    en="Counts values that are not blank (errors and empty text count)",
    examples=[("COUNTA(lines.name)", "2", {"lines.name": ["a", None, "b"]})],
    accepts_errors=True,
)
def counta(*args: list[Value]) -> int:
    return sum(1 for arg in args for value in arg if value is not None)


@function(
    "COUNTBLANK",
    Category.AGGREGATE,
    [Param("range", range=True)],
    Kind.NUMBER,
    zh="统计空值（含空文本）的个数",
    en="Counts blanks (empty text included)",
    examples=[("COUNTBLANK(lines.name)", "2", {"lines.name": ["a", None, ""]})],
    accepts_errors=True,
)
def countblank(cells: list[Value]) -> int:
    return sum(1 for value in cells if value is None or value == "")


@function(
    "COUNTIF",
    Category.AGGREGATE,
    [_RANGE, Param("criterion")],
    Kind.NUMBER,
    zh='统计满足条件的个数。条件可以是值，或带比较符的文本如 ">100"、"<>已完成"，文本可用通配符 * 和 ?',
    en="Counts the values meeting a criterion: a value, or text with a comparison such as "
    '">100" or "<>done"; text may use the wildcards * and ?',
    examples=[
        ('COUNTIF(lines.qty, ">2")', "2", {"lines.qty": [1, 3, 5]}),
        ('COUNTIF(lines.name, "张*")', "2", {"lines.name": ["张三", "李四", "张五"]}),
        ('COUNTIF(lines.status, "<>已完成")', "1", {"lines.status": ["已完成", "进行中"]}),
    ],
)
def countif(cells: list[Value], spec: Value) -> int:
    test = criterion(spec)
    return sum(1 for value in cells if test(value))


@function(
    "COUNTIFS",
    Category.AGGREGATE,
    [_RANGE, Param("criterion", range=True), _MORE_PAIRS],
    Kind.NUMBER,
    zh="统计同时满足多组条件的个数（各区域大小须相同）",
    en="Counts the positions meeting every criterion (the ranges must be one size)",
    examples=[
        (
            'COUNTIFS(lines.qty, ">1", lines.name, "a")',
            "1",
            {"lines.qty": [1, 2, 3], "lines.name": ["a", "a", "b"]},
        )
    ],
    arg_step=2,
)
def countifs(*pairs: list[Value]) -> int:
    return sum(_mask(list(pairs)))


@function(
    "SUMIF",
    Category.AGGREGATE,
    [_RANGE, Param("criterion"), Param("sum_range", optional=True, range=True)],
    Kind.NUMBER,
    zh="对满足条件的值求和；给出求和区域时，按条件区域筛选后对求和区域对应位置求和",
    en="Adds the values meeting a criterion; with a sum range, adds its values where the "
    "criterion range meets the criterion",
    examples=[
        ('SUMIF(lines.qty, ">2")', "8", {"lines.qty": [1, 3, 5]}),
        (
            'SUMIF(lines.type, "服务", lines.amount)',
            "300",
            {"lines.type": ["服务", "商品", "服务"], "lines.amount": [100, 50, 200]},
        ),
    ],
)
def sumif(cells: list[Value], spec: Value, sum_range: list[Value] | None = None) -> Decimal:
    test = criterion(spec)
    mask = [test(value) for value in cells]
    target = sum_range if sum_range is not None else cells
    target = (target + [None] * len(mask))[: len(mask)]
    return sum(_picked(target, mask), Decimal(0))


@function(
    "SUMIFS",
    Category.AGGREGATE,
    [Param("sum_range", range=True), _RANGE, Param("criterion", range=True), _MORE_PAIRS],
    Kind.NUMBER,
    zh="对同时满足多组条件的位置求和（各区域大小须相同）",
    en="Adds the sum range's values where every criterion is met (ranges one size)",
    examples=[
        (
            'SUMIFS(lines.amount, lines.type, "服务", lines.qty, ">=2")',
            "200",
            {"lines.amount": [100, 200], "lines.type": ["服务", "服务"], "lines.qty": [1, 2]},
        )
    ],
    arg_step=2,
)
def sumifs(target: list[Value], *pairs: list[Value]) -> Decimal:
    return sum(_picked(target, _mask(list(pairs))), Decimal(0))


@function(
    "AVERAGEIF",
    Category.AGGREGATE,
    [_RANGE, Param("criterion"), Param("average_range", optional=True, range=True)],
    Kind.NUMBER,
    zh="满足条件的值的平均值；没有满足的数字时为 #DIV/0!",
    en="The mean of the values meeting a criterion; #DIV/0! when none do",
    examples=[
        ('AVERAGEIF(lines.qty, ">1")', "4", {"lines.qty": [1, 3, 5]}),
        ('AVERAGEIF(lines.qty, ">10")', "#DIV/0!", {"lines.qty": [1, 3, 5]}),
    ],
)
def averageif(cells: list[Value], spec: Value, average_range: list[Value] | None = None) -> Decimal:
    test = criterion(spec)
    mask = [test(value) for value in cells]
    target = average_range if average_range is not None else cells
    target = (target + [None] * len(mask))[: len(mask)]
    found = _picked(target, mask)
    if not found:
        raise _fail(ErrorValue.DIV0)
    return sum(found, Decimal(0)) / len(found)


@function(
    "AVERAGEIFS",
    Category.AGGREGATE,
    [Param("average_range", range=True), _RANGE, Param("criterion", range=True), _MORE_PAIRS],
    Kind.NUMBER,
    zh="同时满足多组条件的位置的平均值",
    en="The mean of the average range where every criterion is met",
    examples=[
        (
            'AVERAGEIFS(lines.amount, lines.type, "服务")',
            "150",
            {"lines.amount": [100, 50, 200], "lines.type": ["服务", "商品", "服务"]},
        )
    ],
    arg_step=2,
)
def averageifs(target: list[Value], *pairs: list[Value]) -> Decimal:
    found = _picked(target, _mask(list(pairs)))
    if not found:
        raise _fail(ErrorValue.DIV0)
    return sum(found, Decimal(0)) / len(found)


def _extreme_ifs(
    target: list[Value], pairs: tuple[list[Value], ...], pick: Callable[..., Decimal]
) -> Decimal:
    found = _picked(target, _mask(list(pairs)))
    return pick(found) if found else Decimal(0)


@function(
    "MAXIFS",
    Category.AGGREGATE,
    [Param("max_range", range=True), _RANGE, Param("criterion", range=True), _MORE_PAIRS],
    Kind.NUMBER,
    zh="满足所有条件的位置中的最大值（没有时为 0）",
    en="The largest value where every criterion is met (0 when none is)",
    examples=[
        (
            'MAXIFS(lines.amount, lines.type, "服务")',
            "200",
            {"lines.amount": [100, 500, 200], "lines.type": ["服务", "商品", "服务"]},
        )
    ],
    arg_step=2,
)
def maxifs(target: list[Value], *pairs: list[Value]) -> Decimal:
    return _extreme_ifs(target, pairs, max)


@function(
    "MINIFS",
    Category.AGGREGATE,
    [Param("min_range", range=True), _RANGE, Param("criterion", range=True), _MORE_PAIRS],
    Kind.NUMBER,
    zh="满足所有条件的位置中的最小值（没有时为 0）",
    en="The smallest value where every criterion is met (0 when none is)",
    examples=[
        (
            'MINIFS(lines.amount, lines.type, "服务")',
            "100",
            {"lines.amount": [100, 50, 200], "lines.type": ["服务", "商品", "服务"]},
        )
    ],
    arg_step=2,
)
def minifs(target: list[Value], *pairs: list[Value]) -> Decimal:
    return _extreme_ifs(target, pairs, min)


@function(
    "SUMPRODUCT",
    Category.AGGREGATE,
    [Param("array1", range=True), Param("array2", optional=True, variadic=True, range=True)],
    Kind.NUMBER,
    zh="各区域对应位置相乘后求和（区域大小须相同，非数字按 0 计）",
    en="Multiplies the ranges position by position and adds the products (ranges one size; "
    "anything not a number counts as 0)",
    examples=[
        ("SUMPRODUCT(lines.qty, lines.price)", "17", {"lines.qty": [1, 2], "lines.price": [5, 6]}),
        (
            "SUMPRODUCT(lines.qty, lines.price)",
            "#VALUE!",
            {"lines.qty": [1, 2], "lines.price": [5]},
        ),
    ],
)
def sumproduct(*arrays: list[Value]) -> Decimal:
    size = len(arrays[0])
    if any(len(a) != size for a in arrays):
        raise _fail()
    total = Decimal(0)
    for position in range(size):
        product = Decimal(1)
        for array in arrays:
            value = array[position]
            if isinstance(value, ErrorValue):
                raise _fail(value)
            product *= _number(value) if _is_number(value) else Decimal(0)
        total += product
    return total


@function(
    "MEDIAN",
    Category.AGGREGATE,
    [Param("number1", range=True), Param("number2", optional=True, variadic=True, range=True)],
    Kind.NUMBER,
    zh="中位数（没有数字时为 #NUM!）",
    en="The median (#NUM! when there are no numbers)",
    examples=[("MEDIAN(1, 9, 3)", "3"), ("MEDIAN(lines.qty)", "2.5", {"lines.qty": [1, 2, 3, 4]})],
)
def median(*args: list[Value]) -> Decimal:
    found = sorted(numbers(args))
    if not found:
        raise _fail(ErrorValue.NUM)
    middle = len(found) // 2
    if len(found) % 2:
        return found[middle]
    return (found[middle - 1] + found[middle]) / 2


def _kth(cells: list[Value], k: Decimal, largest: bool) -> Decimal:
    found = sorted(numbers([cells]), reverse=largest)
    index = int(k.to_integral_value(rounding="ROUND_CEILING"))
    if index < 1 or index > len(found):
        raise _fail(ErrorValue.NUM)
    return found[index - 1]


@function(
    "LARGE",
    Category.AGGREGATE,
    [Param("array", range=True), Param("k", Kind.NUMBER)],
    Kind.NUMBER,
    zh="第 k 大的值",
    en="The k-th largest value",
    examples=[
        ("LARGE(lines.qty, 2)", "5", {"lines.qty": [1, 9, 5]}),
        ("LARGE(lines.qty, 4)", "#NUM!", {"lines.qty": [1, 9, 5]}),
    ],
)
def large(cells: list[Value], k: Decimal) -> Decimal:
    return _kth(cells, k, largest=True)


@function(
    "SMALL",
    Category.AGGREGATE,
    [Param("array", range=True), Param("k", Kind.NUMBER)],
    Kind.NUMBER,
    zh="第 k 小的值",
    en="The k-th smallest value",
    examples=[("SMALL(lines.qty, 1)", "1", {"lines.qty": [1, 9, 5]})],
)
def small(cells: list[Value], k: Decimal) -> Decimal:
    return _kth(cells, k, largest=False)
