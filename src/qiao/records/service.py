"""The one write path for records: check permissions, validate, generate, persist and
audit — in one transaction.

Every create, update, delete, restore and owner transfer (single or bulk) goes through
here, and every read of records asks the permission layer (``qiao.org.access``) for the
user's data scope and field rules first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.db import dialect
from qiao.db.bulk import insert_many
from qiao.errors import (
    BadRequest,
    Conflict,
    ErrorDetail,
    FieldValueError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from qiao.forms.fields.base import Storage
from qiao.forms.model import FormMeta
from qiao.org.access import FormAccess, form_access, require_record
from qiao.org.permissions import require_user
from qiao.records import audit as A
from qiao.records import children, compute
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
def _access(rt: Runtime, conn: Connection, ctx: Ctx, form_id: int) -> FormAccess:
    require_user(ctx)
    return form_access(conn, ctx, rt.form(conn, form_id))


def _read_back(
    conn: Connection, access: FormAccess, ids: list[int], ctx: Ctx, *, trashed: bool = False
) -> dict[int, dict[str, Any]]:
    """Records as this user may see them (hidden fields left out, masked ones masked)."""
    found = fetch_records(conn, access.visible_form(), ids, ctx, trashed=trashed)
    return {rid: access.shape(record) for rid, record in found.items()}


def get_record(
    rt: Runtime, ctx: Ctx, form_id: int, record_id: int, *, trashed: bool = False
) -> dict[str, Any]:
    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
        op = "delete" if trashed else "view"
        scope = access.scope_clauses(op)
        if op not in access.ops:
            scope = [sa.false()]
        found = fetch_records(
            conn, access.visible_form(), [record_id], ctx, trashed=trashed, scope=scope
        )
    if record_id not in found:
        raise NotFound("record_not_found")
    return access.shape(found[record_id])


def list_(rt: Runtime, ctx: Ctx, form_id: int, query: ListQuery) -> dict[str, Any]:
    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
        # the recycle bin shows what the user may restore
        op = "delete" if query.trashed else "view"
        access.require(op)
        access.check_filter(query.filter)
        access.check_sort(query.sort)
        if not access.full:
            query = dataclasses.replace(query, search_skip=frozenset(access.masked_keys()))
        return list_records(
            conn,
            access.visible_form(),
            query,
            ctx,
            rt.settings.resolved_secret_key,
            rt.db.is_sqlite,
            scope=access.scope_clauses(op),
            shape=None if access.full else access.shape,
        )


# ----- create --------------------------------------------------------------------------
def _system_values(ctx: Ctx, owner: int | None, now: datetime) -> dict[str, Any]:
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
    now = ctx.now()  # one moment for the records written together
    rows = []
    for index, item in enumerate(items):
        row = _system_values(ctx, owners[index], now)
        for column, field_id in columns:
            values = generated.get(field_id)
            row[column] = item.get(field_id) if values is None else values[index]
        rows.append(row)
    table = form.table
    reserved = dialect.reserve_ids(conn, table, len(rows)) if len(rows) > 1 else None
    if reserved is not None:
        for row, record_id in zip(rows, reserved, strict=True):
            row["id"] = record_id
        insert_many(conn, table, rows)
        ids = reserved
    elif len(rows) == 1:
        ids = [conn.execute(sa.insert(table).values(rows[0]).returning(table.c.id)).scalar_one()]
    else:
        result = conn.execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        )
        ids = list(result.scalars())
    _write_junctions(conn, form, ids, items, replace=False)
    children.insert_rows(conn, form, ids, items)
    V.after_write(conn, form, ctx, ids, items)
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
            insert_many(conn, j, rows)


def _check_owner(conn: Connection, form: FormMeta, owner: Any, prefix: str) -> list[ErrorDetail]:
    fm = form.system_fields["owner"]
    try:
        value = fm.ftype.to_storage(fm, owner, Ctx(user=None))
    except FieldValueError as exc:
        return [V.detail(fm, exc, prefix)]
    errors = fm.ftype.check_stored(conn, fm, [value])
    return [V.detail(fm, exc, prefix) for exc in errors.values()]


def _input_errors(access: FormAccess, data: Any, prefix: str = "") -> list[ErrorDetail]:
    """Hidden fields do not exist for the user; read-only ones cannot be written."""
    if not isinstance(data, dict):
        return []
    if access.full:
        return []
    hidden_ids = access.hidden_ids()
    hidden = {fm.key for fm in access.form.live_fields if fm.id in hidden_ids}
    errors = [
        ErrorDetail(f"{prefix}{key}", "unknown_field", {"key": key, "label": key})
        for key in data
        if key in hidden
    ]
    return errors + access.writable_errors((k for k in data if k not in hidden), prefix)


def _visible_ids(
    rt: Runtime, conn: Connection, ctx: Ctx, target_id: int, ids: list[int]
) -> set[int]:
    """Which of ``ids`` are live records of ``target_id`` the user may view."""
    try:
        target = form_access(conn, ctx, rt.form(conn, target_id))
        scope = target.scope_clauses("view") if target.can("view") else [sa.false()]
    except (NotFound, Forbidden):
        scope = [sa.false()]
    table = rt.form(conn, target_id).table
    visible: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        visible.update(
            conn.execute(
                sa.select(table.c.id).where(
                    table.c.id.in_(ids[start : start + CHUNK]),
                    table.c.deleted_at.is_(None),
                    *scope,
                )
            ).scalars()
        )
    return visible


def _relation_scope_errors(
    rt: Runtime,
    conn: Connection,
    ctx: Ctx,
    form: FormMeta,
    items: list[V.Prepared],
    prefixes: list[str],
    known: list[dict[int, set[int]]] | None = None,
    row_known: list[set[tuple[int, str, int]]] | None = None,
) -> list[ErrorDetail]:
    """A link may only point at a record the user can see in the linked form (picking
    by a guessed id is refused like a missing record), in a field or a sub-form cell.
    ``known``/``row_known`` hold the links each record already has, which stay even if
    they are out of the user's scope."""
    errors: list[ErrorDetail] = []
    for fm in form.live_fields:
        target_id = fm.ftype.referenced_form(fm)
        if target_id is None or not any(fm.id in item for item in items):
            continue
        wanted: dict[int, list[int]] = {}
        for index, item in enumerate(items):
            value = item.get(fm.id)
            ids = value if isinstance(value, list) else [] if value is None else [value]
            old = known[index].get(fm.id, set()) if known else set()
            for rid in ids:
                if rid not in old:
                    wanted.setdefault(rid, []).append(index)
        if not wanted:
            continue
        visible = _visible_ids(rt, conn, ctx, target_id, list(wanted))
        for rid, indexes in wanted.items():
            if rid in visible:
                continue
            for index in indexes:
                errors.append(
                    ErrorDetail(
                        f"{prefixes[index]}{fm.key}",
                        "related_record_not_found",
                        {"label": fm.label, "value": rid},
                    )
                )
    cells = children.wanted_links(form, items, prefixes, row_known)
    by_target: dict[int, list[int]] = {}
    for target_id, rid in cells:
        by_target.setdefault(target_id, []).append(rid)
    for target_id, rids in by_target.items():
        visible = _visible_ids(rt, conn, ctx, target_id, rids)
        for rid in rids:
            if rid not in visible:
                errors += [
                    ErrorDetail(path, "related_record_not_found", {"label": label, "value": rid})
                    for _, path, label in cells[(target_id, rid)]
                ]
    return errors


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
    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
    access.require("create")
    form = access.form
    refused = _input_errors(access, data)
    prepared, errors = V.prepare(form, data, ctx, partial=False)
    if refused or errors:
        _refuse(rt, form, ctx, refused + errors, [prepared], [""])

    def create(conn: Connection) -> dict[str, Any]:
        problems = compute.on_create(conn, rt, form, ctx, [prepared], [data], [""])
        problems += V.check_in_database(conn, form, ctx, [prepared], [""])
        problems += _relation_scope_errors(rt, conn, ctx, form, [prepared], [""])
        if owner is not None:
            problems += _check_owner(conn, form, owner, "")
        if problems:
            raise ValidationFailed(details=problems)
        record_id = _insert(conn, form, ctx, [prepared], [owner])[0]
        compute.after_insert(conn, rt, form, ctx, [record_id])
        A.created(conn, ctx, form, [record_id], [prepared], [owner])
        return _read_back(conn, access, [record_id], ctx)[record_id]

    return _write(rt, form, ctx, create)


