"""Operators, precedence, blanks, errors, comparison and dates, against Excel's results."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from qiao.formula.values import ErrorValue

from .conftest import run, show

PRECEDENCE = [
    ("1+2*3", "7"),
    ("(1+2)*3", "9"),
    ("-2^2", "4"),  # Excel: negation binds tighter than ^
    ("0-2^2", "-4"),
    ("2^3^2", "64"),  # left-associative in Excel
    ("2^(3^2)", "512"),
    ("2*3^2", "18"),
    ("10-4-3", "3"),
    ("100/10/5", "2"),
    ("2+3&4", "54"),
    ("1&2+3", "15"),
    ("1+1=2", "TRUE"),
    ("2=1+1", "TRUE"),
    ('"a"&1=1', "FALSE"),  # ("a"&1)=1 → "a1"=1
    ("1=1=TRUE", "TRUE"),
    ("50%", "0.5"),
    ("200*10%", "20"),
    ("10%%", "0.001"),
    ("-50%", "-0.5"),
    ("2^-1", "0.5"),
    ("--3", "3"),
    ("-(-3)", "3"),
    ("+-3", "-3"),
    ("3*-2", "-6"),
    ("1e3+.5", "1000.5"),
    ("1.5E-2", "0.015"),
    ("3 - -2", "5"),
    ("(((1)))", "1"),
    ("7/2", "3.5"),
    ("1/3", "0.333333333333333"),
    ("2/3", "0.666666666666667"),
    ("1/3*3", "1"),
    ("1/3*3=1", "TRUE"),
    ("0.1+0.2", "0.3"),
    ("0.1+0.2=0.3", "TRUE"),
    ("1-0.9", "0.1"),
    ("123456789*987654321", "121932631112635000"),  # 15 significant digits
    ("10^15+1", "1000000000000000"),
    ("4^0.5", "2"),
    ("2^10", "1024"),
    ("(-8)^(1/3)", "#NUM!"),
    ("0^0", "#NUM!"),
    ("0^-1", "#DIV/0!"),
    ("10^400", "#NUM!"),
    ("10^30", "1000000000000000000000000000000"),
    ('10^30&""', "1000000000000000000000000000000"),
    ("1e307*100", "#NUM!"),  # beyond a double: Excel's #NUM!
    ("(10^200)^2 > 1", "#NUM!"),
    ("-(1e200*1e200)", "#NUM!"),
    ("1/0", "#DIV/0!"),
    ("0/0", "#DIV/0!"),
    ("5%*2", "0.1"),
]


@pytest.mark.parametrize(("formula", "expected"), PRECEDENCE)
def test_precedence_and_arithmetic(formula: str, expected: str) -> None:
    assert show(formula) == expected


COERCION = [
    ('"2"+3', "5"),
    ('"2"*"3"', "6"),
    ('" 1,234.5 "+0', "1234.5"),
    ('"50%"*2', "1"),
    ('"abc"+1', "#VALUE!"),
    ('""+1', "#VALUE!"),  # Excel: "" in arithmetic is #VALUE!
    ("TRUE+1", "2"),
    ("FALSE*5", "0"),
    ('TRUE&""', "TRUE"),
    ('1&""', "1"),
    ('"a"&"b"&"c"', "abc"),
    ('"价格："&12.50&"元"', "价格：12.5元"),
    ('1.10&""', "1.1"),
    ('-"3"', "-3"),
    ('+"a"', "a"),  # Excel's unary plus leaves a value unchanged
    ('-"a"', "#VALUE!"),
    ('"3"%', "0.03"),
]


@pytest.mark.parametrize(("formula", "expected"), COERCION)
def test_coercion(formula: str, expected: str) -> None:
    assert show(formula) == expected


BLANKS = [
    ("x+1", "1"),
    ("x*5", "0"),
    ("x-1", "-1"),
    ('x&"a"', "a"),
    ("x=0", "TRUE"),
    ('x=""', "TRUE"),
    ("x=FALSE", "TRUE"),
    ("x=x", "TRUE"),
    ("x<1", "TRUE"),
    ("x>-1", "TRUE"),
    ('x<"a"', "TRUE"),
    ("x<>0", "FALSE"),
    ("NOT(x)", "TRUE"),
    ("IF(x, 1, 2)", "2"),
    ("5/x", "#DIV/0!"),
    ("x/5", "0"),
    ("x^2", "0"),
    ("-x", "0"),
    ("x%", "0"),
    ("x", ""),  # a blank result stays blank
    ("ISBLANK(x)", "TRUE"),
]


@pytest.mark.parametrize(("formula", "expected"), BLANKS)
def test_blank_behaves_as_zero_empty_text_or_false(formula: str, expected: str) -> None:
    assert show(formula, {"x": None}) == expected


COMPARISON = [
    ("1<2", "TRUE"),
    ("2<=2", "TRUE"),
    ("3>=4", "FALSE"),
    ("1<>1", "FALSE"),
    ('"a"="A"', "TRUE"),  # case-insensitive
    ('"abc"<>"ABC"', "FALSE"),
    ('"a"<"B"', "TRUE"),
    ('"b"<"A"', "FALSE"),
    ('"apple"<"apricot"', "TRUE"),
    ('1="1"', "FALSE"),  # a number never equals text
    ('1<"1"', "TRUE"),  # numbers < text
    ('99999<"a"', "TRUE"),
    ('"z"<TRUE', "TRUE"),  # text < booleans
    ("1<TRUE", "TRUE"),
    ("TRUE=1", "FALSE"),
    ("FALSE<TRUE", "TRUE"),
    ("TRUE>FALSE", "TRUE"),
    ('"中"="中"', "TRUE"),
    ('"北京"<>"上海"', "TRUE"),
    ("0.1+0.2=0.3", "TRUE"),
    ("1/3=0.333333333333333", "TRUE"),
    ("1/0=1", "#DIV/0!"),
    ("1=1/0", "#DIV/0!"),
    ('"a"=#N/A', "#N/A"),
]


@pytest.mark.parametrize(("formula", "expected"), COMPARISON)
def test_comparison(formula: str, expected: str) -> None:
    assert show(formula) == expected


ERRORS = [
    ("#N/A", "#N/A"),
    ("#n/a+1", "#N/A"),
    ("1+#VALUE!", "#VALUE!"),
    ("#DIV/0!+#N/A", "#DIV/0!"),  # first error wins, left to right
    ("#N/A+#DIV/0!", "#N/A"),
    ('1/0&"x"', "#DIV/0!"),
    ("-#NUM!", "#NUM!"),
    ("#REF!%", "#REF!"),
    ('"abc"+1/0', "#DIV/0!"),  # an error operand before a coercion failure
    ("ROUND(1/0, 2)", "#DIV/0!"),
    ('ROUND("x", 1/0)', "#VALUE!"),  # arguments left to right
    ("SUM(1, #N/A)", "#N/A"),
    ("IFERROR(#NULL!, 1)", "1"),
    ("ISERROR(#NAME?)", "TRUE"),
]


@pytest.mark.parametrize(("formula", "expected"), ERRORS)
def test_errors_propagate(formula: str, expected: str) -> None:
    assert show(formula) == expected


def test_error_values_from_fields_propagate() -> None:
    assert show("a*2", {"a": ErrorValue.NA}) == "#N/A"
    assert show("IFERROR(a, 0)", {"a": ErrorValue.DIV0}) == "0"


DATES = [
    ("d+1", {"d": date(2024, 2, 28)}, "2024-02-29"),
    ("d+2", {"d": date(2024, 2, 28)}, "2024-03-01"),
    ("1+d", {"d": date(2024, 2, 28)}, "2024-02-29"),
    ("d-28", {"d": date(2024, 2, 28)}, "2024-01-31"),
    ("d-e", {"d": date(2024, 3, 1), "e": date(2024, 2, 1)}, "29"),
    ("e-d", {"d": date(2024, 3, 1), "e": date(2024, 2, 1)}, "-29"),
    ("d>e", {"d": date(2024, 3, 1), "e": date(2024, 2, 1)}, "TRUE"),
    ("d=e", {"d": date(2024, 3, 1), "e": date(2024, 3, 1)}, "TRUE"),
    ('d>"2024-01-01"', {"d": date(2024, 3, 1)}, "TRUE"),
    ('d="2024-03-01"', {"d": date(2024, 3, 1)}, "TRUE"),
    ("d+0.5", {"d": date(2024, 3, 1)}, "2024-03-01 12:00"),
    ("t+1", {"t": datetime(2024, 3, 1, 8, 30)}, "2024-03-02 08:30"),
    ("t-d", {"t": datetime(2024, 3, 1, 12, 0), "d": date(2024, 3, 1)}, "0.5"),
    ("d*1", {"d": date(2024, 1, 1)}, "45292"),  # the serial, as Excel
    ('d&""', {"d": date(2024, 1, 1)}, "2024-01-01"),  # ISO, not the serial
    ("d+x", {"d": date(2024, 1, 1), "x": None}, "2024-01-01"),
    ("d>x", {"d": date(2024, 1, 1), "x": None}, "TRUE"),
]


@pytest.mark.parametrize(("formula", "values", "expected"), DATES)
def test_dates(formula: str, values: dict[str, object], expected: str) -> None:
    assert show(formula, values) == expected


def test_date_arithmetic_keeps_types() -> None:
    assert run("d+1", {"d": date(2024, 1, 1)}) == date(2024, 1, 2)
    assert run("d-e", {"d": date(2024, 1, 2), "e": date(2024, 1, 1)}) == Decimal(1)


RANGES = [
    ("SUM(lines.qty*lines.price)", "17"),
    ("SUM(lines.qty+1)", "5"),
    ("SUM((lines.qty>1)*lines.price)", "6"),
    ("SUM(-lines.qty)", "-3"),
    ("SUM(lines.qty%)", "0.03"),
    ('COUNTA(lines.qty&"x")', "2"),
    ("SUM(lines.qty*2)", "6"),
]


@pytest.mark.parametrize(("formula", "expected"), RANGES)
def test_operators_apply_element_wise_to_ranges(formula: str, expected: str) -> None:
    assert show(formula, {"lines.qty": [1, 2], "lines.price": [5, 6]}) == expected


def test_ranges_of_different_sizes_are_na_where_one_ends() -> None:
    assert show("SUM(a*b)", {"a": [1, 2, 3], "b": [1, 2]}) == "#N/A"
    assert show("SUM(a*b)", {"a": [2], "b": [1, 2]}) == "6"  # one element repeats


CHINESE = [
    ('"你好"&"，"&"世界"', "你好，世界"),
    ('IF(score>=60，"及格"，"不及格")', "及格"),  # full-width commas
    ("（1+2）＊3", "9"),  # full-width parentheses and star
    ('“中文引号”&"!"', "中文引号!"),
    ('"他说“好”"', "他说“好”"),  # curly quotes inside an ASCII literal stay
    ("{分数}+1", "76"),
    ("分数+1", "76"),  # a CJK label may be typed without braces
    ("=1+1", "2"),  # a leading = pasted from Excel
    ("1\u3000+\u30001", "2"),  # ideographic spaces
]


@pytest.mark.parametrize(("formula", "expected"), CHINESE)
def test_chinese_input(formula: str, expected: str) -> None:
    assert show(formula, {"score": 75, "分数": 75}) == expected
