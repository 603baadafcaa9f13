"""The math, logic, info and aggregate functions, case by case, with Excel's results."""

from __future__ import annotations

from datetime import date

import pytest

from .conftest import show

MATH = [
    # SUM: direct arguments coerced, ranges skip text and booleans
    ("SUM(1, 2, 3)", "6"),
    ('SUM(1, "2")', "3"),
    ("SUM(TRUE, 1)", "2"),
    ('SUM("x", 1)', "#VALUE!"),
    ("SUM(r)", "6"),
    ("SUM(r, 4)", "10"),
    ("SUM(t)", "0"),
    ("SUM(e)", "0"),
    ("SUM(1/0, 1)", "#DIV/0!"),
    ("SUM(0.1, 0.2, 0.3)", "0.6"),
    ("SUM(b)", "0"),  # a boolean in a (single-value) reference is ignored, as Excel's SUM(A1)
    # ROUND family: half away from zero, negative digits
    ("ROUND(2.5, 0)", "3"),
    ("ROUND(-2.5, 0)", "-3"),
    ("ROUND(2.345, 2)", "2.35"),
    ("ROUND(2.344, 2)", "2.34"),
    ("ROUND(1.005, 2)", "1.01"),
    ("ROUND(2.675, 2)", "2.68"),
    ("ROUND(1234.5678, -2)", "1200"),
    ("ROUND(1250, -2)", "1300"),
    ("ROUND(5, -1)", "10"),
    ("ROUND(4, -1)", "0"),
    ("ROUND(0.4, -5)", "0"),
    ("ROUND(3.14159, 2.9)", "3.14"),  # digits truncated
    ("ROUND(1E+20, 2)", "100000000000000000000"),
    ('ROUND("2.5", 0)', "3"),
    ('ROUND("x", 0)', "#VALUE!"),
    ("ROUND(x, 2)", "0"),
    ("ROUNDUP(3.2, 0)", "4"),
    ("ROUNDUP(-3.2, 0)", "-4"),
    ("ROUNDUP(31415.92654, -2)", "31500"),
    ("ROUNDUP(0.0001, 2)", "0.01"),
    ("ROUNDUP(1/3*3, 0)", "1"),
    ("ROUNDDOWN(3.7, 0)", "3"),
    ("ROUNDDOWN(-3.7, 0)", "-3"),
    ("ROUNDDOWN(31415.92654, -2)", "31400"),
    ("ROUNDDOWN(1/3*3, 0)", "1"),
    ("INT(8.9)", "8"),
    ("INT(-8.9)", "-9"),
    ("INT(5)", "5"),
    ("INT(1/3*3)", "1"),
    ("INT(TRUE)", "1"),
    ("TRUNC(8.9)", "8"),
    ("TRUNC(-8.9)", "-8"),
    ("TRUNC(1.239, 2)", "1.23"),
    ("TRUNC(1234, -2)", "1200"),
    ("MOD(3, 2)", "1"),
    ("MOD(-3, 2)", "1"),
    ("MOD(3, -2)", "-1"),
    ("MOD(-3, -2)", "-1"),
    ("MOD(5.5, 2)", "1.5"),
    ("MOD(6, 3)", "0"),
    ("MOD(1, 0)", "#DIV/0!"),
    ("MOD(0.3, 0.1)", "0"),
    ("MOD(1e300, 7)", "#NUM!"),
    ("ABS(-3)", "3"),
    ("ABS(2)", "2"),
    ("ABS(x)", "0"),
    ("MAX(1, 5, 3)", "5"),
    ("MAX(-1, -5)", "-1"),
    ("MAX(r)", "3"),
    ("MAX(t)", "0"),
    ('MAX(1, "7")', "7"),
    ("MAX(d)", "2024-03-01"),
    ("MIN(d)", "2024-01-01"),
    ("MIN(4, 2, 8)", "2"),
    ("MIN(r, 0)", "0"),
    ("AVERAGE(1, 2, 3, 4)", "2.5"),
    ("AVERAGE(r)", "2"),
    ("AVERAGE(t)", "#DIV/0!"),
    ("AVERAGE(r, 10)", "4"),
    ("AVERAGE(1, 2)", "1.5"),
    ("POWER(2, 3)", "8"),
    ("POWER(2, -2)", "0.25"),
    ("POWER(0, 0)", "#NUM!"),
    ("POWER(27, 1/3)", "3"),
    ("SQRT(2)", "1.4142135623731"),
    ("SQRT(0)", "0"),
    ("SQRT(-4)", "#NUM!"),
    ("EXP(2)", "7.38905609893065"),
    ("LN(1)", "0"),
    ("LN(-1)", "#NUM!"),
    ("LOG(1000)", "3"),
    ("LOG(64, 4)", "3"),
    ("LOG(10, 1)", "#DIV/0!"),
    ("LOG(0)", "#NUM!"),
    ("LOG10(0.01)", "-2"),
    ("LOG10(-1)", "#NUM!"),
    ("CEILING(2.5, 1)", "3"),
    ("CEILING(-2.5, -2)", "-4"),
    ("CEILING(-2.5, 2)", "-2"),
    ("CEILING(1.5, 0.1)", "1.5"),
    ("CEILING(0.234, 0.01)", "0.24"),
    ("CEILING(2.5, -2)", "#NUM!"),
    ("CEILING(5, 0)", "0"),
    ("CEILING(4.2)", "5"),
    ("FLOOR(3.7, 2)", "2"),
    ("FLOOR(-2.5, -2)", "-2"),
    ("FLOOR(1.58, 0.1)", "1.5"),
    ("FLOOR(0.234, 0.01)", "0.23"),
    ("FLOOR(2.5, -2)", "#NUM!"),
    ("FLOOR(2.5, 0)", "#DIV/0!"),
    ("SIGN(10)", "1"),
    ("SIGN(-0.1)", "-1"),
    ("SIGN(x)", "0"),
    ("PI()*2", "6.28318530717959"),
    ("PRODUCT(2, 3)", "6"),
    ("PRODUCT(r)", "6"),
    ("PRODUCT(t)", "0"),
    ('PRODUCT(2, "3")', "6"),
    ("FIXED(1234.567)", "1,234.57"),
    ("FIXED(1234.567, 0)", "1,235"),
    ("FIXED(1234.567, -2)", "1,200"),
    ("FIXED(0.5, 0)", "1"),
    ("FIXED(-0.004, 2)", "0.00"),
    ("FIXED(1234567.891, 2, TRUE)", "1234567.89"),
    ("FIXED(-1234567.891, 1)", "-1,234,567.9"),
    ("FIXED(12, 3)", "12.000"),
    ("EVEN(1)", "2"),
    ("EVEN(2)", "2"),
    ("EVEN(-2.5)", "-4"),
    ("EVEN(0)", "0"),
    ("ODD(1)", "1"),
    ("ODD(3.1)", "5"),
    ("ODD(-2)", "-3"),
    ("GCD(5, 2)", "1"),
    ("GCD(60, 36, 24)", "12"),
    ("GCD(-1, 2)", "#NUM!"),
    ("GCD(10.9, 4)", "2"),
    ("LCM(5, 2)", "10"),
    ("LCM(24, 36)", "72"),
    ("LCM(-1, 2)", "#NUM!"),
    ("RADIANS(90)", "1.5707963267949"),
    ("DEGREES(PI()/2)", "90"),
    ("SIN(0)", "0"),
    ("COS(PI())", "-1"),
    ("TAN(0)", "0"),
]

