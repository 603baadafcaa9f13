"""Inserting many rows of one table at once: the bulk writes of imports and audit entries.

Why not just ``conn.execute(sa.insert(table), rows)``: on SQLite that is an
``executemany`` in which SQLAlchemy builds a parameter dict per row and runs each
value's bind processor through generic per-row machinery — for an import of 100,000
records (a record row, junction rows, an audit entry and an import row each) that was a
fifth of the job. Here the statement is compiled once per column set, each column's
processor is applied to its column in one pass, and the driver gets plain tuples.

PostgreSQL keeps SQLAlchemy's path: its "insertmanyvalues" batches rows into multi-row
``VALUES`` statements, which beats the driver's own ``executemany`` there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

Processor = Callable[[Any], Any] | None


def insert_many(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the caller's
    transaction; values go through the columns' types exactly as with ``sa.insert``."""
    if not rows:
        return
    dialect = conn.dialect
    names = tuple(rows[0])
    compiled = _statement(dialect, table, names) if dialect.name == "sqlite" else None
    if compiled is None:
        conn.execute(_insert(table), list(rows))
        return
    sql, processors = compiled
    columns: list[list[Any]] = []
    for name, process in zip(names, processors, strict=True):
        values = [row[name] for row in rows]
        if process is not None:
            first = values[0]
            if all(v is first for v in values):  # created_at, user ids: one value
                values = [process(first)] * len(values)
            else:  # None too: a JSON column stores it as JSON null
                values = [process(v) for v in values]
        columns.append(values)
    conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))


@functools.lru_cache(maxsize=512)
def _insert(table: sa.Table) -> sa.Insert:
    """Built once per table: building the expression was most of a one-row insert."""
    return sa.insert(table)


@functools.lru_cache(maxsize=512)
def _statement(
    dialect: Dialect, table: sa.Table, names: tuple[str, ...]
) -> tuple[str, list[Processor]] | None:
    """The INSERT and each column's bind processor; None when a column left out has a
    Python-side default, which only SQLAlchemy's own insert applies."""
    if any(c.default is not None for c in table.columns if c.name not in names):
        return None
    quote = dialect.identifier_preparer.quote
    marks = ", ".join(["?"] * len(names))
    sql = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(n) for n in names)}) VALUES ({marks})"
    )
    processors: list[Processor] = []
    for name in names:
        column_type = table.c[name].type
        processors.append(column_type.dialect_impl(dialect).bind_processor(dialect))
    return sql, processors
