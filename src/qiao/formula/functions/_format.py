"""Excel number format codes, for TEXT (and reused wherever a value is shown with a
format code).

Supported, with Excel's results:

- up to four sections ``positive;negative;zero;text`` (a one-section format writes a
  minus sign before negative numbers, a two-section one uses the second without it);
- digit placeholders ``0`` ``#`` ``?``, the decimal point, ``,`` as thousands separator
  between placeholders and as a scale of 1,000 after the last one, ``%``, scientific
  ``E+00`` / ``E-00``, ``General`` (``G/通用格式``), literal text in quotes or after
  a backslash, ``_x`` (a space), ``*x`` (dropped: there is no column to fill);
  placeholders interleaved with literals keep their places (``000-0000``);
- dates and times: ``yyyy`` ``yy`` ``e`` (year), ``m`` ``mm`` ``mmm`` ``mmmm``
  ``mmmmm`` (month; ``m`` after an hour or before a second is minutes), ``d`` ``dd``
  ``ddd`` ``dddd`` (English day names, as Excel in English), ``aaa`` ``aaaa`` (一,
  星期一, as Excel in Chinese), ``h`` ``hh`` ``s`` ``ss`` ``ss.00``, ``AM/PM``
  ``am/pm`` ``A/P`` ``上午/下午`` (12-hour clock, the marker in the code's case), elapsed ``[h]`` ``[mm]`` ``[ss]``; any other
  character such as 年, 月, 日, 时 is written as it is;
- ``@`` in a text section.

- ``[DBNum1]`` / ``[DBNum2]`` with ``General`` (or alone): Chinese numerals,
  一百二十三.四五 / 壹佰贰拾叁.肆伍, as Excel for zh-CN.

Not supported (ignored): ``[DBNum…]`` with digit placeholders or dates (the digits stay
Arabic), ``[DBNum3]``, colours and conditions in brackets, fractions (``# ?/?``),
locale tags (``[$-804]``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import lru_cache

from qiao.formula.functions._chinese import (
    LOWER_DIGITS,
    LOWER_UNITS,
    UPPER_DIGITS,
    UPPER_UNITS,
    read_integer,
)
from qiao.formula.values import (
    EPOCH,
    ErrorValue,
    FormulaErrorSignal,
    Value,
    check,
    format_number,
    parse_date_text,
    parse_number_text,
    to_serial,
    to_text,
)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_ZH = ("一", "二", "三", "四", "五", "六", "日")


@dataclass(frozen=True)
class Token:
    kind: str  # lit digit point comma percent exp at general date elapsed
    text: str


_DATE_LETTERS = "ymdhse"
_ELAPSED = re.compile(r"\[(h+|m+|s+)\]", re.IGNORECASE)


@lru_cache(maxsize=512)
def split_sections(fmt: str) -> tuple[str, ...]:
    sections: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char == '"':
            end = fmt.find('"', i + 1)
            end = len(fmt) if end < 0 else end
            current.append(fmt[i : end + 1])
            i = end + 1
            continue
        if char == "\\" and i + 1 < len(fmt):
            current.append(fmt[i : i + 2])
            i += 2
            continue
        if char == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    sections.append("".join(current))
    return tuple(sections)


@lru_cache(maxsize=512)
def tokenize(section: str) -> tuple[Token, ...]:
    """The section's tokens (cached: a formula field formats every row the same way)."""
    return tuple(_tokenize(section))


