"""Running a function's documented examples: the test suite asserts each displays as
documented, and the docs generator prints them, so docs cannot drift from behaviour.

An example's values are given as a formula sees them (``{"lines.qty": [1, 2]}``); the
environment is inferred from them: a list is a range, a dotted key a path.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from qiao.formula.checker import DictEnvironment, check
from qiao.formula.evaluator import EvalContext, evaluate
from qiao.formula.registry import Example, Kind
from qiao.formula.values import Value, display

#: the moment examples run at (TODAY() is 2025-06-15 in Asia/Shanghai)
EXAMPLE_CONTEXT = EvalContext(
    now=datetime(2025, 6, 15, 2, 30, tzinfo=UTC), tz=ZoneInfo("Asia/Shanghai"), locale="zh-CN"
)


def kind_of(value: Value) -> Kind:
    if isinstance(value, bool):
        return Kind.BOOL
    if isinstance(value, Decimal | int | float):
        return Kind.NUMBER
    if isinstance(value, str):
        return Kind.TEXT
    if isinstance(value, datetime):
        return Kind.DATETIME
    if isinstance(value, date):
        return Kind.DATE
    if isinstance(value, list):
        kinds = {kind_of(v) for v in value if v is not None}
        return kinds.pop() if len(kinds) == 1 else Kind.ANY
    return Kind.ANY


def environment_for(values: Mapping[str, Any]) -> DictEnvironment:
    return DictEnvironment(
        {"key": key, "kind": kind_of(value), "many": isinstance(value, list)}
        for key, value in values.items()
    )


def run(example: Example, ctx: EvalContext = EXAMPLE_CONTEXT) -> Value:
    checked = check(example.formula, environment_for(example.values))
    lookup = {tuple(key.split(".")): value for key, value in example.values.items()}
    return evaluate(checked, lookup, ctx)


def shown(example: Example) -> str:
    """What the example displays as (compare with ``example.result``)."""
    return display(run(example))
