"""docs/formulas.md is generated from the registry and kept current."""

from __future__ import annotations

from pathlib import Path

from qiao.formula.docs import render
from qiao.formula.registry import load_all

DOC = Path(__file__).parents[3] / "docs" / "formulas.md"


def test_the_reference_lists_every_function_with_its_examples() -> None:
    text = render()
    for definition in load_all().all():
        assert f"### {definition.name}\n" in text
        assert definition.summary["zh-CN"] in text and definition.summary["en"] in text
        for example in definition.examples:
            assert example.formula.replace("|", "\\|") in text
    for section in ("## Syntax", "## Blanks", "## Errors", "## Differences from Excel"):
        assert section in text


def test_the_committed_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/formulas.md is stale: run .venv/bin/python docs/make_formula_docs.py"
    )
