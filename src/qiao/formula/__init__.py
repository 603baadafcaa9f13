"""qiao's one expression language: Excel-like formulas parsed to an AST, type checked
at design time and evaluated without ``eval``.

Used by formula fields, default values, validation rules, visibility and linkage
conditions and (later) automation conditions and message templates.

Modules:
- ``values``: the value model (Decimal numbers, text, booleans, dates, blanks, error
  values, ranges) and Excel's coercions.
- ``registry``: the function library's registry; ``functions/*`` register functions.
- ``grammar`` / ``parser`` / ``ast``: text -> AST; ``printer``: AST -> text.
- ``checker``: references and calls checked against an environment, result kind
  inferred, errors with positions.
- ``evaluator``: AST + values -> value.
"""
