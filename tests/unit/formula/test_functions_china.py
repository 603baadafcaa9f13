"""RMB capitals, Chinese numerals and resident ID numbers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qiao.forms.fields import idcard
from qiao.formula.functions.china import check_character
from qiao.formula.values import ErrorValue
from tests.unit.formula.fncall import call, context_at, shown

VALUE = "#VALUE!"
NUM = "#NUM!"
#: GB 11643-1999's own sample numbers
FEMALE_1949 = "11010519491231002X"
MALE_1880 = "440524188001010014"

RMB_CASES: list[tuple[Any, str]] = [
    (12345.6, "壹万贰仟叁佰肆拾伍元陆角"),
    (10.05, "壹拾元零伍分"),
    (100, "壹佰元整"),
    (0, "零元整"),
    (1001, "壹仟零壹元整"),
    (100000, "壹拾万元整"),
    (1000000.01, "壹佰万元零壹分"),
    (10.10, "壹拾元壹角"),
    (0.5, "伍角"),
    (0.05, "伍分"),
    (0.55, "伍角伍分"),
    (20000000, "贰仟万元整"),
    (101010101, "壹亿零壹佰零壹万零壹佰零壹元整"),
    (107000.53, "壹拾万柒仟元伍角叁分"),
    (1680.32, "壹仟陆佰捌拾元叁角贰分"),
    (100001000, "壹亿零壹仟元整"),
    (100700, "壹拾万零柒佰元整"),
    (10, "壹拾元整"),
    (15, "壹拾伍元整"),
    (110, "壹佰壹拾元整"),
    (1010, "壹仟零壹拾元整"),
    (10000, "壹万元整"),
    (10001, "壹万零壹元整"),
    (1000010, "壹佰万零壹拾元整"),
    (100000000, "壹亿元整"),
    (123456789012.34, "壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
    (1010101010.1, "壹拾亿壹仟零壹拾万壹仟零壹拾元壹角"),
    (1000000000000, "壹万亿元整"),
    (-12.34, "负壹拾贰元叁角肆分"),
    (-0.001, "零元整"),
    (0.005, "壹分"),
    (1.995, "贰元整"),
    (99.99, "玖拾玖元玖角玖分"),
    ("1,234.5", "壹仟贰佰叁拾肆元伍角"),
    (None, "零元整"),
    (10**16, NUM),
    ("abc", VALUE),
    (ErrorValue.DIV0, "#DIV/0!"),
]


@pytest.mark.parametrize(("amount", "expected"), RMB_CASES)
def test_rmb(amount: Any, expected: str) -> None:
    assert shown("RMB", amount) == expected


NUMBERSTRING_CASES: list[tuple[Any, int, str]] = [
    (123, 1, "一百二十三"),
    (123, 2, "壹佰贰拾叁"),
    (123, 3, "一二三"),
    (10, 1, "一十"),
    (10, 2, "壹拾"),
    (515155643, 1, "五亿一千五百一十五万五千六百四十三"),
    (515155643, 2, "伍亿壹仟伍佰壹拾伍万伍仟陆佰肆拾叁"),
    (515155643, 3, "五一五一五五六四三"),
    (45.46, 2, "肆拾伍"),
    (45.5, 1, "四十六"),
    (1001, 2, "壹仟零壹"),
    (1001, 1, "一千零一"),
    (2024, 1, "二千零二十四"),
    (0, 1, "零"),
    (0, 3, "〇"),
    (2024, 3, "二〇二四"),
    (0, 2, "零"),
    (-123, 1, "负一百二十三"),
    (100000, 1, "一十万"),
    (123, 4, VALUE),
    ("x", 1, VALUE),
]


@pytest.mark.parametrize(("number", "kind", "expected"), NUMBERSTRING_CASES)
def test_numberstring(number: Any, kind: int, expected: str) -> None:
    assert shown("NUMBERSTRING", number, kind) == expected


ID_CASES: list[tuple[str, tuple[Any, ...], str]] = [
    ("IDCARD_BIRTHDAY", (FEMALE_1949,), "1949-12-31"),
    ("IDCARD_BIRTHDAY", (FEMALE_1949.lower(),), "1949-12-31"),
    ("IDCARD_BIRTHDAY", (f" {FEMALE_1949} ",), "1949-12-31"),
    ("IDCARD_BIRTHDAY", ("110105 19491231 002X",), "1949-12-31"),
    ("IDCARD_GENDER", ("110105-19491231-002X",), "女"),
    ("IDCARD_BIRTHDAY", (MALE_1880,), "1880-01-01"),
    ("IDCARD_BIRTHDAY", ("110105491231002",), "1949-12-31"),
    ("IDCARD_BIRTHDAY", ("110105194912310021",), VALUE),  # wrong check digit
    ("IDCARD_BIRTHDAY", ("11010519491231002",), VALUE),  # 17 characters
    ("IDCARD_BIRTHDAY", ("110105490231002",), VALUE),  # 1949-02-31
    ("IDCARD_BIRTHDAY", ("",), VALUE),
    ("IDCARD_BIRTHDAY", (None,), VALUE),
    ("IDCARD_GENDER", (FEMALE_1949,), "女"),
    ("IDCARD_GENDER", (MALE_1880,), "男"),
    ("IDCARD_GENDER", ("110105491231001",), "男"),
    ("IDCARD_GENDER", ("110105491231002",), "女"),
    ("IDCARD_GENDER", ("abc",), VALUE),
    ("IDCARD_AGE", (FEMALE_1949, "2024-12-30"), "74"),
    ("IDCARD_AGE", (FEMALE_1949, "2024-12-31"), "75"),
    ("IDCARD_AGE", (FEMALE_1949, "1949-12-31"), "0"),
    ("IDCARD_AGE", (FEMALE_1949, "1949-12-30"), NUM),
    ("IDCARD_AGE", (FEMALE_1949,), "74"),  # on the test context's today, 2024-03-05
    ("IDCARD_AGE", ("bad",), VALUE),
    ("IDCARD_VALID", (FEMALE_1949,), "TRUE"),
    ("IDCARD_VALID", (MALE_1880,), "TRUE"),
    ("IDCARD_VALID", ("11010519491231002x",), "TRUE"),
    ("IDCARD_VALID", ("110105194912310021",), "FALSE"),
    ("IDCARD_VALID", ("110105491231002",), "TRUE"),
    ("IDCARD_VALID", ("110105491331002",), "FALSE"),
    ("IDCARD_VALID", ("1101051949123100XX",), "FALSE"),
    ("IDCARD_VALID", ("",), "FALSE"),
    ("IDCARD_VALID", (None,), "FALSE"),
    ("IDCARD_VALID", (12345,), "FALSE"),
]


@pytest.mark.parametrize(("name", "args", "expected"), ID_CASES)
def test_id_number_functions(name: str, args: tuple[Any, ...], expected: str) -> None:
    assert shown(name, *args) == expected


def test_age_counts_a_leap_day_birthday_from_the_first_of_march() -> None:
    first17 = "11010520000229001"
    number = first17 + check_character(first17)
    assert call("IDCARD_BIRTHDAY", number) == date(2000, 2, 29)
    assert call("IDCARD_AGE", number, "2001-02-28") == Decimal(0)
    assert call("IDCARD_AGE", number, "2001-03-01") == Decimal(1)
    assert call("IDCARD_AGE", number, ctx=context_at(datetime(2024, 2, 29, 12))) == 24


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)),
    st.integers(0, 999),
    st.integers(110000, 659999),
)
def test_every_number_with_its_check_digit_is_valid_and_one_changed_digit_is_not(
    birthday: date, sequence: int, region: int
) -> None:
    first17 = f"{region}{birthday:%Y%m%d}{sequence:03d}"
    number = first17 + check_character(first17)
    assert call("IDCARD_VALID", number) is True
    assert call("IDCARD_BIRTHDAY", number) == birthday
    assert call("IDCARD_GENDER", number) == ("男" if sequence % 2 else "女")
    wrong = "X" if number[-1] != "X" else "0"
    assert call("IDCARD_VALID", number[:-1] + wrong) is False


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2))
def test_rmb_reads_back_to_the_amount(amount: Decimal) -> None:
    """Reading the capitals back with a small parser gives the amount: no digit or unit
    is lost or doubled, whatever the zeros."""
    assert _read_rmb(call("RMB", amount)) == amount


_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def _read_rmb(text: str) -> Decimal:
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负").removesuffix("整")
    yuan_text, _, rest = text.rpartition("元") if "元" in text else ("", "", text)
    total = 0
    for big, size in (("万亿", 10**12), ("亿", 10**8), ("万", 10**4)):
        if big in yuan_text:
            head, yuan_text = yuan_text.split(big, 1)
            total += _read_group(head) * size
    total += _read_group(yuan_text)
    cents = 0
    for char, unit in (("角", 10), ("分", 1)):
        if char in rest:
            head, rest = rest.split(char, 1)
            cents += _DIGIT[head[-1]] * unit
    return sign * (Decimal(total) + Decimal(cents) / 100)


def _read_group(text: str) -> int:
    value, digit = 0, 0
    for char in text:
        if char in _DIGIT:
            digit = _DIGIT[char]
        else:
            value += digit * _UNIT[char]
            digit = 0
    return value + digit


@settings(max_examples=150, deadline=None)
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    st.integers(0, 999),
    st.integers(110000, 659999),
)
def test_the_formula_functions_agree_with_the_idcard_field(
    birthday: date, sequence: int, region: int
) -> None:
    """What the idcard field stores, the functions read the same way; an old 15-digit
    number gives what its 18-digit upgrade gives."""
    old = f"{region}{birthday:%y%m%d}{sequence:03d}"
    stored = idcard.normalize_idcard(old, allow_15=True)
    assert stored == idcard.upgrade_15(old)
    for number in (old, stored):
        assert call("IDCARD_VALID", number) is True
        assert call("IDCARD_BIRTHDAY", number) == idcard.birthday(stored) == birthday
        assert (
            call("IDCARD_GENDER", number) == {"male": "男", "female": "女"}[idcard.gender(stored)]
        )