def _tokenize(section: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    lower = section.lower()
    while i < len(section):
        char = section[i]
        low = char.lower()
        if char == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            tokens.append(Token("lit", section[i + 1 : end]))
            i = end + 1
        elif char == "\\":
            tokens.append(Token("lit", section[i + 1 : i + 2]))
            i += 2
        elif char == "_":
            tokens.append(Token("lit", " "))
            i += 2
        elif char == "*":
            i += 2
        elif char == "[":
            end = section.find("]", i)
            end = len(section) if end < 0 else end
            bracket = section[i : end + 1]
            if _ELAPSED.fullmatch(bracket):
                tokens.append(Token("elapsed", bracket[1:-1].lower()))
            elif bracket.lower() in ("[dbnum1]", "[dbnum2]"):
                tokens.append(Token("dbnum", bracket[-2]))
            i = end + 1
        elif char in "0#?":
            tokens.append(Token("digit", char))
            i += 1
        elif char == ".":
            tokens.append(Token("point", "."))
            i += 1
        elif char == ",":
            tokens.append(Token("comma", ","))
            i += 1
        elif char == "%":
            tokens.append(Token("percent", "%"))
            i += 1
        elif char == "@":
            tokens.append(Token("at", "@"))
            i += 1
        elif lower.startswith("general", i):
            tokens.append(Token("general", ""))
            i += len("general")
        elif section.startswith("G/通用格式", i):
            tokens.append(Token("general", ""))
            i += len("G/通用格式")
        elif low == "e" and section[i + 1 : i + 2] in ("+", "-"):
            tokens.append(Token("exp", section[i + 1]))
            i += 2
        elif lower.startswith("am/pm", i):
            tokens.append(Token("date", section[i : i + 5]))  # its case is shown
            i += 5
        elif lower.startswith("a/p", i):
            tokens.append(Token("date", section[i : i + 3]))
            i += 3
        elif section.startswith("上午/下午", i):
            tokens.append(Token("date", "上午/下午"))
            i += 5
        elif low in _DATE_LETTERS or (low == "a" and lower.startswith("aaa", i)):
            end = i
            while end < len(section) and section[end].lower() == low:
                end += 1
            tokens.append(Token("date", lower[i:end]))
            i = end
        else:
            tokens.append(Token("lit", char))
            i += 1
    return tokens


def parse_time_text(text: str) -> Decimal | None:
    """A time of day in text ("14:30", "2:30 PM", "下午2:30", "14:30:15") as a
    fraction of a day, or None."""
    cleaned = text.strip().upper()
    meridiem = None
    for marker, name in (("AM", "AM"), ("PM", "PM"), ("上午", "AM"), ("下午", "PM")):
        if cleaned.endswith(marker) or cleaned.startswith(marker):
            meridiem = name
            cleaned = cleaned.removesuffix(marker).removeprefix(marker).strip()
            break
    match = re.fullmatch(r"(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?", cleaned)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    second = Decimal(match.group(3) or 0)
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "PM" else 0)
    if hour > 23 or minute > 59 or second >= 60:
        return None
    return (Decimal(hour * 3600 + minute * 60) + second) / 86400


def format_value(value: Value, fmt: str) -> str:
    check(value)
    if isinstance(value, list):
        value = value[0] if value else None
        check(value)
    if isinstance(value, bool):
        value = to_text(value)
    if isinstance(value, str):
        number = parse_number_text(value)
        if number is None:
            parsed = parse_date_text(value)
            if parsed is not None:
                number = to_serial(parsed)
            else:
                number = parse_time_text(value)
                if number is None:
                    return _format_text(value, split_sections(fmt))
    elif value is None:
        number = Decimal(0)
    elif isinstance(value, date):
        number = to_serial(value)
    else:
        number = Decimal(value)
    return format_number_code(number, fmt)


def _format_text(text: str, sections: tuple[str, ...]) -> str:
    if len(sections) >= 4:
        section = sections[3]
    elif len(sections) == 1 and "@" in sections[0]:
        section = sections[0]
    else:
        return text
    out = []
    for token in tokenize(section):
        if token.kind == "at":
            out.append(text)
        elif token.kind == "lit":
            out.append(token.text)
    return "".join(out)


