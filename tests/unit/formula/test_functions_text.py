"""Text functions against Excel's results (Chinese text, blanks, errors, limits)."""

from __future__ import annotations

import time
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from qiao.formula.values import ErrorValue
from tests.unit.formula.fncall import call, shown

VALUE = "#VALUE!"
NA = "#N/A"

CASES: list[tuple[str, tuple[Any, ...], str]] = [
    # CONCATENATE / CONCAT / TEXTJOIN
    ("CONCATENATE", ("北京", "市", 2024), "北京市2024"),
    ("CONCATENATE", ("a", None, "b"), "ab"),
    ("CONCATENATE", (True, 1.5), "TRUE1.5"),
    ("CONCATENATE", ("x", ErrorValue.DIV0), "#DIV/0!"),
    ("CONCATENATE", (date(2024, 3, 5), "到期"), "2024-03-05到期"),
    ("CONCAT", ("A", "B", 1), "AB1"),
    ("CONCAT", (["x", "y", None, "z"], "!"), "xyz!"),
    ("CONCAT", ([Decimal("1.50"), True],), "1.5TRUE"),
    ("CONCAT", (["a", ErrorValue.NA],), NA),
    ("TEXTJOIN", ("、", True, "苹果", "", "香蕉"), "苹果、香蕉"),
    ("TEXTJOIN", ("-", False, "a", "", "b"), "a--b"),
    ("TEXTJOIN", (", ", True, ["笔记本", None, "鼠标"]), "笔记本, 鼠标"),
    ("TEXTJOIN", (", ", False, ["笔记本", None, "鼠标"]), "笔记本, , 鼠标"),
    ("TEXTJOIN", ("", True, [1, 2], [3]), "123"),
    ("TEXTJOIN", ("/", True, [None, ""]), ""),
    # LEFT / RIGHT / MID / LEN
    ("LEFT", ("北京市海淀区", 3), "北京市"),
    ("LEFT", ("Excel",), "E"),
    ("LEFT", ("abc", 0), ""),
    ("LEFT", ("abc", 10), "abc"),
    ("LEFT", ("abc", 1.9), "a"),
    ("LEFT", ("abc", -1), VALUE),
    ("LEFT", (None, 2), ""),
    ("LEFT", (12345, 2), "12"),
    ("RIGHT", ("13812345678", 4), "5678"),
    ("RIGHT", ("海淀区",), "区"),
    ("RIGHT", ("abc", 0), ""),
    ("RIGHT", ("abc", 5), "abc"),
    ("RIGHT", ("abc", -2), VALUE),
    ("MID", ("北京市海淀区", 4, 3), "海淀区"),
    ("MID", ("110105199003071234", 7, 8), "19900307"),
    ("MID", ("abc", 5, 2), ""),
    ("MID", ("abc", 0, 2), VALUE),
    ("MID", ("abc", 2, -1), VALUE),
    ("MID", ("abc", 2, 100), "bc"),
    ("LEN", ("客户管理",), "4"),
    ("LEN", ("",), "0"),
    ("LEN", (None,), "0"),
    ("LEN", ("  a ",), "4"),
    ("LEN", (123.45,), "6"),
    ("LEN", (True,), "4"),
    ("LEN", (ErrorValue.REF,), "#REF!"),
    # FIND / SEARCH
    ("FIND", ("区", "北京市海淀区"), "6"),
    ("FIND", ("b", "abcb", 3), "4"),
    ("FIND", ("B", "abc"), VALUE),
    ("FIND", ("", "abc"), "1"),
    ("FIND", ("", "abc", 2), "2"),
    ("FIND", ("a", "abc", 0), VALUE),
    ("FIND", ("a", "abc", 5), VALUE),
    ("FIND", ("海淀", "北京市海淀区海淀"), "4"),
    ("SEARCH", ("E", "excel"), "1"),
    ("SEARCH", ("c?l", "Excel"), "3"),
    ("SEARCH", ("x*l", "Excel"), "2"),
    ("SEARCH", ("~?", "why?"), "4"),
    ("SEARCH", ("~*", "a*b"), "2"),
    ("SEARCH", ("e", "Excel", 2), "4"),
    ("SEARCH", ("z", "Excel"), VALUE),
    ("SEARCH", ("有限*公司", "北京桥科技有限责任公司"), "6"),
    ("SEARCH", (".", "a.b"), "2"),
    ("SEARCH", ("o", "foo", 3), "3"),
    ("SEARCH", ("foo", "bar", 4), VALUE),
    ("SEARCH", ("", "bar", 4), VALUE),
    ("SEARCH", ("*f", "foobarbaz"), "1"),
    ("SEARCH", ("b*b", "foobarbaz"), "4"),
    ("SEARCH", ("b?z", "foobarbaz"), "7"),
    ("SEARCH", ("b?b", "foobarbaz"), VALUE),
    ("SEARCH", ("?b", "foobarbaz", 5), "6"),
    ("SEARCH", ("?R", "bar"), "2"),
    ("SEARCH", ("U", True), "3"),
    ("SEARCH", (0, 10), "2"),
    ("FIND", ("", ""), "1"),
    # SUBSTITUTE / REPLACE
    ("SUBSTITUTE", ("2024-03-05", "-", "/"), "2024/03/05"),
    ("SUBSTITUTE", ("a-b-c", "-", "+", 2), "a-b+c"),
    ("SUBSTITUTE", ("a-b-c", "-", "+", 3), "a-b-c"),
    ("SUBSTITUTE", ("a-b-c", "-", "+", 0), VALUE),
    ("SUBSTITUTE", ("aaaa", "aa", "b"), "bb"),
    ("SUBSTITUTE", ("a1a1a1", "a1", "b", 2), "a1ba1"),
    ("SUBSTITUTE", ("abc", "", "x"), "abc"),
    ("SUBSTITUTE", ("Abc", "a", "x"), "Abc"),
    ("SUBSTITUTE", ("有限公司", "有限", ""), "公司"),
    ("REPLACE", ("13812345678", 4, 4, "****"), "138****5678"),
    ("REPLACE", ("abcdef", 1, 0, "X"), "Xabcdef"),
    ("REPLACE", ("abc", 10, 1, "X"), "abcX"),
    ("REPLACE", ("abc", 0, 1, "X"), VALUE),
    ("REPLACE", ("北京市海淀区", 4, 3, "朝阳区"), "北京市朝阳区"),
    # TEXTBEFORE / TEXTAFTER
    ("TEXTBEFORE", ("张三-销售部-北京", "-"), "张三"),
    ("TEXTBEFORE", ("张三-销售部-北京", "-", 2), "张三-销售部"),
    ("TEXTBEFORE", ("张三-销售部-北京", "-", -1), "张三-销售部"),
    ("TEXTBEFORE", ("张三-销售部-北京", "-", -2), "张三"),
    ("TEXTBEFORE", ("张三-销售部-北京", "-", 3), NA),
    ("TEXTBEFORE", ("张三-销售部-北京", "-", 3, 0, 1), "张三-销售部-北京"),
    ("TEXTBEFORE", ("abc", "x", 1, 0, 0, "无"), "无"),
    ("TEXTBEFORE", ("aXbxc", "x"), "aXb"),
    ("TEXTBEFORE", ("aXbxc", "x", 1, 1), "a"),
    ("TEXTBEFORE", ("abc", ""), ""),
    ("TEXTBEFORE", ("abc", "", -1), "abc"),
    ("TEXTBEFORE", ("abc", "b", 0), VALUE),
    ("TEXTBEFORE", ("abc", "b", 4), VALUE),
    ("TEXTBEFORE", ("abc", "b", 1, 2), VALUE),
    ("TEXTAFTER", ("zhang.san@qiao.example", "@"), "qiao.example"),
    ("TEXTAFTER", ("北京市/海淀区/中关村", "/", -1), "中关村"),
    ("TEXTAFTER", ("北京市/海淀区/中关村", "/", 2), "中关村"),
    ("TEXTAFTER", ("北京市/海淀区/中关村", "/", -3), NA),
    ("TEXTAFTER", ("北京市/海淀区/中关村", "/", -3, 0, 1), "北京市/海淀区/中关村"),
    ("TEXTAFTER", ("abc", ""), "abc"),
    ("TEXTAFTER", ("abc", "", -1), ""),
    ("TEXTAFTER", ("订单ORD-17", "ord-", 1, 1), "17"),
    # case, TRIM, CLEAN
    ("UPPER", ("qiao crm",), "QIAO CRM"),
    ("UPPER", ("中文abc",), "中文ABC"),
    ("LOWER", ("Qiao CRM",), "qiao crm"),
    ("LOWER", (None,), ""),
    ("UPPER", ("straße",), "STRAßE"),
    ("PROPER", ("this is a TITLE",), "This Is A Title"),
    ("PROPER", ("2-way street",), "2-Way Street"),
    ("PROPER", ("76BudGet",), "76Budget"),
    ("PROPER", ("don't",), "Don'T"),
    ("PROPER", ("123aa123bb.cc.dd",), "123Aa123Bb.Cc.Dd"),
    ("PROPER", (" foo    bar   ",), " Foo    Bar   "),
    ("PROPER", ("MAI ANH ĐỨC",), "Mai Anh Đức"),
    ("PROPER", (True,), "True"),
    ("TRIM", ("  张三   李四 ",), "张三 李四"),
    ("TRIM", ("a\tb",), "a\tb"),
    ("TRIM", ("   ",), ""),
    ("TRIM", ("\u3000全角\u3000",), "\u3000全角\u3000"),
    ("CLEAN", ("第一行\n第二行",), "第一行第二行"),
    ("CLEAN", ("a\x07b\x1fc",), "abc"),
    ("CLEAN", ("tab\there",), "tabhere"),
    # VALUE / NUMBERVALUE
    ("VALUE", ("1,234.5",), "1234.5"),
    ("VALUE", ("50%",), "0.5"),
    ("VALUE", ("12:00",), "0.5"),
    ("VALUE", (" 42 ",), "42"),
    ("VALUE", ("$1,000",), "1000"),
    ("VALUE", ("¥12.5",), "12.5"),
    ("VALUE", ("(12)",), "-12"),
    ("VALUE", ("-3e2",), "-300"),
    ("VALUE", ("2024-03-05",), "45356"),
    ("VALUE", ("abc",), VALUE),
    ("VALUE", ("",), VALUE),
    ("VALUE", (None,), "0"),
    ("VALUE", (True,), VALUE),
    ("VALUE", (7,), "7"),
    ("VALUE", (date(2024, 3, 5),), "45356"),
    ("NUMBERVALUE", ("2.500,27", ",", "."), "2500.27"),
    ("NUMBERVALUE", ("3.5%",), "0.035"),
    ("NUMBERVALUE", ("1 234,5", ",", "."), "1234.5"),
    ("NUMBERVALUE", ("",), "0"),
    ("NUMBERVALUE", ("1,2.3,4",), VALUE),
    ("NUMBERVALUE", ("1.2.3",), VALUE),
    ("NUMBERVALUE", ("12%%",), "0.0012"),
    ("NUMBERVALUE", ("1.5", ".", "."), VALUE),
    ("NUMBERVALUE", ("abc",), VALUE),
    # REPT / EXACT
    ("REPT", ("★", 3), "★★★"),
    ("REPT", ("ab", 0), ""),
    ("REPT", ("ab", 2.9), "abab"),
    ("REPT", ("ab", -1), VALUE),
    ("REPT", ("abc", 20000), VALUE),
    ("EXACT", ("Qiao", "qiao"), "FALSE"),
    ("EXACT", ("桥", "桥"), "TRUE"),
    ("EXACT", (1, "1"), "TRUE"),
    ("EXACT", (None, ""), "TRUE"),
    # CHAR / CODE / UNICHAR / UNICODE
    ("CHAR", (65,), "A"),
    ("CHAR", (128,), "€"),
    ("CHAR", (10,), "\n"),
    ("CHAR", (0,), VALUE),
    ("CHAR", (256,), VALUE),
    ("CODE", ("A",), "65"),
    ("CODE", ("abc",), "97"),
    ("CODE", ("€",), "128"),
    ("CODE", ("中",), "63"),
    ("CODE", ("",), VALUE),
    ("UNICHAR", (26725,), "桥"),
    ("UNICHAR", (9733,), "★"),
    ("UNICHAR", (0,), VALUE),
    ("UNICHAR", (55296,), NA),
    ("UNICHAR", (1114112,), VALUE),
    ("UNICODE", ("桥梁",), "26725"),
    ("UNICODE", ("A",), "65"),
    ("UNICODE", ("",), VALUE),
    # TEXT: numbers
    ("TEXT", (1234.567, "#,##0.00"), "1,234.57"),
    ("TEXT", (1234.567, "0"), "1235"),
    ("TEXT", (0.256, "0.0%"), "25.6%"),
    ("TEXT", (0.5, "0%"), "50%"),
    ("TEXT", (1234567, "000-0000"), "123-4567"),
    ("TEXT", (5, "000"), "005"),
    ("TEXT", (1234567, "#,##0"), "1,234,567"),
    ("TEXT", (0, "#,##0"), "0"),
    ("TEXT", (1234567, '0.0,,"M"'), "1.2M"),
    ("TEXT", (1234567, "#,##0,"), "1,235"),
    ("TEXT", (-5, "0.00"), "-5.00"),
    ("TEXT", (-5, "0.00;(0.00)"), "(5.00)"),
    ("TEXT", (0, '0.00;-0.00;"零"'), "零"),
    ("TEXT", (-1234.5, "¥#,##0.00"), "-¥1,234.50"),
    ("TEXT", (12345.678, "0.00E+00"), "1.23E+04"),
    ("TEXT", (0.000123, "0.0E+00"), "1.2E-04"),
    ("TEXT", (0.5, "#.##"), ".5"),
    ("TEXT", (2.5, "0"), "3"),
    ("TEXT", (-2.5, "0"), "-3"),
    ("TEXT", (1.5, "0.0#"), "1.5"),
    ("TEXT", (1.555, "0.0#"), "1.56"),
    ("TEXT", (1234, "General"), "1234"),
    ("TEXT", (1234, "G/通用格式"), "1234"),
    ("TEXT", (88, '0"分"'), "88分"),
    ("TEXT", (3, "第0名"), "第3名"),
    ("TEXT", (123, "@"), "123"),
    ("TEXT", (5.5, "0.00_);(0.00)"), "5.50 "),
    ("TEXT", (-5.5, "0.00_);(0.00)"), "(5.50)"),
    ("TEXT", (-1234.5, "#,##0.00;[Red]-#,##0.00"), "-1,234.50"),
    ("TEXT", (1234.5, '#,##0.00 "元"'), "1,234.50 元"),
    ("TEXT", (0.4, "#"), ""),
    ("TEXT", (1234.5, "0.00,"), "1.23"),
    ("TEXT", (123, "[DBNum2]"), "壹佰贰拾叁"),
    ("TEXT", (123, "[DBNum1]"), "一百二十三"),
    ("TEXT", (10, "[DBNum1]"), "一十"),
    ("TEXT", (123.45, "[DBNum2]"), "壹佰贰拾叁.肆伍"),
    ("TEXT", (285, "[DBNum2]G/通用格式元整"), "贰佰捌拾伍元整"),
    ("TEXT", (1001, "[DBNum1]General"), "一千零一"),
    ("TEXT", (-12, "[DBNum2]"), "-壹拾贰"),
    ("TEXT", (123, "[dbnum2][$-804]G/通用格式"), "壹佰贰拾叁"),
    ("TEXT", (None, "0.00"), "0.00"),
    ("TEXT", ("12.5", "0.00"), "12.50"),
    ("TEXT", ("abc", "0.00"), "abc"),
    ("TEXT", ("abc", '0;0;0;"名称："@'), "名称：abc"),
    ("TEXT", (True, "0"), "TRUE"),
    # TEXT: dates and times
    (
        "TEXT",
        (date(2024, 3, 5), "yyyy年m月d日"),
        "2024年3月5日",
    ),
    ("TEXT", (date(2024, 3, 5), "yyyy-mm-dd"), "2024-03-05"),
    ("TEXT", (date(2024, 3, 5), "yy/m/d"), "24/3/5"),
    ("TEXT", (date(2024, 3, 4), "aaaa"), "星期一"),
    ("TEXT", (date(2024, 3, 10), "aaa"), "日"),
    ("TEXT", (date(2024, 3, 4), "dddd"), "Monday"),
    ("TEXT", (date(2024, 3, 4), "ddd, mmm d"), "Mon, Mar 4"),
    ("TEXT", (date(2024, 3, 4), "mmmm"), "March"),
    ("TEXT", (date(2024, 3, 4), "mmmmm"), "M"),
    ("TEXT", (datetime(2024, 3, 4, 14, 5, 9), "yyyy-mm-dd hh:mm:ss"), "2024-03-04 14:05:09"),
    ("TEXT", (datetime(2024, 3, 4, 14, 5, 9), "hh:mm"), "14:05"),
    ("TEXT", (datetime(2024, 3, 4, 14, 5, 9), "h:mm AM/PM"), "2:05 PM"),
    ("TEXT", (datetime(2024, 3, 4, 9, 5, 9), "上午/下午h时mm分"), "上午9时05分"),
    ("TEXT", (datetime(2024, 3, 4, 0, 30), "h:mm A/P"), "12:30 A"),
    ("TEXT", (datetime(2024, 3, 4, 14, 5, 9), "mm:ss"), "05:09"),
    ("TEXT", (datetime(2018, 8, 8, 14, 0), "hh:mm AM/PM"), "02:00 PM"),
    ("TEXT", (datetime(2018, 8, 8, 0, 30), "hh:mm am/pm"), "12:30 am"),
    ("TEXT", (datetime(2018, 8, 8, 0, 30), "hh:mm a/p"), "12:30 a"),
    ("TEXT", (datetime(2018, 8, 8, 13, 59), "HH:mm"), "13:59"),
    ("TEXT", (date(2018, 8, 8), "dd DD mm MM yy YYYY"), "08 08 08 08 18 2018"),
    ("TEXT", (12.45, "###.###"), "12.45"),
    ("TEXT", (12.45, "000.000"), "012.450"),
    ("TEXT", (1.5, "[h]:mm"), "36:00"),
    ("TEXT", (0.0625, "[mm]:ss"), "90:00"),
    ("TEXT", (0.5, "hh:mm"), "12:00"),
    ("TEXT", (45356, "yyyy-mm-dd"), "2024-03-05"),
    ("TEXT", ("2024-03-05", "m月d日"), "3月5日"),
    ("TEXT", ("14:30", "h:mm AM/PM"), "2:30 PM"),
    ("TEXT", ("下午2:30", "hh:mm"), "14:30"),
    ("TEXT", (date(2024, 3, 5), "0"), "45356"),
    ("TEXT", (-1, "yyyy"), VALUE),
    ("TEXT", (0.5 + 1 / 86400 / 4, "hh:mm:ss.00"), "12:00:00.25"),
    # regular expressions
    ("REGEXMATCH", ("13812345678", r"^1[3-9]\d{9}$"), "TRUE"),
    ("REGEXMATCH", ("1381234567", r"^1[3-9]\d{9}$"), "FALSE"),
    ("REGEXMATCH", ("订单 A-17", "[0-9]+"), "TRUE"),
    ("REGEXMATCH", ("abc", "^b"), "FALSE"),
    ("REGEXMATCH", ("abc", "(unclosed"), VALUE),
    ("REGEXMATCH", ("", "^$"), "TRUE"),
    ("REGEXMATCH", ("北京市", "^[\u4e00-\u9fff]+$"), "TRUE"),
    ("REGEXEXTRACT", ("订单号：SO-2024-0031", r"\d+-\d+"), "2024-0031"),
    ("REGEXEXTRACT", ("联系电话 13812345678", r"(1\d{10})"), "13812345678"),
    ("REGEXEXTRACT", ("张三 <zs@example.com>", r"<(.+)@(.+)>"), "zs"),
    ("REGEXEXTRACT", ("abc", r"\d"), NA),
    ("REGEXREPLACE", ("138-1234-5678", "-", ""), "13812345678"),
    ("REGEXREPLACE", ("13812345678", r"(\d{3})\d{4}(\d{4})", "$1****$2"), "138****5678"),
    ("REGEXREPLACE", ("a.b", r"\.", "\\"), "a\\b"),
    ("REGEXREPLACE", ("aaa", "a", "$2"), VALUE),
    ("REGEXREPLACE", ("  多余   空格 ", r"\s+", " "), " 多余 空格 "),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES)
