"""Functions the Chinese market expects: an amount in RMB capitals for invoices and
contracts, Chinese numerals (NUMBERSTRING as in Excel/WPS for zh-CN), and what a
mainland resident ID number tells (birthday, gender, age, validity).

RMB follows the People's Bank rules for writing amounts on bills
(《正确填写票据和结算凭证的基本规定》), choosing the most common of the allowed forms:

- ``壹拾`` is written out (10 is 壹拾元整, not 拾元整);
- zeros inside the number are one ``零`` (1001 → 壹仟零壹元整; 1 0101 0101 →
  壹亿零壹佰零壹万零壹佰零壹元整); zeros at the end of a 万/亿 group are not read
  (107000 → 壹拾万柒仟元整, the rule's own example), a zero group before a non-zero
  one is (100001000 → 壹亿零壹仟元整);
- ``整`` after 元 only: 100 → 壹佰元整, 10.10 → 壹拾元壹角, 12345.6 → 壹万贰仟叁佰肆拾伍元陆角;
- 角 zero and 分 not: ``零`` after 元 (10.05 → 壹拾元零伍分; 1000000.01 → 壹佰万元零壹分);
  元 zero and 角 not: no ``零`` (1680.32 → 壹仟陆佰捌拾元叁角贰分; the rule allows both);
- under one yuan starts at 角 or 分 (0.5 → 伍角, 0.05 → 伍分); 0 is 零元整;
- negative amounts start with ``负``; amounts round half up to the 分; up to 9999万亿
  (below 10^16), beyond that #NUM!.

NUMBERSTRING rounds half up to a whole number and reads it as Excel/WPS for zh-CN do:
type 1 一百二十三 (一十 for 10, zeros inside the number 零: 一千零一), type 2 in capitals
(壹佰贰拾叁, 壹仟零壹), type 3 digit by digit (一二三, 〇 for zero: 二〇二四).

ID numbers (GB 11643-1999): 18 characters, 17 digits and a check character (0–9 or
X) computed from weighted digits modulo 11, and a real birthday in characters 7–14;
the old 15-digit numbers have no check digit and a birthday 19yymmdd in characters 7–12.
Spaces and hyphens inside the number are ignored, as the ``idcard`` field type does.
The gender is the parity of the sequence number (the 17th character, the 15th for old
numbers): odd is 男, even is 女. A number that is not valid is #VALUE! for
IDCARD_BIRTHDAY/GENDER/AGE and FALSE for IDCARD_VALID.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from qiao.formula.functions._chinese import (
    LOWER_DIGITS,
    LOWER_UNITS,
    UPPER_DIGITS,
    UPPER_UNITS,
    read_integer,
)
from qiao.formula.functions.text import whole
from qiao.formula.registry import Category, Example, Kind, Param, function
from qiao.formula.values import ErrorValue, FormulaErrorSignal

RMB_LIMIT = Decimal(10) ** 16


def rmb_upper(amount: Decimal) -> str:
    cents = int(abs(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
    if cents >= RMB_LIMIT * 100:
        raise FormulaErrorSignal(ErrorValue.NUM)
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if cents == 0:
        return "零元整"
    parts: list[str] = []
    if yuan:
        parts.append(read_integer(yuan, UPPER_DIGITS, UPPER_UNITS, "零") + "元")
    if jiao:
        parts.append(UPPER_DIGITS[jiao] + "角")
    elif fen and yuan:
        parts.append("零")
    if fen:
        parts.append(UPPER_DIGITS[fen] + "分")
    if not rest:
        parts.append("整")
    sign = "负" if amount < 0 else ""
    return sign + "".join(parts)


@function(
    "RMB",
    Category.CHINA,
    [Param("amount", Kind.NUMBER)],
    Kind.TEXT,
    zh="把金额写成人民币大写（按票据填写规范，如 壹万贰仟叁佰肆拾伍元陆角、壹拾元零伍分、壹佰元整）。",
    en="Writes an amount in RMB capital numerals as on bills and invoices (e.g. 壹万贰仟叁佰肆拾伍元陆角).",
    examples=[
        ("RMB(12345.6)", "壹万贰仟叁佰肆拾伍元陆角"),
        ("RMB(10.05)", "壹拾元零伍分"),
        ("RMB(100)", "壹佰元整"),
        Example("RMB(total)", "壹仟零壹元整", {"total": Decimal(1001)}),
    ],
)
def rmb(amount: Decimal) -> str:
    return rmb_upper(amount)


@function(
    "NUMBERSTRING",
    Category.CHINA,
    [Param("number", Kind.NUMBER), Param("type", Kind.NUMBER)],
    Kind.TEXT,
    zh="把数字（四舍五入为整数）写成中文数字：类型 1 一百二十三，类型 2 壹佰贰拾叁，类型 3 一二三。",
    en="Writes a number (rounded to a whole number) in Chinese numerals: type 1 一百二十三, type 2 壹佰贰拾叁, type 3 一二三.",
    examples=[
        ("NUMBERSTRING(123, 1)", "一百二十三"),
        ("NUMBERSTRING(123, 2)", "壹佰贰拾叁"),
        ("NUMBERSTRING(123, 3)", "一二三"),
        ("NUMBERSTRING(45.46, 2)", "肆拾伍"),
    ],
)
def numberstring(number: Decimal, type_: Decimal) -> str:
    kind = whole(type_)
    rounded = int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "负" if rounded < 0 else ""
    rounded = abs(rounded)
    if kind == 1:
        # a reading with units writes its zeros 零 (一千零一); a list of digits 〇 (二〇二四)
        return sign + read_integer(rounded, LOWER_DIGITS, LOWER_UNITS, "零")
    if kind == 2:
        return sign + read_integer(rounded, UPPER_DIGITS, UPPER_UNITS, "零")
    if kind == 3:
        return sign + "".join(LOWER_DIGITS[int(c)] for c in str(rounded))
    raise FormulaErrorSignal(ErrorValue.VALUE)


# --- resident ID numbers ----------------------------------------------------------

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID18 = re.compile(r"\d{17}[\dX]")
_ID15 = re.compile(r"\d{15}")
_SEPARATORS = re.compile(r"[\s\-]")


def check_character(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def parse_id(number: str) -> tuple[date, bool]:
    """The birthday and whether the holder is male, or #VALUE! for an invalid number."""
    cleaned = _SEPARATORS.sub("", number).upper()  # as the idcard field reads them
    if _ID18.fullmatch(cleaned):
        if check_character(cleaned[:17]) != cleaned[17]:
            raise FormulaErrorSignal(ErrorValue.VALUE)
        birthday_text, sequence = cleaned[6:14], cleaned[16]
    elif _ID15.fullmatch(cleaned):
        birthday_text, sequence = "19" + cleaned[6:12], cleaned[14]
    else:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    try:
        birthday = date(int(birthday_text[:4]), int(birthday_text[4:6]), int(birthday_text[6:]))
    except ValueError as exc:  # no such day (a 31 June, a 29 February of a common year)
        raise FormulaErrorSignal(ErrorValue.VALUE) from exc
    if birthday.year < 1800:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return birthday, int(sequence) % 2 == 1