def format_number_code(number: Decimal, fmt: str) -> str:
    if not number.is_finite() or number.adjusted() > 307:  # past Excel's largest number
        raise FormulaErrorSignal(ErrorValue.NUM)
    if number.adjusted() < -307:  # below its smallest: Excel shows 0
        number = Decimal(0)
    sections = split_sections(fmt)
    sign = ""
    if number < 0 and len(sections) >= 2:
        section = sections[1]
        number = -number
    elif number == 0 and len(sections) >= 3:
        section = sections[2]
    else:
        section = sections[0]
        if number < 0:
            sign, number = "-", -number
    if _is_date_section(section):
        return sign + _format_date(tokenize(section), -number if sign else number)
    return sign + _format_number(_number_plan(section), number)


# --- numbers ----------------------------------------------------------------------


def _round(number: Decimal, decimals: int) -> Decimal:
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class _NumberPlan:
    """A number section taken apart once (a formula field formats every row alike)."""

    tokens: tuple[Token, ...]
    exp_at: int  # index of the E+ token, or len(tokens)
    point_at: int  # index of the decimal point in the mantissa, or its length
    int_slots: tuple[int, ...]
    frac_slots: tuple[int, ...]
    grouping: bool
    factor: Decimal  # 100 per %, 1/1000 per scaling comma


@lru_cache(maxsize=512)
def _number_plan(section: str) -> _NumberPlan:
    tokens = tokenize(section)
    exp_at = next((i for i, t in enumerate(tokens) if t.kind == "exp"), len(tokens))
    mantissa = tokens[:exp_at]
    point_at = next((i for i, t in enumerate(mantissa) if t.kind == "point"), len(mantissa))
    int_slots = tuple(i for i in range(point_at) if mantissa[i].kind == "digit")
    frac_slots = tuple(i for i in range(point_at, len(mantissa)) if mantissa[i].kind == "digit")
    grouping = False
    scale = 0
    slots = int_slots + frac_slots
    for i, token in enumerate(mantissa):
        if token.kind != "comma" or not slots or i < slots[0]:
            continue
        if int_slots and i < int_slots[-1]:
            grouping = True  # between placeholders: "#,##0"
        elif i > slots[-1] or (i < point_at and not frac_slots):
            scale += 1  # after the last placeholder: "0.0,," shows millions
    percents = sum(1 for t in tokens if t.kind == "percent")
    factor = Decimal(100) ** percents / Decimal(1000) ** scale
    return _NumberPlan(tokens, exp_at, point_at, int_slots, frac_slots, grouping, factor)


@lru_cache(maxsize=512)
def _is_date_section(section: str) -> bool:
    return any(t.kind in ("date", "elapsed") for t in tokenize(section))