def prepare_items(
    access: FormAccess, ctx: Ctx, datas: list[Any], prefixes: list[str]
) -> tuple[list[V.Prepared], list[ErrorDetail]]:
    """Coerce and check new records' input (no database): ``prefixes[i]`` names item i
    in the errors (``items[3].`` for the API, ``rows[17].`` for an import)."""
    prepared: list[V.Prepared] = []
    errors: list[ErrorDetail] = []
    for data, prefix in zip(datas, prefixes, strict=True):
        errors.extend(_input_errors(access, data, prefix))
        one, problems = V.prepare(access.form, data, ctx, partial=False, prefix=prefix)
        prepared.append(one)
        errors.extend(problems)
    return prepared, errors


def create_in(
    conn: Connection,
    rt: Runtime,
    access: FormAccess,
    ctx: Ctx,
    prepared: list[V.Prepared],
    datas: list[Any],
    owners: list[int | None],
    prefixes: list[str],
) -> list[int]:
    """The database half of creating records, inside the caller's transaction: computed
    values, database checks (unique, links, owners), insert, dependants, audit. Raises
    ValidationFailed naming ``{prefix}{key}``; the caller's transaction then rolls back
    (an import runs it in a savepoint to drop the bad rows and go on)."""
    form = access.form
    problems = compute.on_create(conn, rt, form, ctx, prepared, datas, prefixes)
    problems += V.check_in_database(conn, form, ctx, prepared, prefixes)
    problems += _relation_scope_errors(rt, conn, ctx, form, prepared, prefixes)
    for index, owner in enumerate(owners):
        if owner is not None:
            problems += _check_owner(conn, form, owner, prefixes[index])
    if problems:
        raise ValidationFailed(details=problems)
    ids = _insert(conn, form, ctx, prepared, owners)
    compute.after_insert(conn, rt, form, ctx, ids)
    A.created(conn, ctx, form, ids, prepared, owners)
    return ids


