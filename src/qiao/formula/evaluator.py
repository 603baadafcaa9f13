"""Evaluation: a checked formula compiled once to a tree of Python closures, then run
per record (a formula field is recomputed over up to millions of rows).

No ``eval``/``exec``: each AST node becomes a closure calling its children's closures.
The tree's depth is bounded by the parser (``parser.MAX_DEPTH``), so is the recursion.

Excel's semantics:

- blank is 0 in arithmetic, "" in ``&``, FALSE in logic, and equals 0, "" and FALSE;
- ``=``/``<>``/``<``… compare text case-insensitively; values of different types order
  numbers < text < booleans (so ``1 = "1"`` is FALSE); dates are numbers;
- a date ± a number is a date, a date − a date a number of days;
- errors propagate, the first (left to right) wins; x/0 is #DIV/0!; text that is not a
  number in arithmetic is #VALUE!;
- numbers are exact decimals computed with 28 digits; like Excel, what is compared
  and shown keeps 15 significant digits, so ``1/3*3 = 1`` is TRUE and ``0.1+0.2``
  is exactly 0.3. Functions that cut a number (INT, ROUNDDOWN, MOD, …) first round it
  to those 15 digits, so ``INT(1/3*3)`` is 1 as in Excel.

Deliberate difference: comparing a date with text that reads as a date (``"2024-03-01"``)
compares the dates (Excel would rank any text above every date).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Context, Decimal
from functools import lru_cache, partial
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from qiao.formula import ast
from qiao.formula.checker import Checked
from qiao.formula.registry import FunctionDef, FunctionRegistry, Kind, load_all
from qiao.formula.values import (
    ErrorValue,
    FormulaErrorSignal,
    Value,
    normalize_number,
    parse_date_text,
    to_bool,
    to_date,
    to_number,
    to_text,
)

Path: TypeAlias = tuple[str, ...]
Get: TypeAlias = Callable[[Path], Value]
Lookup: TypeAlias = Mapping[Path, Value] | Callable[[Path], Value]


@dataclass(frozen=True)
class EvalContext:
    """What a formula may know besides its inputs: the time (for TODAY/NOW), the zone
    dates are reckoned in, and the user's locale."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))  # aware
    tz: tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    locale: str = "zh-CN"

    @property
    def local_now(self) -> datetime:
        """Now in ``tz``, naive (formula datetimes are wall-clock times in the zone)."""
        return self.now.astimezone(self.tz).replace(tzinfo=None)

    @property
    def today(self) -> date:
        return self.local_now.date()


class DirectArg(list[Value]):
    """A scalar given directly to a range parameter, as a one-element list.

    Excel's aggregates coerce such values (``SUM(1, "2", TRUE)`` is 4) but ignore the
    same text and booleans inside a range; the type tells the implementation which."""


Fn: TypeAlias = Callable[[Get, EvalContext], Value]

_P15 = Context(prec=15, rounding=ROUND_HALF_EVEN)
_round15 = _P15.plus
_MAX = Decimal("1e308")  # beyond a double: Excel's #NUM!
_ZERO = Decimal(0)


def _divide(x: Decimal, y: Decimal) -> Decimal:
    if not y:
        raise FormulaErrorSignal(ErrorValue.DIV0)
    return x / y


def _power(x: Decimal, y: Decimal) -> Decimal:
    if not x:
        if not y:
            raise FormulaErrorSignal(ErrorValue.NUM)
        if y < 0:
            raise FormulaErrorSignal(ErrorValue.DIV0)
        return _ZERO
    if y == y.to_integral_value() and abs(y) <= 4096:
        return x ** int(y)
    if x < 0:
        raise FormulaErrorSignal(ErrorValue.NUM)
    return x**y


_ARITH: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _divide,
    "^": _power,
}


def _shift(day: date, days: Decimal) -> date:
    """A date moved by a (possibly fractional) number of days."""
    if isinstance(day, datetime):
        return day + timedelta(seconds=int((days * 86400).to_integral_value()))
    if days == days.to_integral_value():
        return day + timedelta(days=int(days))
    start = datetime.combine(day, time())
    return start + timedelta(seconds=int((days * 86400).to_integral_value()))


def _lift(fn: Callable[[Value, Value], Value], a: Value, b: Value) -> list[Value]:
    """Element-wise over ranges, as Excel arrays: a scalar or a one-element range
    repeats; where one range is shorter the result is #N/A."""
    left = a if isinstance(a, list) else [a]
    right = b if isinstance(b, list) else [b]
    size = max(len(left), len(right))
    if len(left) == 1:
        left = left * size
    if len(right) == 1:
        right = right * size
    out: list[Value] = []
    for index in range(size):
        if index >= len(left) or index >= len(right):
            out.append(ErrorValue.NA)
        else:
            out.append(fn(left[index], right[index]))
    return out