def test_text_function(name: str, args: tuple[Any, ...], expected: str) -> None:
    assert shown(name, *args) == expected


def test_results_are_exact_decimals() -> None:
    assert call("LEN", "客户管理") == Decimal(4)
    assert type(call("FIND", "b", "abc")) is Decimal
    assert call("VALUE", "0.1") == Decimal("0.1")


def test_results_longer_than_excel_allows_are_value_errors() -> None:
    assert call("CONCAT", ["x" * 20000, "y" * 20000]) is ErrorValue.VALUE
    assert call("SUBSTITUTE", "a" * 1000, "a", "b" * 100) is ErrorValue.VALUE
    assert call("REPT", "a", 32767) == "a" * 32767


def test_catastrophic_regex_is_stopped_by_the_time_limit() -> None:
    # (a|aa)+$ backtracks exponentially on this text (the regex module, like re)
    started = time.monotonic()
    assert call("REGEXMATCH", "a" * 40 + "!", "^(a|aa)+$") is ErrorValue.VALUE
    assert time.monotonic() - started < 5  # a hang would take minutes


def test_regex_pattern_length_is_limited() -> None:
    assert call("REGEXMATCH", "abc", "a" * 1001) is ErrorValue.VALUE


def test_search_wildcards_that_backtrack_are_stopped_by_the_time_limit() -> None:
    started = time.monotonic()
    assert call("SEARCH", "*a*a*a*a*a*b", "a" * 20000) is ErrorValue.VALUE
    assert time.monotonic() - started < 5  # a hang would take minutes
    assert call("SEARCH", "a*b", "a" * 20000 + "b") == Decimal(1)