def bulk_create(
    rt: Runtime, ctx: Ctx, form_id: int, items: list[Any], *, operation: str = "create"
) -> dict[str, Any]:
    """All or nothing: any invalid item refuses the whole batch, naming ``items[i].key``.
    ``operation`` is "import" when the records come from an import."""
    require_user(ctx)
    if not items:
        raise BadRequest("bulk_empty")
    if len(items) > rt.settings.bulk_max_items:
        raise BadRequest("bulk_too_many", max=rt.settings.bulk_max_items)
    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
    access.require(operation)
    form = access.form
    prefixes = [f"items[{i}]." for i in range(len(items))]
    datas = [item.get("data") if isinstance(item, dict) else None for item in items]
    owners = [item.get("owner") if isinstance(item, dict) else None for item in items]
    prepared, errors = prepare_items(access, ctx, datas, prefixes)
    if errors:
        _refuse(rt, form, ctx, errors, prepared, prefixes)

    def create(conn: Connection) -> dict[str, Any]:
        ids = create_in(conn, rt, access, ctx, prepared, datas, owners, prefixes)
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
    if expected_version is not None and len(ids) == 1:
        children.sync_rows(conn, form, ids[0], prepared)
    else:
        children.replace_rows(conn, form, ids, prepared)
    V.after_write(conn, form, ctx, ids, [prepared] * len(ids))
    return count


def _links(form: FormMeta, record: dict[str, Any]) -> dict[int, set[int]]:
    """The record's current links per relation field (kept even if out of scope)."""
    result: dict[int, set[int]] = {}
    for fm in form.live_fields:
        if fm.ftype.referenced_form(fm) is None:
            continue
        value = record["data"].get(fm.key)
        result[fm.id] = set(value if isinstance(value, list) else [] if value is None else [value])
    return result


def _as_seen(access: FormAccess, record: dict[str, Any]) -> dict[str, Any]:
    """A record read in full, as this user may see it (what ``_read_back`` would read)."""
    if access.full:
        return record
    visible = access.visible_form().by_key
    data = {key: value for key, value in record["data"].items() if key in visible}
    return access.shape({**record, "data": data})