def arithmetic(op: str, a: Value, b: Value) -> Value:
    """``a op b`` for + - * / ^ with Excel's coercions; errors are returned."""
    if isinstance(a, ErrorValue):
        return a
    if isinstance(b, ErrorValue):
        return b
    if isinstance(a, list) or isinstance(b, list):
        if (
            op in "+-*"
            and isinstance(a, list)
            and isinstance(b, list)
            and len(a) == len(b)
            and all(type(x) is Decimal for x in a)
            and all(type(y) is Decimal for y in b)
        ):
            fast = _ARITH[op]  # a column times a column of numbers: the common case
            try:
                out = [fast(x, y) for x, y in zip(a, b, strict=True)]
                if all(r.adjusted() < 308 for r in out):
                    return out
            except ArithmeticError:
                pass  # element by element below, the overflowing one #NUM!
        return _lift(partial(arithmetic, op), a, b)
    try:
        if op == "-" and type(a) is date and type(b) is date:
            return Decimal((a - b).days)
        if op in "+-" and (isinstance(a, date) or isinstance(b, date)):
            if isinstance(a, date) and not isinstance(b, date | str):
                n = to_number(b)
                return _shift(a, n if op == "+" else -n)
            if op == "+" and isinstance(b, date) and not isinstance(a, date | str):
                return _shift(b, to_number(a))
        result = _ARITH[op](to_number(a), to_number(b))
        return result if result.adjusted() < 308 else ErrorValue.NUM
    except FormulaErrorSignal as signal:
        return signal.error
    except (OverflowError, ArithmeticError):
        return ErrorValue.NUM


def _rank(value: Value) -> int:
    if isinstance(value, bool):
        return 2
    if isinstance(value, str):
        return 1
    return 0


def compare(a: Value, b: Value) -> int | ErrorValue:
    """-1, 0 or 1 as Excel orders ``a`` and ``b``; an error operand is returned."""
    if isinstance(a, ErrorValue):
        return a
    if isinstance(b, ErrorValue):
        return b
    if a is None and b is None:
        return 0
    if a is None:
        a = False if isinstance(b, bool) else "" if isinstance(b, str) else _ZERO
    elif b is None:
        b = False if isinstance(a, bool) else "" if isinstance(a, str) else _ZERO
    if isinstance(a, date) and isinstance(b, str):
        parsed = parse_date_text(b)
        if parsed is not None:
            b = parsed
    elif isinstance(b, date) and isinstance(a, str):
        parsed = parse_date_text(a)
        if parsed is not None:
            a = parsed
    rank_a, rank_b = _rank(a), _rank(b)
    if rank_a != rank_b:
        return -1 if rank_a < rank_b else 1
    if rank_a == 1:
        x: Any = a.casefold()
        y: Any = b.casefold()
    elif rank_a == 2:
        x, y = a, b
    else:
        x, y = to_number(a), to_number(b)
        if x != y:
            x, y = _round15(x), _round15(y)
    return 0 if x == y else (-1 if x < y else 1)


_COMPARE: dict[str, Callable[[int], bool]] = {
    "=": lambda c: c == 0,
    "<>": lambda c: c != 0,
    "<": lambda c: c < 0,
    ">": lambda c: c > 0,
    "<=": lambda c: c <= 0,
    ">=": lambda c: c >= 0,
}


def comparison(op: str, a: Value, b: Value) -> Value:
    if (isinstance(a, list) or isinstance(b, list)) and not (
        isinstance(a, ErrorValue) or isinstance(b, ErrorValue)
    ):
        return _lift(partial(comparison, op), a, b)
    result = compare(a, b)
    if isinstance(result, ErrorValue):
        return result
    return _COMPARE[op](result)


def concat(a: Value, b: Value) -> Value:
    if isinstance(a, ErrorValue):
        return a
    if isinstance(b, ErrorValue):
        return b
    if isinstance(a, list) or isinstance(b, list):
        return _lift(concat, a, b)
    try:
        return to_text(a) + to_text(b)
    except FormulaErrorSignal as signal:
        return signal.error


def negate(value: Value) -> Value:
    if isinstance(value, ErrorValue):
        return value
    if isinstance(value, list):
        return [negate(v) for v in value]
    try:
        return -to_number(value)
    except FormulaErrorSignal as signal:
        return signal.error


def percent(value: Value) -> Value:
    if isinstance(value, ErrorValue):
        return value
    if isinstance(value, list):
        return [percent(v) for v in value]
    try:
        return to_number(value) / 100
    except FormulaErrorSignal as signal:
        return signal.error


