"""Engine creation: SQLite in WAL mode with BEGIN IMMEDIATE for writes; PostgreSQL via psycopg.

Why BEGIN IMMEDIATE: a deferred SQLite transaction that reads and later writes fails at
once with "database is locked" when another connection committed in between; the busy
timeout never applies to that upgrade. Write units of work therefore ask for
``qiao_write=True`` and get ``BEGIN IMMEDIATE``, which waits on the busy timeout instead.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT_MS = 15_000


def json_dumps(value: Any) -> str:
    """JSON columns' serialiser. orjson, because bulk writes (imports, audit entries)
    serialise tens of thousands of values and the standard library was a tenth of an
    import's time; the standard library for what orjson refuses (integers beyond 64
    bits, types it does not know — which then fail as before)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(value)


def json_loads(text: str | bytes) -> Any:
    """JSON columns' parser (orjson; the standard library for what orjson refuses)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


JSON_OPTIONS: dict[str, Any] = {"json_serializer": json_dumps, "json_deserializer": json_loads}


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo=echo)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return sa.create_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        future=True,
        **JSON_OPTIONS,
    )


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    engine = sa.create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=20,
        max_overflow=20,
        poolclass=sa.pool.QueuePool,
        **JSON_OPTIONS,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        # Hand transaction control to us (see module docstring).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("qiao_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine
