"""Design-time checks: problems with codes, parameters and positions; kinds; labels."""

from __future__ import annotations

import pytest

from qiao.formula import DictEnvironment, FormulaError, Kind, check, to_text
from qiao.formula.errors import Problem
from qiao.formula.parser import MAX_DEPTH, MAX_LENGTH
from qiao.i18n import translate

ENV = DictEnvironment(
    [
        {"key": "amount", "label": "金额", "kind": "number"},
        {"key": "qty", "label": "数量", "kind": "number"},
        {"key": "name", "label": "名称", "kind": "text"},
        {"key": "start", "label": "开始日期", "kind": "date"},
        {"key": "end", "label": "结束日期", "kind": "date"},
        {"key": "at", "label": "时间", "kind": "datetime"},
        {"key": "ok", "label": "已审核", "kind": "bool"},
        {"key": "lines", "label": "明细"},
        {"key": "lines.qty", "label": "数量", "kind": "number", "many": True},
        {"key": "lines.price", "label": "单价", "kind": "number", "many": True},
        {"key": "customer", "label": "客户"},
        {"key": "customer.city", "label": "城市", "kind": "text"},
        {"key": "orders.total", "label": "订单金额", "kind": "number", "many": True},
    ]
)


def problems(text: str) -> list[Problem]:
    with pytest.raises(FormulaError) as info:
        check(text, ENV)
    return info.value.problems


def only(text: str) -> Problem:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


SYNTAX = [
    ("", "formula_empty", 0, 0),
    ("   ", "formula_empty", 0, 3),
    ("1+", "formula_incomplete_value", 2, 2),
    ("(1+2", "formula_unclosed_paren", 4, 4),
    ("SUM(1, 2", "formula_unclosed_paren", 8, 8),
    ("1 2", "formula_missing_operator", 2, 3),
    ("1+*2", "formula_expected_value", 2, 3),
    ("SUM(1,,2)", "formula_expected_value", 6, 7),
    ('"abc', "formula_unclosed_text", 0, 4),
    ("{金额", "formula_unclosed_label", 0, 3),
    ("1 @ 2", "formula_bad_char", 2, 3),
    ("amount $", "formula_bad_char", 7, 8),
    ("{金额}(1)", "formula_bad_function_name", 0, 4),
    ("1)", "formula_missing_operator", 1, 2),
]


@pytest.mark.parametrize(("text", "code", "start", "end"), SYNTAX)
def test_syntax_errors_name_the_place(text: str, code: str, start: int, end: int) -> None:
    problem = only(text)
    assert (problem.code, problem.start, problem.end) == (code, start, end)
    for locale in ("zh-CN", "en"):
        message = translate(problem.code, locale, problem.params)
        assert "{" not in message.replace("{金额", ""), message


def test_syntax_error_messages_are_localised() -> None:
    problem = only("1 2")
    assert problem.message("zh-CN") == "第 3 个字符处的“2”放错了位置：前面是不是少了运算符或逗号？"
    assert (
        problem.message("en")
        == 'Unexpected "2" at character 3: is an operator or a comma missing before it?'
    )


