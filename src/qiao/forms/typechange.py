"""Changing a field's type without silent data loss.

``preview`` reports how many stored values convert and which do not. ``apply`` writes
the converted values into a new column under the same field (same id and key), and
keeps the old column as a deleted backup field for the retention period, so even
values that did not convert can be recovered. Values that do not convert need an
explicit ``accept_loss``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.audit import schema_changes as audit_schema
from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import (
    BadRequest,
    Conflict,
    ErrorDetail,
    FieldValueError,
    NotFound,
    ValidationFailed,
)
from qiao.forms import ddl, fieldspec, formulas
from qiao.forms.catalog import bump_version, load_form
from qiao.forms.fields.base import FieldSettings, Storage
from qiao.forms.inputs import TypeChangeIn
from qiao.forms.model import FieldMeta, FormMeta
from qiao.forms.views import field_json
from qiao.i18n import translate
from qiao.org.access import require_manage
from qiao.records.reads import junction_values
from qiao.runtime import Runtime

BATCH = 1000
SAMPLE = 20


@dataclass
class Conversion:
    total: int = 0
    converted: int = 0
    empty: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    failed: int = 0
    values: dict[int, Any] = field(default_factory=dict)  # record id -> new stored value

    def summary(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "converted": self.converted,
            "empty": self.empty,
            "failed": self.failed,
            "failures": self.failures,
        }


def _convert_one(old: FieldMeta, new: FieldMeta, stored: Any, ctx: Ctx) -> Any:
    """Old stored value -> new stored value, via the JSON form and then the display text."""
    try:
        return new.ftype.to_storage(new, old.ftype.to_json(old, stored, ctx), ctx)
    except FieldValueError:
        return new.ftype.from_text(new, old.ftype.display(old, stored, ctx), ctx)


def _iter_values(conn: Connection, form: FormMeta, old: FieldMeta) -> Any:
    table = form.table
    last_id = 0
    while True:
        cols = [table.c.id]
        if old.storage is Storage.COLUMN:
            cols.append(table.c[old.column_name])
        rows = conn.execute(
            sa.select(*cols).where(table.c.id > last_id).order_by(table.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        ids = [r[0] for r in rows]
        multi = junction_values(conn, form, [old], ids).get(old.id, {})
        for row in rows:
            yield row[0], (row[1] if old.storage is Storage.COLUMN else multi.get(row[0], []))
        last_id = ids[-1]


def _convert_all(
    conn: Connection, form: FormMeta, old: FieldMeta, new: FieldMeta, ctx: Ctx, keep: bool
) -> Conversion:
    result = Conversion()
    pending: list[tuple[int, Any]] = []
    for record_id, stored in _iter_values(conn, form, old):
        result.total += 1
        if old.ftype.is_blank(stored):
            result.empty += 1
            continue
        try:
            converted = _convert_one(old, new, stored, ctx)
        except FieldValueError as exc:
            _fail(result, old, record_id, stored, exc, ctx, new)
            continue
        pending.append((record_id, converted))
    checks = new.ftype.check_stored(conn, new, [v for _, v in pending])
    for index, (record_id, converted) in enumerate(pending):
        if index in checks:
            _fail(result, old, record_id, None, checks[index], ctx, new)
            continue
        result.converted += 1
        if keep:
            result.values[record_id] = converted
    return result


def _fail(
    result: Conversion,
    old: FieldMeta,
    record_id: int,
    stored: Any,
    exc: FieldValueError,
    ctx: Ctx,
    new: FieldMeta,
) -> None:
    result.failed += 1
    if len(result.failures) < SAMPLE:
        result.failures.append(
            {
                "id": record_id,
                "value": old.ftype.display(old, stored, ctx) if stored is not None else None,
                "code": exc.code,
                "message": translate(exc.code, ctx.locale, {"label": new.label, **exc.params}),
            }
        )


def _target(conn: Connection, form: FormMeta, old: FieldMeta, change: TypeChangeIn) -> FieldMeta:
    ftype = fieldspec.resolve_type(change.type, "")
    raw = dict(change.settings)
    previous: FieldSettings | None = old.settings if change.type == old.type else None
    settings = fieldspec.parse_settings(conn, ftype, raw, "", previous)
    probe = FieldMeta(old.id, form.id, old.key, old.label, ftype.key, settings, "")
    if ftype.key != old.type and not ftype.accepts_conversion:
        raise BadRequest("type_change_unsupported", from_type=old.type, to_type=ftype.key)
    if Storage.CHILD in (old.storage, ftype.storage(probe)) and ftype.key != old.type:
        # a sub-form's rows are not one value: nothing converts to or from them
        raise BadRequest("type_change_unsupported", from_type=old.type, to_type=ftype.key)
    if ftype.key == old.type and ftype.physical_signature(probe) == old.ftype.physical_signature(
        old
    ):
        raise BadRequest("type_change_same")
    suffix = secrets.token_hex(3)
    physical = (
        f"qj_{old.id}v{suffix}"
        if ftype.storage(probe) is Storage.JUNCTION
        else f"c_{old.id}v{suffix}"
    )
    unique = (old.unique and ftype.can_be_unique) or ftype.always_unique
    return FieldMeta(
        old.id,
        form.id,
        old.key,
        old.label,
        ftype.key,
        settings,
        physical,
        position=old.position,
        required=old.required and ftype.writable,
        unique=unique,
        indexed=old.indexed,
    )


def _load(conn: Connection, form_id: int, field_id: int) -> tuple[FormMeta, FieldMeta]:
    form = load_form(conn, form_id)
    if form.deleted_at is not None:
        raise NotFound("form_not_found")
    for fm in form.live_fields:
        if fm.id == field_id:
            return form, fm
    raise NotFound("field_not_found")


def preview(
    rt: Runtime, ctx: Ctx, form_id: int, field_id: int, change: TypeChangeIn
) -> dict[str, Any]:
    require_manage(rt, ctx, form_id)
    with rt.db.read() as conn:
        form, old = _load(conn, form_id, field_id)
        new = _target(conn, form, old, change)
        return _convert_all(conn, form, old, new, ctx, keep=False).summary()


def apply(
    rt: Runtime, ctx: Ctx, form_id: int, field_id: int, change: TypeChangeIn
) -> dict[str, Any]:
    require_manage(rt, ctx, form_id)

    def run(conn: Connection) -> dict[str, Any]:
        before, old = _load(conn, form_id, field_id)
        result = apply_in(conn, ctx, form_id, field_id, change)
        formulas.settle(conn, ctx, form_id, before)
        audit_schema.field_updated(conn, ctx, old, _load(conn, form_id, field_id)[1])
        return result

    return rt.db.write(run)


def apply_in(
    conn: Connection, ctx: Ctx, form_id: int, field_id: int, change: TypeChangeIn
) -> dict[str, Any]:
    """The conversion inside the caller's write transaction (the caller checks rights)."""
    form, old = _load(conn, form_id, field_id)
    new = _target(conn, form, old, change)
    conversion = _convert_all(conn, form, old, new, ctx, keep=True)
    if conversion.failed and not change.accept_loss:
        raise Conflict(
            "type_change_loses_data",
            failed=conversion.failed,
            details=[
                ErrorDetail("accept_loss", "type_change_loses_data", {"failed": conversion.failed})
            ],
        )
    if new.unique and new.storage is Storage.COLUMN:
        _refuse_duplicates(conn, form, new, conversion.values)
    ddl.set_field_indexes(conn, form, old, ddl.unindexed(old))
    _keep_backup(conn, ctx, old)
    fields_t = schema.fields
    conn.execute(
        sa.update(fields_t)
        .where(fields_t.c.id == old.id)
        .values(
            type=new.type,
            settings=new.settings.model_dump(mode="json"),
            column_name=new.column_name,
            is_unique=new.unique,
            required=new.required,
            updated_at=ctx.now(),
        )
    )
    form = load_form(conn, form_id)
    fm = next(f for f in form.fields if f.id == old.id)
    ddl.create_field_storage(conn, form, fm)
    _write_values(conn, form, fm, conversion.values)
    bump_version(conn)
    return {"field": field_json(fm), "conversion": conversion.summary()}


