"""The formula AST: frozen dataclasses, one per construct.

Every node carries its source span (``start``, ``end``: offsets into the text as the
user typed it) so that the checker can point at the part of a formula that is wrong.
Spans do not take part in equality: two formulas that differ only in spacing or in
redundant parentheses have equal trees, which is what the printer's round trip is
tested against.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeAlias

from qiao.formula.values import ErrorValue


@dataclass(frozen=True)
class Number:
    value: Decimal
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Text:
    value: str
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Bool:
    value: bool
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Error:
    value: ErrorValue
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Segment:
    """One step of a reference: a field key (``amount``) or a label (``{金额}``)."""

    name: str
    label: bool = False


@dataclass(frozen=True)
class Ref:
    """A reference to a field: ``amount``, ``lines.qty``, ``{客户}.{城市}``."""

    path: tuple[Segment, ...]
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.path)


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "+"
    operand: Node
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Percent:
    operand: Node
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Binary:
    op: str  # = <> < > <= >= & + - * / ^
    left: Node
    right: Node
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    name: str  # upper case
    args: tuple[Node, ...]
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


Node: TypeAlias = Number | Text | Bool | Error | Ref | Unary | Percent | Binary | Call

COMPARISONS = frozenset({"=", "<>", "<", ">", "<=", ">="})

#: binary operator -> precedence (higher binds tighter); all are left-associative
PRECEDENCE: dict[str, int] = {
    **dict.fromkeys(COMPARISONS, 1),
    "&": 2,
    "+": 3,
    "-": 3,
    "*": 4,
    "/": 4,
    "^": 5,
}
PERCENT_PRECEDENCE = 6
UNARY_PRECEDENCE = 7
ATOM_PRECEDENCE = 8


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary | Percent):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children (iteratively: no recursion limit)."""
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
