"""Date and time functions with Excel's rules (DATE's month and day overflow, DATEDIF's
units and its #NUM! for a start after the end, WEEKDAY/WEEKNUM return types, DAYS360's
NASD method, YEARFRAC's bases).

Values are typed: a date is a ``date``, a moment a ``datetime`` (an aware one is read
by its wall-clock time), a time of day alone a fraction of a day (a number, as in
Excel: TIME(12, 0, 0) is 0.5). Functions that return whole days return a ``date``.
Excel's serials before 1900-03-01 are off by one because Excel counts a 1900-02-29
that never was; qiao's dates start in 1900 and ignore that corner.

DATEADD is a qiao extension (Excel has none): DATEADD(date, n, unit).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from qiao.formula.functions._format import parse_time_text
from qiao.formula.functions.text import flatten, whole
from qiao.formula.registry import Category, Example, Kind, Param, function
from qiao.formula.values import (
    ErrorValue,
    FormulaErrorSignal,
    Value,
    check,
    normalize_number,
    parse_date_text,
    to_date,
    to_serial,
)

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9999, 12, 31)


def _day(value: date) -> date:
    """The calendar day of a date or datetime (Excel drops the time for day counts)."""
    if isinstance(value, datetime):
        return value.date()
    return value


def _checked(day: date) -> date:
    if _day(day) < FIRST_DAY:
        raise FormulaErrorSignal(ErrorValue.NUM)
    return day


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise FormulaErrorSignal(ErrorValue.NUM)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _rolled(year: int, month: int, day: int) -> date:
    """A date from parts that may overflow, as Excel rolls them over (month 14 is
    February of the next year, day 0 the last day of the previous month)."""
    index = year * 12 + month - 1
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise FormulaErrorSignal(ErrorValue.NUM)
    try:
        return date(year, month + 1, 1) + timedelta(days=day - 1)
    except OverflowError as exc:
        raise FormulaErrorSignal(ErrorValue.NUM) from exc


def _moment(value: Value) -> datetime:
    """A value read as a moment for HOUR/MINUTE/SECOND: dates, serials, times in text."""
    check(value)
    if isinstance(value, str):
        time = parse_time_text(value)
        if time is not None:
            value = time
    if isinstance(value, Decimal) and value < 0:
        raise FormulaErrorSignal(ErrorValue.NUM)
    moment = to_date(value)
    if isinstance(moment, datetime):
        return moment.replace(tzinfo=None)
    return datetime(moment.year, moment.month, moment.day)


# --- now and constructors ---------------------------------------------------------


@function(
    "TODAY",
    Category.DATE,
    [],
    Kind.DATE,
    zh="返回今天的日期（按用户所在时区）。",
    en="Returns today's date (in the user's time zone).",
    examples=[("YEAR(TODAY()) > 2000", "TRUE")],
    needs_ctx=True,
    volatile=True,
)
def today(ctx: Any) -> date:
    day_: date = ctx.today
    return day_


@function(
    "NOW",
    Category.DATE,
    [],
    Kind.DATETIME,
    zh="返回当前的日期和时间（按用户所在时区，精确到秒）。",
    en="Returns the current date and time (in the user's time zone, to the second).",
    examples=[("NOW() >= TODAY()", "TRUE")],
    needs_ctx=True,
    volatile=True,
)
def now(ctx: Any) -> datetime:
    # the context's ``now`` is aware (UTC); formulas see wall-clock time in the user's zone
    local = getattr(ctx, "local_now", None)
    moment: datetime = local if isinstance(local, datetime) else ctx.now
    return moment.replace(tzinfo=None, microsecond=0)


@function(
    "DATE",
    Category.DATE,
    [Param("year", Kind.NUMBER), Param("month", Kind.NUMBER), Param("day", Kind.NUMBER)],
    Kind.DATE,
    zh="由年、月、日组成日期；月、日超出范围时顺延（如 13 月是次年 1 月，0 日是上月最后一天）。",
    en="Makes a date from a year, month and day; months and days out of range roll over (month 13 is next January, day 0 the last day of the month before).",
    examples=[
        ("DATE(2024, 3, 5)", "2024-03-05"),
        ("DATE(2024, 14, 1)", "2025-02-01"),
        ("DATE(2024, 1, 0)", "2023-12-31"),
    ],
)
def make_date(year: Decimal, month: Decimal, day: Decimal) -> date:
    y = whole(year)
    if y < 0 or y > 9999:
        raise FormulaErrorSignal(ErrorValue.NUM)
    if y < 1900:
        y += 1900  # Excel: DATE(124, 1, 1) is 2024-01-01
    return _checked(_rolled(y, whole(month), whole(day)))


@function(
    "TIME",
    Category.DATE,
    [Param("hour", Kind.NUMBER), Param("minute", Kind.NUMBER), Param("second", Kind.NUMBER)],
    Kind.NUMBER,
    zh="由时、分、秒组成一个时间（一天中的比例，如 12:00 是 0.5），超出范围时顺延。",
    en="Makes a time of day from hours, minutes and seconds (a fraction of a day: 12:00 is 0.5); overflow rolls over.",
    examples=[("TIME(12, 0, 0)", "0.5"), ('TEXT(TIME(14, 90, 0), "hh:mm")', "15:30")],
)
def make_time(hour: Decimal, minute: Decimal, second: Decimal) -> Decimal:
    h, m, s = whole(hour), whole(minute), whole(second)
    if h > 32767 or m > 32767 or s > 32767:
        raise FormulaErrorSignal(ErrorValue.NUM)
    total = h * 3600 + m * 60 + s
    if total < 0:
        raise FormulaErrorSignal(ErrorValue.NUM)
    return normalize_number(Decimal(total % 86400) / 86400)


# --- parts ------------------------------------------------------------------------


@function(
    "YEAR",
    Category.DATE,
    [Param("date", Kind.DATE)],
    Kind.NUMBER,
    zh="返回日期的年份。",
    en="Returns the year of a date.",
    examples=[('YEAR("2024-03-05")', "2024"), ("YEAR(DATE(2024, 13, 1))", "2025")],
)
def year(value: date) -> Decimal:
    return Decimal(value.year)


@function(
    "MONTH",
    Category.DATE,
    [Param("date", Kind.DATE)],
    Kind.NUMBER,
    zh="返回日期的月份（1–12）。",
    en="Returns the month of a date (1–12).",
    examples=[('MONTH("2024-03-05")', "3")],
)
def month(value: date) -> Decimal:
    return Decimal(value.month)


@function(
    "DAY",
    Category.DATE,
    [Param("date", Kind.DATE)],
    Kind.NUMBER,
    zh="返回日期是当月的第几天（1–31）。",
    en="Returns the day of the month of a date (1–31).",
    examples=[('DAY("2024-02-29")', "29")],
)
def day(value: date) -> Decimal:
    return Decimal(value.day)


@function(
    "HOUR",
    Category.DATE,
    [Param("time", Kind.ANY)],
    Kind.NUMBER,
    zh="返回时间的小时数（0–23）。",
    en="Returns the hour of a time (0–23).",
    examples=[('HOUR("2024-03-05 14:30")', "14"), ("HOUR(0.75)", "18")],
)
def hour(value: Value) -> Decimal:
    return Decimal(_moment(value).hour)


@function(
    "MINUTE",
    Category.DATE,
    [Param("time", Kind.ANY)],
    Kind.NUMBER,
    zh="返回时间的分钟数（0–59）。",
    en="Returns the minute of a time (0–59).",
    examples=[('MINUTE("14:30")', "30")],
)
def minute(value: Value) -> Decimal:
    return Decimal(_moment(value).minute)


@function(
    "SECOND",
    Category.DATE,
    [Param("time", Kind.ANY)],
    Kind.NUMBER,
    zh="返回时间的秒数（0–59）。",
    en="Returns the second of a time (0–59).",
    examples=[('SECOND("14:30:15")', "15")],
)
def second(value: Value) -> Decimal:
    return Decimal(_moment(value).second)


# Excel's WEEKDAY return types: the weekday (Monday = 0) that counts as 1, and the base
_WEEKDAY_TYPES = {1: (6, 1), 2: (0, 1), 3: (0, 0), 11: (0, 1), 12: (1, 1), 13: (2, 1)}
_WEEKDAY_TYPES.update({14: (3, 1), 15: (4, 1), 16: (5, 1), 17: (6, 1)})


@function(
    "WEEKDAY",
    Category.DATE,
    [Param("date", Kind.DATE), Param("return_type", Kind.NUMBER, optional=True)],
    Kind.NUMBER,
    zh="返回日期是星期几：类型 1（默认）周日为 1，类型 2 周一为 1，类型 3 周一为 0，类型 11–17 分别以周一至周日为 1。",
    en="Returns the day of the week: type 1 (default) counts Sunday as 1, type 2 Monday as 1, type 3 Monday as 0, types 11–17 start at Monday to Sunday.",
    examples=[('WEEKDAY("2024-03-04")', "2"), ('WEEKDAY("2024-03-04", 2)', "1")],
)
def weekday(value: date, return_type: Decimal = Decimal(1)) -> Decimal:
    kind = whole(return_type)
    if kind not in _WEEKDAY_TYPES:
        raise FormulaErrorSignal(ErrorValue.NUM)
    first, base = _WEEKDAY_TYPES[kind]
    return Decimal((value.weekday() - first) % 7 + base)


# WEEKNUM: the weekday (Monday = 0) a week starts on, per return type; 21 is ISO 8601
_WEEK_STARTS = {1: 6, 2: 0, 11: 0, 12: 1, 13: 2, 14: 3, 15: 4, 16: 5, 17: 6}


@function(
    "WEEKNUM",
    Category.DATE,
    [Param("date", Kind.DATE), Param("return_type", Kind.NUMBER, optional=True)],
    Kind.NUMBER,
    zh="返回日期是一年中的第几周：含 1 月 1 日的那周为第 1 周，类型 1（默认）每周从周日开始，类型 2 从周一开始，类型 21 按 ISO 8601。",
    en="Returns the week of the year: the week holding January 1 is week 1; type 1 (default) weeks start on Sunday, type 2 on Monday, type 21 follows ISO 8601.",
    examples=[('WEEKNUM("2024-03-09")', "10"), ('WEEKNUM("2024-03-10", 2)', "10")],
)
def weeknum(value: date, return_type: Decimal = Decimal(1)) -> Decimal:
    kind = whole(return_type)
    if kind == 21:
        return Decimal(value.isocalendar()[1])
    if kind not in _WEEK_STARTS:
        raise FormulaErrorSignal(ErrorValue.NUM)
    day = _day(value)
    january_first = date(day.year, 1, 1)
    offset = (january_first.weekday() - _WEEK_STARTS[kind]) % 7
    return Decimal((day.timetuple().tm_yday - 1 + offset) // 7 + 1)


@function(
    "ISOWEEKNUM",
    Category.DATE,
    [Param("date", Kind.DATE)],
    Kind.NUMBER,
    zh="返回日期在 ISO 8601 中是第几周（周一开始，含当年第一个周四的那周为第 1 周）。",
    en="Returns the ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday).",
    examples=[('ISOWEEKNUM("2021-01-03")', "53"), ('ISOWEEKNUM("2024-12-30")', "1")],
)
def isoweeknum(value: date) -> Decimal:
    return Decimal(value.isocalendar()[1])


# --- differences ------------------------------------------------------------------


@function(
    "DATEDIF",
    Category.DATE,
    [Param("start_date", Kind.DATE), Param("end_date", Kind.DATE), Param("unit", Kind.TEXT)],
    Kind.NUMBER,
    zh='计算两个日期之间的整年（"Y"）、整月（"M"）、天数（"D"），或除去年月后的天数（"MD"）、除去年后的月数（"YM"）、除去年后的天数（"YD"）；开始日期晚于结束日期时为 #NUM!。',
    en='Counts the whole years ("Y"), months ("M") or days ("D") between two dates, or the days without months and years ("MD"), months without years ("YM"), days without years ("YD"); #NUM! when the start is after the end.',
    examples=[
        ('DATEDIF("1990-03-07", "2024-03-06", "Y")', "33"),
        ('DATEDIF("2024-01-31", "2024-03-01", "M")', "1"),
        ('DATEDIF("2024-01-15", "2024-03-10", "MD")', "24"),
        Example(
            'DATEDIF(start, end, "D")',
            "366",
            {"start": "2024-01-01", "end": "2025-01-01"},
        ),
    ],
)
def datedif(start_date: date, end_date: date, unit: str) -> Decimal:
    start, end = _day(start_date), _day(end_date)
    if start > end:
        raise FormulaErrorSignal(ErrorValue.NUM)
    unit = unit.upper()
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    if unit == "D":
        return Decimal((end - start).days)
    if unit == "M":
        return Decimal(months)
    if unit == "Y":
        return Decimal(months // 12)
    if unit == "YM":
        return Decimal(months % 12)
    if unit == "MD":
        # Excel's (and LibreOffice's) rule, negative results included: the start's day
        # in the month before the end's month, rolled over if that month is shorter
        if start.day <= end.day:
            return Decimal(end.day - start.day)
        anchor = _rolled(end.year, end.month - 1, start.day)
        return Decimal((end - anchor).days)
    if unit == "YD":
        # Excel's rule, fitted to its results: when the end's month and day come on or
        # after the start's, the start moves into the end's year (29 February rolling
        # over to 1 March); otherwise the end moves into the year after the start's.
        # So 1988-06-22 to 2012-05-11 is 323 days (as to 1989-05-11), and 2016-02-27
        # to 2021-03-01 is 2 (as from 2021-02-27).
        if (end.month, end.day) >= (start.month, start.day):
            return Decimal((end - _rolled(end.year, start.month, start.day)).days)
        return Decimal((_rolled(start.year + 1, end.month, end.day) - start).days)
    raise FormulaErrorSignal(ErrorValue.NUM)


@function(
    "DAYS",
    Category.DATE,
    [Param("end_date", Kind.DATE), Param("start_date", Kind.DATE)],
    Kind.NUMBER,
    zh="返回两个日期之间相差的天数（结束日期减开始日期）。",
    en="Returns the number of days between two dates (end minus start).",
    examples=[
        ('DAYS("2024-03-01", "2024-02-01")', "29"),
        ('DAYS("2024-01-01", "2024-01-31")', "-30"),
    ],
)
def days(end_date: date, start_date: date) -> Decimal:
    return Decimal((_day(end_date) - _day(start_date)).days)


def _days360(start: date, end: date, european: bool) -> int:
    """LibreOffice's and Excel's DAYS360 (US/NASD unless ``european``)."""
    sign = 1
    if european and end < start:
        start, end, sign = end, start, -1
    d1, d2 = start.day, end.day
    if d1 == 31 or (not european and _last_of_february(start)):
        d1 = 30
    if d2 == 31:
        if not european:
            if d1 == 30:
                d2 = 30
        else:
            d2 = 30
    return sign * (d2 + end.month * 30 + end.year * 360 - d1 - start.month * 30 - start.year * 360)


@function(
    "DAYS360",
    Category.DATE,
    [
        Param("start_date", Kind.DATE),
        Param("end_date", Kind.DATE),
        Param("method", Kind.BOOL, optional=True),
    ],
    Kind.NUMBER,
    zh="按一年 360 天（每月 30 天）计算两个日期间的天数；method 为 TRUE 时用欧洲算法，默认美国（NASD）算法。",
    en="Counts the days between two dates on a 360-day year of twelve 30-day months; method TRUE uses the European rule, the default the US (NASD) one.",
    examples=[
        ('DAYS360("2011-01-01", "2011-12-31")', "360"),
        ('DAYS360("2024-01-30", "2024-03-31")', "60"),
    ],
)
def days360(start_date: date, end_date: date, method: bool = False) -> Decimal:
    return Decimal(_days360(_day(start_date), _day(end_date), method))


def _is_leap(year: int) -> bool:
    return calendar.isleap(year)


def _last_of_february(day: date) -> bool:
    return day.month == 2 and day.day == calendar.monthrange(day.year, 2)[1]


def _yearfrac_actual(start: date, end: date) -> Decimal:
    """Actual/actual as Excel computes it (basis 1)."""
    within_a_year = start.year == end.year or (
        end.year == start.year + 1 and (start.month, start.day) >= (end.month, end.day)
    )
    elapsed = Decimal((end - start).days)
    if within_a_year:
        if start.year == end.year:
            length = 366 if _is_leap(start.year) else 365
        else:
            spans_29th = any(
                _is_leap(y) and start <= date(y, 2, 29) <= end for y in (start.year, end.year)
            )
            length = 366 if spans_29th else 365
        return elapsed / length
    years = end.year - start.year + 1
    total = (date(end.year + 1, 1, 1) - date(start.year, 1, 1)).days
    return elapsed / (Decimal(total) / years)


@function(
    "YEARFRAC",
    Category.DATE,
    [
        Param("start_date", Kind.DATE),
        Param("end_date", Kind.DATE),
        Param("basis", Kind.NUMBER, optional=True),
    ],
    Kind.NUMBER,
    zh="返回两个日期之间相差的年数（含小数）；basis：0 美国 30/360（默认）、1 实际/实际、2 实际/360、3 实际/365、4 欧洲 30/360。",
    en="Returns the years between two dates as a fraction; basis 0 US 30/360 (default), 1 actual/actual, 2 actual/360, 3 actual/365, 4 European 30/360.",
    examples=[
        ('YEARFRAC("2012-01-01", "2012-07-30")', "0.580555555555556"),
        ('YEARFRAC("2012-01-01", "2012-07-30", 1)', "0.576502732240437"),
    ],
)
def yearfrac(start_date: date, end_date: date, basis: Decimal = Decimal(0)) -> Decimal:
    kind = whole(basis)
    start, end = _day(start_date), _day(end_date)
    if start > end:
        start, end = end, start
    if kind == 0:
        d1, d2 = start.day, end.day
        if d1 == 31 and d2 == 31:
            d1 = d2 = 30
        elif d1 == 31:
            d1 = 30
        elif d1 == 30 and d2 == 31:
            d2 = 30
        elif _last_of_february(start) and _last_of_february(end):
            d1 = d2 = 30
        elif _last_of_february(start):
            d1 = 30
        days_ = (d2 + end.month * 30 + end.year * 360) - (d1 + start.month * 30 + start.year * 360)
        return normalize_number(Decimal(days_) / 360)
    if kind == 1:
        return normalize_number(_yearfrac_actual(start, end))
    if kind == 2:
        return normalize_number(Decimal((end - start).days) / 360)
    if kind == 3:
        return normalize_number(Decimal((end - start).days) / 365)
    if kind == 4:
        return normalize_number(Decimal(_days360(start, end, True)) / 360)
    raise FormulaErrorSignal(ErrorValue.NUM)


# --- months and working days ------------------------------------------------------


@function(
    "EDATE",
    Category.DATE,
    [Param("start_date", Kind.DATE), Param("months", Kind.NUMBER)],
    Kind.DATE,
    zh="返回开始日期前后若干个月的同一天；目标月份没有这一天时取月末。",
    en="Returns the same day a number of months before or after a date; the month's last day when the month is shorter.",
    examples=[('EDATE("2024-01-31", 1)', "2024-02-29"), ('EDATE("2024-03-15", -3)', "2023-12-15")],
)
def edate(start_date: date, months: Decimal) -> date:
    return _checked(add_months(_day(start_date), whole(months)))


@function(
    "EOMONTH",
    Category.DATE,
    [Param("start_date", Kind.DATE), Param("months", Kind.NUMBER)],
    Kind.DATE,
    zh="返回开始日期前后若干个月那个月的最后一天。",
    en="Returns the last day of the month a number of months before or after a date.",
    examples=[
        ('EOMONTH("2024-01-15", 1)', "2024-02-29"),
        ('EOMONTH("2024-03-15", 0)', "2024-03-31"),
    ],
)
def eomonth(start_date: date, months: Decimal) -> date:
    first = add_months(_day(start_date).replace(day=1), whole(months))
    return _checked(first.replace(day=calendar.monthrange(first.year, first.month)[1]))


def _holidays(values: Iterable[Value]) -> set[date]:
    days_: set[date] = set()
    for cell in flatten(list(values)):
        check(cell)
        if cell is None or cell == "":
            continue
        days_.add(_day(to_date(cell)))
    return days_


def _weekend_mask(weekend: Value) -> tuple[bool, ...]:
    """NETWORKDAYS.INTL's weekend argument as seven flags, Monday first."""
    check(weekend)
    if weekend is None:
        return (False,) * 5 + (True,) * 2
    if isinstance(weekend, str):
        if len(weekend) != 7 or set(weekend) - {"0", "1"} or weekend == "1111111":
            raise FormulaErrorSignal(ErrorValue.VALUE)
        return tuple(c == "1" for c in weekend)
    if isinstance(weekend, bool) or not isinstance(weekend, Decimal):
        raise FormulaErrorSignal(ErrorValue.VALUE)
    code = whole(weekend)
    if 1 <= code <= 7:  # 1: Saturday and Sunday, 2: Sunday and Monday, …
        first = (code + 4) % 7
        pair = {first, (first + 1) % 7}
        return tuple(i in pair for i in range(7))
    if 11 <= code <= 17:  # 11: Sunday only, 12: Monday only, …
        single = (code - 11 + 6) % 7
        return tuple(i == single for i in range(7))
    raise FormulaErrorSignal(ErrorValue.NUM)


def _networkdays(start: date, end: date, weekend: tuple[bool, ...], holidays: set[date]) -> int:
    sign = 1
    if start > end:
        start, end, sign = end, start, -1
    total = (end - start).days + 1
    weeks, rest = divmod(total, 7)
    working_per_week = 7 - sum(weekend)
    count = weeks * working_per_week
    for offset in range(rest):
        if not weekend[(start.weekday() + offset) % 7]:
            count += 1
    for holiday in holidays:
        if start <= holiday <= end and not weekend[holiday.weekday()]:
            count -= 1
    return sign * count


@function(
    "NETWORKDAYS",
    Category.DATE,
    [
        Param("start_date", Kind.DATE),
        Param("end_date", Kind.DATE),
        Param("holidays", Kind.ANY, optional=True, range=True),
    ],
    Kind.NUMBER,
    zh="返回两个日期之间（含首尾）的工作日数，周六、周日和给出的节假日不算。",
    en="Returns the working days between two dates, both included, leaving out Saturdays, Sundays and the given holidays.",
    examples=[
        ('NETWORKDAYS("2024-03-01", "2024-03-31")', "21"),
        Example(
            'NETWORKDAYS("2024-09-30", "2024-10-11", holidays)',
            "5",
            {"holidays": ["2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04", "2024-10-07"]},
        ),
    ],
)
def networkdays(start_date: date, end_date: date, holidays: Value = None) -> Decimal:
    weekend = _weekend_mask(None)
    return Decimal(_networkdays(_day(start_date), _day(end_date), weekend, _holidays([holidays])))