def _update_one(
    conn: Connection,
    rt: Runtime,
    access: FormAccess,
    ctx: Ctx,
    record_id: int,
    prepared: V.Prepared,
    errors: list[ErrorDetail],
    version: int | None,
    prefix: str = "",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The body of a one-record update inside the caller's transaction: scope, version
    (the caller's, or the one read here), checks, computed values, audit. Returns the
    record before and after, read in full."""
    form = access.form
    require_record(conn, access, record_id, "edit")
    table = form.table
    current = conn.execute(
        sa.select(table.c.version).where(table.c.id == record_id, table.c.deleted_at.is_(None))
    ).scalar()
    if current is None:
        raise NotFound("record_not_found")
    if version is not None and current != version:
        raise Conflict("version_conflict", current=current)
    if errors:
        raise ValidationFailed(details=errors)
    before = fetch_records(conn, form, [record_id], ctx)
    problems = V.check_in_database(conn, form, ctx, [prepared], [prefix], [record_id])
    problems += _relation_scope_errors(
        rt,
        conn,
        ctx,
        form,
        [prepared],
        [prefix],
        [_links(form, before[record_id])],
        [children.known_links(form, before[record_id])],
    )
    if problems:
        raise ValidationFailed(details=problems)
    links = compute.before_update(conn, rt, form, [record_id])
    if _apply_update(conn, form, ctx, [record_id], prepared, current) == 0:
        raise Conflict("version_conflict", current=current)
    compute.after_update(conn, rt, form, ctx, [record_id], links, prepared)
    after = fetch_records(conn, form, [record_id], ctx)
    A.updated(conn, ctx, form, before, after)
    return before[record_id], after[record_id]


def update_record(
    rt: Runtime, ctx: Ctx, form_id: int, record_id: int, data: Any, version: int | None
) -> dict[str, Any]:
    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
    form = access.form
    if version is None:
        raise ValidationFailed(details=[ErrorDetail("version", "version_required")])
    refused = _input_errors(access, data)
    prepared, errors = V.prepare(form, data, ctx, partial=True)

    def update(conn: Connection) -> dict[str, Any]:
        _, after = _update_one(
            conn, rt, access, ctx, record_id, prepared, refused + errors, version
        )
        return _as_seen(access, after)

    return _write(rt, form, ctx, update)


def update_in(
    conn: Connection,
    rt: Runtime,
    access: FormAccess,
    ctx: Ctx,
    record_id: int,
    data: dict[str, Any],
    prefix: str = "",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Change the given fields of one record inside the caller's transaction (an import
    that updates existing records, a merge): ``update_record`` without the caller's
    version. Returns the record before and after, read in full (API values), so that
    the caller can keep what undo needs."""
    refused = _input_errors(access, data, prefix)
    prepared, errors = V.prepare(access.form, data, ctx, partial=True, prefix=prefix)
    return _update_one(conn, rt, access, ctx, record_id, prepared, refused + errors, None, prefix)


def _target_ids(
    conn: Connection,
    access: FormAccess,
    ctx: Ctx,
    op: str,
    ids: list[int] | None,
    filter_: Any,
    limit: int,
    *,
    trashed: bool = False,
) -> list[int]:
    """The records a bulk operation acts on: given ids or a filter, within the user's
    scope for ``op``. Given ids must all be visible (else 404 naming the missing, so
    that existence does not leak) and all be open to ``op`` (else 403): a batch that
    mixes allowed and forbidden records is refused whole."""
    access.require(op)
    form = access.form
    table = form.table
    if ids is not None:
        if not ids:
            raise BadRequest("bulk_empty")
        if len(ids) > limit:
            raise BadRequest("bulk_too_many", max=limit)
        wanted = list(dict.fromkeys(ids))
        state = table.c.deleted_at.is_not(None) if trashed else table.c.deleted_at.is_(None)
        see = "delete" if trashed else "view"
        visible = _existing(conn, table, wanted, [state, *access.scope_clauses(see)])
        missing = [i for i in wanted if i not in visible]
        if missing:
            raise NotFound(
                "record_not_found",
                details=[ErrorDetail("ids", "record_not_found", {"id": i}) for i in missing[:50]],
            )
        allowed = _existing(conn, table, wanted, [state, *access.scope_clauses(op)])
        forbidden = [i for i in wanted if i not in allowed]
        if forbidden:
            raise Forbidden(
                "record_forbidden",
                op=op,
                details=[
                    ErrorDetail("ids", "record_forbidden", {"id": i, "op": op})
                    for i in forbidden[:50]
                ],
            )
        return wanted
    if filter_ is None:
        raise BadRequest("bulk_target_required")
    access.check_filter(filter_)
    query = ListQuery(filter=filter_, trashed=trashed)
    clauses = where_clauses(
        access.visible_form(), query, ctx, dialect.is_sqlite(conn), access.scope_clauses(op)
    )
    rows = conn.execute(sa.select(table.c.id).where(*clauses).order_by(table.c.id).limit(limit + 1))
    found = list(rows.scalars())
    if len(found) > limit:
        raise BadRequest("bulk_too_many", max=limit)
    return found


def _existing(
    conn: Connection, table: sa.Table, ids: list[int], where: list[sa.ColumnElement[bool]]
) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found.update(
            conn.execute(sa.select(table.c.id).where(table.c.id.in_(chunk), *where)).scalars()
        )
    return found


def bulk_update(
    rt: Runtime, ctx: Ctx, form_id: int, ids: list[int] | None, filter_: Any, data: Any
) -> dict[str, Any]:
    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
    form = access.form
    refused = _input_errors(access, data)
    prepared, errors = V.prepare(form, data, ctx, partial=True)
    if refused or errors:
        raise ValidationFailed(details=refused + errors)

    def update(conn: Connection) -> dict[str, Any]:
        targets = _target_ids(conn, access, ctx, "edit", ids, filter_, rt.settings.bulk_max_items)
        if len(targets) > 1:
            for fm in form.live_fields:
                if fm.unique and fm.id in prepared and prepared[fm.id] is not None:
                    raise ValidationFailed(
                        details=[ErrorDetail(fm.key, "bulk_unique_field", {"label": fm.label})]
                    )
        problems = V.check_in_database(
            conn, form, ctx, [prepared] * len(targets[:1]), [""], targets[:1]
        )
        if targets:
            problems += _relation_scope_errors(rt, conn, ctx, form, [prepared], [""])
        if problems:
            raise ValidationFailed(details=problems)
        if not targets:
            return {"count": 0}
        before = _fetch_chunked(conn, form, targets, ctx)
        links = compute.before_update(conn, rt, form, targets)
        count = _apply_update(conn, form, ctx, targets, prepared)
        compute.after_update(conn, rt, form, ctx, targets, links, prepared)
        A.updated(conn, ctx, form, before, _fetch_chunked(conn, form, targets, ctx))
        return {"count": count}

    return _write(rt, form, ctx, update)


def _fetch_chunked(
    conn: Connection, form: FormMeta, ids: list[int], ctx: Ctx
) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(fetch_records(conn, form, ids[start : start + CHUNK], ctx))
    return found


def transfer_owner(
    rt: Runtime, ctx: Ctx, form_id: int, ids: list[int] | None, filter_: Any, owner: Any
) -> dict[str, Any]:
    """Hand records to a new owner (转移负责人), single or bulk; each transfer is audited
    with the previous owner, which is the record's ownership history."""
    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
    form = access.form

    def transfer(conn: Connection) -> dict[str, Any]:
        problems = _check_owner(conn, form, owner, "")
        if owner is None or problems:
            raise ValidationFailed(
                details=problems or [ErrorDetail("owner", "required", {"label": "owner"})]
            )
        new_owner = int(owner)
        targets = _target_ids(conn, access, ctx, "edit", ids, filter_, rt.settings.bulk_max_items)
        table = form.table
        previous: dict[int, Any] = {}
        for start in range(0, len(targets), CHUNK):
            rows = conn.execute(
                sa.select(table.c.id, table.c.owner).where(
                    table.c.id.in_(targets[start : start + CHUNK])
                )
            )
            previous.update({rid: old for rid, old in rows if old != new_owner})
        moved = list(previous)
        for start in range(0, len(moved), CHUNK):
            conn.execute(
                sa.update(table)
                .where(table.c.id.in_(moved[start : start + CHUNK]))
                .values(
                    owner=new_owner,
                    updated_at=ctx.now(),
                    updated_by=ctx.user_id,
                    version=table.c.version + 1,
                )
            )
        compute.recompute(conn, rt.schema.get(conn), form.id, moved, ctx)  # reads of owner
        A.simple(
            conn,
            ctx,
            "record_transfer",
            form,
            moved,
            {rid: {"before": old, "after": new_owner} for rid, old in previous.items()},
        )
        return {"count": len(moved)}

    return _write(rt, form, ctx, transfer)


def unmasked_values(
    rt: Runtime, ctx: Ctx, form_id: int, record_id: int, keys: list[str]
) -> dict[str, Any]:
    """The real values of masked fields, for a user holding the "view unmasked" right;
    every such look is audited."""

    def look(conn: Connection) -> dict[str, Any]:
        access = _access(rt, conn, ctx, form_id)
        require_record(conn, access, record_id, "view")
        form = access.form
        wanted = []
        for key in dict.fromkeys(keys):
            fm = form.by_key.get(key)
            rule = access.rule(fm) if fm is not None else None
            if fm is None or rule is None or rule.access == "hidden":
                raise ValidationFailed(
                    details=[ErrorDetail("fields", "unknown_field", {"key": key, "label": key})]
                )
            if rule.masked and not rule.unmask:
                raise Forbidden("unmask_forbidden", label=fm.label)
            wanted.append(fm)
        record = fetch_records(conn, form, [record_id], ctx)[record_id]
        values = {fm.key: record["data"].get(fm.key) for fm in wanted}
        if not access.full:
            A.simple(
                conn, ctx, "record_unmask", form, [record_id], {record_id: {"fields": list(values)}}
            )
        return {"values": values}

    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
    return _write(rt, form, ctx, look)


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
    catalog = rt.schema.get(conn)
    live = [f for f in catalog.forms.values() if f.deleted_at is None]
    for start in range(0, len(ids), CHUNK):
        refused = children.unlink_rows(conn, live, form.id, ids[start : start + CHUNK], ctx)
        if refused is not None:
            raise Conflict("record_referenced", form=refused[0].name, field=refused[1])


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


def delete_in(conn: Connection, rt: Runtime, access: FormAccess, ctx: Ctx, ids: list[int]) -> int:
    """Move live records to the recycle bin inside the caller's transaction (undo of an
    import, a merge): relations to them follow their ``on_delete``, then audit."""
    access.require("delete")
    form = access.form
    table = form.table
    targets = sorted(_existing(conn, table, ids, [table.c.deleted_at.is_(None)]))
    if not targets:
        return 0
    _unlink_or_refuse(rt, conn, form, targets, ctx)
    count = _set_deleted(conn, form, ctx, targets, True)
    compute.after_delete(conn, rt, form, ctx, targets)
    A.simple(conn, ctx, "record_delete", form, targets)
    return count


def restore_in(conn: Connection, rt: Runtime, access: FormAccess, ctx: Ctx, ids: list[int]) -> int:
    """Bring records back from the recycle bin inside the caller's transaction (undo of a
    merge); unique values taken meanwhile refuse it."""
    access.require("delete")
    form = access.form
    table = form.table
    targets = sorted(_existing(conn, table, ids, [table.c.deleted_at.is_not(None)]))
    if not targets:
        return 0
    rows = conn.execute(sa.select(table).where(table.c.id.in_(targets))).all()
    prepared = [
        {
            fm.id: row._mapping[fm.column_name]
            for fm in form.live_fields
            if fm.unique and fm.storage is Storage.COLUMN
        }
        for row in rows
    ]
    problems = V.check_in_database(
        conn, form, ctx, prepared, [""] * len(rows), [row.id for row in rows]
    )
    if problems:
        raise ValidationFailed(details=problems)
    count = _set_deleted(conn, form, ctx, targets, False)
    compute.after_delete(conn, rt, form, ctx, targets)
    A.simple(conn, ctx, "record_restore", form, targets)
    return count


def delete_records(
    rt: Runtime, ctx: Ctx, form_id: int, ids: list[int] | None, filter_: Any = None
) -> dict[str, Any]:
    """Move records to the recycle bin (by ids, all of which must exist, or a filter)."""
    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
    form = access.form

    def delete(conn: Connection) -> dict[str, Any]:
        targets = _target_ids(conn, access, ctx, "delete", ids, filter_, rt.settings.bulk_max_items)
        if not targets:
            return {"count": 0}
        _unlink_or_refuse(rt, conn, form, targets, ctx)
        count = _set_deleted(conn, form, ctx, targets, True)
        compute.after_delete(conn, rt, form, ctx, targets)
        A.simple(conn, ctx, "record_delete", form, targets)
        return {"count": count}

    return _write(rt, form, ctx, delete)


def restore_record(rt: Runtime, ctx: Ctx, form_id: int, record_id: int) -> dict[str, Any]:
    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
    form = access.form

    def restore(conn: Connection) -> dict[str, Any]:
        access.require("delete")
        table = form.table
        in_bin = sa.select(table.c.id).where(
            table.c.id == record_id, *access.scope_clauses("delete")
        )
        if conn.execute(in_bin.where(table.c.deleted_at.is_not(None))).first() is None:
            if conn.execute(in_bin.where(table.c.deleted_at.is_(None))).first() is not None:
                raise Conflict("record_not_deleted")
            raise NotFound("record_not_found")
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
        compute.after_delete(conn, rt, form, ctx, [record_id])
        A.simple(conn, ctx, "record_restore", form, [record_id])
        return _read_back(conn, access, [record_id], ctx)[record_id]

    return _write(rt, form, ctx, restore)
