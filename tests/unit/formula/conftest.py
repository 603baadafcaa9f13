"""Helpers for the formula tests: evaluate a formula text against values and show the
result the way the designer's preview does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qiao.formula import display
from qiao.formula.checker import check
from qiao.formula.evaluator import evaluate
from qiao.formula.examples import EXAMPLE_CONTEXT, environment_for
from qiao.formula.values import Value


def run(formula: str, values: Mapping[str, Any] | None = None) -> Value:
    values = values or {}
    checked = check(formula, environment_for(values))
    lookup = {tuple(k.split(".")): v for k, v in values.items()}
    return evaluate(checked, lookup, EXAMPLE_CONTEXT)


def show(formula: str, values: Mapping[str, Any] | None = None) -> str:
    return display(run(formula, values))
