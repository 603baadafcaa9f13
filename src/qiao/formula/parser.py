"""Formula text -> AST, with positions and errors users can act on.

The parser is lark's LALR parser with the tree built by callbacks while parsing (no
recursive tree transformation), so a long formula cannot exhaust Python's stack here;
the depth limit is checked on the result, before anything recursive walks it.

Full-width punctuation typed with a Chinese input method — （ ） ， “ ” ＋ ＝ and the
ideographic space — is read as its ASCII counterpart (one character for one, so
positions still point into the text as typed). A leading ``=`` (pasted from Excel) is
ignored.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from qiao.formula import ast
from qiao.formula.errors import FormulaError, Problem, problem
from qiao.formula.grammar import GRAMMAR, TERMINAL_SYMBOLS
from qiao.formula.values import ErrorValue

MAX_LENGTH = 8192  # Excel's limit on a formula's length
MAX_DEPTH = 150  # nesting of operators and calls; Excel allows 64 levels of functions

_FULL_WIDTH = {
    "（": "(",
    "）": ")",
    "，": ",",
    "＋": "+",
    "－": "-",
    "＊": "*",
    "／": "/",
    "＆": "&",
    "＝": "=",
    "＞": ">",
    "＜": "<",
    "％": "%",
    "＾": "^",
    "｛": "{",
    "｝": "}",
    "　": " ",
    "。": ".",
}
_ERRORS = {e.value: e for e in ErrorValue}
_OPERATORS = "=&+-*/^%"


def normalize(text: str) -> str:
    """Full-width punctuation outside text literals and labels -> ASCII, same length."""
    out: list[str] = []
    closing: str | None = None  # inside a literal or label: the characters that close it
    for char in text:
        if closing is not None:
            if char in closing:
                closing = None
                out.append('"' if char in '”"' else char)
                continue
            out.append(char)
            continue
        if char == '"':
            closing = '"'
            out.append(char)
        elif char == "“":
            closing = '”"'
            out.append('"')
        elif char == "”":
            out.append('"')
        elif char in "{｛":
            closing = "}｝"
            out.append("{")
        else:
            out.append(_FULL_WIDTH.get(char, char))
    result = "".join(out)
    # a closing full-width brace of a label becomes ASCII too
    result = result.replace("｝", "}")
    stripped = result.lstrip()
    if stripped.startswith("=") and not stripped.startswith(("==", "=<", "=>")):
        index = len(result) - len(stripped)
        result = result[:index] + " " + result[index + 1 :]
    return result


def _bounds(item: Any) -> tuple[int, int] | None:
    if isinstance(item, Token):
        return int(item.start_pos or 0), int(item.end_pos or 0)
    if isinstance(item, _Path):
        return item.start, item.end
    if isinstance(item, tuple):
        spans = [b for b in (_bounds(i) for i in item) if b is not None]
        if not spans:
            return None
        return min(s for s, _ in spans), max(e for _, e in spans)
    start = getattr(item, "start", None)
    if start is None:
        return None
    return int(start), int(item.end)


def _span(children: list[Any]) -> tuple[int, int]:
    """The source span of a reduction: from its first to its last token or node."""
    spans = [b for b in (_bounds(c) for c in children) if b is not None]
    return min(s for s, _ in spans), max(e for _, e in spans)


class _Path:
    __slots__ = ("end", "segments", "start")

    def __init__(self, segments: tuple[ast.Segment, ...], start: int, end: int) -> None:
        self.segments = segments
        self.start = start
        self.end = end


class _Build(Transformer[Token, ast.Node]):
    """Callbacks run at each reduction (lark's internal transformer), building AST
    nodes with spans taken from the tokens and the nodes below."""

    def number(self, children: list[Token]) -> ast.Node:
        return ast.Number(Decimal(str(children[0])), *_span(children))

    def string(self, children: list[Token]) -> ast.Node:
        raw = str(children[0])
        return ast.Text(raw[1:-1].replace('""', '"'), *_span(children))

    def error(self, children: list[Token]) -> ast.Node:
        return ast.Error(_ERRORS[str(children[0]).upper()], *_span(children))

    def segment(self, children: list[Token]) -> tuple[ast.Segment, Token]:
        token = children[0]
        if token.type == "LABEL":
            return ast.Segment(str(token)[1:-1].strip(), label=True), token
        if token.type == "BARE_LABEL":
            return ast.Segment(str(token), label=True), token
        return ast.Segment(str(token)), token

    def path(self, children: list[Any]) -> _Path:
        parts = [c for c in children if isinstance(c, tuple)]
        segments = tuple(segment for segment, _ in parts)
        return _Path(segments, *_span([token for _, token in parts]))

    def ref(self, children: list[Any]) -> ast.Node:
        path: _Path = children[0]
        segments = path.segments
        if len(segments) == 1 and not segments[0].label:
            upper = segments[0].name.upper()
            if upper in ("TRUE", "FALSE"):
                return ast.Bool(upper == "TRUE", path.start, path.end)
        return ast.Ref(segments, path.start, path.end)

    def arguments(self, children: list[Any]) -> tuple[ast.Node, ...]:
        return tuple(c for c in children if not isinstance(c, Token))

    def call(self, children: list[Any]) -> ast.Node:
        path: _Path = children[0]
        args = children[2] if children[2] is not None else ()
        if any(s.label for s in path.segments):
            raise _BadName(path.start, path.end)
        name = ".".join(s.name for s in path.segments).upper()
        return ast.Call(name, args, path.start, _span(children)[1])

    def group(self, children: list[Any]) -> ast.Node:
        node: ast.Node = children[1]
        return node

    def unary(self, children: list[Any]) -> ast.Node:
        return ast.Unary(str(children[0]), children[1], *_span(children))

    def percent(self, children: list[Any]) -> ast.Node:
        return ast.Percent(children[0], *_span(children))

    def binary(self, children: list[Any]) -> ast.Node:
        return ast.Binary(str(children[1]), children[0], children[2], *_span(children))


class _BadName(Exception):
    def __init__(self, start: int, end: int) -> None:
        super().__init__("function name in braces")
        self.start = start
        self.end = end


_PARSER = Lark(
    GRAMMAR,
    parser="lalr",
    maybe_placeholders=True,
    transformer=_Build(),
)


def _expected(names: set[str] | frozenset[str]) -> tuple[bool, str]:
    """Whether a value may come next, and the punctuation that may, as ``) ,``."""
    wants_value = False
    symbols: set[str] = set()
    for name in names:
        if name not in TERMINAL_SYMBOLS:
            continue  # $END
        symbol = TERMINAL_SYMBOLS[name]
        if symbol is None:
            wants_value = True
        else:
            symbols.add(symbol)
    order = "),(=&+-*/^%."
    listed = sorted(symbols, key=lambda s: order.index(s) if s in order else 99)
    return wants_value, " ".join(listed)


def _syntax_problem(text: str, exc: UnexpectedInput) -> Problem:
    if isinstance(exc, UnexpectedCharacters):
        pos = int(exc.pos_in_stream or 0)
        char = text[pos]
        if char in '"“':
            return problem("formula_unclosed_text", pos, len(text), pos=pos + 1)
        if char in "{":
            return problem("formula_unclosed_label", pos, len(text), pos=pos + 1)
        return problem("formula_bad_char", pos, pos + 1, pos=pos + 1, char=char)
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        token = exc.token
        start = int(token.start_pos or 0)
        end = int(token.end_pos or start + 1)
        wants_value, symbols = _expected(exc.accepts or exc.expected)
        if wants_value:
            return problem("formula_expected_value", start, end, pos=start + 1, found=str(token))
        if not symbols:
            return problem("formula_unexpected", start, end, pos=start + 1, found=str(token))
        if set(symbols.split()) & set(_OPERATORS):
            return problem("formula_missing_operator", start, end, pos=start + 1, found=str(token))
        return problem(
            "formula_syntax", start, end, pos=start + 1, found=str(token), expected=symbols
        )
    expected: Any = set()
    if isinstance(exc, UnexpectedToken):
        expected = exc.accepts or exc.expected
    elif isinstance(exc, UnexpectedEOF):
        expected = exc.expected
    wants_value, symbols = _expected(set(expected or ()))
    end = len(text)
    if wants_value or not symbols:
        return problem("formula_incomplete_value", end, end)
    if ")" in symbols.split():
        return problem("formula_unclosed_paren", end, end)
    return problem("formula_incomplete", end, end, expected=symbols)


def depth(node: ast.Node) -> int:
    """The tree's depth, without recursion."""
    deepest = 0
    stack: list[tuple[ast.Node, int]] = [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in ast.children(current))
    return deepest


@lru_cache(maxsize=4096)
def parse(text: str) -> ast.Node:
    """Parse a formula; raises :class:`FormulaError` with the problem's position.

    Trees are immutable, so a formula parsed once (a form's formulas are checked on
    every save of the form and of its records) is not parsed again."""
    if len(text) > MAX_LENGTH:
        raise FormulaError([problem("formula_too_long", 0, len(text), max=MAX_LENGTH)])
    source = normalize(text)
    if not source.strip():
        raise FormulaError([problem("formula_empty", 0, len(text))])
    try:
        tree: ast.Node = _PARSER.parse(source)  # type: ignore[assignment]
    except UnexpectedInput as exc:
        raise FormulaError([_syntax_problem(source, exc)]) from None
    except Exception as exc:  # lark wraps callback errors in VisitError
        inner = getattr(exc, "orig_exc", exc)
        if isinstance(inner, _BadName):
            raise FormulaError(
                [problem("formula_bad_function_name", inner.start, inner.end)]
            ) from None
        raise
    if depth(tree) > MAX_DEPTH:
        raise FormulaError([problem("formula_too_deep", 0, len(text), max=MAX_DEPTH)])
    return tree