def _format_number(plan: _NumberPlan, number: Decimal) -> str:
    tokens, exp_at, point_at = plan.tokens, plan.exp_at, plan.point_at
    int_slots, frac_slots, grouping = plan.int_slots, plan.frac_slots, plan.grouping
    mantissa = tokens[:exp_at]
    slots = int_slots + frac_slots
    if plan.factor != 1:
        number = number * plan.factor
    decimals = len(frac_slots)

    exponent_text = ""
    if exp_at < len(tokens):
        number, exponent_text = _scientific(tokens, exp_at, int_slots, mantissa, number, decimals)
    rounded = _round(number, decimals)
    integer = int(rounded)
    fraction = format(rounded, "f").partition(".")[2].ljust(decimals, "0")[:decimals]
    digits = str(integer) if integer else ""

    rendered: dict[int, str] = {}
    if grouping:
        zeros = sum(1 for i in int_slots if mantissa[i].text == "0")
        padded = digits.rjust(zeros, "0")
        rendered[int_slots[0]] = f"{int(padded):,}" if padded else ""
        for i in int_slots[1:]:
            rendered[i] = ""
    else:
        for k, i in enumerate(reversed(int_slots)):
            if k < len(digits):
                rendered[i] = digits[len(digits) - 1 - k]
            else:
                rendered[i] = {"0": "0", "#": "", "?": " "}[mantissa[i].text]
        if int_slots and len(digits) > len(int_slots):
            rendered[int_slots[0]] = digits[: len(digits) - len(int_slots) + 1]
    for j, i in enumerate(frac_slots):
        rest_zero = fraction[j:].strip("0") == ""
        placeholder = mantissa[i].text
        if rest_zero and placeholder != "0":
            rendered[i] = "" if placeholder == "#" else " "
        else:
            rendered[i] = fraction[j]

    # [DBNum1]/[DBNum2] with General (or nothing else): the number in Chinese numerals
    dbnum = next((t.text for t in tokens if t.kind == "dbnum"), None)
    chinese = _chinese_numerals(number, dbnum) if dbnum and not slots else ""
    out: list[str] = []
    if chinese and not any(t.kind in ("general", "at") for t in tokens):
        out.append(chinese)
    if not int_slots and digits and (frac_slots or point_at < len(mantissa)):
        out.append(digits)  # ".00" still shows the whole part
    for i, token in enumerate(mantissa):
        if i in rendered:
            out.append(rendered[i])
        elif token.kind == "point":
            out.append(".")
        elif token.kind in ("lit", "percent"):
            out.append(token.text)
        elif token.kind == "general" or (token.kind == "at" and not slots):
            out.append(chinese or format_number(number))  # "@" shows a number as it is
    out.append(exponent_text)
    for token in tokens[exp_at + 1 :]:
        if token.kind in ("lit", "percent"):
            out.append(token.text)
    return "".join(out)


def _chinese_numerals(number: Decimal, dbnum: str) -> str:
    """[DBNum1] 一百二十三.四五, [DBNum2] 壹佰贰拾叁.肆伍: the whole part read with
    units, the decimals digit by digit (as NUMBERSTRING reads whole numbers)."""
    lower = dbnum == "1"
    digits = LOWER_DIGITS if lower else UPPER_DIGITS
    whole_part, _, decimals = format_number(number).partition(".")
    text = read_integer(int(whole_part), digits, LOWER_UNITS if lower else UPPER_UNITS, "零")
    if decimals:
        text += "." + "".join(digits[int(d)] for d in decimals)
    return text


