"""Helpers shared by the math, logic, info and aggregate functions: how Excel reads
the values of range arguments, and its criteria language (COUNTIF's ">100", "a*")."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal
from functools import lru_cache

from qiao.formula.evaluator import DirectArg, compare
from qiao.formula.values import (
    ErrorValue,
    FormulaErrorSignal,
    Value,
    parse_date_text,
    parse_number_text,
    to_bool,
    to_number,
    to_serial,
)

_P15 = Context(prec=15, rounding=ROUND_HALF_EVEN)


def excel(number: Decimal) -> Decimal:
    """The number as Excel holds it: 15 significant digits. Functions that cut a
    number (INT, MOD, ROUNDDOWN, …) use it, so ``INT(1/3*3)`` is 1 as in Excel."""
    return _P15.plus(number)


def numbers(args: Iterable[list[Value]]) -> Iterator[Decimal]:
    """The numbers of SUM-like arguments. Direct arguments are coerced (text "2" is 2,
    TRUE is 1, other text is #VALUE!); inside a range only numbers and dates count;
    an error anywhere is the result."""
    for arg in args:
        direct = isinstance(arg, DirectArg)
        for value in arg:
            if type(value) is Decimal:  # the common case first
                yield value
            elif isinstance(value, ErrorValue):
                raise FormulaErrorSignal(value)
            elif isinstance(value, bool):
                if direct:
                    yield Decimal(int(value))
            elif isinstance(value, int | float):
                yield to_number(value)
            elif isinstance(value, date):
                yield to_serial(value)
            elif isinstance(value, str) and direct:
                yield to_number(value)


def numbers_and_dates(args: Iterable[list[Value]]) -> tuple[list[Decimal], bool]:
    """Like :func:`numbers`, and whether every value counted was a date (MAX of dates
    is a date)."""
    found: list[Decimal] = []
    all_dates = True
    for arg in args:
        for value in arg:
            if not isinstance(value, date):
                all_dates = all_dates and (
                    value is None
                    or (isinstance(value, bool | str) and not isinstance(arg, DirectArg))
                )
        found.extend(numbers([arg]))
    return found, all_dates and bool(found)


def logicals(args: Iterable[list[Value]]) -> list[bool]:
    """AND/OR/XOR's view of their arguments: booleans and numbers; text and blanks
    in ranges are skipped, direct text must read TRUE/FALSE."""
    found: list[bool] = []
    for arg in args:
        direct = isinstance(arg, DirectArg)
        for value in arg:
            if isinstance(value, ErrorValue):
                raise FormulaErrorSignal(value)
            if value is None:
                continue
            if isinstance(value, bool | Decimal | int | float) or (
                isinstance(value, str) and direct
            ):
                found.append(to_bool(value))
    if not found:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return found


def flatten(args: Iterable[list[Value]]) -> list[Value]:
    return [value for arg in args for value in arg]


# ----- criteria -------------------------------------------------------------------------
_OPERATORS = ("<=", ">=", "<>", "=", "<", ">")


def _wildcard(pattern: str) -> re.Pattern[str] | None:
    """Excel's * and ? (with ~ escaping them) as a regular expression; None when the
    text has no wildcard."""
    if not any(c in pattern for c in "*?"):
        return None if "~" not in pattern else re.compile(re.escape(pattern.replace("~~", "~")))
    out: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "~":
            following = next(chars, "")
            out.append(re.escape(following))
        elif char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=1024)
def criterion(spec: Value) -> Callable[[Value], bool]:
    """A COUNTIF criterion as a test on one value, as Excel reads it.

    A number or boolean matches equal values; text may start with a comparison
    operator (">100", "<>x", "=" for blanks, "<>" for non-blanks); text compared for
    equality may use * and ? wildcards; comparisons ignore case; numeric text in the
    criterion matches numbers ("100" matches 100), and a number matches numeric text.
    The tests are pure, so one is built once per criterion (a formula over many
    records asks for the same one again and again)."""
    if isinstance(spec, ErrorValue):
        error = spec
        return lambda v: v is error
    if spec is None:
        spec = Decimal(0)  # a blank criterion cell means 0 in Excel
    if not isinstance(spec, str):
        if isinstance(spec, bool):
            return lambda v: isinstance(v, bool) and v == spec
        target = to_number(spec)

        def number_equal(v: Value) -> bool:
            # COUNTIF(range, 2) counts the text "2" too
            if isinstance(v, str):
                parsed = parse_number_text(v)
                return parsed is not None and compare(parsed, target) == 0
            return _is_number(v) and compare(_as_number(v), target) == 0

        return number_equal
    op = "="
    body = spec
    for candidate in _OPERATORS:
        if spec.startswith(candidate):
            op, body = candidate, spec[len(candidate) :]
            break
    explicit = body != spec
    number = parse_number_text(body) if body.strip() else None
    when_date = parse_date_text(body) if number is None and body.strip() else None
    if number is None and when_date is not None:
        number = to_serial(when_date)
    if op in ("=", "<>"):
        if body == "":
            # "=" matches blanks only; "<>" matches anything not blank; "" (no
            # operator) matches blanks and empty text
            if op == "<>":
                return lambda v: v is not None
            if explicit:
                return lambda v: v is None
            return lambda v: v is None or v == ""
        if number is not None:
            goal = number

            def numeric_equal(v: Value) -> bool:
                if _is_number(v):
                    return compare(_as_number(v), goal) == 0
                if isinstance(v, str):
                    parsed = parse_number_text(v)
                    return parsed is not None and compare(parsed, goal) == 0
                return False

            return numeric_equal if op == "=" else (lambda v: not numeric_equal(v))
        upper = body.upper()
        if upper in ("TRUE", "FALSE"):
            flag = upper == "TRUE"

            def bool_equal(v: Value) -> bool:
                return isinstance(v, bool) and v == flag

            return bool_equal if op == "=" else (lambda v: not bool_equal(v))
        pattern = _wildcard(body)
        folded = body.casefold()

        def text_equal(v: Value) -> bool:
            if not isinstance(v, str):
                return False
            if pattern is not None:
                return pattern.fullmatch(v) is not None
            return v.casefold() == folded

        return text_equal if op == "=" else (lambda v: not text_equal(v))
    # < > <= >=: numbers against numbers, text against text, never across
    tests: dict[str, Callable[[int], bool]] = {
        "<": lambda c: c < 0,
        ">": lambda c: c > 0,
        "<=": lambda c: c <= 0,
        ">=": lambda c: c >= 0,
    }
    test = tests[op]
    if number is not None:
        limit = number

        def ordered(v: Value) -> bool:
            if type(v) is Decimal:
                return test(_cmp(v, limit))
            return _is_number(v) and test(_cmp(_as_number(v), limit))

        return ordered
    text = body.casefold()
    # empty text, like a blank, is never above or below anything
    return lambda v: isinstance(v, str) and v != "" and test(_cmp(v.casefold(), text))


def _cmp(a: object, b: object) -> int:
    if a == b:
        return 0
    return -1 if a < b else 1  # type: ignore[operator]


def _is_number(value: Value) -> bool:
    return isinstance(value, Decimal | int | float | date) and not isinstance(value, bool)


def _as_number(value: Value) -> Decimal:
    if isinstance(value, date):
        return to_serial(value)
    return to_number(value)
