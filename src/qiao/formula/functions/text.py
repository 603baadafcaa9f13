"""Text functions, with Excel's results: positions and lengths count characters, so
Chinese text works as it reads (LEN("客户管理") is 4, LEFT("北京市海淀区", 3) is "北京市").

Also Google-Sheets-style REGEXMATCH / REGEXEXTRACT / REGEXREPLACE, which Excel lacks
but form builders need for phone numbers and codes. They run on the ``regex`` module
with a time limit, because a formula is user input and Python's ``re`` cannot be
stopped once a pattern backtracks catastrophically.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import regex

from qiao.formula.functions._format import format_value, parse_time_text
from qiao.formula.registry import Category, Example, Kind, Param, function
from qiao.formula.values import (
    ErrorValue,
    FormulaErrorSignal,
    Value,
    parse_date_text,
    parse_number_text,
    to_serial,
    to_text,
)

#: Excel's cell limit; longer results are #VALUE! (and we never build huge strings)
MAX_TEXT = 32767
#: the regex functions' limits: a formula runs on every save, so keep each call short
REGEX_MAX_PATTERN = 1000
REGEX_TIMEOUT_SECONDS = 0.1


#: beyond any count, position or date part a function can use; arguments of 10^16 and
#: more are clamped to it, so "1e999999999" never becomes a billion-digit int
WHOLE_LIMIT = 2**53


def whole(number: Decimal) -> int:
    """A count or position argument as Excel reads it: the fraction is dropped."""
    if not number.is_finite():
        raise FormulaErrorSignal(ErrorValue.NUM)
    if number.adjusted() >= 16:  # (no arithmetic: it could overflow the context)
        return WHOLE_LIMIT if number > 0 else -WHOLE_LIMIT
    return int(number)


def limited(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return text


def flatten(values: Any) -> Iterator[Value]:
    """The cells of range arguments in order (a scalar is one cell)."""
    if isinstance(values, list | tuple):
        for item in values:
            yield from flatten(item)
    else:
        yield values


# --- joining ------------------------------------------------------------------------


def _join(parts: Iterator[str], delimiter: str = "") -> str:
    """Parts joined, refused as soon as they pass Excel's limit (a rollup over many
    records could otherwise build megabytes first)."""
    out: list[str] = []
    length = 0
    for part in parts:
        length += len(part) + (len(delimiter) if out else 0)
        if length > MAX_TEXT:
            raise FormulaErrorSignal(ErrorValue.VALUE)
        out.append(part)
    return delimiter.join(out)


@function(
    "CONCATENATE",
    Category.TEXT,
    [Param("text", Kind.TEXT, variadic=True)],
    Kind.TEXT,
    zh="把几段文本连接成一段。",
    en="Joins several pieces of text into one.",
    examples=[
        ('CONCATENATE("北京", "市", 2024)', "北京市2024"),
        Example('CONCATENATE(name, "-", city)', "张三-上海", {"name": "张三", "city": "上海"}),
    ],
)
def concatenate(*texts: str) -> str:
    return limited("".join(texts))


@function(
    "CONCAT",
    Category.TEXT,
    [Param("text", Kind.ANY, variadic=True, range=True)],
    Kind.TEXT,
    zh="把文本和区域（如子表单的一列）中的每个值连接成一段。",
    en="Joins text and every value of ranges (such as a sub-form column) into one.",
    examples=[
        ('CONCAT("A", "B", 1)', "AB1"),
        Example('CONCAT(codes, "!")', "xyz!", {"codes": ["x", "y", "z"]}),
    ],
)
def concat(*ranges: Value) -> str:
    return _join(to_text(cell) for cell in flatten(list(ranges)))


@function(
    "TEXTJOIN",
    Category.TEXT,
    [
        Param("delimiter", Kind.TEXT),
        Param("ignore_empty", Kind.BOOL),
        Param("text", Kind.ANY, variadic=True, range=True),
    ],
    Kind.TEXT,
    zh="用分隔符连接文本和区域中的值，可跳过空值。",
    en="Joins text and the values of ranges with a delimiter, optionally skipping empty ones.",
    examples=[
        ('TEXTJOIN("、", TRUE, "苹果", "", "香蕉")', "苹果、香蕉"),
        ('TEXTJOIN("-", FALSE, "a", "", "b")', "a--b"),
        Example(
            'TEXTJOIN(", ", TRUE, products)',
            "笔记本, 鼠标",
            {"products": ["笔记本", None, "鼠标"]},
        ),
    ],
)
def textjoin(delimiter: str, ignore_empty: bool, *ranges: Value) -> str:
    parts = (to_text(cell) for cell in flatten(list(ranges)))
    return _join((p for p in parts if p != "") if ignore_empty else parts, delimiter)


# --- pieces and positions ---------------------------------------------------------


@function(
    "LEFT",
    Category.TEXT,
    [Param("text", Kind.TEXT), Param("num_chars", Kind.NUMBER, optional=True)],
    Kind.TEXT,
    zh="返回文本开头的几个字符（默认 1 个）。",
    en="Returns the first characters of a text (one by default).",
    examples=[('LEFT("北京市海淀区", 3)', "北京市"), ('LEFT("Excel")', "E")],
)
def left(text: str, num_chars: Decimal = Decimal(1)) -> str:
    count = whole(num_chars)
    if count < 0:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return text[:count]


@function(
    "RIGHT",
    Category.TEXT,
    [Param("text", Kind.TEXT), Param("num_chars", Kind.NUMBER, optional=True)],
    Kind.TEXT,
    zh="返回文本末尾的几个字符（默认 1 个）。",
    en="Returns the last characters of a text (one by default).",
    examples=[('RIGHT("13812345678", 4)', "5678"), ('RIGHT("海淀区")', "区")],
)
def right(text: str, num_chars: Decimal = Decimal(1)) -> str:
    count = whole(num_chars)
    if count < 0:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return text[max(len(text) - count, 0) :] if count else ""


@function(
    "MID",
    Category.TEXT,
    [Param("text", Kind.TEXT), Param("start_num", Kind.NUMBER), Param("num_chars", Kind.NUMBER)],
    Kind.TEXT,
    zh="从文本的指定位置起返回若干个字符。",
    en="Returns a number of characters from a text, starting at a position.",
    examples=[
        ('MID("北京市海淀区", 4, 3)', "海淀区"),
        ('MID("110105199003071234", 7, 8)', "19900307"),
    ],
)
def mid(text: str, start_num: Decimal, num_chars: Decimal) -> str:
    start, count = whole(start_num), whole(num_chars)
    if start < 1 or count < 0:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return text[start - 1 : start - 1 + count]


@function(
    "LEN",
    Category.TEXT,
    [Param("text", Kind.TEXT)],
    Kind.NUMBER,
    zh="返回文本的字符数（一个汉字算一个字符）。",
    en="Returns the number of characters in a text (a Chinese character counts as one).",
    examples=[('LEN("客户管理")', "4"), ('LEN("")', "0")],
)
def length(text: str) -> Decimal:
    return Decimal(len(text))


def _start_index(start_num: Decimal, within: str) -> int:
    start = whole(start_num)
    if start < 1 or start > max(len(within), 1):
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return start - 1


@function(
    "FIND",
    Category.TEXT,
    [
        Param("find_text", Kind.TEXT),
        Param("within_text", Kind.TEXT),
        Param("start_num", Kind.NUMBER, optional=True),
    ],
    Kind.NUMBER,
    zh="查找一段文本在另一段中第一次出现的位置（区分大小写，找不到时为 #VALUE!）。",
    en="Finds where a text first occurs in another (case-sensitive; #VALUE! when absent).",
    examples=[('FIND("区", "北京市海淀区")', "6"), ('FIND("b", "abcb", 3)', "4")],
)
def find(find_text: str, within_text: str, start_num: Decimal = Decimal(1)) -> Decimal:
    start = _start_index(start_num, within_text)
    position = within_text.find(find_text, start)
    if position < 0:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return Decimal(position + 1)


def wildcard_pattern(text: str) -> str:
    """Excel's wildcards as a regular expression: ``?`` one character, ``*`` any run,
    ``~`` escapes the next one."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "~" and i + 1 < len(text) and text[i + 1] in "?*~":
            out.append(re.escape(text[i + 1]))
            i += 2
            continue
        if char == "?":
            out.append(".")
        elif char == "*":
            out.append(".*?")
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


@function(
    "SEARCH",
    Category.TEXT,
    [
        Param("find_text", Kind.TEXT),
        Param("within_text", Kind.TEXT),
        Param("start_num", Kind.NUMBER, optional=True),
    ],
    Kind.NUMBER,
    zh="查找文本第一次出现的位置，不区分大小写，可用通配符 ? 和 *。",
    en="Finds where a text first occurs, ignoring case; the wildcards ? and * are allowed.",
    examples=[('SEARCH("E", "excel")', "1"), ('SEARCH("c?l", "Excel")', "3")],
)
def search(find_text: str, within_text: str, start_num: Decimal = Decimal(1)) -> Decimal:
    start = _start_index(start_num, within_text)
    # on the regex module with the time limit: "*a*a*a*b" backtracks polynomially
    pattern = _compile(wildcard_pattern(find_text), regex.IGNORECASE | regex.DOTALL)
    match = _run(pattern.search, within_text, start)
    if match is None:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return Decimal(match.start() + 1)


@function(
    "SUBSTITUTE",
    Category.TEXT,
    [
        Param("text", Kind.TEXT),
        Param("old_text", Kind.TEXT),
        Param("new_text", Kind.TEXT),
        Param("instance_num", Kind.NUMBER, optional=True),
    ],
    Kind.TEXT,
    zh="把文本中的某段文字替换为新文字；给出第几次出现时只替换那一次。",
    en="Replaces occurrences of a text with a new one; with instance_num only that occurrence.",
    examples=[
        ('SUBSTITUTE("2024-03-05", "-", "/")', "2024/03/05"),
        ('SUBSTITUTE("a-b-c", "-", "+", 2)', "a-b+c"),
    ],
)
def substitute(text: str, old_text: str, new_text: str, instance_num: Decimal | None = None) -> str:
    if instance_num is None:
        if old_text == "":
            return text
        growth = len(new_text) - len(old_text)
        if growth > 0 and len(text) + text.count(old_text) * growth > MAX_TEXT:
            raise FormulaErrorSignal(ErrorValue.VALUE)  # before building it
        return text.replace(old_text, new_text)
    instance = whole(instance_num)
    if instance < 1:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    if old_text == "":
        return text
    position, start = -1, 0
    for _ in range(instance):
        position = text.find(old_text, start)
        if position < 0:
            return text
        start = position + len(old_text)
    return limited(text[:position] + new_text + text[position + len(old_text) :])


@function(
    "REPLACE",
    Category.TEXT,
    [
        Param("old_text", Kind.TEXT),
        Param("start_num", Kind.NUMBER),
        Param("num_chars", Kind.NUMBER),
        Param("new_text", Kind.TEXT),
    ],
    Kind.TEXT,
    zh="把文本中从指定位置起的若干个字符换成新文本。",
    en="Replaces a number of characters of a text, from a position, with a new text.",
    examples=[('REPLACE("13812345678", 4, 4, "****")', "138****5678")],
)
def replace(old_text: str, start_num: Decimal, num_chars: Decimal, new_text: str) -> str:
    start, count = whole(start_num), whole(num_chars)
    if start < 1 or count < 0:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return limited(old_text[: start - 1] + new_text + old_text[start - 1 + count :])


def _split_at(
    text: str, delimiter: str, instance_num: Decimal, match_mode: Decimal, match_end: Decimal
) -> tuple[int, int] | None:
    """Where TEXTBEFORE/TEXTAFTER cut: the span of the chosen delimiter, counted from
    the start (positive instance) or the end (negative), or None when absent."""
    instance, mode, end = whole(instance_num), whole(match_mode), whole(match_end)
    if (
        instance == 0
        or abs(instance) > max(len(text), 1)
        or mode not in (0, 1)
        or end not in (0, 1)
    ):
        raise FormulaErrorSignal(ErrorValue.VALUE)
    if delimiter == "":
        spans = [(i, i) for i in range(len(text) + 1)]
    else:
        flags = re.IGNORECASE if mode else 0
        spans = [m.span() for m in re.finditer(re.escape(delimiter), text, flags)]
        if end:  # the end of the text (the start, counting back) counts as a delimiter
            if instance > 0:
                spans.append((len(text), len(text)))
            else:
                spans.insert(0, (0, 0))
    if instance > 0:
        return spans[instance - 1] if instance <= len(spans) else None
    return spans[instance] if -instance <= len(spans) else None