VALUES = {
    "r": [1, 2, 3, "x", True, None],
    "t": [],
    "e": ["a", "b"],
    "b": True,
    "x": None,
    "d": [date(2024, 3, 1), date(2024, 1, 1)],
}


@pytest.mark.parametrize(("formula", "expected"), MATH)
def test_math(formula: str, expected: str) -> None:
    assert show(formula, VALUES) == expected


LOGIC = [
    ('IF(TRUE, "y", "n")', "y"),
    ('IF(FALSE, "y", "n")', "n"),
    ("IF(FALSE, 1)", "FALSE"),
    ("IF(1, 2, 3)", "2"),
    ("IF(0, 2, 3)", "3"),
    ('IF("TRUE", 1, 2)', "1"),
    ('IF("x", 1, 2)', "#VALUE!"),
    ("IF(x, 1, 2)", "2"),
    ("IF(1/0, 1, 2)", "#DIV/0!"),
    ("IF(TRUE, 1, 1/0)", "1"),  # only the branch taken is evaluated
    ("IF(FALSE, 1/0, 2)", "2"),
    ('IF(TRUE, x, "n")', ""),
    ("IFS(FALSE, 1, TRUE, 2)", "2"),
    ("IFS(FALSE, 1, FALSE, 2)", "#N/A"),
    ("IFS(1/0, 1, TRUE, 2)", "#DIV/0!"),
    ("IFS(TRUE, 1, 1/0, 2)", "1"),
    ("AND(TRUE, TRUE)", "TRUE"),
    ("AND(TRUE, FALSE)", "FALSE"),
    ("AND(1, 2)", "TRUE"),
    ("AND(1, 0)", "FALSE"),
    ('AND("TRUE", TRUE)', "TRUE"),
    ('AND("x", TRUE)', "#VALUE!"),
    ("AND(x)", "#VALUE!"),  # no logical values at all
    ("AND(r)", "TRUE"),  # text and blanks in a range are skipped
    ("AND(FALSE, 1/0)", "#DIV/0!"),
    ("OR(FALSE, FALSE)", "FALSE"),
    ("OR(FALSE, 1)", "TRUE"),
    ("OR(r)", "TRUE"),
    ("OR(e)", "#VALUE!"),
    ("XOR(TRUE, TRUE, TRUE)", "TRUE"),
    ("XOR(1, 0)", "TRUE"),
    ("XOR(FALSE, FALSE)", "FALSE"),
    ("NOT(TRUE)", "FALSE"),
    ("NOT(0)", "TRUE"),
    ('NOT("x")', "#VALUE!"),
    ("NOT(1/0)", "#DIV/0!"),
    ('SWITCH(2, 1, "a", 2, "b")', "b"),
    ('SWITCH(3, 1, "a", 2, "b", "z")', "z"),
    ('SWITCH(3, 1, "a", 2, "b")', "#N/A"),
    ('SWITCH("B", "a", 1, "b", 2)', "2"),
    ('SWITCH(1/0, 1, "a")', "#DIV/0!"),
    ('SWITCH(x, 0, "zero", "other")', "zero"),
    ("IFERROR(1/0, 9)", "9"),
    ("IFERROR(5, 9)", "5"),
    ('IFERROR(#N/A, "na")', "na"),
    ('IFERROR("x"+1, 0)', "0"),
    ("IFNA(#N/A, 1)", "1"),
    ("IFNA(1/0, 1)", "#DIV/0!"),
    ("IFNA(2, 1)", "2"),
    ("TRUE()", "TRUE"),
    ("FALSE()", "FALSE"),
    ("TRUE()+TRUE", "2"),
]