HUGE = "1e999999999"  # text beyond Excel's number range: not a number, so #VALUE! at once
NUM = "#NUM!"


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("LEFT", ("abc", HUGE), VALUE),
        ("MID", ("abc", HUGE, 1), VALUE),
        ("REPT", ("a", HUGE), VALUE),
        ("CHAR", (HUGE,), VALUE),
        ("SUBSTITUTE", ("a-b", "-", "+", HUGE), VALUE),
        # TEXT leaves text that is not a number as it is (Excel: TEXT("abc", "0.00") = "abc")
        ("TEXT", (HUGE, "General"), HUGE),
        ("TEXT", (HUGE, "0.00"), HUGE),
        ("TEXT", ("1e-999999999", "0.00"), "1e-999999999"),
        ("TEXT", ("3000000", "yyyy"), VALUE),
        ("VALUE", (HUGE,), VALUE),
        ("LEFT", ("abc", "1e300"), "abc"),
        ("MID", ("abc", "1e300", 1), ""),
        ("TEXT", ("1e300", "yyyy"), VALUE),
    ],
)
def test_numbers_with_huge_exponents_are_answered_at_once(
    name: str, args: tuple[Any, ...], expected: str
) -> None:
    started = time.monotonic()
    assert shown(name, *args) == expected
    assert time.monotonic() - started < 5  # a hang would take minutes