def _refuse_duplicates(
    conn: Connection, form: FormMeta, new: FieldMeta, values: dict[int, Any]
) -> None:
    """Values that differ before but collide after the conversion (``"1"`` and ``"1.0"``
    to a number) cannot get the unique index: refuse, as for turning ``unique`` on."""
    table = form.table
    live = set(conn.execute(sa.select(table.c.id).where(table.c.deleted_at.is_(None))).scalars())
    seen: set[Any] = set()
    for record_id, value in values.items():
        if value is None or record_id not in live:
            continue
        if value in seen:
            raise ValidationFailed(
                details=[ErrorDetail("unique", "field_unique_has_duplicates", {"label": new.label})]
            )
        seen.add(value)


def _keep_backup(conn: Connection, ctx: Ctx, old: FieldMeta) -> None:
    """The old column lives on as a deleted field, restorable during the retention."""
    fields_t = schema.fields
    now = ctx.now()
    conn.execute(
        sa.insert(fields_t).values(
            form_id=old.form_id,
            key=f"{old.key[:40]}_{now.strftime('%Y%m%d%H%M%S')}",
            label=f"{old.label} ({old.type})",
            type=old.type,
            required=False,
            is_unique=old.unique,
            indexed=old.indexed,
            settings=old.settings.model_dump(mode="json"),
            column_name=old.column_name,
            position=old.position,
            created_at=old.created_at or now,
            updated_at=now,
            deleted_at=now,
        )
    )


def _write_values(conn: Connection, form: FormMeta, fm: FieldMeta, values: dict[int, Any]) -> None:
    items = list(values.items())
    if fm.storage is Storage.JUNCTION:
        junction = form.junctions[fm.id]
        rows = [
            {"record_id": rid, "value": v, "position": pos}
            for rid, vals in items
            for pos, v in enumerate(vals or [])
        ]
        for start in range(0, len(rows), BATCH):
            conn.execute(sa.insert(junction), rows[start : start + BATCH])
        return
    table = form.table
    column = table.c[fm.column_name]
    stmt = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("rid"))
        .values({column: sa.bindparam("val")})
    )
    for start in range(0, len(items), BATCH):
        conn.execute(stmt, [{"rid": rid, "val": v} for rid, v in items[start : start + BATCH]])
