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


# ----- links from rows to records of other forms ---------------------------------------
#: (target form id, record id) -> where it is asked for: (item index, path, cell label)
Wanted = dict[tuple[int, int], list[tuple[int, str, str]]]


def _relation_columns(fm: FieldMeta) -> list[tuple[FieldMeta, int]]:
    found = []
    for child in child_fields(fm):
        target = child.ftype.referenced_form(child)
        if target is not None:
            found.append((child, target))
    return found


def known_links(form: FormMeta, record: dict[str, Any]) -> set[tuple[int, str, int]]:
    """(sub-form field id, column key, record id) of the links a record's rows have:
    they may stay even if the writer can no longer see the linked record."""
    found: set[tuple[int, str, int]] = set()
    for fm in subform_fields(form):
        columns = _relation_columns(fm)
        for row in record["data"].get(fm.key) or []:
            for child, _ in columns:
                if row.get(child.key) is not None:
                    found.add((fm.id, child.key, row[child.key]))
    return found


def wanted_links(
    form: FormMeta,
    items: Sequence[dict[int, Any]],
    prefixes: Sequence[str],
    known: Sequence[set[tuple[int, str, int]]] | None = None,
) -> Wanted:
    """The records the rows of ``items`` newly link to, by target form: the write path
    checks the writer may see them, as it does for a relation field of the form."""
    wanted: Wanted = {}
    for fm in subform_fields(form):
        columns = _relation_columns(fm)
        if not columns:
            continue
        for index, item in enumerate(items):
            old = known[index] if known else set()
            for position, row in enumerate(item.get(fm.id) or []):
                for child, target in columns:
                    rid = row.get(child.column_name)
                    if rid is None or (fm.id, child.key, rid) in old:
                        continue
                    path = f"{prefixes[index]}{fm.key}[{position}].{child.key}"
                    label = f"{fm.label} #{position + 1} {child.label}"
                    wanted.setdefault((target, rid), []).append((index, path, label))
    return wanted


def unlink_rows(
    conn: Connection, forms: Sequence[FormMeta], target_id: int, ids: Sequence[int], ctx: Any
) -> tuple[FormMeta, str] | None:
    """Records of ``target_id`` are being deleted: each sub-form column linking to them
    applies its relation's ``on_delete``. ``restrict`` refuses while a row of a live
    record links to one — returns (form, column label) to name in the refusal;
    ``nullify`` empties those cells (the parent records get a new version)."""
    for form in forms:
        for fm in subform_fields(form):
            table = form.children[fm.id]
            parent = form.table
            for child, target in _relation_columns(fm):
                if target != target_id:
                    continue
                cell = table.c[child.column_name]
                rows = sa.select(table.c.record_id).where(cell.in_(list(ids)))
                if getattr(child.settings, "on_delete", "restrict") == "restrict":
                    live = sa.exists().where(parent.c.id.in_(rows), parent.c.deleted_at.is_(None))
                    if conn.execute(sa.select(live)).scalar():
                        return form, f"{fm.label} · {child.label}"
                    continue
                conn.execute(
                    sa.update(parent)
                    .where(parent.c.id.in_(rows))
                    .values(
                        version=parent.c.version + 1,
                        updated_at=ctx.now(),
                        updated_by=ctx.user_id,
                    )
                )
                conn.execute(sa.update(table).where(cell.in_(list(ids))).values({cell: None}))
    return None
