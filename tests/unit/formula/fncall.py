"""Calling one formula function, for the function tables of test_functions_text/date/
china: ``shown`` writes the call as a user types it and runs it through the parser,
checker and evaluator; ``call`` calls the implementation directly the way the evaluator
does (arguments coerced by their parameter's kind, a range parameter gets a list, an
error argument short-circuits, a FormulaErrorSignal becomes the result), for checks of
result types and of contexts other than the fixed one.

Arguments are Python values: ints and floats become Decimals;
``None`` is a blank field; a list is a range (a sub-form column).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from qiao.formula.evaluator import EvalContext
from qiao.formula.examples import run
from qiao.formula.registry import Example, Kind, load_all
from qiao.formula.values import (
    ErrorValue,
    FormulaErrorSignal,
    display,
    to_bool,
    to_date,
    to_number,
    to_text,
)

registry = load_all()

_COERCE: dict[Kind, Callable[[Any], Any]] = {
    Kind.NUMBER: to_number,
    Kind.TEXT: to_text,
    Kind.BOOL: to_bool,
    Kind.DATE: to_date,
    Kind.DATETIME: to_date,
}


SHANGHAI = ZoneInfo("Asia/Shanghai")


def context_at(local: datetime) -> EvalContext:
    """The evaluator's context at a wall-clock time in Asia/Shanghai."""
    return EvalContext(now=local.replace(tzinfo=SHANGHAI).astimezone(UTC), tz=SHANGHAI)


#: calls run at 2024-03-05 14:30:15 in Asia/Shanghai
CONTEXT = context_at(datetime(2024, 3, 5, 14, 30, 15))


def _literal(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, ErrorValue):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, list):
        return [_literal(v) for v in value]
    return value


def call(name: str, *args: Any, ctx: EvalContext = CONTEXT) -> Any:
    """The function's result value (an ErrorValue for an error)."""
    definition = registry.get(name)
    assert definition is not None, f"{name} is not registered"
    assert definition.min_args <= len(args), f"{name}: too few arguments"
    assert definition.max_args is None or len(args) <= definition.max_args
    values: list[Any] = []
    for index, raw in enumerate(args):
        arg = _literal(raw)
        param = definition.param_at(index)
        if param.range:
            if isinstance(arg, ErrorValue) and not definition.accepts_errors:
                return arg
            values.append(arg if isinstance(arg, list) else [arg])
            continue
        if isinstance(arg, ErrorValue) and not definition.accepts_errors:
            return arg
        try:
            values.append(_COERCE[param.kind](arg) if param.kind in _COERCE else arg)
        except FormulaErrorSignal as signal:
            return signal.error
    try:
        if definition.needs_ctx:
            return definition.impl(ctx, *values)
        return definition.impl(*values)
    except FormulaErrorSignal as signal:
        return signal.error


def formula_for(name: str, args: tuple[Any, ...]) -> tuple[str, dict[str, Any]]:
    """The call as a user types it: numbers, text and booleans as literals; blanks,
    ranges, dates and errors (which have no literal) as fields ``v0``, ``v1``…"""
    parts: list[str] = []
    values: dict[str, Any] = {}
    for index, raw in enumerate(args):
        arg = _literal(raw)
        if isinstance(arg, bool):
            parts.append("TRUE" if arg else "FALSE")
        elif isinstance(arg, Decimal):
            parts.append(format(arg, "f"))
        elif isinstance(arg, str) and arg.isprintable():
            parts.append('"' + arg.replace('"', '""') + '"')
        else:
            key = f"v{index}"
            values[key] = arg
            parts.append(key)
    return f"{name}({', '.join(parts)})", values


def shown(name: str, *args: Any) -> str:
    """What a user sees (``values.display``) for the formula they would type for this
    call, parsed, checked and evaluated by the real formula engine."""
    formula, values = formula_for(name, args)
    return display(run(Example(formula, "", values), CONTEXT))
