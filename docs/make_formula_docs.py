"""Write docs/formulas.md from the formula function registry.

.venv/bin/python docs/make_formula_docs.py
"""

from __future__ import annotations

from pathlib import Path

from qiao.formula.docs import render

TARGET = Path(__file__).with_name("formulas.md")

if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