def age_on(birthday: date, day: date) -> int:
    """Whole years completed on ``day`` (a 29 February birthday counts on 1 March in
    common years, as DATEDIF(…, "Y") does)."""
    if day < birthday:
        raise FormulaErrorSignal(ErrorValue.NUM)
    years = day.year - birthday.year
    if (day.month, day.day) < (birthday.month, birthday.day):
        years -= 1
    return years


@function(
    "IDCARD_BIRTHDAY",
    Category.CHINA,
    [Param("id_number", Kind.TEXT)],
    Kind.DATE,
    zh="从居民身份证号码中取出生日期；号码无效时为 #VALUE!。",
    en="Returns the birthday in a mainland resident ID number; #VALUE! for an invalid number.",
    examples=[
        ('IDCARD_BIRTHDAY("11010519491231002X")', "1949-12-31"),
        ('IDCARD_BIRTHDAY("110105491231002")', "1949-12-31"),
    ],
)
def idcard_birthday(id_number: str) -> date:
    return parse_id(id_number)[0]


@function(
    "IDCARD_GENDER",
    Category.CHINA,
    [Param("id_number", Kind.TEXT)],
    Kind.TEXT,
    zh="从居民身份证号码判断性别（“男”或“女”）；号码无效时为 #VALUE!。",
    en='Returns the gender in a mainland resident ID number ("男" or "女"); #VALUE! for an invalid number.',
    examples=[
        ('IDCARD_GENDER("11010519491231002X")', "女"),
        ('IDCARD_GENDER("440524188001010014")', "男"),
    ],
)
def idcard_gender(id_number: str) -> str:
    return "男" if parse_id(id_number)[1] else "女"


@function(
    "IDCARD_AGE",
    Category.CHINA,
    [Param("id_number", Kind.TEXT), Param("on_date", Kind.DATE, optional=True)],
    Kind.NUMBER,
    zh="按居民身份证号码计算周岁年龄（默认到今天，也可指定日期）；号码无效时为 #VALUE!。",
    en="Returns the age in whole years from a mainland resident ID number, today or on a given date; #VALUE! for an invalid number.",
    examples=[
        ('IDCARD_AGE("11010519491231002X", "2024-12-30")', "74"),
        ('IDCARD_AGE("11010519491231002X", "2024-12-31")', "75"),
    ],
    needs_ctx=True,
    volatile=True,
)
def idcard_age(ctx: Any, id_number: str, on_date: date | None = None) -> Decimal:
    birthday = parse_id(id_number)[0]
    day: date = ctx.today if on_date is None else on_date
    if isinstance(day, datetime):
        day = day.date()
    return Decimal(age_on(birthday, day))


@function(
    "IDCARD_VALID",
    Category.CHINA,
    [Param("id_number", Kind.TEXT)],
    Kind.BOOL,
    zh="检查居民身份证号码是否有效（18 位校验码和出生日期；15 位旧号码检查出生日期）。",
    en="Tells whether a mainland resident ID number is valid (the 18-character check digit and the birthday; the birthday for old 15-digit numbers).",
    examples=[
        ('IDCARD_VALID("11010519491231002X")', "TRUE"),
        ('IDCARD_VALID("110105194912310021")', "FALSE"),
    ],
)
def idcard_valid(id_number: str) -> bool:
    try:
        parse_id(id_number)
    except FormulaErrorSignal:
        return False
    return True
