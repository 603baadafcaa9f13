"""Engine creation: SQLite in WAL mode with BEGIN IMMEDIATE for writes; PostgreSQL via psycopg.

Why BEGIN IMMEDIATE: a deferred SQLite transaction that reads and later writes fails at
once with "database is locked" when another connection committed in between; the busy
timeout never applies to that upgrade. Write units of work therefore ask for
``qiao_write=True`` and get ``BEGIN IMMEDIATE``, which waits on the busy timeout instead.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT_MS = 15_000


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
    )


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    engine = sa.create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=20,
        max_overflow=20,
        poolclass=sa.pool.QueuePool,
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