@function(
    "NETWORKDAYS.INTL",
    Category.DATE,
    [
        Param("start_date", Kind.DATE),
        Param("end_date", Kind.DATE),
        Param("weekend", Kind.ANY, optional=True),
        Param("holidays", Kind.ANY, optional=True, range=True),
    ],
    Kind.NUMBER,
    zh='返回两个日期之间的工作日数，可指定周末：1 周六日（默认）、2 周日一……11 仅周日……17 仅周六，或 "0000011" 这样的七位串（周一起，1 为休息）。',
    en='Returns the working days between two dates with a chosen weekend: 1 Saturday–Sunday (default), 2 Sunday–Monday … 11 Sunday only … 17 Saturday only, or a seven-character mask such as "0000011" (Monday first, 1 is a day off).',
    examples=[
        ('NETWORKDAYS.INTL("2024-03-01", "2024-03-31", 11)', "26"),
        ('NETWORKDAYS.INTL("2024-03-01", "2024-03-31", "0000001")', "26"),
    ],
)
def networkdays_intl(
    start_date: date, end_date: date, weekend: Value = None, holidays: Value = None
) -> Decimal:
    mask = _weekend_mask(weekend)
    return Decimal(_networkdays(_day(start_date), _day(end_date), mask, _holidays([holidays])))


