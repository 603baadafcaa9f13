"""Design-time checking: references resolved, calls checked, the result kind inferred.

The environment says what a reference means (its canonical key path, its kind, and
whether it is a range: a sub-form column or a field of to-many related records). The
checker reports every problem it finds with the span it applies to, rewrites label
references to keys (the canonical tree that is stored), and infers the kind of the
result so that a formula field can choose its storage.

Ranges: operators apply element-wise to ranges (``lines.qty*lines.price`` is a range
of products, as an Excel array), but a range may only end up in a function's range
parameter (``SUM(lines.qty*lines.price)``); anywhere else — another function's scalar
parameter, or the formula's result — it is the error ``formula_range_not_allowed``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from qiao.formula import ast
from qiao.formula.errors import FormulaError, Problem, problem
from qiao.formula.parser import parse
from qiao.formula.registry import FunctionRegistry, Kind, functions, load_all


@dataclass(frozen=True)
class RefInfo:
    """What a reference resolves to."""

    keys: tuple[str, ...]  # canonical path, e.g. ("lines", "qty")
    kind: Kind
    many: bool = False  # a range (sub-form column, to-many relation)
    labels: tuple[str, ...] = ()  # the path as the editor shows it, e.g. ("明细", "数量")


class Environment(Protocol):
    """Resolves references for the checker; a form's fields, or a test's dict."""

    def resolve(self, path: tuple[ast.Segment, ...]) -> RefInfo | None:
        """The reference's meaning; segments are keys, or labels when ``label`` is set."""
        ...


@dataclass
class _Entry:
    key: str
    label: str
    kind: Kind = Kind.ANY
    many: bool = False
    children: dict[str, _Entry] = field(default_factory=dict)


class DictEnvironment:
    """An environment from a plain description, for tests and the designer's sample
    evaluation: ``[{"key": "lines.qty", "label": "数量", "kind": "number", "many": true}]``.

    A dotted key is a path (sub-form column, related record's field); ``label`` names
    its last segment (default: the key); a prefix without an entry of its own is
    labelled by its key. ``many`` marks the whole path as a range.
    """

    def __init__(self, fields: Iterable[Mapping[str, Any]]) -> None:
        self._root: dict[str, _Entry] = {}
        for spec in fields:
            keys = str(spec["key"]).split(".")
            level = self._root
            entry: _Entry | None = None
            for key in keys:
                entry = level.get(key)
                if entry is None:
                    entry = level[key] = _Entry(key, key)
                level = entry.children
            assert entry is not None
            entry.label = str(spec.get("label") or keys[-1])
            entry.kind = Kind(spec.get("kind") or Kind.ANY)
            entry.many = bool(spec.get("many", False))

    def resolve(self, path: tuple[ast.Segment, ...]) -> RefInfo | None:
        level = self._root
        keys: list[str] = []
        labels: list[str] = []
        entry: _Entry | None = None
        for segment in path:
            entry = _find(level, segment)
            if entry is None:
                return None
            keys.append(entry.key)
            labels.append(entry.label)
            level = entry.children
        if entry is None:
            return None
        return RefInfo(tuple(keys), entry.kind, entry.many, tuple(labels))


def _find(level: dict[str, _Entry], segment: ast.Segment) -> _Entry | None:
    if not segment.label:
        return level.get(segment.name)
    for entry in level.values():
        if entry.label == segment.name:
            return entry
    folded = segment.name.casefold()
    for entry in level.values():
        if entry.label.casefold() == folded:
            return entry
    return level.get(segment.name)  # {amount}: a key in braces


@dataclass(frozen=True)
class Checked:
    """A formula that passed the checks."""

    ast: ast.Node  # canonical: references by key
    kind: Kind  # of the result
    references: frozenset[tuple[str, ...]]
    volatile: bool  # uses TODAY/NOW: a stored result goes stale with time alone
    functions: frozenset[str]
    #: key path -> label path of every reference, to print the formula for the editor
    labels: Mapping[tuple[str, ...], tuple[str, ...]] = field(compare=False)
    many: bool = False  # the result is a range (only with check(..., allow_range=True))

    @property
    def text(self) -> str:
        """The canonical text (references by key), as stored."""
        from qiao.formula.printer import to_text

        return to_text(self.ast)

    @property
    def display_text(self) -> str:
        """The text with ``{labels}``, as the editor shows it."""
        from qiao.formula.printer import to_text

        return to_text(self.ast, self.labels)


_NUMERIC_OPS = frozenset({"*", "/", "^"})


def common_kind(kinds: Iterable[Kind]) -> Kind:
    """The one kind all of ``kinds`` share (a date and a datetime share DATETIME)."""
    unique = set(kinds)
    if len(unique) == 1:
        return unique.pop()
    if unique == {Kind.DATE, Kind.DATETIME}:
        return Kind.DATETIME
    return Kind.ANY


def _binary_kind(op: str, left: Kind, right: Kind) -> Kind:
    if op in ast.COMPARISONS:
        return Kind.BOOL
    if op == "&":
        return Kind.TEXT
    dated = {Kind.DATE, Kind.DATETIME}
    if op == "+" and (left in dated) != (right in dated):
        other = right if left in dated else left
        if other in (Kind.NUMBER, Kind.BOOL):
            return left if left in dated else right
    if op == "-" and left in dated and right in (Kind.NUMBER, Kind.BOOL):
        return left
    return Kind.NUMBER