_TEXT_SPLIT_PARAMS = [
    Param("text", Kind.TEXT),
    Param("delimiter", Kind.TEXT),
    Param("instance_num", Kind.NUMBER, optional=True),
    Param("match_mode", Kind.NUMBER, optional=True),
    Param("match_end", Kind.NUMBER, optional=True),
    Param("if_not_found", Kind.TEXT, optional=True),
]


@function(
    "TEXTBEFORE",
    Category.TEXT,
    _TEXT_SPLIT_PARAMS,
    Kind.TEXT,
    zh="返回分隔符（第几个，负数从末尾数）之前的文本；match_mode 为 1 时不区分大小写；找不到时为 #N/A 或给出的 if_not_found。",
    en="Returns the text before a delimiter (the n-th, counting from the end when negative); match_mode 1 ignores case; #N/A or if_not_found when absent.",
    examples=[
        ('TEXTBEFORE("张三-销售部-北京", "-")', "张三"),
        ('TEXTBEFORE("张三-销售部-北京", "-", -1)', "张三-销售部"),
        ('TEXTBEFORE("abc", "x", 1, 0, 0, "无")', "无"),
    ],
)
def textbefore(
    text: str,
    delimiter: str,
    instance_num: Decimal = Decimal(1),
    match_mode: Decimal = Decimal(0),
    match_end: Decimal = Decimal(0),
    if_not_found: str | None = None,
) -> str:
    span = _split_at(text, delimiter, instance_num, match_mode, match_end)
    if span is None:
        if if_not_found is None:
            raise FormulaErrorSignal(ErrorValue.NA)
        return if_not_found
    return text[: span[0]]


@function(
    "TEXTAFTER",
    Category.TEXT,
    _TEXT_SPLIT_PARAMS,
    Kind.TEXT,
    zh="返回分隔符（第几个，负数从末尾数）之后的文本；match_mode 为 1 时不区分大小写；找不到时为 #N/A 或给出的 if_not_found。",
    en="Returns the text after a delimiter (the n-th, counting from the end when negative); match_mode 1 ignores case; #N/A or if_not_found when absent.",
    examples=[
        ('TEXTAFTER("zhang.san@qiao.example", "@")', "qiao.example"),
        ('TEXTAFTER("北京市/海淀区/中关村", "/", -1)', "中关村"),
    ],
)
def textafter(
    text: str,
    delimiter: str,
    instance_num: Decimal = Decimal(1),
    match_mode: Decimal = Decimal(0),
    match_end: Decimal = Decimal(0),
    if_not_found: str | None = None,
) -> str:
    span = _split_at(text, delimiter, instance_num, match_mode, match_end)
    if span is None:
        if if_not_found is None:
            raise FormulaErrorSignal(ErrorValue.NA)
        return if_not_found
    return text[span[1] :]


# --- case and cleaning ------------------------------------------------------------


