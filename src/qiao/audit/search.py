"""Searching the audit log (admins): filters, newest first, keyset pages by ``seq``.

``seq`` is the log's primary key and grows with time, so "newer than the cursor" is an
index range and every page costs the same however deep it is. The per-column indexes
(user, action, form+record) all end in ``seq`` for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.audit import actions
from qiao.audit.names import NameBook
from qiao.audit.summary import summarize
from qiao.context import Ctx
from qiao.db import schema
from qiao.db.dialect import contains_text, is_sqlite
from qiao.errors import ErrorDetail, ValidationFailed
from qiao.org.permissions import require_admin
from qiao.runtime import Runtime

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_QUERY = 100
log_t = schema.audit_log


@dataclass(frozen=True)
class AuditFilter:
    user_id: int | None = None
    app_id: int | None = None
    form_id: int | None = None
    record_id: int | None = None
    actions: tuple[str, ...] = ()
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    q: str | None = None

    def json(self) -> dict[str, Any]:
        """What was asked, for the audit entry of an export."""
        out = {k: v for k, v in asdict(self).items() if v not in (None, ())}
        for key in ("since", "until"):
            if key in out:
                out[key] = out[key].isoformat()
        if "actions" in out:
            out["actions"] = list(out["actions"])
        return out


def parse_time(text: str, tz: ZoneInfo, *, end: bool) -> datetime:
    """``2025-01-31`` (a whole day in the organisation's zone: its start, or with ``end``
    the start of the next day) or an ISO date-time (no offset: the organisation's zone)."""
    text = text.strip()
    if len(text) == 10:
        day = date.fromisoformat(text)
        start = datetime.combine(day, time(), tz)
        return start + timedelta(days=1) if end else start
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value + timedelta(microseconds=1) if end else value


def parse_filter(
    tz: ZoneInfo,
    *,
    user_id: int | None = None,
    app_id: int | None = None,
    form_id: int | None = None,
    record_id: int | None = None,
    action: str | None = None,
    since: str | None = None,
    until: str | None = None,
    q: str | None = None,
) -> AuditFilter:
    """Check the query parameters; every problem is reported, each naming its parameter."""
    errors: list[ErrorDetail] = []
    wanted = tuple(dict.fromkeys(a.strip() for a in (action or "").split(",") if a.strip()))
    errors += [
        ErrorDetail("action", "audit_action_unknown", {"action": a})
        for a in wanted
        if a not in actions.ACTIONS
    ]
    bounds: dict[str, datetime | None] = {"since": None, "until": None}
    for name, text in (("since", since), ("until", until)):
        if text is not None and text.strip():
            try:
                bounds[name] = parse_time(text, tz, end=name == "until")
            except (ValueError, OverflowError):
                errors.append(ErrorDetail(name, "audit_time_invalid"))
    lo, hi = bounds["since"], bounds["until"]
    if lo is not None and hi is not None and lo >= hi:
        errors.append(ErrorDetail("until", "audit_range_invalid"))
    text = (q or "").strip() or None
    if text is not None and len(text) > MAX_QUERY:
        errors.append(ErrorDetail("q", "audit_query_too_long", {"max": MAX_QUERY}))
    if errors:
        raise ValidationFailed(details=errors)
    return AuditFilter(user_id, app_id, form_id, record_id, wanted, lo, hi, text)


def parse_cursor(cursor: str | None) -> int | None:
    """A page cursor is the ``seq`` of the last entry of the page before."""
    if cursor is None or cursor == "":
        return None
    if not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 18):
        raise ValidationFailed(details=[ErrorDetail("cursor", "audit_cursor_invalid")])
    return int(cursor)


def conditions(conn: Connection, f: AuditFilter) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    for column, value in (
        (log_t.c.user_id, f.user_id),
        (log_t.c.app_id, f.app_id),
        (log_t.c.form_id, f.form_id),
        (log_t.c.record_id, f.record_id),
    ):
        if value is not None:
            where.append(column == value)
    if f.actions:
        where.append(log_t.c.action.in_(f.actions))
    if f.since is not None:
        where.append(log_t.c.at >= f.since)
    if f.until is not None:
        where.append(log_t.c.at < f.until)
    if f.q:
        where.append(_text_match(conn, f.q))
    return where


