"""Whatever is typed, checking either succeeds or raises FormulaError, and evaluating a
checked formula returns a value: nothing else escapes (a 500 is a bug)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qiao.formula import DictEnvironment, EvalContext, FormulaError, check, compile
from qiao.formula.registry import load_all
from qiao.formula.values import ErrorValue

from .test_printer import formula_text

ENV = DictEnvironment(
    [
        {"key": "x", "kind": "number"},
        {"key": "a", "kind": "any"},
        {"key": "a.b", "kind": "number", "many": True},
    ]
)
NAMES = sorted(d.name for d in load_all().all())
_alphabet = st.sampled_from(list('0123456789.+-*/^&%=<>(),"{} xaTRUE#N/A金额，（）') + NAMES[:40])

_values = st.one_of(
    st.none(),
    st.booleans(),
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**20), max_value=10**20),
    st.text(max_size=5),
    st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)),
    st.sampled_from(list(ErrorValue)),
)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_alphabet, max_size=25).map("".join))
def test_any_text_checks_or_raises_formula_error(text: str) -> None:
    try:
        check(text, ENV, allow_range=True)
    except FormulaError as error:
        assert error.problems
        for problem in error.problems:
            assert 0 <= problem.start <= problem.end <= len(text)


@st.composite
def calls(draw: st.DrawFn) -> str:
    definition = load_all().get(draw(st.sampled_from(NAMES)))
    assert definition is not None
    count = definition.min_args + draw(st.integers(0, 2)) * definition.arg_step
    if definition.max_args is not None:
        count = min(count, definition.max_args)
    args = [draw(formula_text()) for _ in range(count)]
    return f"{definition.name}({', '.join(args)})"


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(calls(), _values, _values)
def test_every_function_returns_a_value_whatever_its_arguments(
    text: str, x: object, a: object
) -> None:
    env = DictEnvironment(
        [
            {"key": "x", "kind": "number"},
            {"key": "a", "kind": "any"},
            {"key": "a.b", "kind": "number"},
            {"key": "金额", "kind": "number"},
            {"key": "客户.城市2", "kind": "text"},
        ]
    )
    try:
        checked = check(text, env)
    except FormulaError:
        return
    lookup = {("x",): x, ("a",): a, ("a", "b"): Decimal(2), ("金额",): x}
    result = compile(checked)(lookup, EvalContext())
    assert not isinstance(result, list)