def _per_character(text: str, convert: str) -> str:
    """Case mapping that keeps every character one character, as Excel does: Python's
    "ß".upper() is "SS" and "ﬁ".upper() "FI"; Excel leaves such characters alone."""
    mapped = getattr(text, convert)()
    if len(mapped) == len(text):
        return str(mapped)
    out = []
    for char in text:
        one = getattr(char, convert)()
        out.append(one if len(one) == 1 else char)
    return "".join(out)


@function(
    "UPPER",
    Category.TEXT,
    [Param("text", Kind.TEXT)],
    Kind.TEXT,
    zh="把字母转成大写。",
    en="Converts letters to upper case.",
    examples=[('UPPER("qiao crm")', "QIAO CRM")],
)
def upper(text: str) -> str:
    return _per_character(text, "upper")


@function(
    "LOWER",
    Category.TEXT,
    [Param("text", Kind.TEXT)],
    Kind.TEXT,
    zh="把字母转成小写。",
    en="Converts letters to lower case.",
    examples=[('LOWER("Qiao CRM")', "qiao crm")],
)
def lower(text: str) -> str:
    return _per_character(text, "lower")


@function(
    "PROPER",
    Category.TEXT,
    [Param("text", Kind.TEXT)],
    Kind.TEXT,
    zh="把每个单词的首字母大写，其余字母小写。",
    en="Capitalises the first letter of each word and lowers the rest.",
    examples=[
        ('PROPER("this is a TITLE")', "This Is A Title"),
        ('PROPER("2-way street")', "2-Way Street"),
    ],
)
def proper(text: str) -> str:
    # Excel: a letter after a non-letter (digits and apostrophes included) is upper case
    out: list[str] = []
    previous_letter = False
    for char in text:
        if char.isalpha():
            mapped = char.lower() if previous_letter else char.upper()
            out.append(mapped if len(mapped) == 1 else char)  # "ß" stays, as in UPPER
            previous_letter = True
        else:
            out.append(char)
            previous_letter = False
    return "".join(out)


_SPACES = re.compile(" +")


@function(
    "TRIM",
    Category.TEXT,
    [Param("text", Kind.TEXT)],
    Kind.TEXT,
    zh="去掉文本首尾的空格，并把中间连续的空格合并为一个。",
    en="Removes leading and trailing spaces and reduces inner runs of spaces to one.",
    examples=[('TRIM("  张三   李四 ")', "张三 李四")],
)
def trim(text: str) -> str:
    # Excel trims only the ASCII space (not tabs, nor the ideographic space U+3000)
    return _SPACES.sub(" ", text.strip(" "))


_CONTROL = re.compile("[\x00-\x1f]")


@function(
    "CLEAN",
    Category.TEXT,
    [Param("text", Kind.TEXT)],
    Kind.TEXT,
    zh="删除文本中不可打印的控制字符（如换行符）。",
    en="Removes non-printable control characters (such as line breaks) from a text.",
    examples=[('CLEAN("第一行" & CHAR(10) & "第二行")', "第一行第二行")],
)
def clean(text: str) -> str:
    return _CONTROL.sub("", text)


# --- numbers and text -------------------------------------------------------------


@function(
    "TEXT",
    Category.TEXT,
    [Param("value", Kind.ANY), Param("format_text", Kind.TEXT)],
    Kind.TEXT,
    zh="按格式代码把数字或日期显示为文本，如 0.00、#,##0、0%、yyyy年m月d日、aaaa。",
    en='Formats a number or date as text with a format code such as "0.00", "#,##0", "0%", "yyyy-mm-dd".',
    examples=[
        ('TEXT(1234.567, "#,##0.00")', "1,234.57"),
        ('TEXT(0.256, "0.0%")', "25.6%"),
        ('TEXT(DATE(2024, 3, 5), "yyyy年m月d日")', "2024年3月5日"),
        ('TEXT(DATE(2024, 3, 4), "aaaa")', "星期一"),
        ('TEXT(1234567, "000-0000")', "123-4567"),
    ],
)
def text_format(value: Value, format_text: str) -> str:
    return format_value(value, format_text)


