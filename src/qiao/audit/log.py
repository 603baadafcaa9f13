"""Appending to the audit log and checking its chain.

Every entry is written in the transaction of the change it describes, so a rolled-back
change leaves no entry and a committed one always has its entry. Entries are numbered
without gaps; each hash covers the entry's content and the previous hash, so editing,
deleting or inserting a row anywhere breaks the chain from that row on, and deleting
the newest rows is caught by the head row that holds the last seq and hash.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.db import schema
from qiao.db.bulk import insert_many
from qiao.db.dialect import insert_ignore
from qiao.errors import QiaoError

GENESIS = "0" * 64

#: the columns a hash covers, in this order
HASHED = (
    "seq",
    "at",
    "user_id",
    "username",
    "ip",
    "user_agent",
    "action",
    "app_id",
    "form_id",
    "record_id",
    "object_type",
    "object_id",
    "details",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def _dumps(value: Any, *, sort: bool) -> bytes:
    """Compact UTF-8 JSON. orjson, because the audit entries of a bulk write are
    serialised several thousand at a time; the standard library for what orjson refuses
    (integers beyond 64 bits), with the same compact form."""
    try:
        return orjson.dumps(value, default=str, option=orjson.OPT_SORT_KEYS if sort else 0)
    except TypeError:
        text = json.dumps(
            value, ensure_ascii=False, sort_keys=sort, separators=(",", ":"), default=str
        )
        return text.encode()


def entry_hash(entry: dict[str, Any], prev_hash: str) -> str:
    body = _dumps([prev_hash, *(_canonical(entry.get(name)) for name in HASHED)], sort=True)
    return hashlib.sha256(body).hexdigest()


def _jsonable(value: Any) -> Any:
    """Details go through JSON once here so that what is hashed is what is read back."""
    return orjson.loads(_dumps(value, sort=False))


def append_org_change(
    conn: Connection,
    ctx: Ctx,
    object_type: str,
    object_id: int,
    op: str,
    before: Any,
    after: Any,
    *,
    username: str | None = None,
) -> int:
    """An ``org_change`` entry (department, user, role): what it was and became."""
    return append(
        conn,
        ctx,
        "org_change",
        object_type=object_type,
        object_id=object_id,
        details={"op": op, "before": before, "after": after},
        username=username,
    )


@functools.cache
def _statements() -> tuple[Any, Any]:
    """Built once: on a single-record write the audit entry is a third of the work, and
    building SQL expressions per call was most of that."""
    head = schema.audit_head
    # the UPDATE takes the row lock that serialises appenders on PostgreSQL and, with
    # RETURNING, reads the chain's end in the same round trip
    claim = (
        sa.update(head)
        .where(head.c.id == 1)
        .values(seq=head.c.seq + sa.bindparam("count", type_=sa.BigInteger))
        .returning(head.c.seq, head.c.hash)
    )
    close = (
        sa.update(head)
        .where(head.c.id == 1)
        .values(hash=sa.bindparam("new_hash", type_=sa.String(64)))
    )
    return claim, close


def append(
    conn: Connection,
    ctx: Ctx,
    action: str,
    *,
    app_id: int | None = None,
    form_id: int | None = None,
    record_id: int | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    details: dict[str, Any] | None = None,
    username: str | None = None,
) -> int:
    """Append one entry in the caller's transaction; returns its seq."""
    return append_many(
        conn,
        ctx,
        action,
        [
            {
                "app_id": app_id,
                "form_id": form_id,
                "record_id": record_id,
                "object_type": object_type,
                "object_id": object_id,
                "details": details,
            }
        ],
        username=username,
    )[0]


def append_many(
    conn: Connection,
    ctx: Ctx,
    action: str,
    items: list[dict[str, Any]],
    *,
    username: str | None = None,
) -> list[int]:
    """Append one entry per item (keys as in ``append``) with one head update."""
    if not items:
        return []
    claim, close = _statements()
    claimed = conn.execute(claim, {"count": len(items)}).first()
    if claimed is None:
        _start_chain(conn)
        claimed = conn.execute(claim, {"count": len(items)}).one()
    seq, prev = claimed.seq - len(items), claimed.hash
    at = ctx.now().astimezone(UTC)
    user = ctx.user
    rows = []
    for item in items:
        seq += 1
        object_id = item.get("object_id")
        row: dict[str, Any] = {
            "seq": seq,
            "at": at,
            "user_id": user.id if user else None,
            "username": username if username is not None else (user.username if user else None),
            "ip": (ctx.ip or None) and ctx.ip[:64],
            "user_agent": (ctx.user_agent or None) and ctx.user_agent[:512],
            "action": action,
            "app_id": item.get("app_id"),
            "form_id": item.get("form_id"),
            "record_id": item.get("record_id"),
            "object_type": item.get("object_type"),
            "object_id": None if object_id is None else str(object_id),
            "details": _jsonable(item.get("details") or {}),
        }
        row["prev_hash"] = prev
        row["hash"] = prev = entry_hash(row, prev)
        rows.append(row)
    insert_many(conn, schema.audit_log, rows)
    conn.execute(close, {"new_hash": prev})
    return [r["seq"] for r in rows]


class ChainHeadMissing(QiaoError):
    """The head row is gone while entries exist: someone removed it, and appending
    would restart the numbering over the existing entries."""

    status = 503
    code = "audit_head_missing"


def _start_chain(conn: Connection) -> None:
    """Create the head of an empty log (a database whose platform tables were emptied,
    e.g. by TRUNCATE, has no head row); refuse when entries exist without a head."""
    if conn.execute(sa.select(schema.audit_log.c.seq).limit(1)).first() is not None:
        raise ChainHeadMissing()
    insert_ignore(conn, schema.audit_head, {"id": 1, "seq": 0, "hash": GENESIS})


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str  # "hash" | "link" | "gap" | "head"


def verify(conn: Connection, batch: int = 5000) -> tuple[int, list[Break]]:
    """Walk the chain; returns the number of entries checked and every break found."""
    log = schema.audit_log
    breaks: list[Break] = []
    prev, expected, checked = GENESIS, 1, 0
    for row in _rows(conn, log, batch):
        entry = dict(row._mapping)
        if entry["seq"] != expected:
            breaks.append(Break(expected, "gap"))
        if entry["prev_hash"] != prev:
            breaks.append(Break(entry["seq"], "link"))
        if entry_hash(entry, entry["prev_hash"]) != entry["hash"]:
            breaks.append(Break(entry["seq"], "hash"))
        prev, expected = entry["hash"], entry["seq"] + 1
        checked += 1
    head = schema.audit_head
    head_row = conn.execute(sa.select(head.c.seq, head.c.hash).where(head.c.id == 1)).first()
    if head_row is None and checked == 0:
        return checked, breaks  # an emptied log without its head: nothing to check
    if head_row is None or head_row.seq != expected - 1 or head_row.hash != prev:
        breaks.append(Break(expected - 1, "head"))
    return checked, breaks


def _rows(conn: Connection, log: sa.Table, batch: int) -> Iterator[Any]:
    last = 0
    while True:
        rows = conn.execute(
            sa.select(log).where(log.c.seq > last).order_by(log.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
