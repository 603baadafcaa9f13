"""qiao's one expression language: Excel-like formulas parsed to an AST, type checked
at design time and evaluated without ``eval``.

Used by formula fields, default values, validation rules, visibility and linkage
conditions and (later) automation conditions and message templates.

Typical use::

    from qiao.formula import DictEnvironment, EvalContext, check, compile

    checked = check("IF(qty*price > 1000, ROUND(qty*price*0.95, 2), qty*price)", env)
    checked.kind, checked.references          # NUMBER, {("qty",), ("price",)}
    run = compile(checked)                      # once
    run({("qty",): Decimal(3), ("price",): Decimal(500)}, EvalContext())  # per record

Modules:
- ``values``: the value model (Decimal numbers, text, booleans, dates, blanks, error
  values, ranges) and Excel's coercions.
- ``registry``: the function library's registry; ``functions/*`` register functions.
- ``grammar`` / ``parser`` / ``ast``: text -> AST; ``printer``: AST -> text.
- ``checker``: references and calls checked against an environment, result kind
  inferred, errors with positions (``errors``).
- ``evaluator``: AST + values -> value, via closures compiled once.
- ``examples``: running the functions' documented examples.
"""

from qiao.formula.ast import Node
from qiao.formula.checker import Checked, DictEnvironment, Environment, RefInfo, check, check_ast
from qiao.formula.errors import FormulaError, Problem
from qiao.formula.evaluator import Compiled, EvalContext, compile, evaluate
from qiao.formula.parser import parse
from qiao.formula.printer import to_text
from qiao.formula.registry import Kind, load_all
from qiao.formula.values import ErrorValue, Value, display

__all__ = [
    "Checked",
    "Compiled",
    "DictEnvironment",
    "Environment",
    "ErrorValue",
    "EvalContext",
    "FormulaError",
    "Kind",
    "Node",
    "Problem",
    "RefInfo",
    "Value",
    "check",
    "check_ast",
    "compile",
    "display",
    "evaluate",
    "load_all",
    "parse",
    "to_text",
]