def _workday(start: date, days_: int, weekend: tuple[bool, ...], holidays: set[date]) -> date:
    step = 1 if days_ > 0 else -1
    remaining = abs(days_)
    day_ = start
    working_per_week = 7 - sum(weekend)
    # jump whole weeks first, then walk: keeps WORKDAY(d, 100000) cheap. Each whole
    # week holds the same working days; holidays on working days in it are owed back.
    if remaining > 14:
        weeks = remaining // working_per_week - 1
        target = day_ + timedelta(days=step * 7 * weeks)
        owed = sum(
            1
            for h in holidays
            if (day_ < h <= target if step > 0 else target <= h < day_) and not weekend[h.weekday()]
        )
        day_ = target
        remaining -= weeks * working_per_week - owed
    while remaining:
        day_ += timedelta(days=step)
        if not weekend[day_.weekday()] and day_ not in holidays:
            remaining -= 1
    return day_


@function(
    "WORKDAY",
    Category.DATE,
    [
        Param("start_date", Kind.DATE),
        Param("days", Kind.NUMBER),
        Param("holidays", Kind.ANY, optional=True, range=True),
    ],
    Kind.DATE,
    zh="返回开始日期之后（或之前，天数为负时）第若干个工作日的日期，跳过周末和给出的节假日。",
    en="Returns the date a number of working days after (or before, when negative) a date, skipping weekends and the given holidays.",
    examples=[
        ('WORKDAY("2024-03-01", 5)', "2024-03-08"),
        ('WORKDAY("2024-03-04", -1)', "2024-03-01"),
    ],
)
def workday(start_date: date, days_: Decimal, holidays: Value = None) -> date:
    try:
        result = _workday(
            _day(start_date), whole(days_), _weekend_mask(None), _holidays([holidays])
        )
    except OverflowError as exc:
        raise FormulaErrorSignal(ErrorValue.NUM) from exc
    return _checked(result)