@pytest.mark.parametrize(("formula", "expected"), LOGIC)
def test_logic(formula: str, expected: str) -> None:
    assert show(formula, VALUES) == expected


INFO = [
    ("ISBLANK(x)", "TRUE"),
    ('ISBLANK("")', "FALSE"),
    ("ISBLANK(0)", "FALSE"),
    ("ISBLANK(1/0)", "FALSE"),
    ("ISNUMBER(1.5)", "TRUE"),
    ("ISNUMBER(d1)", "TRUE"),
    ('ISNUMBER("1")', "FALSE"),
    ("ISNUMBER(TRUE)", "FALSE"),
    ("ISNUMBER(x)", "FALSE"),
    ('ISTEXT("")', "TRUE"),
    ("ISTEXT(x)", "FALSE"),
    ("ISLOGICAL(FALSE)", "TRUE"),
    ('ISLOGICAL("TRUE")', "FALSE"),
    ("ISERROR(#N/A)", "TRUE"),
    ('ISERROR("#N/A")', "FALSE"),
    ("ISERR(#N/A)", "FALSE"),
    ("ISERR(#VALUE!)", "TRUE"),
    ("ISNA(#N/A)", "TRUE"),
    ("ISNA(NA())", "TRUE"),
    ("ISNA(1)", "FALSE"),
    ("ISEVEN(0)", "TRUE"),
    ("ISEVEN(2.9)", "TRUE"),
    ("ISEVEN(-1)", "FALSE"),
    ('ISEVEN("4")', "TRUE"),
    ('ISEVEN("x")', "#VALUE!"),
    ("ISEVEN(TRUE)", "#VALUE!"),
    ("ISODD(-1)", "TRUE"),
    ("ISODD(1/0)", "#DIV/0!"),
    ("N(3)", "3"),
    ("N(FALSE)", "0"),
    ('N("abc")', "0"),
    ("N(x)", "0"),
    ("N(d1)", "45352"),
    ("N(1/0)", "#DIV/0!"),
    ('T("a")', "a"),
    ("T(TRUE)", ""),
    ("NA()", "#N/A"),
    ("ERROR.TYPE(#N/A)", "7"),
    ("ERROR.TYPE(#NULL!)", "1"),
]


