"""The database handle: units of work with retries, and the after-commit hook list."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from qiao.db import dialect
from qiao.errors import QiaoError

T = TypeVar("T")
log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
AFTER_COMMIT = "qiao_after_commit"


class DatabaseBusy(QiaoError):
    status = 503
    code = "database_busy"


class Database:
    """Owns the engine; every service reaches the database through ``read`` or ``write``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._write_engine = engine.execution_options(qiao_write=True)

    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in one write transaction, retried on serialization failures,
        deadlocks and lock timeouts. ``fn`` must not have side effects outside the
        transaction: register them with :func:`after_commit`.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with self._write_engine.connect() as conn:
                    conn.info.pop(AFTER_COMMIT, None)  # info outlives a pool checkout
                    with conn.begin():
                        result = fn(conn)
                    callbacks = conn.info.pop(AFTER_COMMIT, [])
                for callback in callbacks:
                    callback()
                return result
            except sa.exc.DBAPIError as exc:
                if not dialect.is_retryable(exc):
                    raise
                if attempt == MAX_ATTEMPTS:
                    raise DatabaseBusy() from exc
                log.info("retrying unit of work after %s (attempt %d)", exc.orig, attempt)
                time.sleep(0.01 * 2**attempt)
        raise AssertionError("unreachable")

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (a consistent snapshot on both engines)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def after_commit(conn: Connection, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current write transaction has committed."""
    conn.info.setdefault(AFTER_COMMIT, []).append(callback)
