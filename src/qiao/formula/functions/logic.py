"""Logic: IF and friends. IF, IFS, SWITCH, IFERROR and IFNA are lazy (only the branch
taken is evaluated, as in Excel); AND/OR/XOR evaluate every argument (as Excel does:
``AND(FALSE, 1/0)`` is #DIV/0!)."""

from __future__ import annotations

from collections.abc import Callable

from qiao.formula.checker import common_kind
from qiao.formula.evaluator import EvalContext, compare
from qiao.formula.functions._common import logicals
from qiao.formula.registry import Category, Kind, Param, function
from qiao.formula.values import ErrorValue, FormulaErrorSignal, Value, to_bool

Thunk = Callable[[], Value]


def _condition(thunk: Thunk) -> bool:
    value = thunk()
    if isinstance(value, list):
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return to_bool(value)  # an error value raises itself


def _if_kind(kinds: list[Kind]) -> Kind:
    branches = kinds[1:] if len(kinds) == 3 else [*kinds[1:], Kind.BOOL]
    return common_kind(branches)


@function(
    "IF",
    Category.LOGIC,
    [Param("condition", Kind.BOOL), Param("value_if_true"), Param("value_if_false", optional=True)],
    Kind.ANY,
    zh="条件为真时返回第二个参数，否则返回第三个参数（省略时为 FALSE）",
    en="Returns the second argument when the condition is true, else the third (FALSE when omitted)",
    examples=[
        ('IF(2 > 1, "是", "否")', "是"),
        ("IF(amount >= 1000, amount*0.9, amount)", "1080", {"amount": 1200}),
        ("IF(1 > 2, 1)", "FALSE"),
    ],
    lazy=True,
    infer=_if_kind,
)
def if_(ctx: EvalContext, condition: Thunk, then: Thunk, otherwise: Thunk | None = None) -> Value:
    if _condition(condition):
        return then()
    return otherwise() if otherwise is not None else False


def _ifs_kind(kinds: list[Kind]) -> Kind:
    return common_kind(kinds[1::2]) if len(kinds) > 1 else Kind.ANY


@function(
    "IFS",
    Category.LOGIC,
    [
        Param("condition1", Kind.BOOL),
        Param("value1"),
        Param("condition2, value2", optional=True, variadic=True),
    ],
    Kind.ANY,
    zh="依次检查条件，返回第一个为真的条件对应的值；都不成立时为 #N/A",
    en="Checks conditions in turn and returns the value of the first true one; #N/A if none is",
    examples=[
        ('IFS(score >= 90, "优", score >= 60, "及格", TRUE, "不及格")', "及格", {"score": 75}),
        ("IFS(1 > 2, 1)", "#N/A"),
    ],
    lazy=True,
    infer=_ifs_kind,
    arg_step=2,
)
def ifs(ctx: EvalContext, *args: Thunk) -> Value:
    for index in range(0, len(args), 2):
        if _condition(args[index]):
            return args[index + 1]()
    return ErrorValue.NA


def _switch_kind(kinds: list[Kind]) -> Kind:
    rest = kinds[1:]
    results = rest[1::2]
    if len(rest) % 2:
        results = [*results, rest[-1]]
    return common_kind(results) if results else Kind.ANY


@function(
    "SWITCH",
    Category.LOGIC,
    [
        Param("expression"),
        Param("value1"),
        Param("result1"),
        Param("value2, result2, …, default", optional=True, variadic=True),
    ],
    Kind.ANY,
    zh="把表达式依次与各值比较，返回第一个相等值对应的结果；都不相等时返回默认值（没有默认值为 #N/A）",
    en="Compares the expression with each value and returns the result of the first equal one; "
    "else the default (#N/A without one)",
    examples=[
        ('SWITCH(level, 1, "普通", 2, "重要", "其他")', "重要", {"level": 2}),
        ('SWITCH("b", "a", 1, "B", 2)', "2"),
        ('SWITCH(9, 1, "x")', "#N/A"),
    ],
    lazy=True,
    infer=_switch_kind,
)
def switch(ctx: EvalContext, expression: Thunk, *rest: Thunk) -> Value:
    subject = expression()
    if isinstance(subject, ErrorValue):
        return subject
    pairs = len(rest) // 2
    for index in range(pairs):
        candidate = rest[2 * index]()
        if isinstance(candidate, ErrorValue):
            return candidate
        if compare(subject, candidate) == 0:
            return rest[2 * index + 1]()
    if len(rest) % 2:
        return rest[-1]()
    return ErrorValue.NA


