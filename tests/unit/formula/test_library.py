"""The whole function library (every module, other helpers' too): each documented
example displays as documented, and each function is documented in both languages."""

from __future__ import annotations

import pytest

from qiao.formula.examples import shown
from qiao.formula.registry import Category, FunctionDef, load_all

LIBRARY = load_all().all()


def test_the_library_is_large_enough() -> None:
    assert len(LIBRARY) >= 80
    assert {d.category for d in LIBRARY} >= {
        Category.MATH,
        Category.LOGIC,
        Category.INFO,
        Category.AGGREGATE,
    }


@pytest.mark.parametrize(
    ("definition", "index"),
    [(d, i) for d in LIBRARY for i in range(len(d.examples))],
    ids=lambda v: v.name if isinstance(v, FunctionDef) else str(v),
)
def test_example(definition: FunctionDef, index: int) -> None:
    example = definition.examples[index]
    assert shown(example) == example.result, example.formula


@pytest.mark.parametrize("definition", LIBRARY, ids=lambda d: d.name)
def test_documented_in_both_languages(definition: FunctionDef) -> None:
    assert definition.summary.get("zh-CN", "").strip(), definition.name
    assert definition.summary.get("en", "").strip(), definition.name
    assert definition.summary["zh-CN"] != definition.summary["en"]
    assert definition.examples
    assert definition.name in definition.examples[0].formula.upper() or any(
        definition.name in e.formula.upper() for e in definition.examples
    )