class _Checker:
    def __init__(self, env: Environment, registry: FunctionRegistry, text: str) -> None:
        self.env = env
        self.registry = registry
        self.text = text
        self.problems: list[Problem] = []
        self.references: set[tuple[str, ...]] = set()
        self.labels: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.functions: set[str] = set()
        self.volatile = False

    def range_problem(self, node: ast.Node) -> None:
        self.problems.append(
            problem(
                "formula_range_not_allowed",
                node.start,
                node.end,
                text=self.text[node.start : node.end],
            )
        )

    def visit(self, node: ast.Node) -> tuple[ast.Node, Kind, bool]:
        """The canonical node, its kind, and whether it is a range."""
        if isinstance(node, ast.Number):
            return node, Kind.NUMBER, False
        if isinstance(node, ast.Text):
            return node, Kind.TEXT, False
        if isinstance(node, ast.Bool):
            return node, Kind.BOOL, False
        if isinstance(node, ast.Error):
            return node, Kind.ANY, False
        if isinstance(node, ast.Ref):
            info = self.env.resolve(node.path)
            if info is None:
                shown = ".".join("{" + s.name + "}" if s.label else s.name for s in node.path)
                self.problems.append(
                    problem("formula_unknown_field", node.start, node.end, name=shown)
                )
                return node, Kind.ANY, False
            self.references.add(info.keys)
            if info.labels:
                self.labels[info.keys] = info.labels
            canonical = ast.Ref(tuple(ast.Segment(k) for k in info.keys), node.start, node.end)
            return canonical, info.kind, info.many
        if isinstance(node, ast.Unary):
            operand, kind, many = self.visit(node.operand)
            kind = kind if node.op == "+" else Kind.NUMBER  # Excel's +x is x unchanged
            return ast.Unary(node.op, operand, node.start, node.end), kind, many
        if isinstance(node, ast.Percent):
            operand, _, many = self.visit(node.operand)
            return ast.Percent(operand, node.start, node.end), Kind.NUMBER, many
        if isinstance(node, ast.Binary):
            left, left_kind, left_many = self.visit(node.left)
            right, right_kind, right_many = self.visit(node.right)
            kind = _binary_kind(node.op, left_kind, right_kind)
            rebuilt = ast.Binary(node.op, left, right, node.start, node.end)
            return rebuilt, kind, left_many or right_many
        return self.call(node)

    def call(self, node: ast.Call) -> tuple[ast.Node, Kind, bool]:
        visited = [self.visit(arg) for arg in node.args]
        rebuilt = ast.Call(node.name, tuple(v[0] for v in visited), node.start, node.end)
        definition = self.registry.get(node.name)
        if definition is None:
            name_end = node.start + len(node.name)
            self.problems.append(
                problem("formula_unknown_function", node.start, name_end, name=node.name)
            )
            return rebuilt, Kind.ANY, False
        self.functions.add(definition.name)
        self.volatile = self.volatile or definition.volatile
        given = len(node.args)
        low, high = definition.min_args, definition.max_args
        if not definition.accepts_count(given):
            step = definition.arg_step
            if step > 1:
                expected = f"{low}, {low + step}, {low + 2 * step}, …"
            elif high is None:
                expected = f"≥{low}"
            elif low == high:
                expected = str(low)
            else:
                expected = f"{low}–{high}"
            self.problems.append(
                problem(
                    "formula_arg_count",
                    node.start,
                    node.end,
                    function=definition.name,
                    min=low,
                    max=high if high is not None else "",
                    given=given,
                    expected=expected,
                )
            )
        elif definition.params:
            for index, (arg, (_, _, many)) in enumerate(zip(node.args, visited, strict=True)):
                if many and not definition.param_at(index).range:
                    self.range_problem(arg)
        kinds = [v[1] for v in visited]
        kind = definition.returns
        if definition.infer is not None:
            kind = definition.infer(kinds)
        return rebuilt, kind, False


def check(
    text: str,
    env: Environment,
    *,
    allow_range: bool = False,
    registry: FunctionRegistry | None = None,
) -> Checked:
    """Parse and check ``text``; raises :class:`FormulaError` listing every problem."""
    tree = parse(text)
    return check_ast(tree, env, text=text, allow_range=allow_range, registry=registry)


def check_ast(
    tree: ast.Node,
    env: Environment,
    *,
    text: str = "",
    allow_range: bool = False,
    registry: FunctionRegistry | None = None,
) -> Checked:
    """Check a parsed tree (``text`` is its source, quoted in messages)."""
    if registry is None:
        registry = load_all()
    if not text:
        from qiao.formula.printer import to_text

        text = to_text(tree)
    checker = _Checker(env, registry, text)
    canonical, kind, many = checker.visit(tree)
    if many and not allow_range:
        checker.range_problem(tree)
    if checker.problems:
        raise FormulaError(checker.problems)
    return Checked(
        ast=canonical,
        kind=kind,
        references=frozenset(checker.references),
        volatile=checker.volatile,
        functions=frozenset(checker.functions),
        labels=dict(checker.labels),
        many=many,
    )


__all__ = [
    "Checked",
    "DictEnvironment",
    "Environment",
    "RefInfo",
    "check",
    "check_ast",
    "common_kind",
    "functions",
]