def _scientific(
    tokens: Sequence[Token],
    exp_at: int,
    int_slots: Sequence[int],
    mantissa: Sequence[Token],
    number: Decimal,
    decimals: int,
) -> tuple[Decimal, str]:
    width = max(len(int_slots), 1)
    engineering = any(mantissa[i].text == "#" for i in int_slots) and width > 1
    exponent = 0
    if number != 0:
        adjusted = number.adjusted()
        exponent = (adjusted // width) * width if engineering else adjusted - (width - 1)
        scaled = number.scaleb(-exponent)
        if _round(scaled, decimals) >= Decimal(10) ** width:
            exponent += width if engineering else 1
        number = number.scaleb(-exponent)
    exp_digits = [t for t in tokens[exp_at + 1 :] if t.kind == "digit"]
    minimum = sum(1 for t in exp_digits if t.text == "0")
    sign = "-" if exponent < 0 else ("+" if tokens[exp_at].text == "+" else "")
    return number, "E" + sign + str(abs(exponent)).rjust(minimum, "0")


# --- dates and times --------------------------------------------------------------


def _format_date(tokens: Sequence[Token], serial: Decimal) -> str:
    if serial < 0 or serial > 2958466:  # before 1900 or after 9999-12-31
        raise FormulaErrorSignal(ErrorValue.VALUE)
    second_decimals = 0
    for i, token in enumerate(tokens):
        if token.kind == "point" and i > 0 and _is_second(tokens[i - 1]):
            j = i + 1
            while j < len(tokens) and tokens[j].kind == "digit" and tokens[j].text == "0":
                j += 1
            second_decimals = j - i - 1
    days = int(serial.to_integral_value(rounding=ROUND_FLOOR))
    seconds = _round((serial - days) * 86400, second_decimals)
    if seconds >= 86400:
        days, seconds = days + 1, seconds - 86400
    if days > 2958465:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    whole_seconds = int(seconds)
    fraction = seconds - whole_seconds
    moment = datetime.combine(EPOCH + timedelta(days=days), datetime.min.time()) + timedelta(
        seconds=whole_seconds
    )
    twelve_hour = any(t.kind == "date" and "/" in t.text for t in tokens)
    total_seconds = Decimal(days * 86400) + seconds

    date_tokens = [i for i, t in enumerate(tokens) if t.kind in ("date", "elapsed")]
    out: list[str] = []
    skip_until = -1
    for i, token in enumerate(tokens):
        if i <= skip_until:
            continue
        if token.kind == "date":
            out.append(
                _date_code(token.text, moment, twelve_hour, _is_minute(tokens, date_tokens, i))
            )
        elif token.kind == "elapsed":
            unit = token.text[0]
            per = {"h": 3600, "m": 60, "s": 1}[unit]
            count = int(total_seconds // per) if unit != "s" else int(total_seconds)
            out.append(str(count).rjust(len(token.text), "0"))
        elif token.kind == "point" and second_decimals and i > 0 and _is_second(tokens[i - 1]):
            digits = format(fraction, "f").partition(".")[2].ljust(second_decimals, "0")
            out.append("." + digits[:second_decimals])
            skip_until = i + second_decimals
        elif token.kind in ("lit", "digit", "point", "comma", "percent"):
            out.append(token.text)
    return "".join(out)


def _is_second(token: Token) -> bool:
    return (token.kind == "date" and token.text.startswith("s")) or (
        token.kind == "elapsed" and token.text.startswith("s")
    )


def _is_minute(tokens: Sequence[Token], date_tokens: list[int], index: int) -> bool:
    """``m``/``mm`` is minutes right after an hour or right before a second."""
    text = tokens[index].text
    if not text.startswith("m") or len(text) > 2:
        return False
    position = date_tokens.index(index)
    if position > 0:
        before = tokens[date_tokens[position - 1]]
        if before.text.startswith("h"):
            return True
    if position + 1 < len(date_tokens):
        after = tokens[date_tokens[position + 1]]
        if after.text.startswith("s"):
            return True
    return False


def _date_code(code: str, moment: datetime, twelve_hour: bool, minute: bool) -> str:
    letter, count = code[0], len(code)
    if "/" in code:  # AM/PM, am/pm, A/P, a/p, 上午/下午: written in the code's case
        morning, afternoon = code.split("/")
        return morning if moment.hour < 12 else afternoon
    if letter == "y":
        return f"{moment.year % 100:02d}" if count <= 2 else f"{moment.year:04d}"
    if letter == "e":
        return str(moment.year)
    if letter == "m" and minute:
        return f"{moment.minute:02d}" if count == 2 else str(moment.minute)
    if letter == "m":
        if count == 1:
            return str(moment.month)
        if count == 2:
            return f"{moment.month:02d}"
        name = MONTHS[moment.month - 1]
        return {3: name[:3], 5: name[0]}.get(count, name)
    if letter == "d":
        if count == 1:
            return str(moment.day)
        if count == 2:
            return f"{moment.day:02d}"
        name = WEEKDAYS[moment.weekday()]
        return name[:3] if count == 3 else name
    if letter == "a":
        zh = WEEKDAYS_ZH[moment.weekday()]
        return zh if count == 3 else "星期" + zh
    if letter == "h":
        hour = moment.hour
        if twelve_hour:
            hour = hour % 12 or 12
        return f"{hour:02d}" if count >= 2 else str(hour)
    if letter == "s":
        return f"{moment.second:02d}" if count >= 2 else str(moment.second)
    return code
