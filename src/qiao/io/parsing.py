"""Pure parsers for spreadsheet cells: text, numbers, dates, phones.

Shared by the cleansers (:mod:`qiao.io.cleanse`), field inference (:mod:`qiao.io.infer`)
and de-duplication. Every function takes what a reader yields (str, int, float, bool,
date, datetime or None) and answers None when the cell does not parse: no exceptions
in the hot loop, and no per-call regex compilation.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from qiao.errors import FieldValueError
from qiao.forms.fields.phone import normalize_cn_phone
from qiao.io.readers import Cell as Cell
from qiao.io.readers import cell_text

#: full-width forms of ASCII (U+FF01..U+FF5E) and the ideographic space, as NFKC maps
#: them, except the punctuation that belongs to Chinese text and stays as typed
_KEEP_PUNCT = set("，。：；！？（）【】「」『』《》、“”‘’")
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_PUNCT}
_WIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20})
_WIDTH.update({0x200B: None, 0xFEFF: None, 0x200C: None, 0x200D: None})  # type: ignore[dict-item]
_WIDE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _WIDTH) + "]")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _unwide(s: str) -> str:
    if _WIDE.search(s):
        s = s.translate(_WIDTH)
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    return s


def normalize_text(s: str) -> str:
    """Trim, collapse runs of white space into one space, full-width letters, digits,
    spaces and ASCII symbols into half-width (the NFKC mapping), Chinese punctuation
    (，。：；（）…) kept as typed."""
    if not s.isascii():
        s = _unwide(s)
    if "  " in s or "\n" in s or "\t" in s or "\r" in s:
        return " ".join(s.split())
    return s.strip()


def normalize_multiline(s: str) -> str:
    """:func:`normalize_text` per line, for multi-line text: line breaks are kept (at
    most one empty line in a row), the ends trimmed."""
    if not s.isascii():
        s = _unwide(s)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_HORIZONTAL_SPACE.sub(" ", line).strip() for line in s.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def nfkc(s: str) -> str:
    """Full NFKC (also ，→ , and （→ ( ): for values whose punctuation is syntax, such
    as numbers, dates and phone numbers."""
    if s.isascii() or unicodedata.is_normalized("NFKC", s):
        return s
    return unicodedata.normalize("NFKC", s)


def raw_text(cell: Cell) -> str:
    """A cell as plain text, the way the spreadsheet shows it (the readers' rendering:
    12.0 → "12", dates ISO, a datetime at midnight as its date), so that "changed"
    compares with what the preview shows as the raw cell."""
    if cell.__class__ is str:
        return cell
    return cell_text(cell)


# ----- numbers --------------------------------------------------------------------------

#: a number with what people write around it: (¥-1,234.5万元), US$ 12, 3亿, -5 RMB
_MESSY = re.compile(
    r"^(?P<open>\()?\s*(?P<sign>[-+])?\s*"
    r"(?P<cur>US\$|HK\$|RMB|CNY|USD|EUR|HKD|JPY|[¥$€£])?\s*(?P<sign2>-)?\s*"
    r"(?P<num>(?:\d[\d, ]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<unit>[万亿千]{0,2})\s*"
    r"(?P<cur2>RMB|CNY|USD|EUR|HKD|JPY|元|块|圆)?\s*(?P<close>\))?$",
    re.IGNORECASE,
)
_UNITS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1000)}
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$")


def number_text(cell: Cell) -> tuple[str, bool] | None:
    """(the number as plain decimal text — no exponent, no trailing zeros —, whether a
    currency sign or word was present); None when the cell is no number. Percent signs
    are not numbers here (see :func:`parse_percent`)."""
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return str(cell), False
    if isinstance(cell, float):
        if cell != cell or cell in (float("inf"), float("-inf")):
            return None
        if cell.is_integer() and abs(cell) < 1e15:
            return str(int(cell)), False
        text = repr(cell)
        return (_plain(text) if "e" in text else text), False
    if not isinstance(cell, str):
        return None
    text = nfkc(cell).strip()
    if not text:
        return None
    if _PLAIN_NUMBER.match(text):  # the common case: nothing to strip
        return _plain(text), False
    if "−" in text:  # a typographic minus
        text = text.replace("−", "-")
    return _messy_number(text)


def _plain(text: str) -> str:
    """Canonical decimal text of a plain number (which may have an exponent)."""
    if "e" in text or "E" in text:
        value = _decimal(text)
        return decimal_text(value) if value is not None else text
    if text[0] == "+":
        text = text[1:]
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("."):
        text = "0" + text
    elif text.startswith("-."):
        text = "-0" + text[1:]
    return "0" if text in ("", "-", "-0") else text


def _messy_number(text: str) -> tuple[str, bool] | None:
    match = _MESSY.match(text)
    if match is None:
        return None
    opened, sign, cur, sign2, digits, unit, cur2, closed = match.groups()
    if bool(opened) != bool(closed):
        return None
    if " " in digits:
        digits = digits.replace(" ", "")
    if "," in digits:
        if not _GROUPED.match(digits):
            return None
        digits = digits.replace(",", "")
    negative = bool(opened) ^ (sign == "-") ^ (sign2 == "-")
    if unit:
        value = _decimal(digits)
        if value is None:
            return None
        for char in unit:
            value *= _UNITS[char]
        result = decimal_text(value)
    else:
        result = _plain(digits)
    if negative and result != "0":
        result = "-" + result
    return result, bool(cur or cur2)


def _decimal(text: str) -> Any:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def number_parts(cell: Cell) -> tuple[Decimal, bool] | None:
    """:func:`number_text` as a Decimal."""
    found = number_text(cell)
    return None if found is None else (Decimal(found[0]), found[1])


def parse_number(cell: Cell) -> Decimal | None:
    """1,234.5 / ¥1,234 / $12 / 1.2万 / 3亿 / (1,234) → Decimal; None otherwise."""
    found = number_text(cell)
    return None if found is None else Decimal(found[0])


def parse_percent(cell: Cell) -> Decimal | None:
    """The fraction: "15.5%" → 0.155, "3‰" → 0.003; a number cell as it is (Excel keeps
    percent cells as fractions); text without a sign as a percentage when above 1
    ("15" → 0.15, "0.15" → 0.15)."""
    if isinstance(cell, str):
        text = nfkc(cell).strip()
        if text.endswith("%"):
            number = parse_number(text[:-1])
            return None if number is None else number / 100
        if text.endswith("‰"):
            number = parse_number(text[:-1])
            return None if number is None else number / 1000
        number = parse_number(text)
        if number is not None and abs(number) > 1:
            return number / 100
        return number
    return parse_number(cell)


def decimal_text(value: Decimal) -> str:
    """Plain text of a Decimal, without exponent or trailing zeros: 12000, 0.155."""
    text = str(value)
    if "E" in text:
        text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ----- dates ----------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)  # the 1900 system, past its fictitious 1900-02-29
#: serial numbers read as dates: 1927-05-18 .. 2199-12-31 (smaller numbers in a date
#: column are more likely years or counts than days of the 1920s)
_MIN_SERIAL, _MAX_SERIAL = 10000, 109574
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})")
_SHORT_YMD = re.compile(r"^(\d{2})[-/.](\d{1,2})[-/.](\d{1,2})")
_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})")
_TIME = re.compile(
    r"^(?:[T\s]+|\s*)(?:(上午|下午|晚上|AM|PM)\s*)?(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*分?"
    r"(?:\s*[:]\s*(\d{1,2})(?:\.(\d{1,6}))?\s*秒?)?\s*(AM|PM|上午|下午)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
#: the common clean spellings, read without the general patterns: 2024-03-05,
#: 2024-03-05 14:30, 2024-03-05T14:30:05 (what the slow path reads them as, too)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?", re.ASCII)


def _serial_date(number: float) -> datetime | None:
    if not _MIN_SERIAL <= number <= _MAX_SERIAL:
        return None
    days = int(number)
    base = datetime.combine(_EXCEL_EPOCH + timedelta(days=days), time())
    seconds = round((number - days) * 86400)
    return base + timedelta(seconds=seconds)


def _date_prefix(text: str) -> tuple[date, str] | None:
    """The date at the start of ``text`` and what follows it."""
    for pattern, order in ((_YMD, "ymd"), (_MDY, "mdy"), (_SHORT_YMD, "yymd"), (_COMPACT, "ymd")):
        match = pattern.match(text)
        if match is None:
            continue
        a, b, c = (int(g) for g in match.groups())
        if order == "mdy":
            y, m, d = (c, a, b) if a <= 12 else (c, b, a)  # US order, else day first
        elif order == "yymd":
            y, m, d = (2000 + a if a < 70 else 1900 + a), b, c
        else:
            y, m, d = a, b, c
        try:
            return date(y, m, d), text[match.end() :]
        except ValueError:
            return None
    return None


def parse_datetime(cell: Cell) -> datetime | None:
    """A naive datetime (the organisation's zone) or an aware one when the text gives
    an offset; dates are midnight; Excel serial numbers with a fraction of a day."""
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, datetime):
        return cell
    if isinstance(cell, date):
        return datetime.combine(cell, time())
    if isinstance(cell, int) and 19000101 <= cell <= 21991231:  # 20240305
        found = _date_prefix(str(cell))
        return datetime.combine(found[0], time()) if found else None
    if isinstance(cell, int | float):
        return _serial_date(float(cell))
    if not isinstance(cell, str):
        return None
    iso = _ISO.fullmatch(cell)
    if iso is not None:
        fast = _iso_datetime(iso)
        if fast is not None:
            return fast
    text = nfkc(cell).strip()
    if not text:
        return None
    if _SERIAL.match(text):
        return _serial_date(float(text))
    found = _date_prefix(text)
    if found is None:
        return None
    day, rest = found
    if not rest.strip():
        return datetime.combine(day, time())
    return _with_time(day, rest)


def _iso_datetime(match: re.Match[str]) -> datetime | None:
    """The datetime of an :data:`_ISO` match; None when a part is out of range (the
    general path then answers, which gives None as well)."""
    y, m, d, hh, mm, ss = match.groups()
    try:
        if hh is None:
            return datetime(int(y), int(m), int(d))
        return datetime(int(y), int(m), int(d), int(hh), int(mm), int(ss or 0))
    except ValueError:
        return None


def _with_time(day: date, rest: str) -> datetime | None:
    match = _TIME.match(rest)
    if match is None:
        return None
    half, hh, mm, ss, frac, half_after, offset = match.groups()
    hour, minute, second = int(hh), int(mm), int(ss or 0)
    half = (half or half_after or "").upper()
    if half in ("PM", "下午", "晚上") and hour < 12:
        hour += 12
    elif half in ("AM", "上午") and hour == 12:
        hour = 0
    micro = int((frac or "0").ljust(6, "0"))
    try:
        value = datetime.combine(day, time(hour, minute, second, micro))
    except ValueError:
        return None
    if offset:
        stamp = f"{value.isoformat()}{'+00:00' if offset.upper() == 'Z' else offset}"
        try:
            return datetime.fromisoformat(stamp)
        except ValueError:
            return None
    return value


def parse_date(cell: Cell) -> date | None:
    """2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305, 24/3/5, 3/5/2024, Excel
    serial numbers (45356 → 2024-03-05), date and datetime cells; a time is dropped."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    value = parse_datetime(cell)
    return None if value is None else value.date()


def is_datetime_text(cell: Cell) -> bool:
    """Whether a cell carries a time of day (for inference: date or datetime)."""
    if isinstance(cell, datetime):
        return cell.time() != time()
    if isinstance(cell, float):
        return not cell.is_integer()
    value = parse_datetime(cell) if isinstance(cell, str) else None
    return value is not None and (value.time() != time() or ":" in cell)  # type: ignore[operator]


# ----- phones ---------------------------------------------------------------------------

_EXTENSION = re.compile(r"(ext|转|x|#)\s*\d", re.IGNORECASE)
_PHONE_PREFIX = re.compile(r"^(?:tel:|电话|手机|座机|TEL|Tel|Mobile)\s*[:：]?\s*", re.IGNORECASE)


def normalize_phone(text: str) -> str | None:
    """A mainland mobile or landline number in its stored form ("13800138000",
    "010-12345678"), from +86/0086/86 prefixes, spaces, dashes and brackets; None when
    it is not a valid number."""
    found = phone_input(text)
    return None if found is None else found[1]


@lru_cache(maxsize=65536)
def phone_input(text: str) -> tuple[str, str] | None:
    """(what the phone field takes as input, the number as it is stored) or None.
    Usually both are the normalised number; a number with an extension is stored as
    "0755-88881234-123", which the field does not read back as an extension, so its
    input stays "0755-88881234 转 123"."""
    cleaned = _PHONE_PREFIX.sub("", nfkc(text).strip())
    if not cleaned or len(cleaned) > 40:
        return None
    try:
        stored = normalize_cn_phone(cleaned)
    except FieldValueError:
        return None
    return (cleaned if _EXTENSION.search(cleaned) else stored), stored
