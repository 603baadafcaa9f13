"""The one write path for records: validate, generate, persist — in one transaction.

Every create, update, delete and restore (single or bulk) goes through here, so later
engines (audit, outbox events, formulas, permissions) hook in at one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.db import dialect
from qiao.errors import (
    BadRequest,
    Conflict,
    ErrorDetail,
    FieldValueError,
    NotFound,
    ValidationFailed,
)
from qiao.forms.fields.base import Storage
from qiao.forms.model import FormMeta
from qiao.org.permissions import require_user
from qiao.records import values as V
from qiao.records.reads import ListQuery, fetch_records, list_records, where_clauses
from qiao.runtime import Runtime

T = TypeVar("T")
CHUNK = 500


def _write(rt: Runtime, form: FormMeta, ctx: Ctx, fn: Callable[[Connection], T]) -> T:
    """Run a write; a unique index that a concurrent writer beat us to becomes a 422."""
    try:
        return rt.db.write(fn)
    except sa.exc.IntegrityError as exc:
        columns = dialect.unique_violation_columns(exc)
        if columns is None:
            raise
        details = [
            ErrorDetail(fm.key, "unique", {"label": fm.label, "value": ""})
            for fm in form.live_fields
            if fm.column_name in columns
        ]
        raise ValidationFailed(details=details) from exc


# ----- reads ---------------------------------------------------------------------------
def get_record(
    rt: Runtime, ctx: Ctx, form_id: int, record_id: int, *, trashed: bool = False
) -> dict[str, Any]:
    require_user(ctx)
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
        found = fetch_records(conn, form, [record_id], ctx, trashed=trashed)
    if record_id not in found:
        raise NotFound("record_not_found")
    return found[record_id]


def list_(rt: Runtime, ctx: Ctx, form_id: int, query: ListQuery) -> dict[str, Any]:
    require_user(ctx)
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
        return list_records(
            conn, form, query, ctx, rt.settings.resolved_secret_key, rt.db.is_sqlite
        )


# ----- create --------------------------------------------------------------------------
def _system_values(ctx: Ctx, owner: int | None) -> dict[str, Any]:
    now = ctx.now()
    return {
        "created_at": now,
        "updated_at": now,
        "created_by": ctx.user_id,
        "updated_by": ctx.user_id,
        "owner": owner if owner is not None else ctx.user_id,
        "version": 1,
    }


def _insert(
    conn: Connection, form: FormMeta, ctx: Ctx, items: list[V.Prepared], owners: list[int | None]
) -> list[int]:
    generated: dict[int, list[Any]] = {}
    for fm in form.live_fields:
        if fm.ftype.generates_values:
            generated[fm.id] = fm.ftype.generate_many(conn, fm, ctx, len(items))
    columns = [(fm.column_name, fm.id) for fm in form.live_fields if fm.storage is Storage.COLUMN]
    rows = []
    for index, item in enumerate(items):
        row = _system_values(ctx, owners[index])
        for column, field_id in columns:
            values = generated.get(field_id)
            row[column] = item.get(field_id) if values is None else values[index]
        rows.append(row)
    table = form.table
    reserved = dialect.reserve_ids(conn, table, len(rows)) if len(rows) > 1 else None
    if reserved is not None:
        for row, record_id in zip(rows, reserved, strict=True):
            row["id"] = record_id
        conn.execute(sa.insert(table), rows)
        ids = reserved
    elif len(rows) == 1:
        ids = [conn.execute(sa.insert(table).values(rows[0]).returning(table.c.id)).scalar_one()]
    else:
        result = conn.execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        )
        ids = list(result.scalars())
    _write_junctions(conn, form, ids, items, replace=False)
    return ids


def _write_junctions(
    conn: Connection, form: FormMeta, ids: list[int], items: list[V.Prepared], *, replace: bool
) -> None:
    for fm in form.live_fields:
        if fm.storage is not Storage.JUNCTION:
            continue
        j = form.junctions[fm.id]
        touched = [
            (rid, item[fm.id]) for rid, item in zip(ids, items, strict=True) if fm.id in item
        ]
        if not touched:
            continue
        if replace:
            touched_ids = [rid for rid, _ in touched]
            for start in range(0, len(touched_ids), CHUNK):
                conn.execute(
                    sa.delete(j).where(j.c.record_id.in_(touched_ids[start : start + CHUNK]))
                )
        rows = [
            {"record_id": rid, "value": value, "position": pos}
            for rid, values in touched
            for pos, value in enumerate(values or [])
        ]
        if rows:
            conn.execute(sa.insert(j), rows)


def _check_owner(conn: Connection, form: FormMeta, owner: Any, prefix: str) -> list[ErrorDetail]:
    fm = form.system_fields["owner"]
    try:
        value = fm.ftype.to_storage(fm, owner, Ctx(user=None))
    except FieldValueError as exc:
        return [V.detail(fm, exc, prefix)]
    errors = fm.ftype.check_stored(conn, fm, [value])
    return [V.detail(fm, exc, prefix) for exc in errors.values()]


def _refuse(
    rt: Runtime,
    form: FormMeta,
    ctx: Ctx,
    errors: list[ErrorDetail],
    items: list[V.Prepared],
    prefixes: list[str],
) -> None:
    """Refuse a create, reporting the database checks (unique values, linked records) of
    the values that were valid too, so the user sees every problem at once."""
    with rt.db.read() as conn:
        errors = errors + V.check_in_database(conn, form, ctx, items, prefixes)
    raise ValidationFailed(details=errors)


def create_record(
    rt: Runtime, ctx: Ctx, form_id: int, data: Any, owner: int | None = None
) -> dict[str, Any]:
    require_user(ctx)
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
    prepared, errors = V.prepare(form, data, ctx, partial=False)
    if errors:
        _refuse(rt, form, ctx, errors, [prepared], [""])

    def create(conn: Connection) -> dict[str, Any]:
        problems = V.check_in_database(conn, form, ctx, [prepared], [""])
        if owner is not None:
            problems += _check_owner(conn, form, owner, "")
        if problems:
            raise ValidationFailed(details=problems)
        record_id = _insert(conn, form, ctx, [prepared], [owner])[0]
        return fetch_records(conn, form, [record_id], ctx)[record_id]

    return _write(rt, form, ctx, create)


def bulk_create(rt: Runtime, ctx: Ctx, form_id: int, items: list[Any]) -> dict[str, Any]:
    """All or nothing: any invalid item refuses the whole batch, naming ``items[i].key``."""
    require_user(ctx)
    if not items:
        raise BadRequest("bulk_empty")
    if len(items) > rt.settings.bulk_max_items:
        raise BadRequest("bulk_too_many", max=rt.settings.bulk_max_items)
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
    prepared: list[V.Prepared] = []
    owners: list[int | None] = []
    errors: list[ErrorDetail] = []
    prefixes = [f"items[{i}]." for i in range(len(items))]
    for index, item in enumerate(items):
        data = item.get("data") if isinstance(item, dict) else None
        one, problems = V.prepare(form, data, ctx, partial=False, prefix=prefixes[index])
        prepared.append(one)
        owners.append(item.get("owner") if isinstance(item, dict) else None)
        errors.extend(problems)
    if errors:
        _refuse(rt, form, ctx, errors, prepared, prefixes)

    def create(conn: Connection) -> dict[str, Any]:
        problems = V.check_in_database(conn, form, ctx, prepared, prefixes)
        for index, owner in enumerate(owners):
            if owner is not None:
                problems += _check_owner(conn, form, owner, prefixes[index])
        if problems:
            raise ValidationFailed(details=problems)
        ids = _insert(conn, form, ctx, prepared, owners)
        return {"count": len(ids), "ids": ids}

    return _write(rt, form, ctx, create)


# ----- update --------------------------------------------------------------------------
def _apply_update(
    conn: Connection,
    form: FormMeta,
    ctx: Ctx,
    ids: list[int],
    prepared: V.Prepared,
    expected_version: int | None = None,
) -> int:
    table = form.table
    values: dict[str, Any] = {
        "updated_at": ctx.now(),
        "updated_by": ctx.user_id,
        "version": table.c.version + 1,
    }
    for fm in form.live_fields:
        if fm.id in prepared and fm.storage is Storage.COLUMN:
            values[fm.column_name] = prepared[fm.id]
    count = 0
    for start in range(0, len(ids), CHUNK):
        stmt = sa.update(table).where(
            table.c.id.in_(ids[start : start + CHUNK]), table.c.deleted_at.is_(None)
        )
        if expected_version is not None:
            stmt = stmt.where(table.c.version == expected_version)
        count += conn.execute(stmt.values(values)).rowcount
    _write_junctions(conn, form, ids, [prepared] * len(ids), replace=True)
    return count


def update_record(
    rt: Runtime, ctx: Ctx, form_id: int, record_id: int, data: Any, version: int | None
) -> dict[str, Any]:
    require_user(ctx)
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
    if version is None:
        raise ValidationFailed(details=[ErrorDetail("version", "version_required")])
    prepared, errors = V.prepare(form, data, ctx, partial=True)

    def update(conn: Connection) -> dict[str, Any]:
        table = form.table
        current = conn.execute(
            sa.select(table.c.version).where(table.c.id == record_id, table.c.deleted_at.is_(None))
        ).scalar()
        if current is None:
            raise NotFound("record_not_found")
        if current != version:
            raise Conflict("version_conflict", current=current)
        if errors:
            raise ValidationFailed(details=errors)
        problems = V.check_in_database(conn, form, ctx, [prepared], [""], [record_id])
        if problems:
            raise ValidationFailed(details=problems)
        if _apply_update(conn, form, ctx, [record_id], prepared, version) == 0:
            raise Conflict("version_conflict", current=current)
        return fetch_records(conn, form, [record_id], ctx)[record_id]

    return _write(rt, form, ctx, update)


def _target_ids(
    conn: Connection,
    form: FormMeta,
    ctx: Ctx,
    ids: list[int] | None,
    filter_: Any,
    limit: int,
    *,
    trashed: bool = False,
) -> list[int]:
    """The records a bulk operation acts on: given ids (all must exist) or a filter."""
    table = form.table
    if ids is not None:
        if not ids:
            raise BadRequest("bulk_empty")
        if len(ids) > limit:
            raise BadRequest("bulk_too_many", max=limit)
        wanted = list(dict.fromkeys(ids))
        state = table.c.deleted_at.is_not(None) if trashed else table.c.deleted_at.is_(None)
        found: set[int] = set()
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            found.update(
                conn.execute(sa.select(table.c.id).where(table.c.id.in_(chunk), state)).scalars()
            )
        missing = [i for i in wanted if i not in found]
        if missing:
            raise NotFound(
                "record_not_found",
                details=[ErrorDetail("ids", "record_not_found", {"id": i}) for i in missing[:50]],
            )
        return wanted
    if filter_ is None:
        raise BadRequest("bulk_target_required")
    query = ListQuery(filter=filter_, trashed=trashed)
    clauses = where_clauses(form, query, ctx, dialect.is_sqlite(conn))
    return list(conn.execute(sa.select(table.c.id).where(*clauses).order_by(table.c.id)).scalars())


def bulk_update(
    rt: Runtime, ctx: Ctx, form_id: int, ids: list[int] | None, filter_: Any, data: Any
) -> dict[str, Any]:
    require_user(ctx)
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
    prepared, errors = V.prepare(form, data, ctx, partial=True)
    if errors:
        raise ValidationFailed(details=errors)

    def update(conn: Connection) -> dict[str, Any]:
        targets = _target_ids(conn, form, ctx, ids, filter_, rt.settings.bulk_max_items)
        if len(targets) > 1:
            for fm in form.live_fields:
                if fm.unique and fm.id in prepared and prepared[fm.id] is not None:
                    raise ValidationFailed(
                        details=[ErrorDetail(fm.key, "bulk_unique_field", {"label": fm.label})]
                    )
        problems = V.check_in_database(
            conn, form, ctx, [prepared] * len(targets[:1]), [""], targets[:1]
        )
        if problems:
            raise ValidationFailed(details=problems)
        return {"count": _apply_update(conn, form, ctx, targets, prepared) if targets else 0}

    return _write(rt, form, ctx, update)


# ----- delete and restore --------------------------------------------------------------
def _unlink_or_refuse(
    rt: Runtime, conn: Connection, form: FormMeta, ids: list[int], ctx: Ctx
) -> None:
    """Apply each linking field's ``on_delete`` to the records about to be deleted."""
    for source, fm in rt.schema.get(conn).linking_to(form.id):
        junction = source.junctions.get(fm.id)
        for start in range(0, len(ids), CHUNK):
            if not fm.ftype.on_target_delete(
                conn, fm, source.table, junction, ids[start : start + CHUNK], ctx
            ):
                raise Conflict("record_referenced", form=source.name, field=fm.label)


