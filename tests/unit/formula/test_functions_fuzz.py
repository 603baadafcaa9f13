"""Any arguments at all (numbers huge and tiny, odd text, format-code soup, blanks,
errors, dates, ranges) give a formula value from every text, date and China function,
never an exception the evaluator would not turn into an error value."""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qiao.formula.registry import Category, FunctionDef
from qiao.formula.values import ErrorValue
from tests.unit.formula.fncall import call, registry

MINE = [d for d in registry.all() if d.category in (Category.TEXT, Category.DATE, Category.CHINA)]

_numbers = st.one_of(
    st.integers(-(10**6), 10**6).map(Decimal),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=4, min_value=-(10**9), max_value=10**9
    ),
    st.sampled_from(
        [
            Decimal("1E+20"),
            Decimal("-1E+15"),
            Decimal("0.0000001"),
            Decimal(2958466),
            Decimal("1E+999999999"),  # read from text: the evaluator lets such numbers through
            Decimal("-1E+999999999"),
            Decimal("1E-999999999"),
        ]
    ),
)
_texts = st.one_of(
    st.text(max_size=20),
    st.text(alphabet='0#?.,%E+-;@"\\_*[]hmsdyae/AMP年月日 ', max_size=16),
    st.sampled_from(
        ["2024-03-05", "14:30", "2:30 PM", "11010519491231002X", "1,234.5", "50%", "1e999999999"]
    ),
)
_scalars = st.one_of(
    _numbers,
    _texts,
    st.booleans(),
    st.none(),
    st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from(list(ErrorValue)),
)
_values = st.one_of(_scalars, st.lists(_scalars, max_size=4))


def _ok(result: Any) -> bool:
    return result is None or isinstance(result, Decimal | str | bool | date | ErrorValue)


@pytest.mark.parametrize("definition", MINE, ids=lambda d: d.name)
@settings(
    max_examples=int(os.environ.get("QIAO_FUZZ_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_arguments_give_a_value(definition: FunctionDef, data: st.DataObject) -> None:
    high = definition.max_args if definition.max_args is not None else definition.min_args + 3
    count = data.draw(st.integers(definition.min_args, min(high, definition.min_args + 3)))
    args = [data.draw(_values) for _ in range(count)]
    args = [
        a if definition.param_at(i).range or not isinstance(a, list) else (a[0] if a else None)
        for i, a in enumerate(args)
    ]
    try:
        result = call(definition.name, *args)
    except (ValueError, ArithmeticError):  # the evaluator makes these #VALUE! / #NUM!
        return
    assert _ok(result), (definition.name, args, result)