def test_limits() -> None:
    assert only("1+" * (MAX_LENGTH // 2) + "1").code == "formula_too_long"
    assert only("-" * (MAX_DEPTH + 1) + "1").code == "formula_too_deep"
    assert check("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1), ENV).kind == Kind.NUMBER
    deep = "ABS(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1)
    assert only(deep).code == "formula_too_deep"
    assert check("ABS(" * 60 + "1" + ")" * 60, ENV).kind == Kind.NUMBER


REFERENCE_PROBLEMS = [
    ("amount + price", "formula_unknown_field", 9, 14, {"name": "price"}),
    ("{价格} * 2", "formula_unknown_field", 0, 4, {"name": "{价格}"}),
    ("customer.country", "formula_unknown_field", 0, 16, {"name": "customer.country"}),
    ("FOO(1)", "formula_unknown_function", 0, 3, {"name": "FOO"}),
    ("sum(1) + bar(2)", "formula_unknown_function", 9, 12, {"name": "BAR"}),
    ("lines.qty + 1", "formula_range_not_allowed", 0, 13, {"text": "lines.qty + 1"}),
    ("ROUND(lines.qty, 2)", "formula_range_not_allowed", 6, 15, {"text": "lines.qty"}),
    ("IF(lines.qty > 1, 1, 2)", "formula_range_not_allowed", 3, 16, {"text": "lines.qty > 1"}),
    ("orders.total", "formula_range_not_allowed", 0, 12, {"text": "orders.total"}),
]


@pytest.mark.parametrize(("text", "code", "start", "end", "params"), REFERENCE_PROBLEMS)
def test_reference_and_range_problems(
    text: str, code: str, start: int, end: int, params: dict[str, object]
) -> None:
    problem = only(text)
    assert (problem.code, problem.start, problem.end) == (code, start, end)
    assert params.items() <= problem.params.items()


ARITY = [
    ("ROUND(1)", "ROUND", 2, 2, 1, "2"),
    ("ROUND(1, 2, 3)", "ROUND", 2, 2, 3, "2"),
    ("IF(TRUE)", "IF", 2, 3, 1, "2–3"),
    ("SUM()", "SUM", 1, "", 0, "≥1"),
    ("PI(1)", "PI", 0, 0, 1, "0"),
    ("NOT()", "NOT", 1, 1, 0, "1"),
    ("IFS(ok, 1, ok)", "IFS", 2, "", 3, "2, 4, 6, …"),
    ("SUMIFS(lines.qty, lines.qty)", "SUMIFS", 3, "", 2, "3, 5, 7, …"),
    ('COUNTIFS(lines.qty, ">1", lines.qty)', "COUNTIFS", 2, "", 3, "2, 4, 6, …"),
]


@pytest.mark.parametrize(("text", "name", "low", "high", "given", "expected"), ARITY)
def test_argument_counts(
    text: str, name: str, low: int, high: int | str, given: int, expected: str
) -> None:
    problem = only(text)
    assert problem.code == "formula_arg_count"
    assert problem.params == {
        "function": name,
        "min": low,
        "max": high,
        "given": given,
        "expected": expected,
    }
    assert (problem.start, problem.end) == (0, len(text))
    assert name in problem.message("zh-CN") and name in problem.message("en")


def test_every_problem_is_reported_in_order() -> None:
    found = problems("FOO(x) + ROUND(1) + lines.qty*2")
    assert [(p.code, p.start) for p in found] == [
        ("formula_unknown_function", 0),
        ("formula_range_not_allowed", 0),  # the whole formula is a range
        ("formula_unknown_field", 4),
        ("formula_arg_count", 9),
    ]


def test_formula_error_is_a_validation_error_with_positions() -> None:
    with pytest.raises(FormulaError) as info:
        check("amount + nope", ENV)
    error = info.value
    assert error.status == 422 and error.code == "formula_invalid"
    assert error.details[0].code == "formula_unknown_field"
    assert error.details[0].params == {"name": "nope", "start": 9, "end": 13}


KINDS = [
    ("1", Kind.NUMBER),
    ('"a"', Kind.TEXT),
    ("TRUE", Kind.BOOL),
    ("amount*2", Kind.NUMBER),
    ("name & 1", Kind.TEXT),
    ("amount > 1", Kind.BOOL),
    ("start + 1", Kind.DATE),
    ("1 + start", Kind.DATE),
    ("start - 1", Kind.DATE),
    ("end - start", Kind.NUMBER),
    ("at + 1", Kind.DATETIME),
    ("-amount", Kind.NUMBER),
    ("+name", Kind.TEXT),
    ("amount%", Kind.NUMBER),
    ("#N/A", Kind.ANY),
    ('IF(ok, "a", "b")', Kind.TEXT),
    ("IF(ok, 1, 2)", Kind.NUMBER),
    ('IF(ok, 1, "b")', Kind.ANY),
    ("IF(ok, start, at)", Kind.DATETIME),
    ("IF(ok, 1)", Kind.ANY),
    ('IFS(ok, "a", TRUE, "b")', Kind.TEXT),
    ('SWITCH(qty, 1, "a", "b")', Kind.TEXT),
    ("IFERROR(amount/qty, 0)", Kind.NUMBER),
    ("SUM(lines.qty)", Kind.NUMBER),
    ("MAX(start, end)", Kind.DATE),
    ("ROUND(amount, 2)", Kind.NUMBER),
    ("AND(ok, TRUE)", Kind.BOOL),
    ("FIXED(amount)", Kind.TEXT),
    ("customer.city", Kind.TEXT),
]


@pytest.mark.parametrize(("text", "kind"), KINDS)
def test_result_kind(text: str, kind: Kind) -> None:
    assert check(text, ENV).kind == kind


def test_labels_resolve_to_keys_and_print_both_ways() -> None:
    checked = check("{金额} * {明细}.{数量} + SUM({客户}.{城市}, 1)", ENV, allow_range=True)
    assert checked.references == frozenset({("amount",), ("lines", "qty"), ("customer", "city")})
    assert checked.text == "amount*lines.qty + SUM(customer.city, 1)"
    assert checked.display_text == "{金额}*{明细}.{数量} + SUM({客户}.{城市}, 1)"
    assert checked.many


def test_cjk_labels_without_braces() -> None:
    checked = check("金额*2 + 客户.城市", ENV)
    assert checked.text == "amount*2 + customer.city"
    assert checked.display_text == "{金额}*2 + {客户}.{城市}"
    assert only("价格*2").params == {"name": "{价格}"}


def test_labels_that_cannot_be_written_in_braces_print_as_keys() -> None:
    env = DictEnvironment([{"key": "odd", "label": "a{b}", "kind": "number"}])
    checked = check("odd + 1", env)
    assert checked.display_text == "odd + 1"


def test_keys_and_labels_mix_and_labels_ignore_case() -> None:
    env = DictEnvironment([{"key": "total", "label": "Total", "kind": "number"}])
    assert check("{total} + {TOTAL} + total", env).references == frozenset({("total",)})


def test_checked_reports_functions_and_volatility() -> None:
    checked = check("IF(TODAY() > start, ROUND(amount, 2), 0)", ENV)
    assert checked.functions == frozenset({"IF", "TODAY", "ROUND"})
    assert checked.volatile
    assert not check("amount + 1", ENV).volatile


def test_range_parameters_take_ranges_and_expressions_over_them() -> None:
    for text in (
        "SUM(lines.qty*lines.price)",
        "SUMPRODUCT(lines.qty, lines.price)",
        'COUNTIF(orders.total, ">100")',
        "SUM(IF(ok, 1, 2), lines.qty)",
        "AVERAGE(orders.total) > 10",
    ):
        assert check(text, ENV).many is False, text


def test_canonical_text_round_trips() -> None:
    text = "IF（{金额}>=1000，ROUND({金额}*0.95，2)，{金额}）"
    checked = check(text, ENV)
    assert checked.text == "IF(amount >= 1000, ROUND(amount*0.95, 2), amount)"
    assert check(checked.text, ENV).ast == checked.ast
    assert to_text(checked.ast, checked.labels) == (
        "IF({金额} >= 1000, ROUND({金额}*0.95, 2), {金额})"
    )