@pytest.mark.parametrize(("formula", "expected"), INFO)
def test_info(formula: str, expected: str) -> None:
    assert show(formula, {**VALUES, "d1": date(2024, 3, 1)}) == expected


LINES = {
    "lines.qty": [1, 3, 5, None, 2],
    "lines.price": [10, 20, 30, 40, 50],
    "lines.name": ["苹果", "香蕉", "Apple pie", "", "apple"],
    "lines.done": [True, False, True, False, True],
    "lines.when": [date(2024, 1, 1), date(2024, 2, 1), None, date(2024, 3, 1), date(2024, 4, 1)],
    "lines.mixed": [1, "2", "x", True, None],
    "lines.bad": [1, "#N/A", None, 2, 3],
}

AGGREGATE = [
    ("COUNT(lines.qty)", "4"),
    ("COUNT(lines.mixed)", "1"),  # only numbers count inside a range
    ('COUNT(1, "2", TRUE, "x")', "3"),
    ("COUNT(lines.when)", "4"),
    ("COUNT(1/0, 1)", "1"),
    ("COUNTA(lines.qty)", "4"),
    ("COUNTA(lines.name)", "5"),  # empty text is a value
    ("COUNTA(1/0, x)", "1"),
    ("COUNTBLANK(lines.name)", "1"),
    ("COUNTBLANK(lines.qty)", "1"),
    ('COUNTIF(lines.qty, ">2")', "2"),
    ('COUNTIF(lines.qty, ">=3")', "2"),
    ('COUNTIF(lines.qty, "<3")', "2"),
    ('COUNTIF(lines.qty, "<=1")', "1"),
    ("COUNTIF(lines.qty, 3)", "1"),
    ('COUNTIF(lines.qty, "3")', "1"),
    ('COUNTIF(lines.qty, "=3")', "1"),
    ('COUNTIF(lines.qty, "<>3")', "4"),
    ('COUNTIF(lines.qty, "")', "1"),
    ('COUNTIF(lines.qty, "=")', "1"),
    ('COUNTIF(lines.qty, "<>")', "4"),
    ('COUNTIF(lines.name, "apple")', "1"),
    ('COUNTIF(lines.name, "APPLE*")', "2"),
    ('COUNTIF(lines.name, "*果")', "1"),
    ('COUNTIF(lines.name, "??")', "2"),
    ('COUNTIF(lines.name, "*")', "5"),
    ('COUNTIF(lines.name, "<>苹果")', "4"),
    ('COUNTIF(lines.name, "")', "1"),
    ('COUNTIF(lines.name, ">b")', "2"),  # CJK sorts after Latin letters
    ('COUNTIF(lines.name, "<b")', "2"),
    ("COUNTIF(lines.done, TRUE)", "3"),
    ('COUNTIF(lines.done, "FALSE")', "2"),
    ('COUNTIF(lines.when, ">2024-01-15")', "3"),
    ("COUNTIF(lines.mixed, 2)", "1"),  # numeric text matches a number criterion
    ('COUNTIF(lines.mixed, "x")', "1"),
    ('COUNTIFS(lines.qty, ">1", lines.done, TRUE)', "2"),
    ('COUNTIFS(lines.qty, ">1", lines.price, "<50")', "2"),
    ('COUNTIFS(lines.qty, ">1", lines.qty, "<5")', "2"),
    ('COUNTIFS(lines.qty, ">1", t, 1)', "#VALUE!"),
    ('SUMIF(lines.qty, ">2")', "8"),
    ("SUMIF(lines.done, TRUE, lines.price)", "90"),
    ('SUMIF(lines.name, "*apple*", lines.price)', "80"),
    ('SUMIF(lines.qty, ">100")', "0"),
    ('SUMIF(lines.name, "a*", lines.qty)', "7"),
    ('SUMIF(lines.price, ">20", lines.qty)', "7"),
    ('SUMIFS(lines.price, lines.done, TRUE, lines.qty, ">1")', "80"),
    ('SUMIFS(lines.price, lines.qty, ">0")', "110"),
    ('AVERAGEIF(lines.qty, ">1")', "3.33333333333333"),
    ("AVERAGEIF(lines.done, TRUE, lines.price)", "30"),
    ('AVERAGEIF(lines.qty, ">100")', "#DIV/0!"),
    ("AVERAGEIFS(lines.price, lines.done, FALSE)", "30"),
    ('AVERAGEIFS(lines.price, lines.done, FALSE, lines.qty, ">100")', "#DIV/0!"),
    ("MAXIFS(lines.price, lines.done, TRUE)", "50"),
    ('MAXIFS(lines.price, lines.qty, ">100")', "0"),
    ("MINIFS(lines.price, lines.done, TRUE)", "10"),
    ('MINIFS(lines.qty, lines.name, "*a*")', "2"),
    ("SUMPRODUCT(lines.qty, lines.price)", "320"),
    ("SUMPRODUCT(lines.qty)", "11"),
    ("SUMPRODUCT(lines.qty, lines.price, lines.done)", "0"),  # booleans count as 0
    ("SUMPRODUCT(lines.qty, t)", "#VALUE!"),
    ("SUMPRODUCT(3)", "3"),
    ("MEDIAN(lines.qty)", "2.5"),
    ("MEDIAN(3, 1, 2)", "2"),
    ("MEDIAN(t)", "#NUM!"),
    ("LARGE(lines.price, 1)", "50"),
    ("LARGE(lines.price, 2)", "40"),
    ("LARGE(lines.qty, 5)", "#NUM!"),
    ("LARGE(lines.qty, 0)", "#NUM!"),
    ("SMALL(lines.qty, 2)", "2"),
    ("SMALL(lines.price, 5)", "50"),
    ("SUM(lines.qty)/COUNT(lines.qty)", "2.75"),
    ("SUM(lines.qty*lines.price)", "320"),
    ("SUM(lines.bad)", "6"),  # "#N/A" here is text, not an error
]


@pytest.mark.parametrize(("formula", "expected"), AGGREGATE)
def test_aggregate(formula: str, expected: str) -> None:
    assert show(formula, {**LINES, "t": [], "x": None}) == expected


def test_an_error_inside_a_range_is_the_aggregate_result() -> None:
    from qiao.formula.values import ErrorValue

    values = {"v": [1, ErrorValue.DIV0, 3], "f": [True, False, True]}
    assert show("SUM(v)", values) == "#DIV/0!"
    assert show("AVERAGE(v)", values) == "#DIV/0!"
    assert show("MAX(v)", values) == "#DIV/0!"
    assert show("COUNT(v)", values) == "2"
    assert show("COUNTA(v)", values) == "3"
    assert show('COUNTIF(v, ">0")', values) == "2"
    assert show("SUMIF(f, TRUE, v)", values) == "4"  # the error is not picked
    assert show("SUMIF(f, FALSE, v)", values) == "#DIV/0!"
    assert show("IFERROR(SUM(v), -1)", values) == "-1"