def _text_match(conn: Connection, q: str) -> sa.ColumnElement[bool]:
    """Who (username or today's display name), from where (IP), which object, and the
    details. Details are JSON text: plain UTF-8 since JSON columns are written with
    orjson, with non-ASCII characters escaped (``\\u5f20``) in entries written before,
    so the text is looked for in both spellings."""
    sqlite_ = is_sqlite(conn)
    u = schema.users
    people = sa.select(u.c.id).where(
        sa.or_(contains_text(u.c.username, q, sqlite_), contains_text(u.c.display_name, q, sqlite_))
    )
    details = sa.cast(log_t.c.details, sa.Text)
    options = [
        contains_text(log_t.c.username, q, sqlite_),
        log_t.c.user_id.in_(people),
        contains_text(log_t.c.ip, q, sqlite_),
        contains_text(log_t.c.object_id, q, sqlite_),
        contains_text(details, q, sqlite_),
    ]
    escaped = q.encode("ascii", "backslashreplace").decode()
    if escaped != q:
        options.append(contains_text(details, escaped, sqlite_))
    return sa.or_(*options)


def fetch(
    conn: Connection, where: list[sa.ColumnElement[bool]], before: int | None, limit: int
) -> list[dict[str, Any]]:
    """Up to ``limit`` entries older than the cursor ``before``, newest first."""
    stmt = sa.select(log_t).where(*where)
    if before is not None:
        stmt = stmt.where(log_t.c.seq < before)
    rows = conn.execute(stmt.order_by(log_t.c.seq.desc()).limit(limit)).all()
    return [dict(r._mapping) for r in rows]


def present(entry: dict[str, Any], book: NameBook, ctx: Ctx) -> dict[str, Any]:
    """An entry as the API shows it: names of today next to the ids of its moment."""
    user_id = entry["user_id"]
    known = book.users.get(user_id) if user_id is not None else None
    return {
        "seq": entry["seq"],
        "at": entry["at"].astimezone(ctx.tz),
        "user_id": user_id,
        "username": entry["username"],
        "user_display_name": known[1] if known else None,
        "ip": entry["ip"],
        "user_agent": entry["user_agent"],
        "action": entry["action"],
        "action_label": actions.label(entry["action"], ctx.locale),
        "app_id": entry["app_id"],
        "app_name": book.apps.get(entry["app_id"]),
        "form_id": entry["form_id"],
        "form_name": book.forms.get(entry["form_id"]),
        "record_id": entry["record_id"],
        "object_type": entry["object_type"],
        "object_id": entry["object_id"],
        "details": entry["details"],
        "summary": summarize(entry, ctx.locale, book.names()),
        "hash": entry["hash"],
    }


def search(
    rt: Runtime, ctx: Ctx, f: AuditFilter, *, limit: int, cursor: str | None
) -> dict[str, Any]:
    require_admin(ctx)
    before = parse_cursor(cursor)
    catalog = rt.catalog()
    with rt.db.read() as conn:
        entries = fetch(conn, conditions(conn, f), before, limit + 1)
        more = len(entries) > limit
        entries = entries[:limit]
        book = NameBook.load(conn, entries, catalog)
    return {
        "items": [present(e, book, ctx) for e in entries],
        "next_cursor": str(entries[-1]["seq"]) if more else None,
    }


def iterate(
    rt: Runtime, ctx: Ctx, f: AuditFilter, *, upto: int, batch: int = 1000
) -> Iterator[list[dict[str, Any]]]:
    """Every matching entry up to seq ``upto`` (inclusive), newest first, in batches each
    read in its own short transaction (an export must not hold one open for minutes)."""
    catalog = rt.catalog()
    before: int | None = upto + 1
    while True:
        with rt.db.read() as conn:
            entries = fetch(conn, conditions(conn, f), before, batch)
            book = NameBook.load(conn, entries, catalog)
        if not entries:
            return
        yield [present(e, book, ctx) for e in entries]
        if len(entries) < batch:
            return
        before = entries[-1]["seq"]
