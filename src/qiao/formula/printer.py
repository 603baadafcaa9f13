"""AST -> formula text, with the fewest parentheses that keep the tree.

Stored formulas are printed with field keys (canonical: a label can change, a key
cannot); the editor shows them with ``{labels}``, given the key path -> label path map
(``Checked.labels`` or an environment's). ``parse(to_text(node)) == node``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from qiao.formula import ast

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TIGHT = frozenset({"*", "/", "^"})  # written without spaces: qty*price, 2^3


def _number(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _segment(name: str, label: bool) -> str:
    if not label and _IDENT.match(name) and name.upper() not in ("TRUE", "FALSE"):
        return name
    return "{" + name + "}"


def _precedence(node: ast.Node) -> int:
    if isinstance(node, ast.Binary):
        return ast.PRECEDENCE[node.op]
    if isinstance(node, ast.Percent):
        return ast.PERCENT_PRECEDENCE
    if isinstance(node, ast.Unary):
        return ast.UNARY_PRECEDENCE
    return ast.ATOM_PRECEDENCE


def to_text(node: ast.Node, labels: Mapping[tuple[str, ...], tuple[str, ...]] | None = None) -> str:
    """The formula's text. With ``labels`` (key path -> label path), references found in
    it are written as ``{label}`` segments, for the editor."""

    def ref(node: ast.Ref) -> str:
        names = node.names
        shown = labels.get(names) if labels is not None else None
        printable = shown is not None and all(
            label.strip() == label and label and not set(label) & set("{}") for label in shown
        )
        if shown is not None and printable and len(shown) == len(names):
            return ".".join(_segment(label, True) for label in shown)
        return ".".join(_segment(s.name, s.label) for s in node.path)

    def wrap(child: ast.Node, needs: bool) -> str:
        text = emit(child)
        return f"({text})" if needs else text

    def emit(node: ast.Node) -> str:
        if isinstance(node, ast.Number):
            return _number(node.value)
        if isinstance(node, ast.Text):
            return '"' + node.value.replace('"', '""') + '"'
        if isinstance(node, ast.Bool):
            return "TRUE" if node.value else "FALSE"
        if isinstance(node, ast.Error):
            return node.value.value
        if isinstance(node, ast.Ref):
            return ref(node)
        if isinstance(node, ast.Call):
            return f"{node.name}({', '.join(emit(a) for a in node.args)})"
        if isinstance(node, ast.Unary):
            return node.op + wrap(node.operand, _precedence(node.operand) < ast.UNARY_PRECEDENCE)
        if isinstance(node, ast.Percent):
            return wrap(node.operand, _precedence(node.operand) < ast.PERCENT_PRECEDENCE) + "%"
        level = ast.PRECEDENCE[node.op]
        left = wrap(node.left, _precedence(node.left) < level)
        right = wrap(node.right, _precedence(node.right) <= level)
        if node.op in _TIGHT:
            return f"{left}{node.op}{right}"
        return f"{left} {node.op} {right}"

    return emit(node)