def _out(result: Value) -> Value:
    """A function's result as a formula value (ints and floats become Decimals)."""
    kind = type(result)
    if kind is int:
        return Decimal(result)
    if kind is float:
        if result != result or result in (float("inf"), float("-inf")):
            return ErrorValue.NUM
        return Decimal(repr(result))
    return result


def _coercer(kind: Kind, accepts_errors: bool) -> Callable[[Value], Value]:
    convert: Callable[[Value], Value]
    if kind == Kind.NUMBER:

        def convert(v: Value) -> Value:
            return v if type(v) is Decimal else to_number(v)

    elif kind == Kind.TEXT:

        def convert(v: Value) -> Value:
            return v if type(v) is str else to_text(v)

    elif kind == Kind.BOOL:
        convert = to_bool
    elif kind in (Kind.DATE, Kind.DATETIME):
        convert = to_date
    else:

        def convert(v: Value) -> Value:
            if isinstance(v, ErrorValue):
                raise FormulaErrorSignal(v)
            return v

    if not accepts_errors:
        return convert

    def tolerant(v: Value) -> Value:
        return v if isinstance(v, ErrorValue) else convert(v)

    return tolerant


def _argument(node: ast.Node, fn: Fn, definition: FunctionDef, index: int) -> Fn:
    """The closure giving one argument as the implementation takes it."""
    param = definition.param_at(index)
    if param.range:
        if isinstance(node, ast.Ref):

            def reference(get: Get, ctx: EvalContext) -> Value:
                value = fn(get, ctx)
                if isinstance(value, list):
                    return value
                return [] if value is None and len(node.path) > 1 else [value]

            return reference
        accepts = definition.accepts_errors

        def direct(get: Get, ctx: EvalContext) -> Value:
            value = fn(get, ctx)
            if isinstance(value, list):
                return value
            if isinstance(value, ErrorValue) and not accepts:
                raise FormulaErrorSignal(value)
            return DirectArg([value])

        return direct
    convert = _coercer(param.kind, definition.accepts_errors)

    def scalar(get: Get, ctx: EvalContext) -> Value:
        return convert(fn(get, ctx))

    return scalar