def test_huge_counts_given_directly_are_clamped_not_expanded() -> None:
    """Below the evaluator (which already refuses such numbers), the implementations
    never turn one into a billion-digit int."""
    huge = Decimal("1e999999999")
    started = time.monotonic()
    assert call("LEFT", "abc", huge) == "abc"
    assert call("MID", "abc", huge, 1) == ""
    assert call("RIGHT", "abc", huge) == "abc"
    assert call("REPT", "a", huge) is ErrorValue.VALUE
    assert call("CHAR", huge) is ErrorValue.VALUE
    assert call("SUBSTITUTE", "a-b", "-", "+", huge) == "a-b"
    assert call("TEXT", huge, "General") is ErrorValue.NUM
    assert call("DATEADD", "2024-03-05", huge, "d") is ErrorValue.NUM
    assert call("WORKDAY", "2024-03-05", huge) is ErrorValue.NUM
    assert time.monotonic() - started < 5  # a hang would take minutes


def test_replacements_too_long_for_excel_are_refused_before_they_are_built() -> None:
    started = time.monotonic()
    long_text, long_new = "a" * 32767, "b" * 32767
    assert call("SUBSTITUTE", long_text, "a", long_new) is ErrorValue.VALUE
    assert call("REGEXREPLACE", long_text, "", long_new) is ErrorValue.VALUE
    assert call("REGEXREPLACE", long_text, "a", long_new) is ErrorValue.VALUE
    assert time.monotonic() - started < 5  # a hang would take minutes
    assert call("SUBSTITUTE", "a" * 100, "a", "bb") == "b" * 200
    assert call("REGEXREPLACE", "abc", "", "-") == "-a-b-c-"