@function(
    "AND",
    Category.LOGIC,
    [Param("logical1", range=True), Param("logical2", optional=True, variadic=True, range=True)],
    Kind.BOOL,
    zh="所有参数都为真时返回 TRUE；区域中的文本和空值被忽略",
    en="TRUE when every argument is true; text and blanks in ranges are ignored",
    examples=[
        ("AND(1 < 2, 3 > 2)", "TRUE"),
        ("AND(TRUE, 0)", "FALSE"),
        ("AND(TRUE, 1/0)", "#DIV/0!"),
    ],
)
def and_(*args: list[Value]) -> bool:
    return all(logicals(args))


@function(
    "OR",
    Category.LOGIC,
    [Param("logical1", range=True), Param("logical2", optional=True, variadic=True, range=True)],
    Kind.BOOL,
    zh="任一参数为真时返回 TRUE",
    en="TRUE when any argument is true",
    examples=[("OR(1 > 2, 3 > 2)", "TRUE"), ("OR(FALSE, 0)", "FALSE"), ('OR("x")', "#VALUE!")],
)
def or_(*args: list[Value]) -> bool:
    return any(logicals(args))


@function(
    "XOR",
    Category.LOGIC,
    [Param("logical1", range=True), Param("logical2", optional=True, variadic=True, range=True)],
    Kind.BOOL,
    zh="为真的参数个数为奇数时返回 TRUE",
    en="TRUE when an odd number of the arguments are true",
    examples=[("XOR(TRUE, FALSE)", "TRUE"), ("XOR(TRUE, TRUE)", "FALSE")],
)
def xor(*args: list[Value]) -> bool:
    return sum(logicals(args)) % 2 == 1


@function(
    "NOT",
    Category.LOGIC,
    [Param("logical", Kind.BOOL)],
    Kind.BOOL,
    zh="逻辑取反",
    en="Reverses a logical value",
    examples=[("NOT(1 > 2)", "TRUE"), ("NOT(5)", "FALSE")],
)
def not_(value: bool) -> bool:
    return not value


@function(
    "IFERROR",
    Category.LOGIC,
    [Param("value"), Param("value_if_error")],
    Kind.ANY,
    zh="第一个参数是错误值时返回第二个参数，否则返回第一个参数",
    en="Returns the second argument when the first is an error, else the first",
    examples=[("IFERROR(10/0, 0)", "0"), ('IFERROR(10/4, "错误")', "2.5")],
    lazy=True,
    infer=lambda kinds: common_kind(kinds),
)
def iferror(ctx: EvalContext, value: Thunk, fallback: Thunk) -> Value:
    result = value()
    return fallback() if isinstance(result, ErrorValue) else result


@function(
    "IFNA",
    Category.LOGIC,
    [Param("value"), Param("value_if_na")],
    Kind.ANY,
    zh="第一个参数是 #N/A 时返回第二个参数，否则返回第一个参数",
    en="Returns the second argument when the first is #N/A, else the first",
    examples=[('IFNA(NA(), "无")', "无"), ('IFNA(1/0, "无")', "#DIV/0!")],
    lazy=True,
    infer=lambda kinds: common_kind(kinds),
)
def ifna(ctx: EvalContext, value: Thunk, fallback: Thunk) -> Value:
    result = value()
    return fallback() if result is ErrorValue.NA else result


@function(
    "TRUE",
    Category.LOGIC,
    [],
    Kind.BOOL,
    zh="逻辑值 TRUE",
    en="The logical value TRUE",
    examples=[("TRUE()", "TRUE")],
)
def true_() -> bool:
    return True


@function(
    "FALSE",
    Category.LOGIC,
    [],
    Kind.BOOL,
    zh="逻辑值 FALSE",
    en="The logical value FALSE",
    examples=[("FALSE()", "FALSE")],
)
def false_() -> bool:
    return False