class _Compiler:
    def __init__(self, registry: FunctionRegistry) -> None:
        self.registry = registry

    def compile(self, node: ast.Node) -> Fn:
        if isinstance(node, ast.Number | ast.Text | ast.Bool | ast.Error):
            constant: Value = node.value

            def const(get: Get, ctx: EvalContext) -> Value:
                return constant

            return const
        if isinstance(node, ast.Ref):
            return self.ref(node.names)
        if isinstance(node, ast.Unary):
            operand = self.compile(node.operand)
            if node.op == "+":
                return operand

            def neg(get: Get, ctx: EvalContext) -> Value:
                value = operand(get, ctx)
                if type(value) is Decimal:
                    return -value
                return negate(value)

            return neg
        if isinstance(node, ast.Percent):
            inner = self.compile(node.operand)

            def pct(get: Get, ctx: EvalContext) -> Value:
                return percent(inner(get, ctx))

            return pct
        if isinstance(node, ast.Binary):
            return self.binary(node)
        return self.call(node)

    @staticmethod
    def ref(path: Path) -> Fn:
        def ref(get: Get, ctx: EvalContext) -> Value:
            value = get(path)
            kind = type(value)
            if kind is int:
                return Decimal(value)
            if kind is float:
                return Decimal(repr(value))
            return value

        return ref

    def binary(self, node: ast.Binary) -> Fn:
        left = self.compile(node.left)
        right = self.compile(node.right)
        op = node.op
        if op in _ARITH:
            fast = _ARITH[op]
            if op in ("/", "^"):

                def slow_only(get: Get, ctx: EvalContext) -> Value:
                    return arithmetic(op, left(get, ctx), right(get, ctx))

                return slow_only

            def arith(get: Get, ctx: EvalContext) -> Value:
                a = left(get, ctx)
                b = right(get, ctx)
                if type(a) is Decimal and type(b) is Decimal:
                    try:
                        result = fast(a, b)
                    except ArithmeticError:  # beyond Decimal's exponent range
                        return ErrorValue.NUM
                    # Excel's numbers end near 1e308 (a double): beyond is #NUM!
                    return result if result.adjusted() < 308 else ErrorValue.NUM
                return arithmetic(op, a, b)

            return arith
        if op == "&":

            def amp(get: Get, ctx: EvalContext) -> Value:
                a = left(get, ctx)
                b = right(get, ctx)
                if type(a) is str and type(b) is str:
                    return a + b
                return concat(a, b)

            return amp
        test = _COMPARE[op]

        def cmp(get: Get, ctx: EvalContext) -> Value:
            a = left(get, ctx)
            b = right(get, ctx)
            kind = type(a)
            if kind is Decimal and type(b) is Decimal:
                if a == b:
                    return test(0)
                a, b = _round15(a), _round15(b)
                return test(0 if a == b else (-1 if a < b else 1))
            if kind is date and type(b) is date:
                return test(0 if a == b else (-1 if a < b else 1))
            return comparison(op, a, b)

        return cmp

    def call(self, node: ast.Call) -> Fn:
        definition = self.registry.get(node.name)
        given = len(node.args)
        if definition is None:
            return self.compile(ast.Error(ErrorValue.NAME))
        if not definition.accepts_count(given):
            return self.compile(ast.Error(ErrorValue.VALUE))
        compiled = [self.compile(arg) for arg in node.args]
        impl = definition.impl
        if definition.name == "IF" and definition.lazy:
            return self.if_(compiled, self.lazy(definition, compiled))
        if definition.lazy:
            return self.lazy(definition, compiled)
        args = [
            _argument(arg, fn, definition, index)
            for index, (arg, fn) in enumerate(zip(node.args, compiled, strict=True))
        ]
        needs_ctx = definition.needs_ctx

        def call(get: Get, ctx: EvalContext) -> Value:
            try:
                values = [arg(get, ctx) for arg in args]
                if needs_ctx:
                    return _out(impl(ctx, *values))
                return _out(impl(*values))
            except FormulaErrorSignal as signal:
                return signal.error
            except ZeroDivisionError:
                return ErrorValue.DIV0
            except ArithmeticError:
                return ErrorValue.NUM
            except ValueError:
                return ErrorValue.VALUE

        return call

    @staticmethod
    def lazy(definition: FunctionDef, compiled: list[Fn]) -> Fn:
        """A lazy function gets ``(ctx, *thunks)``: each thunk evaluates one argument."""
        impl = definition.impl

        def lazy(get: Get, ctx: EvalContext) -> Value:
            try:
                return _out(impl(ctx, *[partial(fn, get, ctx) for fn in compiled]))
            except FormulaErrorSignal as signal:
                return signal.error
            except ZeroDivisionError:
                return ErrorValue.DIV0
            except ArithmeticError:
                return ErrorValue.NUM

        return lazy

    @staticmethod
    def if_(compiled: list[Fn], general: Fn) -> Fn:
        """IF with a boolean condition picks its branch without building thunks (the
        common case in formula fields); any other condition goes through IF itself."""
        condition = compiled[0]
        then = compiled[1]
        otherwise = compiled[2] if len(compiled) > 2 else None

        def if_(get: Get, ctx: EvalContext) -> Value:
            test = condition(get, ctx)
            if test is True:
                return then(get, ctx)
            if test is False:
                return otherwise(get, ctx) if otherwise is not None else False
            return general(get, ctx)

        return if_


class Compiled:
    """A formula ready to run: ``compiled(lookup, ctx)``."""

    __slots__ = ("_fn", "node")

    def __init__(self, node: ast.Node, fn: Fn) -> None:
        self.node = node
        self._fn = fn

    def __call__(self, lookup: Lookup, ctx: EvalContext) -> Value:
        get: Get = lookup.get if type(lookup) is dict or isinstance(lookup, Mapping) else lookup
        return finish(self._fn(get, ctx))


def finish(value: Value) -> Value:
    """A result as it is handed out: numbers in their shortest exact form."""
    if type(value) is Decimal:
        if not value.is_finite() or abs(value) >= _MAX:
            return ErrorValue.NUM
        short = value.normalize(_P15)  # 15 significant digits, no trailing zeros
        exponent = short.as_tuple().exponent
        if isinstance(exponent, int) and exponent > 0:
            return normalize_number(value)  # 1200, not 1.2E+3
        return short
    if isinstance(value, list):
        return [finish(v) for v in value]
    return value


@lru_cache(maxsize=1024)
def _compile_cached(node: ast.Node) -> Compiled:
    return Compiled(node, _Compiler(load_all()).compile(node))


def compile(formula: Checked | ast.Node, registry: FunctionRegistry | None = None) -> Compiled:
    """Compile once, evaluate many times. Give a :class:`Checked` formula (or a tree
    that was checked: the compiler trusts it; an unknown function is #NAME?)."""
    node = formula.ast if isinstance(formula, Checked) else formula
    if registry is not None:
        return Compiled(node, _Compiler(registry).compile(node))
    return _compile_cached(node)


def evaluate(formula: Checked | ast.Node, lookup: Lookup, ctx: EvalContext | None = None) -> Value:
    """Evaluate a formula once. ``lookup`` maps a canonical reference path (a tuple of
    keys) to its value: a scalar, or a list for a range; absent means blank."""
    return compile(formula)(lookup, ctx if ctx is not None else EvalContext())
