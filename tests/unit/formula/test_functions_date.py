"""Date and time functions against Excel's results: overflow rules, month ends, leap
years, DATEDIF's units, weekday/week-number types, working days, 360-day years."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qiao.formula.examples import run
from qiao.formula.registry import Example
from qiao.formula.values import ErrorValue, display, normalize_number
from tests.unit.formula.fncall import CONTEXT, call, context_at, shown

VALUE = "#VALUE!"
NUM = "#NUM!"
MARCH = ("2024-03-01", "2024-03-31")
GOLDEN_WEEK = ["2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04", "2024-10-07"]

CASES: list[tuple[str, tuple[Any, ...], str]] = [
    # DATE
    ("DATE", (2024, 3, 5), "2024-03-05"),
    ("DATE", (2024, 14, 1), "2025-02-01"),
    ("DATE", (2024, 1, 0), "2023-12-31"),
    ("DATE", (2024, 0, 1), "2023-12-01"),
    ("DATE", (2024, -1, 1), "2023-11-01"),
    ("DATE", (2024, 2, 30), "2024-03-01"),
    ("DATE", (2023, 2, 29), "2023-03-01"),
    ("DATE", (2024, 2, 29), "2024-02-29"),
    ("DATE", (2024, 1, -30), "2023-12-01"),
    ("DATE", (2024, 1, 366), "2024-12-31"),
    ("DATE", (124, 1, 1), "2024-01-01"),
    ("DATE", (2024.9, 1.5, 1.9), "2024-01-01"),
    ("DATE", (10000, 1, 1), NUM),
    ("DATE", (-1, 1, 1), NUM),
    ("DATE", ("2024", "3", "5"), "2024-03-05"),
    ("DATE", ("abc", 1, 1), VALUE),
    ("DATE", (ErrorValue.DIV0, 1, 1), "#DIV/0!"),
    # TIME
    ("TIME", (12, 0, 0), "0.5"),
    ("TIME", (6, 0, 0), "0.25"),
    ("TIME", (25, 0, 0), "0.0416666666666667"),
    ("TIME", (1, -30, 0), "0.0208333333333333"),
    ("TIME", (0, 0, -1), NUM),
    ("TIME", (21, 0, 54), "0.875625"),
    ("TIME", (19, 120, 54), "0.875625"),
    ("TIME", (3, 10, 24.99), "0.132222222222222"),
    ("TIME", (0, 189, 84), "0.132222222222222"),
    ("TIME", (0.9, 0, 0), "0"),
    ("TIME", (0, 0, -0.9), "0"),
    ("TIME", (-1, 59, 0), NUM),
    ("TIME", (0, 1, -61), NUM),
    ("TIME", ("0", True, 1), "0.000706018518518519"),
    ("TIME", ("foo", 1, 1), VALUE),
    ("TIME", (24, 0, 0), "0"),
    ("TIME", (0, 0, 32768), NUM),
    # YEAR / MONTH / DAY
    ("YEAR", ("2024-03-05",), "2024"),
    ("YEAR", (date(1999, 12, 31),), "1999"),
    ("YEAR", (45356,), "2024"),
    ("YEAR", (datetime(2024, 3, 5, 23, 59),), "2024"),
    ("YEAR", ("2024年3月5日",), "2024"),
    ("YEAR", (None,), VALUE),
    ("YEAR", ("abc",), VALUE),
    ("MONTH", ("2024-03-05",), "3"),
    ("MONTH", ("2024/12/1",), "12"),
    ("DAY", ("2024-02-29",), "29"),
    ("DAY", (45356,), "5"),
    # HOUR / MINUTE / SECOND
    ("HOUR", ("2024-03-05 14:30",), "14"),
    ("HOUR", (0.75,), "18"),
    ("HOUR", ("14:30",), "14"),
    ("HOUR", ("2:30 PM",), "14"),
    ("HOUR", ("12:05 AM",), "0"),
    ("HOUR", (date(2024, 3, 5),), "0"),
    ("HOUR", (45356.25,), "6"),
    ("HOUR", (-1,), NUM),
    ("HOUR", ("abc",), VALUE),
    ("MINUTE", ("14:30",), "30"),
    ("MINUTE", (datetime(2024, 3, 5, 9, 7, 3),), "7"),
    ("MINUTE", (0.5,), "0"),
    ("SECOND", ("14:30:15",), "15"),
    ("SECOND", (datetime(2024, 3, 5, 9, 7, 3),), "3"),
    ("SECOND", ("14:30",), "0"),
    # WEEKDAY (2024-03-04 is a Monday, 2024-03-10 a Sunday)
    ("WEEKDAY", ("2024-03-04",), "2"),
    ("WEEKDAY", ("2024-03-10",), "1"),
    ("WEEKDAY", ("2024-03-04", 2), "1"),
    ("WEEKDAY", ("2024-03-10", 2), "7"),
    ("WEEKDAY", ("2024-03-04", 3), "0"),
    ("WEEKDAY", ("2024-03-10", 3), "6"),
    ("WEEKDAY", ("2024-03-04", 11), "1"),
    ("WEEKDAY", ("2024-03-04", 12), "7"),
    ("WEEKDAY", ("2024-03-04", 13), "6"),
    ("WEEKDAY", ("2024-03-04", 14), "5"),
    ("WEEKDAY", ("2024-03-04", 15), "4"),
    ("WEEKDAY", ("2024-03-04", 16), "3"),
    ("WEEKDAY", ("2024-03-04", 17), "2"),
    ("WEEKDAY", ("2024-03-04", 4), NUM),
    ("WEEKDAY", ("2024-03-04", 0), NUM),
    # WEEKNUM / ISOWEEKNUM
    ("WEEKNUM", ("2024-01-01",), "1"),
    ("WEEKNUM", ("2024-03-09",), "10"),
    ("WEEKNUM", ("2024-03-10",), "11"),
    ("WEEKNUM", ("2024-03-10", 2), "10"),
    ("WEEKNUM", ("2024-12-31",), "53"),
    ("WEEKNUM", ("2023-01-01",), "1"),
    ("WEEKNUM", ("2023-01-01", 2), "1"),
    ("WEEKNUM", ("2023-01-02", 2), "2"),
    ("WEEKNUM", ("2023-01-02", 11), "2"),
    ("WEEKNUM", ("2021-01-03", 21), "53"),
    ("WEEKNUM", ("2024-03-04", 3), NUM),
    ("ISOWEEKNUM", ("2021-01-03",), "53"),
    ("ISOWEEKNUM", ("2024-12-30",), "1"),
    ("ISOWEEKNUM", ("2024-03-05",), "10"),
    # DATEDIF
    ("DATEDIF", ("1990-03-07", "2024-03-06", "Y"), "33"),
    ("DATEDIF", ("1990-03-07", "2024-03-07", "Y"), "34"),
    ("DATEDIF", ("2020-02-29", "2021-02-28", "Y"), "0"),
    ("DATEDIF", ("2020-02-29", "2021-03-01", "Y"), "1"),
    ("DATEDIF", ("2024-01-31", "2024-02-29", "M"), "0"),
    ("DATEDIF", ("2024-01-31", "2024-03-01", "M"), "1"),
    ("DATEDIF", ("2024-01-15", "2025-03-15", "m"), "14"),
    ("DATEDIF", ("2024-01-01", "2025-01-01", "D"), "366"),
    ("DATEDIF", ("2024-03-05", "2024-03-05", "D"), "0"),
    ("DATEDIF", ("2024-03-05", "2024-03-01", "D"), NUM),
    ("DATEDIF", ("2024-01-15", "2024-03-10", "MD"), "24"),
    ("DATEDIF", ("2024-01-10", "2024-03-15", "MD"), "5"),
    ("DATEDIF", ("2011-01-29", "2011-03-01", "MD"), "0"),
    ("DATEDIF", ("2024-01-29", "2024-03-01", "MD"), "1"),
    ("DATEDIF", ("2024-03-05", "2025-01-10", "YM"), "10"),
    ("DATEDIF", ("2024-03-05", "2025-03-04", "YM"), "11"),
    ("DATEDIF", ("2023-05-20", "2024-03-10", "YD"), "295"),
    ("DATEDIF", ("1988-06-22", "2012-05-11", "YD"), "323"),
    ("DATEDIF", ("2024-03-05", "2030-03-05", "YD"), "0"),
    ("DATEDIF", ("2024-03-05", "2025-03-05", "W"), NUM),
    ("DATEDIF", (None, "2024-03-05", "D"), VALUE),
    ("DATEDIF", (datetime(2024, 3, 1, 23), datetime(2024, 3, 2, 1), "D"), "1"),
    # DAYS / DAYS360
    ("DAYS", ("2024-03-01", "2024-02-01"), "29"),
    ("DAYS", ("2024-01-01", "2024-01-31"), "-30"),
    ("DAYS", (datetime(2024, 3, 2, 1), datetime(2024, 3, 1, 23)), "1"),
    ("DAYS", ("2025-01-01", "2024-01-01"), "366"),
    ("DAYS360", ("2011-01-01", "2011-12-31"), "360"),
    ("DAYS360", ("2024-01-30", "2024-03-31"), "60"),
    ("DAYS360", ("2024-02-29", "2024-03-31"), "30"),
    ("DAYS360", ("2023-02-28", "2023-03-31"), "30"),
    ("DAYS360", ("2024-02-29", "2024-03-31", True), "31"),
    ("DAYS360", ("2024-01-31", "2024-01-01"), "-29"),
    ("DAYS360", ("1999-02-02", "2000-03-31"), "419"),
    ("DAYS360", ("2000-03-31", "1999-02-02"), "-418"),
    ("DAYS360", ("2000-03-31", "1999-02-02", True), "-418"),
    ("DAYS360", ("2020-03-30", "2020-03-31"), "0"),
    ("DAYS360", ("2020-02-28", "2020-02-29"), "1"),
    ("DAYS360", ("2020-02-29", "2020-03-01"), "1"),
    ("DAYS360", ("2021-02-28", "2021-03-01"), "1"),
    ("DAYS360", ("2020-03-31", "2020-03-30"), "0"),
    ("DAYS360", ("2020-02-29", "2020-02-28"), "-2"),
    ("DAYS360", ("2020-03-01", "2020-02-29"), "-2"),
    ("DAYS360", ("2021-03-01", "2021-02-28"), "-3"),
    ("DAYS360", ("2020-03-30", "2020-03-31", True), "0"),
    ("DAYS360", ("2020-02-28", "2020-02-29", True), "1"),
    ("DAYS360", ("2020-02-29", "2020-03-01", True), "2"),
    ("DAYS360", ("2021-02-28", "2021-03-01", True), "3"),
    ("DAYS360", ("2020-03-31", "2020-03-30", True), "0"),
    ("DAYS360", ("2020-02-29", "2020-02-28", True), "-1"),
    ("DAYS360", ("2020-03-01", "2020-02-29", True), "-2"),
    ("DAYS360", ("2021-03-01", "2021-02-28", True), "-3"),
    # YEARFRAC
    ("YEARFRAC", ("2012-01-01", "2012-07-30"), "0.580555555555556"),
    ("YEARFRAC", ("2012-07-30", "2012-01-01"), "0.580555555555556"),
    ("YEARFRAC", ("2012-01-01", "2012-07-30", 1), "0.576502732240437"),
    ("YEARFRAC", ("2012-01-01", "2012-07-30", 2), "0.586111111111111"),
    ("YEARFRAC", ("2012-01-01", "2012-07-30", 3), "0.578082191780822"),
    ("YEARFRAC", ("2012-01-01", "2012-07-30", 4), "0.580555555555556"),
    ("YEARFRAC", ("2020-01-01", "2022-01-01", 1), "2.00091240875912"),
    ("YEARFRAC", ("2023-03-01", "2024-03-01", 1), "1"),
    ("YEARFRAC", ("2024-02-29", "2025-02-28", 0), "1"),
    ("YEARFRAC", ("2023-01-31", "2023-03-31", 0), "0.166666666666667"),
    ("YEARFRAC", ("2024-01-01", "2024-01-01"), "0"),
    ("YEARFRAC", ("2024-01-01", "2024-07-01", 5), NUM),
    # EDATE / EOMONTH
    ("EDATE", ("2024-01-31", 1), "2024-02-29"),
    ("EDATE", ("2024-03-15", -3), "2023-12-15"),
    ("EDATE", ("2023-01-31", 1), "2023-02-28"),
    ("EDATE", ("2024-02-29", 12), "2025-02-28"),
    ("EDATE", ("2024-03-31", -1), "2024-02-29"),
    ("EDATE", ("2024-03-05", 1.9), "2024-04-05"),
    ("EDATE", (datetime(2024, 3, 5, 10, 0), 1), "2024-04-05"),
    ("EDATE", ("1900-01-15", -1), NUM),
    ("EOMONTH", ("2024-01-15", 1), "2024-02-29"),
    ("EOMONTH", ("2024-03-15", 0), "2024-03-31"),
    ("EOMONTH", ("2024-03-15", -1), "2024-02-29"),
    ("EOMONTH", ("2023-12-31", 2), "2024-02-29"),
    ("EOMONTH", ("2024-01-31", -13), "2022-12-31"),
    ("EOMONTH", ("2023-02-10", 0), "2023-02-28"),
    # NETWORKDAYS / NETWORKDAYS.INTL / WORKDAY
    ("NETWORKDAYS", MARCH, "21"),
    ("NETWORKDAYS", tuple(reversed(MARCH)), "-21"),
    ("NETWORKDAYS", ("2024-09-30", "2024-10-11", GOLDEN_WEEK), "5"),
    ("NETWORKDAYS", ("2024-03-09", "2024-03-09"), "0"),
    ("NETWORKDAYS", ("2024-03-04", "2024-03-04"), "1"),
    ("NETWORKDAYS", (*MARCH, ["2024-03-09"]), "21"),
    ("NETWORKDAYS", (*MARCH, ["2024-03-04", "2024-03-04"]), "20"),
    ("NETWORKDAYS", (*MARCH, [None, "2024-03-04"]), "20"),
    ("NETWORKDAYS", (*MARCH, [45355]), "20"),
    ("NETWORKDAYS", (*MARCH, "2024-03-05"), "20"),
    ("NETWORKDAYS", (*MARCH, ["2024-04-01"]), "21"),
    ("NETWORKDAYS", (*MARCH, ["abc"]), VALUE),
    ("NETWORKDAYS", (*MARCH, [ErrorValue.NA]), "#N/A"),
    ("NETWORKDAYS.INTL", (*MARCH, 11), "26"),
    ("NETWORKDAYS.INTL", (*MARCH, "0000001"), "26"),
    ("NETWORKDAYS.INTL", (*MARCH, 1), "21"),
    ("NETWORKDAYS.INTL", MARCH, "21"),
    ("NETWORKDAYS.INTL", (*MARCH, 7), "21"),
    ("NETWORKDAYS.INTL", (*MARCH, "0000000"), "31"),
    ("NETWORKDAYS.INTL", (*MARCH, "1111111"), VALUE),
    ("NETWORKDAYS.INTL", (*MARCH, "000001"), VALUE),
    ("NETWORKDAYS.INTL", (*MARCH, 8), NUM),
    ("NETWORKDAYS.INTL", (*MARCH, 1, ["2024-03-04"]), "20"),
    ("WORKDAY", ("2024-03-01", 5), "2024-03-08"),
    ("WORKDAY", ("2024-03-04", -1), "2024-03-01"),
    ("WORKDAY", ("2024-03-09", 0), "2024-03-09"),
    ("WORKDAY", ("2024-03-09", 1), "2024-03-11"),
    ("WORKDAY", ("2024-09-30", 1, GOLDEN_WEEK), "2024-10-08"),
    ("WORKDAY", ("2024-01-01", 260), "2024-12-30"),
    ("WORKDAY", ("2024-01-01", 30, ["2024-01-15"]), "2024-02-13"),
    ("WORKDAY", ("2024-02-12", -30, ["2024-01-15"]), "2023-12-29"),
    ("WORKDAY", ("2024-03-01", 4.9), "2024-03-07"),
    ("WORKDAY", ("9999-12-30", 5), NUM),
    ("WORKDAY.INTL", ("2024-03-01", 1, 11), "2024-03-02"),
    ("WORKDAY.INTL", ("2024-03-01", 1, "0000011"), "2024-03-04"),
    ("WORKDAY.INTL", ("2024-03-01", 1), "2024-03-04"),
    ("WORKDAY.INTL", ("2024-03-01", 1, 7), "2024-03-03"),
    ("WORKDAY.INTL", ("2024-03-04", -1, 2), "2024-03-02"),
    ("WORKDAY.INTL", ("2024-03-01", 1, 11, ["2024-03-02"]), "2024-03-04"),
    ("WORKDAY.INTL", ("2024-03-01", 30, "0000001"), "2024-04-05"),
    ("WORKDAY.INTL", ("2024-03-01", 1, "1111111"), VALUE),
    # DATEVALUE / TIMEVALUE
    ("DATEVALUE", ("2024年3月5日",), "2024-03-05"),
    ("DATEVALUE", ("2024/3/5 10:30",), "2024-03-05"),
    ("DATEVALUE", ("2024.03.05",), "2024-03-05"),
    ("DATEVALUE", ("abc",), VALUE),
    ("DATEVALUE", ("2023-02-29",), VALUE),
    ("DATEVALUE", ("1899-12-31",), VALUE),
    ("TIMEVALUE", ("18:00",), "0.75"),
    ("TIMEVALUE", ("2:30 PM",), "0.604166666666667"),
    ("TIMEVALUE", ("下午2:30",), "0.604166666666667"),
    ("TIMEVALUE", ("12:00 AM",), "0"),
    ("TIMEVALUE", ("2024-03-05 06:00",), "0.25"),
    ("TIMEVALUE", ("00:00:01",), "0.0000115740740740741"),
    ("TIMEVALUE", ("25:00",), VALUE),
    ("TIMEVALUE", ("abc",), VALUE),
    # DATEADD (qiao extension)
    ("DATEADD", ("2024-01-31", 1, "m"), "2024-02-29"),
    ("DATEADD", ("2024-03-05", -10, "d"), "2024-02-24"),
    ("DATEADD", ("2024-03-05 09:00", 90, "mi"), "2024-03-05 10:30"),
    ("DATEADD", ("2024-03-05 09:00", 90, "n"), "2024-03-05 10:30"),
    ("DATEADD", ("2024-02-29", 1, "y"), "2025-02-28"),
    ("DATEADD", ("2024-11-30", 1, "q"), "2025-02-28"),
    ("DATEADD", ("2024-03-05", 2, "w"), "2024-03-19"),
    ("DATEADD", ("2024-03-05", 36, "h"), "2024-03-06 12:00"),
    ("DATEADD", ("2024-03-05 09:00", 30, "s"), "2024-03-05 09:00:30"),
    ("DATEADD", ("2024-03-05", 1.5, "d"), "2024-03-06 12:00"),
    ("DATEADD", ("2024-01-31 08:00", 1, "M"), "2024-02-29 08:00"),
    ("DATEADD", ("2024-03-05", 1, "x"), VALUE),
    ("DATEADD", ("2024-03-05", -200, "y"), NUM),
]


#: DATEDIF around month ends and 29 February, with Excel's results (the "MD" and "YD"
#: units are where spreadsheets differ; these are the values Excel gives)
DATEDIF_EDGES: list[tuple[str, str, str, int]] = [
    ("2018-12-30", "2019-12-30", "M", 12),
    ("2019-02-28", "2019-03-29", "M", 1),
    ("2020-02-29", "2020-03-28", "M", 0),
    ("2018-12-30", "2019-12-30", "YM", 0),
    ("2019-02-28", "2019-03-29", "YM", 1),
    ("2020-02-29", "2020-03-28", "YM", 0),
    ("2019-03-01", "2020-02-29", "Y", 0),
    ("2019-03-01", "2020-02-28", "Y", 0),
    ("2019-02-28", "2020-02-29", "Y", 1),
    ("2019-02-28", "2020-02-28", "Y", 1),
    ("2020-02-29", "2021-02-28", "Y", 0),
    ("2020-02-29", "2021-03-01", "Y", 1),
    ("2020-02-28", "2021-02-28", "Y", 1),
    ("2020-02-28", "2021-03-01", "Y", 1),
    ("2019-03-28", "2020-02-29", "MD", 1),
    ("2019-03-28", "2020-02-28", "MD", 0),
    ("2016-03-28", "2020-05-01", "MD", 3),
    ("2016-02-28", "2020-05-01", "MD", 3),
    ("2015-02-28", "2020-05-01", "MD", 3),
    ("2016-01-28", "2020-05-01", "MD", 3),
    ("2016-03-28", "2020-03-01", "MD", 2),
    ("2016-02-28", "2020-03-01", "MD", 2),
    ("2015-02-28", "2020-03-01", "MD", 2),
    ("2016-01-28", "2020-03-01", "MD", 2),
    ("2016-03-28", "2021-03-01", "MD", 1),
    ("2016-02-28", "2021-03-01", "MD", 1),
    ("2015-02-28", "2021-03-01", "MD", 1),
    ("2016-01-28", "2021-03-01", "MD", 1),
    ("2016-03-28", "2020-02-01", "MD", 4),
    ("2016-02-28", "2020-02-01", "MD", 4),
    ("2015-02-28", "2020-02-01", "MD", 4),
    ("2016-01-28", "2020-02-01", "MD", 4),
    ("2016-03-28", "2020-01-01", "MD", 4),
    ("2016-02-28", "2020-01-01", "MD", 4),
    ("2015-02-28", "2020-01-01", "MD", 4),
    ("2016-01-28", "2020-01-01", "MD", 4),
    ("2016-02-27", "2020-02-27", "YD", 0),
    ("2016-02-27", "2020-02-28", "YD", 1),
    ("2016-02-27", "2020-02-29", "YD", 2),
    ("2016-02-27", "2020-03-01", "YD", 3),
    ("2016-02-27", "2021-02-27", "YD", 0),
    ("2016-02-27", "2021-02-28", "YD", 1),
    ("2016-02-27", "2021-03-01", "YD", 2),
    ("2016-02-28", "2020-02-27", "YD", 365),
    ("2016-02-28", "2020-02-28", "YD", 0),
    ("2016-02-28", "2020-02-29", "YD", 1),
    ("2016-02-28", "2020-03-01", "YD", 2),
    ("2016-02-28", "2021-02-27", "YD", 365),
    ("2016-02-28", "2021-02-28", "YD", 0),
    ("2016-02-28", "2021-03-01", "YD", 1),
    ("2016-02-29", "2020-02-27", "YD", 364),
    ("2016-02-29", "2020-02-28", "YD", 365),
    ("2016-02-29", "2020-02-29", "YD", 0),
    ("2016-02-29", "2020-03-01", "YD", 1),
    ("2016-02-29", "2021-02-27", "YD", 364),
    ("2016-02-29", "2021-02-28", "YD", 365),
    ("2016-02-29", "2021-03-01", "YD", 0),
    ("2016-03-01", "2020-02-27", "YD", 363),
    ("2016-03-01", "2020-02-28", "YD", 364),
    ("2016-03-01", "2020-02-29", "YD", 365),
    ("2016-03-01", "2020-03-01", "YD", 0),
    ("2016-03-01", "2021-02-27", "YD", 363),
    ("2016-03-01", "2021-02-28", "YD", 364),
    ("2016-03-01", "2021-03-01", "YD", 0),
    ("2015-02-27", "2020-02-27", "YD", 0),
    ("2015-02-27", "2020-02-28", "YD", 1),
    ("2015-02-27", "2020-02-29", "YD", 2),
    ("2015-02-27", "2020-03-01", "YD", 3),
    ("2015-02-27", "2021-02-27", "YD", 0),
    ("2015-02-27", "2021-02-28", "YD", 1),
    ("2015-02-27", "2021-03-01", "YD", 2),
    ("2015-02-28", "2020-02-27", "YD", 364),
    ("2015-02-28", "2020-02-28", "YD", 0),
    ("2015-02-28", "2020-02-29", "YD", 1),
    ("2015-02-28", "2020-03-01", "YD", 2),
    ("2015-02-28", "2021-02-27", "YD", 364),
    ("2015-02-28", "2021-02-28", "YD", 0),
    ("2015-02-28", "2021-03-01", "YD", 1),
    ("2015-03-01", "2020-02-27", "YD", 363),
    ("2015-03-01", "2020-02-28", "YD", 364),
    ("2015-03-01", "2020-02-29", "YD", 365),
    ("2015-03-01", "2020-03-01", "YD", 0),
    ("2015-03-01", "2021-02-27", "YD", 363),
    ("2015-03-01", "2021-02-28", "YD", 364),
    ("2015-03-01", "2021-03-01", "YD", 0),
    ("1988-06-22", "2012-05-11", "YD", 323),
]


@pytest.mark.parametrize(("start", "end", "unit", "expected"), DATEDIF_EDGES)
def test_datedif_month_ends_and_leap_days(start: str, end: str, unit: str, expected: int) -> None:
    assert call("DATEDIF", start, end, unit) == Decimal(expected)


#: YEARFRAC around month ends and 29 February in every basis, as fractions (Excel's results)
YEARFRAC_EDGES: list[tuple[str, str, int, int, int]] = [
    ("2020-03-30", "2020-03-31", 0, 0, 1),
    ("2020-02-28", "2020-02-29", 0, 1, 360),
    ("2020-02-29", "2020-03-01", 0, 1, 360),
    ("2021-02-28", "2021-03-01", 0, 1, 360),
    ("2020-03-31", "2020-03-30", 0, 0, 1),
    ("2020-02-29", "2020-02-28", 0, 1, 360),
    ("2020-03-01", "2020-02-29", 0, 1, 360),
    ("2021-03-01", "2021-02-28", 0, 1, 360),
    ("2020-01-01", "2020-01-02", 1, 1, 366),
    ("2021-01-01", "2021-01-02", 1, 1, 365),
    ("2020-02-28", "2020-03-01", 1, 2, 366),
    ("2021-02-28", "2021-03-01", 1, 1, 365),
    ("2019-12-31", "2020-03-01", 1, 61, 366),
    ("2019-12-31", "2020-02-29", 1, 60, 366),
    ("2019-12-31", "2020-02-28", 1, 59, 365),
    ("2020-01-01", "2021-01-01", 1, 1, 1),
    ("2020-01-01", "2021-01-02", 1, 734, 731),
    ("2020-03-30", "2020-03-31", 2, 1, 360),
    ("2020-02-28", "2020-02-29", 2, 1, 360),
    ("2020-03-31", "2021-03-30", 2, 364, 360),
    ("2021-03-01", "2020-02-28", 2, 367, 360),
    ("2020-03-30", "2020-03-31", 3, 1, 365),
    ("2020-03-31", "2021-03-30", 3, 364, 365),
    ("2021-03-01", "2020-02-28", 3, 367, 365),
    ("2020-03-30", "2020-03-31", 4, 0, 1),
    ("2020-02-28", "2020-02-29", 4, 1, 360),
    ("2020-02-29", "2020-03-01", 4, 2, 360),
    ("2021-02-28", "2021-03-01", 4, 3, 360),
    ("2020-03-31", "2020-03-30", 4, 0, 1),
    ("2020-02-29", "2020-02-28", 4, 1, 360),
    ("2020-03-01", "2020-02-29", 4, 2, 360),
    ("2021-03-01", "2021-02-28", 4, 3, 360),
    ("2020-01-01", "2024-01-01", 1, 1461 * 5, 1827),
]


@pytest.mark.parametrize(("start", "end", "basis", "numerator", "denominator"), YEARFRAC_EDGES)
def test_yearfrac_bases(start: str, end: str, basis: int, numerator: int, denominator: int) -> None:
    expected = normalize_number(Decimal(numerator) / Decimal(denominator))
    assert call("YEARFRAC", start, end, basis) == expected


@pytest.mark.parametrize(("name", "args", "expected"), CASES)
def test_date_function(name: str, args: tuple[Any, ...], expected: str) -> None:
    assert shown(name, *args) == expected


def test_today_and_now_come_from_the_context_in_the_users_zone() -> None:
    ctx = context_at(datetime(2024, 12, 31, 23, 59, 30))
    assert call("TODAY", ctx=ctx) == date(2024, 12, 31)
    assert call("NOW", ctx=ctx) == datetime(2024, 12, 31, 23, 59, 30)
    assert call("NOW", ctx=ctx).tzinfo is None


def test_results_are_dates_not_serials() -> None:
    assert call("DATE", 2024, 3, 5) == date(2024, 3, 5)
    assert call("EDATE", "2024-01-31", 1) == date(2024, 2, 29)
    assert type(call("DATEADD", "2024-03-05", 1, "d")) is date
    assert call("TIME", 12, 0, 0) == Decimal("0.5")


def _naive_workday(start: date, days: int, holidays: set[date]) -> date:
    step = 1 if days > 0 else -1
    day, left = start, abs(days)
    while left:
        day += timedelta(days=step)
        if day.weekday() < 5 and day not in holidays:
            left -= 1
    return day


def _naive_networkdays(start: date, end: date, holidays: set[date]) -> int:
    low, high = min(start, end), max(start, end)
    count = sum(
        1
        for n in range((high - low).days + 1)
        if (day := low + timedelta(days=n)).weekday() < 5 and day not in holidays
    )
    return count if start <= end else -count


_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=150, deadline=None)
@given(_dates, st.integers(-400, 400), st.lists(_dates, max_size=8))
def test_workday_agrees_with_walking_day_by_day(
    start: date, days: int, holidays: list[date]
) -> None:
    expected = _naive_workday(start, days, set(holidays))
    assert call("WORKDAY", start, days, holidays) == expected


@settings(max_examples=150, deadline=None)
@given(_dates, _dates, st.lists(_dates, max_size=8))
def test_networkdays_agrees_with_counting(start: date, end: date, holidays: list[date]) -> None:
    expected = _naive_networkdays(start, end, set(holidays))
    assert call("NETWORKDAYS", start, end, holidays) == Decimal(expected)


@settings(max_examples=150, deadline=None)
@given(_dates, _dates)
def test_datedif_years_months_days_rebuild_the_end(start: date, end: date) -> None:
    """Y years and YM months after the start, plus MD days, is the end (when MD is not
    one of Excel's negative corner cases)."""
    if start > end:
        start, end = end, start
    years = int(call("DATEDIF", start, end, "Y"))
    months = int(call("DATEDIF", start, end, "YM"))
    days = int(call("DATEDIF", start, end, "MD"))
    assert int(call("DATEDIF", start, end, "M")) == years * 12 + months
    shifted = call("EDATE", start, years * 12 + months)
    if start.day <= 28 and days >= 0:
        assert shifted + timedelta(days=days) == end


def test_aware_datetimes_are_read_by_their_wall_clock_time() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    moment = datetime(2024, 12, 31, 23, 30, tzinfo=shanghai)
    assert call("YEAR", moment) == Decimal(2024)
    assert call("HOUR", moment) == Decimal(23)
    assert call("WEEKDAY", moment, 2) == Decimal(2)
    assert call("DAYS", moment, date(2024, 12, 30)) == Decimal(1)
    assert call("DATEDIF", date(2024, 1, 1), moment, "D") == Decimal(365)
    assert call("TEXT", moment, "yyyy-mm-dd hh:mm") == "2024-12-31 23:30"
    assert call("DATEADD", moment, 1, "h").replace(tzinfo=None) == datetime(2025, 1, 1, 0, 30)
    assert call("EOMONTH", moment, 0) == date(2024, 12, 31)


@settings(max_examples=150, deadline=None)
@given(
    _dates,
    st.integers(-200, 200),
    st.lists(st.booleans(), min_size=7, max_size=7).filter(lambda m: not all(m)),
    st.lists(_dates, max_size=6),
)
def test_workday_intl_agrees_with_walking_day_by_day(
    start: date, days: int, mask: list[bool], holidays: list[date]
) -> None:
    text = "".join("1" if off else "0" for off in mask)
    day, left, step = start, abs(days), 1 if days > 0 else -1
    while left:
        day += timedelta(days=step)
        if not mask[day.weekday()] and day not in holidays:
            left -= 1
    assert call("WORKDAY.INTL", start, days, text, holidays) == day


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("DATE", ("1e300", 1, 1), NUM),
        ("DATE", (2024, "1e300", 1), NUM),
        ("DATE", (2024, 1, "1e300"), NUM),
        ("TIME", ("1e300", 0, 0), NUM),
        ("EDATE", ("2024-03-05", "1e300"), NUM),
        ("EOMONTH", ("2024-03-05", "-1e300"), NUM),
        ("WORKDAY", ("2024-03-05", "1e300"), NUM),
        ("WORKDAY", ("2024-03-05", "-1e300", ["2024-03-01"]), NUM),
        ("DATEADD", ("2024-03-05", "1e300", "d"), NUM),
        ("DATEADD", ("2024-03-05", "1e300", "m"), NUM),
        ("WEEKDAY", ("2024-03-05", "1e300"), NUM),
    ],
)
def test_numbers_with_huge_exponents_are_answered_at_once(
    name: str, args: tuple[Any, ...], expected: str
) -> None:
    started = time.monotonic()
    assert shown(name, *args) == expected
    assert time.monotonic() - started < 5  # a hang would take minutes