def _set_deleted(conn: Connection, form: FormMeta, ctx: Ctx, ids: list[int], deleted: bool) -> int:
    table = form.table
    count = 0
    for start in range(0, len(ids), CHUNK):
        count += conn.execute(
            sa.update(table)
            .where(table.c.id.in_(ids[start : start + CHUNK]))
            .values(
                deleted_at=ctx.now() if deleted else None,
                updated_at=ctx.now(),
                updated_by=ctx.user_id,
                version=table.c.version + 1,
            )
        ).rowcount
    return count


def delete_records(
    rt: Runtime, ctx: Ctx, form_id: int, ids: list[int] | None, filter_: Any = None
) -> dict[str, Any]:
    """Move records to the recycle bin (by ids, all of which must exist, or a filter)."""
    require_user(ctx)
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)

    def delete(conn: Connection) -> dict[str, Any]:
        targets = _target_ids(conn, form, ctx, ids, filter_, rt.settings.bulk_max_items)
        if not targets:
            return {"count": 0}
        _unlink_or_refuse(rt, conn, form, targets, ctx)
        return {"count": _set_deleted(conn, form, ctx, targets, True)}

    return _write(rt, form, ctx, delete)


def restore_record(rt: Runtime, ctx: Ctx, form_id: int, record_id: int) -> dict[str, Any]:
    require_user(ctx)
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)

    def restore(conn: Connection) -> dict[str, Any]:
        found = fetch_records(conn, form, [record_id], ctx, trashed=True)
        if record_id not in found:
            if fetch_records(conn, form, [record_id], ctx, trashed=False):
                raise Conflict("record_not_deleted")
            raise NotFound("record_not_found")
        table = form.table
        row = conn.execute(sa.select(table).where(table.c.id == record_id)).one()._mapping
        prepared = {
            fm.id: row[fm.column_name]
            for fm in form.live_fields
            if fm.unique and fm.storage is Storage.COLUMN
        }
        problems = V.check_in_database(conn, form, ctx, [prepared], [""], [record_id])
        if problems:
            raise ValidationFailed(details=problems)
        _set_deleted(conn, form, ctx, [record_id], False)
        return fetch_records(conn, form, [record_id], ctx)[record_id]

    return _write(rt, form, ctx, restore)