_CURRENCY_PREFIX = re.compile(r"^([+-]?)\s*[$¥￥]\s*")


def _in_range(number: Decimal) -> Decimal:
    """A number read from text, within Excel's range (10^308 and more is #NUM!)."""
    if number.adjusted() > 307:
        raise FormulaErrorSignal(ErrorValue.NUM)
    return number if number.adjusted() >= -307 else Decimal(0)


def value_of_text(text: str) -> Decimal:
    """VALUE's reading of text: numbers ("1,234.5", "50%", "$1,000", "(12)"), dates and
    times (as serials)."""
    cleaned = text.strip()
    if cleaned == "":
        raise FormulaErrorSignal(ErrorValue.VALUE)
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1].strip()
    cleaned = _CURRENCY_PREFIX.sub(r"\1", cleaned)
    number = parse_number_text(cleaned)
    if number is None:
        parsed = parse_date_text(cleaned)
        if parsed is not None:
            number = to_serial(parsed)
        else:
            time = parse_time_text(cleaned)
            if time is None:
                raise FormulaErrorSignal(ErrorValue.VALUE)
            number = time
    number = _in_range(number)
    return -number if negative else number


@function(
    "VALUE",
    Category.TEXT,
    [Param("text", Kind.ANY)],
    Kind.NUMBER,
    zh="把表示数字、日期或时间的文本转成数字。",
    en="Converts a text that represents a number, date or time to a number.",
    examples=[('VALUE("1,234.5")', "1234.5"), ('VALUE("50%")', "0.5"), ('VALUE("12:00")', "0.5")],
)
def value(text: Value) -> Decimal:
    if text is None:
        return Decimal(0)
    if isinstance(text, bool):
        raise FormulaErrorSignal(ErrorValue.VALUE)
    if isinstance(text, Decimal):
        return text
    if isinstance(text, str):
        return value_of_text(text)
    if isinstance(text, list):
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return to_serial(text)  # a date or datetime


@function(
    "NUMBERVALUE",
    Category.TEXT,
    [
        Param("text", Kind.TEXT),
        Param("decimal_separator", Kind.TEXT, optional=True),
        Param("group_separator", Kind.TEXT, optional=True),
    ],
    Kind.NUMBER,
    zh="按给定的小数点和千位分隔符把文本转成数字，不受地区设置影响。",
    en="Converts text to a number with the given decimal and group separators, whatever the locale.",
    examples=[('NUMBERVALUE("2.500,27", ",", ".")', "2500.27"), ('NUMBERVALUE("3.5%")', "0.035")],
)
def numbervalue(text: str, decimal_separator: str = ".", group_separator: str = ",") -> Decimal:
    if decimal_separator == "" or group_separator == "":
        raise FormulaErrorSignal(ErrorValue.VALUE)
    point, group = decimal_separator[0], group_separator[0]
    if point == group:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    cleaned = "".join(text.split())
    if cleaned == "":
        return Decimal(0)
    percents = len(cleaned) - len(cleaned.rstrip("%"))
    cleaned = cleaned[: len(cleaned) - percents]
    if cleaned.count(point) > 1:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    integer, _, fraction = cleaned.partition(point)
    if group in fraction:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    canonical = integer.replace(group, "") + ("." + fraction if point in cleaned else "")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", canonical):
        raise FormulaErrorSignal(ErrorValue.VALUE)
    try:
        number = _in_range(Decimal(canonical))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise FormulaErrorSignal(ErrorValue.VALUE) from exc
    return _in_range(number.scaleb(-2 * percents))


