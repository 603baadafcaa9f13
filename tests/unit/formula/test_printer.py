"""parse(print(tree)) == tree, for random trees and random formula text (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qiao.formula import ast, parse, to_text
from qiao.formula.values import ErrorValue

_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True).filter(
    lambda n: n.upper() not in ("TRUE", "FALSE")
)
_labels = (
    st.text(alphabet=st.sampled_from("金额客户城市数量 abcXYZ_1-（）"), min_size=1, max_size=6)
    .map(str.strip)
    .filter(bool)
)
_segments = st.one_of(
    _names.map(lambda n: ast.Segment(n)),
    _labels.map(lambda n: ast.Segment(n, label=True)),
)
_numbers = st.decimals(min_value=0, max_value=10**12, places=4, allow_nan=False).map(
    lambda d: ast.Number(Decimal(d))
)
_leaves = st.one_of(
    _numbers,
    st.text(max_size=8).map(ast.Text),
    st.booleans().map(ast.Bool),
    st.sampled_from(list(ErrorValue)).map(ast.Error),
    st.lists(_segments, min_size=1, max_size=3).map(lambda s: ast.Ref(tuple(s))),
)
_ops = st.sampled_from(["=", "<>", "<", ">", "<=", ">=", "&", "+", "-", "*", "/", "^"])
_functions = st.sampled_from(["SUM", "IF", "ROUND", "AND", "LEFT", "MAX", "PI", "ERROR.TYPE"])


def _extend(children: st.SearchStrategy[ast.Node]) -> st.SearchStrategy[ast.Node]:
    return st.one_of(
        st.builds(ast.Binary, _ops, children, children),
        st.builds(ast.Unary, st.sampled_from(["-", "+"]), children),
        st.builds(ast.Percent, children),
        st.builds(ast.Call, _functions, st.lists(children, max_size=3).map(tuple)),
    )


trees = st.recursive(_leaves, _extend, max_leaves=20)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_printed_trees_parse_back_to_the_same_tree(tree: ast.Node) -> None:
    text = to_text(tree)
    assert parse(text) == tree, text


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_printing_is_a_fixed_point(tree: ast.Node) -> None:
    text = to_text(tree)
    assert to_text(parse(text)) == text


_tokens = st.sampled_from(
    [
        "1",
        "2.5",
        ".5",
        "1e3",
        '"a"',
        '"中文"',
        "TRUE",
        "x",
        "a.b",
        "{金额}",
        "金额",
        "客户.城市2",
        "#N/A",
    ]
)
_joiners = st.sampled_from(["+", "-", "*", "/", "^", "&", "=", "<>", "<=", ">"])


@st.composite
def formula_text(draw: st.DrawFn, depth: int = 0) -> str:
    """Random well-formed formula text, with redundant parentheses and spacing."""
    choice = draw(st.integers(0, 5 if depth < 4 else 0))
    if choice == 0:
        return draw(_tokens)
    if choice == 1:
        return f"({draw(formula_text(depth + 1))})"
    if choice == 2:
        return f"-{draw(formula_text(depth + 1))}"
    if choice == 3:
        return f"{draw(formula_text(depth + 1))}%"
    if choice == 4:
        args = draw(st.lists(formula_text(depth + 1), max_size=3))
        return f"{draw(_functions)}({' , '.join(args)})"
    space = draw(st.sampled_from(["", " ", "\n", "\t"]))
    left = draw(formula_text(depth + 1))
    right = draw(formula_text(depth + 1))
    return f"{left}{space}{draw(_joiners)}{space}{right}"


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(formula_text())
def test_formula_text_round_trips(text: str) -> None:
    tree = parse(text)
    printed = to_text(tree)
    assert parse(printed) == tree
    assert to_text(parse(printed)) == printed


MINIMAL = [
    ("(1+2)+3", "1 + 2 + 3"),
    ("1+(2+3)", "1 + (2 + 3)"),
    ("(1*2)+3", "1*2 + 3"),
    ("(2^3)^2", "2^3^2"),
    ("2^(3^2)", "2^(3^2)"),
    ("(-2)^2", "-2^2"),
    ("-(2^2)", "-(2^2)"),
    ("(5%)^2", "5%^2"),
    ("-(5%)", "-(5%)"),
    ("(a=b)=c", "a = b = c"),
    ('"x"&(1+2)', '"x" & 1 + 2'),
    ('("x"&1)+2', '("x" & 1) + 2'),
    ("SUM((1),((2)))", "SUM(1, 2)"),
    ("{key}", "{key}"),  # a label stays a label
    ("{true}", "{true}"),
    ("{a b}.c", "{a b}.c"),
    ('"say ""hi"""', '"say ""hi"""'),
    ("1.50", "1.5"),
    ("1E3", "1000"),
    ("#div/0!", "#DIV/0!"),
    ("true", "TRUE"),
    ("sum(1)", "SUM(1)"),
]


@pytest.mark.parametrize(("text", "printed"), MINIMAL)
def test_minimal_parentheses(text: str, printed: str) -> None:
    tree = parse(text)
    assert to_text(tree) == printed
    assert parse(printed) == tree