@function(
    "WORKDAY.INTL",
    Category.DATE,
    [
        Param("start_date", Kind.DATE),
        Param("days", Kind.NUMBER),
        Param("weekend", Kind.ANY, optional=True),
        Param("holidays", Kind.ANY, optional=True, range=True),
    ],
    Kind.DATE,
    zh='返回开始日期之后（或之前）第若干个工作日，可指定周末（同 NETWORKDAYS.INTL：1 周六日，11 仅周日，或 "0000011" 这样的七位串）。',
    en='Returns the date a number of working days after (or before) a date with a chosen weekend (as NETWORKDAYS.INTL: 1 Saturday–Sunday, 11 Sunday only, or a mask such as "0000011").',
    examples=[
        ('WORKDAY.INTL("2024-03-01", 1, 11)', "2024-03-02"),
        ('WORKDAY.INTL("2024-03-01", 1, "0000011")', "2024-03-04"),
    ],
)
def workday_intl(
    start_date: date, days_: Decimal, weekend: Value = None, holidays: Value = None
) -> date:
    mask = _weekend_mask(weekend)
    try:
        result = _workday(_day(start_date), whole(days_), mask, _holidays([holidays]))
    except OverflowError as exc:
        raise FormulaErrorSignal(ErrorValue.NUM) from exc
    return _checked(result)


