"""Sub-form rows: reading them for a page of records and writing them with the record.

Each sub-form field keeps its rows in its child table ``qs_<field id>`` (see
``qiao.forms.fields.subform``). Reads take one query per sub-form field for a whole page
(no query per record); writes run inside the record's transaction, so a record and its
rows are saved — or refused — together. Soft-deleting a record leaves its rows in place
(the recycle bin restores both); rows disappear with the record only when the record
table row itself is removed (ON DELETE CASCADE) or the field is purged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.forms.fields.base import Storage
from qiao.forms.fields.subform import child_fields
from qiao.forms.model import FieldMeta, FormMeta

CHUNK = 500
Rows = list[dict[str, Any]]


def subform_fields(form: FormMeta, fields: Sequence[FieldMeta] | None = None) -> list[FieldMeta]:
    return [
        fm for fm in (form.live_fields if fields is None else fields) if fm.storage is Storage.CHILD
    ]


def child_rows(
    conn: Connection, form: FormMeta, fields: Sequence[FieldMeta], ids: Sequence[int]
) -> dict[int, dict[int, Rows]]:
    """field id -> record id -> stored rows (``{"id", "c<n>": …}``) in position order,
    for the sub-form fields among ``fields``: one query per sub-form field."""
    result: dict[int, dict[int, Rows]] = {}
    if not ids:
        return result
    for fm in subform_fields(form, fields):
        table = form.children[fm.id]
        names = [c.column_name for c in child_fields(fm)]
        per_record: dict[int, Rows] = defaultdict(list)
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start : start + CHUNK])
            rows = conn.execute(
                sa.select(table.c.id, table.c.record_id, *(table.c[n] for n in names))
                .where(table.c.record_id.in_(chunk))
                .order_by(table.c.record_id, table.c.position, table.c.id)
            )
            for row in rows:
                mapping = row._mapping
                per_record[mapping["record_id"]].append(
                    {"id": mapping["id"], **{n: mapping[n] for n in names}}
                )
        result[fm.id] = per_record
    return result


def _insert_rows(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    result = conn.execute(
        sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    )
    return list(result.scalars())


def insert_rows(
    conn: Connection, form: FormMeta, ids: Sequence[int], items: Sequence[dict[int, Any]]
) -> None:
    """Rows of new records (given row ids were refused by validation). The prepared
    values are left as they are: a retried transaction must see the same input."""
    for fm in subform_fields(form):
        table = form.children[fm.id]
        pending = [
            _cells(row, record_id, position)
            for record_id, item in zip(ids, items, strict=True)
            for position, row in enumerate(item.get(fm.id) or [])
        ]
        _insert_rows(conn, table, pending)


def replace_rows(
    conn: Connection, form: FormMeta, ids: Sequence[int], prepared: dict[int, Any]
) -> None:
    """A bulk update sets the same rows on every record: old rows go, new ones come."""
    for fm in subform_fields(form):
        if fm.id not in prepared:
            continue
        table = form.children[fm.id]
        for start in range(0, len(ids), CHUNK):
            conn.execute(sa.delete(table).where(table.c.record_id.in_(ids[start : start + CHUNK])))
        rows = [
            _cells({**row, "id": None}, record_id, position)
            for record_id in ids
            for position, row in enumerate(prepared[fm.id] or [])
        ]
        _insert_rows(conn, table, rows)


def sync_rows(conn: Connection, form: FormMeta, record_id: int, prepared: dict[int, Any]) -> None:
    """One record's update: rows with an id are updated in place (their ids were checked
    to be this record's), rows without one inserted, rows left out deleted; positions
    follow the list."""
    for fm in subform_fields(form):
        if fm.id not in prepared:
            continue
        table = form.children[fm.id]
        rows = prepared[fm.id] or []
        keep = [row["id"] for row in rows if row.get("id") is not None]
        conn.execute(
            sa.delete(table).where(table.c.record_id == record_id, table.c.id.not_in(keep))
        )
        # bound names differ from column names (SQLAlchemy reserves those in SET)
        updates = [
            {
                "b_row": row["id"],
                **{f"b_{k}": v for k, v in _cells(row, record_id, position).items()},
            }
            for position, row in enumerate(rows)
            if row.get("id") is not None
        ]
        if updates:
            names = [k[2:] for k in updates[0] if k not in ("b_row", "b_record_id")]
            stmt = (
                sa.update(table)
                .where(table.c.id == sa.bindparam("b_row"))
                .values({n: sa.bindparam(f"b_{n}") for n in names})
            )
            conn.execute(stmt, updates)
        fresh = [
            _cells(row, record_id, position)
            for position, row in enumerate(rows)
            if row.get("id") is None
        ]
        _insert_rows(conn, table, fresh)


def _cells(row: dict[str, Any], record_id: int, position: int) -> dict[str, Any]:
    """The child table row: parent, position and the prepared cells (``c<n>``)."""
    cells = {k: v for k, v in row.items() if k != "id"}
    return {"record_id": record_id, "position": position, **cells}
