"""Turning API input into stored values, with every problem reported per field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.errors import ErrorDetail, FieldValueError
from qiao.forms.fields.base import NestedValueErrors, Storage
from qiao.forms.model import FieldMeta, FormMeta
from qiao.records.rules import required_deferred

Prepared = dict[int, Any]  # field id -> stored value


def detail(fm: FieldMeta, exc: FieldValueError, prefix: str = "") -> ErrorDetail:
    return ErrorDetail(f"{prefix}{fm.key}", exc.code, {"label": fm.label, **exc.params})


def details(fm: FieldMeta, exc: FieldValueError, prefix: str = "") -> list[ErrorDetail]:
    """One detail, or one per part of a composite value (``lines[2].qty`` for a cell)."""
    if isinstance(exc, NestedValueErrors):
        return [
            ErrorDetail(f"{prefix}{fm.key}{path}", e.code, {"label": fm.label, **e.params})
            for path, e in exc.errors
        ]
    return [detail(fm, exc, prefix)]


def prepare(
    form: FormMeta, data: Any, ctx: Ctx, *, partial: bool, prefix: str = ""
) -> tuple[Prepared, list[ErrorDetail]]:
    """Coerce ``data`` (key -> API value). With ``partial`` only given keys are touched;
    otherwise missing fields are empty and required ones reported."""
    if not isinstance(data, dict):
        return {}, [ErrorDetail(f"{prefix}data".rstrip("."), "wrong_type", {"msg": "object"})]
    # an import prepares thousands of records of one form: the per-form lists are cached
    # on the form, and input naming only writable fields (the usual case) skips the
    # per-key check
    errors = [] if data.keys() <= form.writable_keys else _key_errors(form, data, prefix)
    stored: Prepared = {}
    for fm in form.writable_fields:
        key = fm.key
        if key in data:
            given = data[key]
        elif partial:
            continue
        else:
            given = fm.settings.default
        ftype = fm.ftype
        try:
            value = ftype.to_storage(fm, given, ctx)
        except FieldValueError as exc:
            errors.extend(details(fm, exc, prefix))
            continue
        if fm.required and ftype.is_blank(value) and not required_deferred(fm, data, form):
            errors.append(ErrorDetail(f"{prefix}{key}", "required", {"label": fm.label}))
            continue
        stored[fm.id] = value
    return stored, errors


def _key_errors(form: FormMeta, data: dict[Any, Any], prefix: str) -> list[ErrorDetail]:
    """Input keys that name no field, a system field or a field the system fills."""
    errors: list[ErrorDetail] = []
    for key in data:
        fm = form.by_key.get(key) if isinstance(key, str) else None
        if fm is None:
            code = "read_only" if key in form.system_fields else "unknown_field"
            label = form.system_fields[key].label if key in form.system_fields else key
            errors.append(ErrorDetail(f"{prefix}{key}", code, {"key": key, "label": label}))
        elif not fm.ftype.writable:
            errors.append(ErrorDetail(f"{prefix}{key}", "read_only", {"label": fm.label}))
    return errors


def check_in_database(
    conn: Connection,
    form: FormMeta,
    ctx: Ctx,
    items: Sequence[Prepared],
    prefixes: Sequence[str],
    exclude_ids: Sequence[int | None] | None = None,
) -> list[ErrorDetail]:
    """Checks that need the database: referenced users/records exist, unique values are
    free (also within the batch). ``exclude_ids`` are the records being updated."""
    errors: list[ErrorDetail] = []
    for fm in form.live_fields:
        positions = [i for i, item in enumerate(items) if fm.id in item]
        if not positions:
            continue
        values = [items[i][fm.id] for i in positions]
        record_ids = [exclude_ids[i] if exclude_ids else None for i in positions]
        for pos, exc in fm.ftype.check_stored_for(conn, fm, values, ctx, record_ids).items():
            errors.extend(details(fm, exc, prefixes[positions[pos]]))
        if fm.unique and fm.storage is Storage.COLUMN:
            errors.extend(
                _unique_errors(conn, form, ctx, fm, items, positions, prefixes, exclude_ids)
            )
    return errors


def _unique_errors(
    conn: Connection,
    form: FormMeta,
    ctx: Ctx,
    fm: FieldMeta,
    items: Sequence[Prepared],
    positions: list[int],
    prefixes: Sequence[str],
    exclude_ids: Sequence[int | None] | None,
) -> list[ErrorDetail]:
    errors: list[ErrorDetail] = []
    col = form.table.c[fm.column_name]
    seen: dict[Any, int] = {}
    wanted: dict[Any, list[int]] = {}
    for i in positions:
        value = items[i][fm.id]
        if value is None:
            continue
        if value in seen:
            errors.append(_unique_detail(fm, value, prefixes[i], ctx))
        seen[value] = i
        wanted.setdefault(value, []).append(i)
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = conn.execute(
            sa.select(col, form.table.c.id).where(col.in_(chunk), form.table.c.deleted_at.is_(None))
        ).all()
        for value, owner_id in rows:
            for i in wanted.get(value, []):
                if exclude_ids is not None and exclude_ids[i] == owner_id:
                    continue
                errors.append(_unique_detail(fm, value, prefixes[i], ctx))
    return errors


def _unique_detail(fm: FieldMeta, value: Any, prefix: str, ctx: Ctx) -> ErrorDetail:
    shown = fm.ftype.display(fm, value, ctx)
    return ErrorDetail(f"{prefix}{fm.key}", "unique", {"label": fm.label, "value": shown})


def after_write(
    conn: Connection, form: FormMeta, ctx: Ctx, ids: Sequence[int], items: Sequence[Prepared]
) -> None:
    """Let each written field's type bring its outside state in step (files attached)."""
    for fm in form.live_fields:
        written = [
            (rid, item[fm.id]) for rid, item in zip(ids, items, strict=True) if fm.id in item
        ]
        if written:
            fm.ftype.after_write(conn, fm, ctx, [r for r, _ in written], [v for _, v in written])