COMPOSED: list[tuple[str, dict[str, Any], str]] = [
    ("DATE(2024, 3, 5) + TIME(14, 30, 0)", {}, "2024-03-05 14:30"),
    ('TEXT(DATE(2024, 3, 5) + TIME(14, 30, 0), "yyyy-mm-dd hh:mm")', {}, "2024-03-05 14:30"),
    ("HOUR(DATE(2024, 3, 5) + TIME(14, 30, 0))", {}, "14"),
    ('DATEVALUE("2024-03-05") + TIMEVALUE("2:30 PM")', {}, "2024-03-05 14:30"),
    ('TEXT(NOW(), "yyyy年m月d日 aaaa hh:mm")', {}, "2024年3月5日 星期二 14:30"),
    ('DATEDIF(signed, TODAY(), "M")', {"signed": date(2023, 12, 5)}, "3"),
    ("EOMONTH(TODAY(), 0) - TODAY()", {}, "26"),
    (
        'IF(due < TODAY(), "已逾期", "剩余" & DAYS(due, TODAY()) & "天")',
        {"due": date(2024, 3, 8)},
        "剩余3天",
    ),
    (
        "NETWORKDAYS(TODAY(), due, holidays)",
        {"due": date(2024, 3, 15), "holidays": [date(2024, 3, 8)]},
        "8",
    ),
    (
        'IDCARD_AGE(id, signed) & "岁"',
        {"id": "11010519491231002X", "signed": date(2024, 12, 31)},
        "75岁",
    ),
    ('DATEDIF(IDCARD_BIRTHDAY(id), TODAY(), "Y")', {"id": "11010519491231002X"}, "74"),
    ("WEEKNUM(TODAY(), 2)", {}, "10"),
]


@pytest.mark.parametrize(("formula", "values", "expected"), COMPOSED)
def test_date_functions_inside_formulas(
    formula: str, values: dict[str, Any], expected: str
) -> None:
    """As users combine them (the test's today is 2024-03-05, a Tuesday, 14:30:15)."""
    assert display(run(Example(formula, "", values), CONTEXT)) == expected
