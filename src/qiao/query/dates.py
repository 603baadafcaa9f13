"""Date-relative filter periods, computed in the organisation's zone.

Weeks start on Monday. ``last_n_days`` is the n days ending today (today included),
``next_n_days`` the n days starting today.
"""

from __future__ import annotations

from datetime import date, timedelta


def period(op: str, today: date, days: int | None = None) -> tuple[date, date]:
    """[first day, day after the last) of a relative period."""
    one = timedelta(days=1)
    if op == "today":
        return today, today + one
    if op == "yesterday":
        return today - one, today
    if op == "this_week":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=7)
    if op == "this_month":
        start = today.replace(day=1)
        return start, _add_months(start, 1)
    if op == "this_quarter":
        start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        return start, _add_months(start, 3)
    if op == "this_year":
        start = today.replace(month=1, day=1)
        return start, start.replace(year=start.year + 1)
    if op == "last_n_days":
        assert days is not None
        return today - timedelta(days=days - 1), today + one
    if op == "next_n_days":
        assert days is not None
        return today, today + timedelta(days=days)
    raise KeyError(op)


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.month - 1 + months
    return first_of_month.replace(year=first_of_month.year + index // 12, month=index % 12 + 1)
