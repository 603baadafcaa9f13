"""Helpers for fields whose values are ids of rows (users, related records)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.errors import FieldValueError

MAX_ID = 2**63 - 1


def parse_id(value: Any, code: str) -> int:
    if isinstance(value, bool):
        raise FieldValueError(code)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise FieldValueError(code)
    if not 0 < number <= MAX_ID:
        raise FieldValueError(code)
    return number


def flatten(values: Sequence[Any]) -> Iterable[tuple[int, int]]:
    """(position, id) for every id in values that are ids, lists of ids or None."""
    for pos, value in enumerate(values):
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            yield pos, item


def missing_ids(
    conn: Connection, id_col: sa.ColumnElement[Any], where: sa.ColumnElement[bool], ids: set[int]
) -> set[int]:
    found: set[int] = set()
    chunk = sorted(ids)
    for start in range(0, len(chunk), 500):
        part = chunk[start : start + 500]
        found.update(conn.execute(sa.select(id_col).where(id_col.in_(part), where)).scalars())
    return ids - found