@function(
    "REPT",
    Category.TEXT,
    [Param("text", Kind.TEXT), Param("number_times", Kind.NUMBER)],
    Kind.TEXT,
    zh="把文本重复若干次。",
    en="Repeats a text a number of times.",
    examples=[('REPT("★", 3)', "★★★"), ('REPT("ab", 0)', "")],
)
def rept(text: str, number_times: Decimal) -> str:
    times = whole(number_times)
    if times < 0 or len(text) * times > MAX_TEXT:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return text * times


@function(
    "EXACT",
    Category.TEXT,
    [Param("text1", Kind.TEXT), Param("text2", Kind.TEXT)],
    Kind.BOOL,
    zh="比较两段文本是否完全相同（区分大小写）。",
    en="Tells whether two texts are exactly the same (case-sensitive).",
    examples=[('EXACT("Qiao", "qiao")', "FALSE"), ('EXACT("桥", "桥")', "TRUE")],
)
def exact(text1: str, text2: str) -> bool:
    return text1 == text2


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: Windows keeps the code
        return chr(byte)


@function(
    "CHAR",
    Category.TEXT,
    [Param("number", Kind.NUMBER)],
    Kind.TEXT,
    zh="返回代码 1–255 对应的字符（Windows-1252 字符集，如 CHAR(10) 是换行）；其他字符用 UNICHAR。",
    en="Returns the character of a code 1–255 (Windows-1252; CHAR(10) is a line break); UNICHAR for the rest.",
    examples=[("CHAR(65)", "A"), ("CHAR(128)", "€")],
)
def char(number: Decimal) -> str:
    code = whole(number)
    if not 1 <= code <= 255:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return _cp1252(code)


@function(
    "CODE",
    Category.TEXT,
    [Param("text", Kind.TEXT)],
    Kind.NUMBER,
    zh="返回文本第一个字符的 Windows-1252 代码（其他字符为 63，即“?”；汉字请用 UNICODE）。",
    en='Returns the Windows-1252 code of the first character (63, "?", for others; use UNICODE for Chinese).',
    examples=[('CODE("A")', "65"), ('CODE("€")', "128")],
)
def code(text: str) -> Decimal:
    if text == "":
        raise FormulaErrorSignal(ErrorValue.VALUE)
    try:
        return Decimal(text[0].encode("cp1252")[0])
    except UnicodeEncodeError:
        if 0x80 <= ord(text[0]) <= 0xFF:
            return Decimal(ord(text[0]))
        return Decimal(63)


@function(
    "UNICHAR",
    Category.TEXT,
    [Param("number", Kind.NUMBER)],
    Kind.TEXT,
    zh="返回 Unicode 码位对应的字符。",
    en="Returns the character of a Unicode code point.",
    examples=[("UNICHAR(26725)", "桥"), ("UNICHAR(9733)", "★")],
)
def unichar(number: Decimal) -> str:
    code_point = whole(number)
    if not 1 <= code_point <= 0x10FFFF:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    if 0xD800 <= code_point <= 0xDFFF:
        raise FormulaErrorSignal(ErrorValue.NA)
    return chr(code_point)


@function(
    "UNICODE",
    Category.TEXT,
    [Param("text", Kind.TEXT)],
    Kind.NUMBER,
    zh="返回文本第一个字符的 Unicode 码位。",
    en="Returns the Unicode code point of the first character of a text.",
    examples=[('UNICODE("桥")', "26725"), ('UNICODE("A")', "65")],
)
def unicode(text: str) -> Decimal:
    if text == "":
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return Decimal(ord(text[0]))


# --- regular expressions (Google Sheets style) --------------------------------------


def _compile(pattern: str, flags: int = 0) -> Any:
    if len(pattern) > REGEX_MAX_PATTERN:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    try:
        return regex.compile(pattern, regex.VERSION0 | flags)
    except (regex.error, ValueError, OverflowError) as exc:
        raise FormulaErrorSignal(ErrorValue.VALUE) from exc


def _run(call: Any, *args: Any) -> Any:
    """One regex call under the time limit; a pattern that takes longer is #VALUE!."""
    try:
        return call(*args, timeout=REGEX_TIMEOUT_SECONDS)
    except TimeoutError as exc:
        raise FormulaErrorSignal(ErrorValue.VALUE) from exc
    except (regex.error, IndexError) as exc:  # e.g. a replacement naming a missing group
        raise FormulaErrorSignal(ErrorValue.VALUE) from exc


@function(
    "REGEXMATCH",
    Category.TEXT,
    [Param("text", Kind.TEXT), Param("regular_expression", Kind.TEXT)],
    Kind.BOOL,
    zh="文本中是否有与正则表达式匹配的部分（Google 表格的同名函数；要匹配整段请用 ^…$）。",
    en="Tells whether a part of the text matches a regular expression (as in Google Sheets; use ^…$ for all of it).",
    examples=[
        ('REGEXMATCH("13812345678", "^1[3-9]\\d{9}$")', "TRUE"),
        ('REGEXMATCH("订单 A-17", "[0-9]+")', "TRUE"),
        ('REGEXMATCH("abc", "^b")', "FALSE"),
    ],
)
def regexmatch(text: str, regular_expression: str) -> bool:
    pattern = _compile(regular_expression)
    return _run(pattern.search, text) is not None


@function(
    "REGEXEXTRACT",
    Category.TEXT,
    [Param("text", Kind.TEXT), Param("regular_expression", Kind.TEXT)],
    Kind.TEXT,
    zh="返回文本中第一个与正则表达式匹配的部分；有捕获组时返回第一个组；没有匹配时为 #N/A。",
    en="Returns the first part of the text matching a regular expression, or its first group; #N/A without a match.",
    examples=[
        ('REGEXEXTRACT("订单号：SO-2024-0031", "\\d+-\\d+")', "2024-0031"),
        ('REGEXEXTRACT("联系电话 13812345678", "(1\\d{10})")', "13812345678"),
    ],
)
def regexextract(text: str, regular_expression: str) -> str:
    pattern = _compile(regular_expression)
    match = _run(pattern.search, text)
    if match is None:
        raise FormulaErrorSignal(ErrorValue.NA)
    result = match.group(1) if pattern.groups else match.group(0)
    return result if result is not None else ""


_DOLLAR_GROUP = re.compile(r"\$(\d+)|\$\{(\w+)\}|\\")


def _replacement(template: str) -> str:
    """Google Sheets writes groups as $1; ``regex`` wants \\g<1>. Backslashes are
    literal in Sheets' replacement."""

    def convert(match: re.Match[str]) -> str:
        if match.group(0) == "\\":
            return "\\\\"
        return f"\\g<{match.group(1) or match.group(2)}>"

    return _DOLLAR_GROUP.sub(convert, template)


@function(
    "REGEXREPLACE",
    Category.TEXT,
    [
        Param("text", Kind.TEXT),
        Param("regular_expression", Kind.TEXT),
        Param("replacement", Kind.TEXT),
    ],
    Kind.TEXT,
    zh="把文本中与正则表达式匹配的每一部分替换掉，替换文本中 $1 表示第一个捕获组。",
    en="Replaces every part of the text matching a regular expression; $1 in the replacement is the first group.",
    examples=[
        ('REGEXREPLACE("138-1234-5678", "-", "")', "13812345678"),
        ('REGEXREPLACE("13812345678", "(\\d{3})\\d{4}(\\d{4})", "$1****$2")', "138****5678"),
    ],
)
def regexreplace(text: str, regular_expression: str, replacement: str) -> str:
    pattern = _compile(regular_expression)
    template = _replacement(replacement)
    length = len(text)

    def expand(match: Any) -> str:
        # counted as it goes: "" matches everywhere, so a long replacement of a long
        # text would otherwise be built in full before it could be refused
        nonlocal length
        piece: str = match.expand(template)
        length += len(piece) - (match.end() - match.start())
        if length > MAX_TEXT:
            raise FormulaErrorSignal(ErrorValue.VALUE)
        return piece

    return limited(_run(pattern.sub, expand, text))