# --- text to dates ----------------------------------------------------------------


@function(
    "DATEVALUE",
    Category.DATE,
    [Param("date_text", Kind.TEXT)],
    Kind.DATE,
    zh="把表示日期的文本（如 2024-03-05、2024/3/5、2024年3月5日）转成日期。",
    en='Converts a text that represents a date ("2024-03-05", "2024/3/5", "2024年3月5日") to a date.',
    examples=[
        ('DATEVALUE("2024年3月5日")', "2024-03-05"),
        ('DATEVALUE("2024/3/5 10:30")', "2024-03-05"),
    ],
)
def datevalue(date_text: str) -> date:
    parsed = parse_date_text(date_text)
    if parsed is None or _day(parsed) < FIRST_DAY:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    return _day(parsed)


@function(
    "TIMEVALUE",
    Category.DATE,
    [Param("time_text", Kind.TEXT)],
    Kind.NUMBER,
    zh="把表示时间的文本（如 14:30、2:30 PM、下午2:30）转成一天中的比例。",
    en='Converts a text that represents a time ("14:30", "2:30 PM") to a fraction of a day.',
    examples=[('TIMEVALUE("18:00")', "0.75"), ('TIMEVALUE("2:30 PM")', "0.604166666666667")],
)
def timevalue(time_text: str) -> Decimal:
    time = parse_time_text(time_text)
    if time is None:
        parsed = parse_date_text(time_text)
        if parsed is None:
            raise FormulaErrorSignal(ErrorValue.VALUE)
        serial = to_serial(parsed)
        time = serial - int(serial)
    return normalize_number(time)


def _dateadd_kind(kinds: list[Kind]) -> Kind:
    """A date field moved by days stays a date; a date-time (or text that may hold a
    time) gives a date-time. Adding hours to a date field gives a date-time value that
    a date-kind formula field stores as its day."""
    return Kind.DATE if kinds and kinds[0] == Kind.DATE else Kind.DATETIME


_DATEADD_UNITS = {
    "y": "year",
    "year": "year",
    "q": "quarter",
    "m": "month",
    "month": "month",
    "w": "week",
    "week": "week",
    "d": "day",
    "day": "day",
    "h": "hour",
    "hour": "hour",
    "mi": "minute",
    "n": "minute",
    "minute": "minute",
    "s": "second",
    "second": "second",
}
_SECONDS = {"week": 7 * 86400, "day": 86400, "hour": 3600, "minute": 60, "second": 1}


@function(
    "DATEADD",
    Category.DATE,
    [Param("date", Kind.DATE), Param("number", Kind.NUMBER), Param("unit", Kind.TEXT)],
    Kind.DATE,
    zh='（qiao 扩展）给日期加上若干年 "y"、季 "q"、月 "m"、周 "w"、天 "d"、小时 "h"、分钟 "mi"（或 "n"）、秒 "s"；数量为负时减去；加月份遇到短月取月末。',
    en='(qiao extension) Adds a number of years "y", quarters "q", months "m", weeks "w", days "d", hours "h", minutes "mi" (or "n") or seconds "s" to a date; a negative number subtracts; months clamp to a shorter month\'s last day.',
    examples=[
        ('DATEADD("2024-01-31", 1, "m")', "2024-02-29"),
        ('DATEADD("2024-03-05", -10, "d")', "2024-02-24"),
        ('DATEADD("2024-03-05 09:00", 90, "mi")', "2024-03-05 10:30"),
    ],
    infer=_dateadd_kind,
)
def dateadd(value: date, number: Decimal, unit: str) -> date:
    name = _DATEADD_UNITS.get(unit.strip().lower())
    if name is None:
        raise FormulaErrorSignal(ErrorValue.VALUE)
    if not number.is_finite() or number.adjusted() >= 12:  # past 9999-12-31 in any unit
        raise FormulaErrorSignal(ErrorValue.NUM)
    try:
        if name in ("year", "quarter", "month"):
            months = whole(number) * {"year": 12, "quarter": 3, "month": 1}[name]
            moved = add_months(_day(value), months)
            if isinstance(value, datetime):
                return _checked(datetime.combine(moved, value.time()))
            return _checked(moved)
        seconds = number * _SECONDS[name]
        if isinstance(value, datetime):
            moment = value
        elif seconds % 86400 == 0:
            return _checked(value + timedelta(days=int(seconds // 86400)))
        else:
            moment = datetime(value.year, value.month, value.day)
        result = moment + timedelta(seconds=int(seconds.to_integral_value()))
    except OverflowError as exc:
        raise FormulaErrorSignal(ErrorValue.NUM) from exc
    if result.year > 9999 or result.date() < FIRST_DAY:
        raise FormulaErrorSignal(ErrorValue.NUM)
    return result
