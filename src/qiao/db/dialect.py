"""Every difference between SQLite and PostgreSQL lives here.

Services and compilers call these helpers instead of checking ``dialect.name`` themselves.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles

from qiao.db import schema

# SQLSTATEs worth retrying the whole unit of work for on PostgreSQL.
_PG_RETRYABLE = {"40001", "40P01"}
_SQLITE_MAX_ROWID = 2**63 - 1
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")


def is_sqlite(conn_or_dialect: Connection | sa.engine.Dialect) -> bool:
    dialect = (
        conn_or_dialect.dialect if isinstance(conn_or_dialect, Connection) else conn_or_dialect
    )
    return dialect.name == "sqlite"


def is_retryable(exc: BaseException) -> bool:
    """Serialization failures and deadlocks (PostgreSQL) or a lock timeout (SQLite)."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_RETRYABLE:
        return True
    return "database is locked" in str(orig or exc)


def unique_violation_columns(exc: sa.exc.IntegrityError) -> list[str] | None:
    """Physical column names of the unique index a failed write violated, if it was one."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == "23505":
        name = getattr(getattr(orig, "diag", None), "constraint_name", None) or ""
        # form indexes are named ux_<table>_<column>
        match = re.match(r"^ux_qf_\d+_(c_\w+)$", name)
        return [match.group(1)] if match else []
    match = _SQLITE_UNIQUE.search(str(orig))
    if match:
        return [part.strip().split(".")[-1] for part in match.group(1).split(",")]
    return None


def next_counter_value(conn: Connection, field_id: int, period: str, step: int = 1) -> int:
    """Add ``step`` to a gap-free counter inside the caller's transaction and return the
    new value (the last of the ``step`` numbers reserved)."""
    table = schema.autonumber_counters
    insert: Any = (sqlite if is_sqlite(conn) else postgresql).insert(table)
    stmt = (
        insert.values(field_id=field_id, period=period, value=step)
        .on_conflict_do_update(
            index_elements=[table.c.field_id, table.c.period],
            set_={"value": table.c.value + step},
        )
        .returning(table.c.value)
    )
    return int(conn.execute(stmt).scalar_one())


def insert_ignore(conn: Connection, table: sa.Table, values: dict[str, Any]) -> None:
    """INSERT that does nothing when the primary key already exists."""
    insert: Any = (sqlite if is_sqlite(conn) else postgresql).insert(table)
    conn.execute(insert.values(**values).on_conflict_do_nothing())


def order_by(expr: sa.ColumnElement[Any], descending: bool, sqlite_: bool) -> Any:
    """NULLs sort as the smallest value on both engines (SQLite's native order).

    On SQLite the plain form is emitted so that its planner keeps using indexes. So it is
    for the primary key, which is never NULL: on PostgreSQL ``id DESC`` is its index
    walked backwards (and the ``id`` that ends every field index), whereas
    ``id DESC NULLS LAST`` matches no index and sorts every matching row.
    """
    if sqlite_ or getattr(expr, "primary_key", False):
        return expr.desc() if descending else expr.asc()
    return expr.desc().nulls_last() if descending else expr.asc().nulls_first()


def contains_text(col: sa.ColumnElement[Any], text: str, sqlite_: bool) -> sa.ColumnElement[bool]:
    """Case-insensitive "contains" (the quick search), LIKE wildcards in ``text`` escaped.

    SQLite's LIKE already ignores case for exactly the characters its ``lower()`` folds
    (ASCII), so the column is not wrapped in ``lower()``, which would cost a function
    call per row and column in what is usually a full scan. PostgreSQL: ILIKE.
    """
    if sqlite_:
        return col.contains(text, autoescape=True)
    return col.icontains(text, autoescape=True)


def reserve_ids(conn: Connection, table: sa.Table, count: int) -> list[int] | None:
    """Ascending ids for ``count`` new rows of ``table``, to be inserted by the caller in
    the same write transaction; ``None`` when the insert must ask for them (RETURNING).

    A bulk insert with its ids known runs as one plain ``executemany`` of one short
    statement. With RETURNING it cannot: SQLite then inserts row by row (SQLAlchemy
    cannot rely on the order of a multi-row RETURNING there) and psycopg parses
    multi-row statements with thousands of placeholders on every call.

    * PostgreSQL: the next values of the table's id sequence, in one round trip.
    * SQLite: the ids SQLite itself would assign — the largest rowid plus 1, 2, … —
      which nobody else can take while this write transaction (``BEGIN IMMEDIATE``)
      holds the database's write lock.
    """
    if is_sqlite(conn):
        if not conn.get_execution_options().get("qiao_write"):
            return None
        top = int(conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0)
        if top + count > _SQLITE_MAX_ROWID:  # SQLite would pick ids at random
            return None
        return list(range(top + 1, top + count + 1))
    sequence = sa.cast(sa.func.pg_get_serial_sequence(table.name, "id"), postgresql.REGCLASS)
    ids = conn.execute(
        sa.select(sa.func.nextval(sequence)).select_from(sa.func.generate_series(1, count))
    ).scalars()
    return sorted(int(i) for i in ids)


def index_column(conn: Connection, col: sa.Column[Any]) -> sa.ColumnElement[Any]:
    """The index expression that serves ``order_asc`` forwards and ``order_desc`` backwards."""
    if is_sqlite(conn):
        return col
    return col.asc().nulls_first()


def migration_lock(conn: Connection) -> None:
    """Serialise concurrent migrations of several app servers starting at once."""
    if not is_sqlite(conn):
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7311734)"))


class _JsonText(sa.sql.functions.FunctionElement[Any]):
    """``(col, key)``: one top-level member of a JSON object kept as text.

    SQLite: ``json_extract(col, '$.key')`` (numbers come back as numbers, strings as
    text). PostgreSQL: ``CAST(col AS JSONB) ->> 'key'``, cast to DOUBLE PRECISION for
    numbers. The key is a bound parameter (so it is part of the statement cache key);
    it comes from a field type's code, never from a user.
    """

    name = "qiao_json_text"
    inherit_cache = True
    type: Any = sa.Text()

    def __init__(self, col: sa.ColumnElement[Any], key: str) -> None:
        super().__init__(col, sa.literal(key, sa.Text()))


class _JsonNumber(_JsonText):
    name = "qiao_json_number"
    inherit_cache = True
    type: Any = sa.Float()


@compiles(_JsonText, "sqlite")
def _json_sqlite(element: _JsonText, compiler: Any, **kw: Any) -> str:
    col, key = list(element.clauses)
    return f"json_extract({compiler.process(col, **kw)}, '$.' || {compiler.process(key, **kw)})"


@compiles(_JsonText)
def _json_pg(element: _JsonText, compiler: Any, **kw: Any) -> str:
    col, key = list(element.clauses)
    text = f"(CAST({compiler.process(col, **kw)} AS JSONB) ->> {compiler.process(key, **kw)})"
    return f"CAST({text} AS DOUBLE PRECISION)" if isinstance(element, _JsonNumber) else text


def json_number(col: sa.ColumnElement[Any], key: str) -> sa.ColumnElement[float]:
    """The number at ``key`` of a JSON object stored as text (NULL when absent)."""
    return _JsonNumber(col, key)


def json_text(col: sa.ColumnElement[Any], key: str) -> sa.ColumnElement[str]:
    """The string at ``key`` of a JSON object stored as text (NULL when absent)."""
    return _JsonText(col, key)
