"""Forms and their fields: creation and schema evolution at run time.

Each operation is one write transaction holding the metadata change, the DDL and the
schema-version bump together, on both engines.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from datetime import datetime
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
    Forbidden,
    NotFound,
    QiaoError,
    ValidationFailed,
)
from qiao.forms import ddl, fieldspec, formulas, typechange
from qiao.forms.catalog import bump_version, load_form
from qiao.forms.fields.base import Storage
from qiao.forms.inputs import FieldIn, FieldOrderIn, FieldPatch, FormIn, FormPatch, TypeChangeIn
from qiao.forms.layout import check_title_field
from qiao.forms.model import FieldMeta, FormMeta
from qiao.forms.references import refuse_if_referenced
from qiao.forms.views import field_json, form_json
from qiao.org import permission_groups
from qiao.org.access import (
    accessible_form_ids,
    form_access,
    require_app_admin,
    require_manage,
)
from qiao.org.permissions import require_admin, require_user
from qiao.runtime import Runtime

forms_t, fields_t = schema.forms, schema.fields


# ----- reads ---------------------------------------------------------------------------
def get_form(
    rt: Runtime, ctx: Ctx, form_id: int, include_deleted_fields: bool = False
) -> dict[str, Any]:
    """The form as the user knows it (hidden fields left out) with what they may do."""
    require_user(ctx)
    with rt.db.read() as conn:
        access = form_access(conn, ctx, rt.form(conn, form_id))
    if include_deleted_fields:
        access.require("manage")
    body = form_json(access.visible_form(), include_deleted_fields=include_deleted_fields)
    body["access"] = access.json()
    return body


def list_forms(rt: Runtime, ctx: Ctx, app_id: int) -> list[dict[str, Any]]:
    """The app's forms this user may open."""
    require_user(ctx)
    with rt.db.read() as conn:
        catalog = rt.schema.get(conn)
        forms = [f for f in catalog.forms.values() if f.app_id == app_id and f.deleted_at is None]
        if ctx.user is not None and not ctx.user.is_admin:
            allowed = accessible_form_ids(conn, ctx, forms)
            forms = [f for f in forms if f.id in allowed]
    return [form_json(f) for f in sorted(forms, key=lambda f: (f.position, f.id))]


def related_fields(rt: Runtime, ctx: Ctx, form_id: int) -> list[dict[str, Any]]:
    """Every live relation field of a live form whose values are records of this form,
    among the forms the user may view (and not hidden from them)."""
    require_user(ctx)
    with rt.db.read() as conn:
        catalog = rt.schema.get(conn)
        form_access(conn, ctx, catalog.form(form_id))
        pairs = []
        for form, fm in catalog.linking_to(form_id):
            try:
                access = form_access(conn, ctx, form)
            except Forbidden:
                continue
            if access.can("view") and access.rule(fm).access != "hidden":
                pairs.append((form, fm))
    return [
        {
            "form_id": form.id,
            "form_name": form.name,
            "app_id": form.app_id,
            "field_id": fm.id,
            "field_key": fm.key,
            "field_label": fm.label,
            "multiple": fm.storage is Storage.JUNCTION,
        }
        for form, fm in sorted(pairs, key=lambda p: (p[0].id, p[1].position))
    ]


# ----- forms ---------------------------------------------------------------------------
def live_form(conn: Connection, form_id: int) -> FormMeta:
    form = load_form(conn, form_id)
    if form.deleted_at is not None:
        raise NotFound("form_not_found")
    return form


def create_form(rt: Runtime, ctx: Ctx, app_id: int, data: FormIn) -> dict[str, Any]:
    require_user(ctx)
    return form_json(rt.db.write(lambda conn: create_form_in(conn, ctx, app_id, data)))


def create_form_in(conn: Connection, ctx: Ctx, app_id: int, data: FormIn) -> FormMeta:
    """Create a form with its fields inside the caller's write transaction (also used
    when a form is created from a spreadsheet, with its import in the same transaction)."""
    require_user(ctx)
    now = ctx.now()
    require_app_admin(conn, ctx, app_id)
    app = conn.execute(
        sa.select(schema.apps.c.id).where(
            schema.apps.c.id == app_id, schema.apps.c.deleted_at.is_(None)
        )
    ).first()
    if app is None:
        raise NotFound("app_not_found")
    position = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(forms_t.c.position), -1) + 1).where(
            forms_t.c.app_id == app_id
        )
    ).scalar_one()
    form_id = conn.execute(
        sa.insert(forms_t)
        .values(
            app_id=app_id,
            name=data.name.strip(),
            description=data.description,
            table_name=f"qf_new_{secrets.token_hex(8)}",
            position=position,
            settings=data.settings,
            created_at=now,
            created_by=ctx.user_id,
            updated_at=now,
        )
        .returning(forms_t.c.id)
    ).scalar_one()
    conn.execute(
        sa.update(forms_t)
        .where(forms_t.c.id == form_id)
        .values(table_name=ddl.table_name_for(form_id))
    )
    taken: set[str] = set()
    for index, fin in enumerate(data.fields):
        _insert_field(conn, ctx, form_id, fin, taken, index, f"fields[{index}].")
    form = load_form(conn, form_id)
    _check_settings(form, data.settings)
    ddl.create_form_tables(conn, form)
    formulas.settle(conn, ctx, form_id, None, {f.id: f"fields[{f.position}]." for f in form.fields})
    form = load_form(conn, form_id)  # computed fields got their kinds
    permission_groups.create_defaults(conn, ctx, form_id)
    audit_schema.form_created(conn, ctx, form)
    bump_version(conn)
    return form


#: form settings with their own endpoints and rules: the layout and the form's validation
#: rules (publish), the draft (``PUT /forms/{id}/draft``) and the navigation group
#: (``PUT /apps/{id}/forms/order``)
MANAGED_SETTINGS = ("layout", "draft", "group", "rules")


def _check_settings(form: FormMeta, settings: dict[str, Any]) -> None:
    """Refuse settings that only their own endpoints may write; check the title field."""
    errors = [
        ErrorDetail(f"settings.{key}", "form_setting_managed", {"setting": key})
        for key in MANAGED_SETTINGS
        if key in settings
    ]
    if errors:
        raise ValidationFailed(details=errors)
    if "title_field" in settings:
        check_title_field(form, settings["title_field"], "settings.title_field")


def update_form(rt: Runtime, ctx: Ctx, form_id: int, data: FormPatch) -> dict[str, Any]:
    """Rename, describe or move a form; ``settings`` are merged key by key into the
    stored ones (so a patch never drops the layout, the draft or the group)."""
    require_manage(rt, ctx, form_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "name" in changes:
        changes["name"] = changes["name"].strip()

    def update(conn: Connection) -> FormMeta:
        form = live_form(conn, form_id)
        if data.settings is not None:
            _check_settings(form, data.settings)
            changes["settings"] = {**form.settings, **data.settings}
        if changes:
            conn.execute(
                sa.update(forms_t)
                .where(forms_t.c.id == form_id)
                .values(**changes, updated_at=ctx.now())
            )
            bump_version(conn)
            audit_schema.form_updated(conn, ctx, form, load_form(conn, form_id))
        return load_form(conn, form_id)

    return form_json(rt.db.write(update))


def set_form_settings(conn: Connection, ctx: Ctx, form_id: int, settings: dict[str, Any]) -> None:
    """Replace a form's settings inside the caller's write transaction."""
    conn.execute(
        sa.update(forms_t)
        .where(forms_t.c.id == form_id)
        .values(settings=settings, updated_at=ctx.now())
    )
    bump_version(conn)


def delete_form(rt: Runtime, ctx: Ctx, form_id: int) -> None:
    require_admin(ctx)

    def delete(conn: Connection) -> None:
        form = live_form(conn, form_id)
        refuse_if_referenced(conn, {form_id})
        conn.execute(sa.update(forms_t).where(forms_t.c.id == form_id).values(deleted_at=ctx.now()))
        audit_schema.form(conn, ctx, "form_delete", form)
        bump_version(conn)

    rt.db.write(delete)


def restore_form(rt: Runtime, ctx: Ctx, form_id: int) -> dict[str, Any]:
    require_admin(ctx)

    def restore(conn: Connection) -> FormMeta:
        form = load_form(conn, form_id)
        if form.deleted_at is None:
            raise Conflict("form_not_deleted")
        app_live = conn.execute(
            sa.select(schema.apps.c.id).where(
                schema.apps.c.id == form.app_id, schema.apps.c.deleted_at.is_(None)
            )
        ).first()
        if app_live is None:
            raise NotFound("app_not_found")
        conn.execute(sa.update(forms_t).where(forms_t.c.id == form_id).values(deleted_at=None))
        for fm in form.live_fields:
            # a relation may point at a form deleted (or purged) in the meantime
            fm.ftype.check_settings(conn, fm.settings)
        bump_version(conn)
        audit_schema.form(conn, ctx, "form_restore", form)
        return load_form(conn, form_id)

    return form_json(rt.db.write(restore))


# ----- fields --------------------------------------------------------------------------
def _insert_field(
    conn: Connection,
    ctx: Ctx,
    form_id: int,
    fin: FieldIn,
    taken: set[str],
    position: int,
    prefix: str = "",
) -> int:
    ftype = fieldspec.resolve_type(fin.type, prefix)
    key = fin.key.strip() if fin.key else fieldspec.suggest_key(fin.label, taken)
    fieldspec.check_key(key, taken, prefix)
    settings = fieldspec.parse_settings(conn, ftype, fin.settings, prefix)
    unique = fieldspec.check_flags(ftype, fin.unique, prefix)
    taken.add(key)
    now = ctx.now()
    field_id = conn.execute(
        sa.insert(fields_t)
        .values(
            form_id=form_id,
            key=key,
            label=fin.label.strip(),
            type=ftype.key,
            required=fin.required and ftype.writable,
            is_unique=unique,
            indexed=fin.indexed,
            settings=settings.model_dump(mode="json"),
            column_name=f"pending_{secrets.token_hex(6)}",
            position=position,
            created_at=now,
            updated_at=now,
        )
        .returning(fields_t.c.id)
    ).scalar_one()
    probe = FieldMeta(field_id, form_id, key, fin.label, ftype.key, settings, "")
    prefixes = {Storage.JUNCTION: "qj_", Storage.CHILD: "qs_"}
    physical = f"{prefixes.get(ftype.storage(probe), 'c_')}{field_id}"
    conn.execute(sa.update(fields_t).where(fields_t.c.id == field_id).values(column_name=physical))
    return int(field_id)


def field_of(form: FormMeta, field_id: int, *, deleted: bool = False) -> FieldMeta:
    for fm in form.fields:
        if fm.id == field_id and (fm.deleted_at is not None) == deleted:
            return fm
    raise NotFound("field_not_found")


def add_field_in(
    conn: Connection,
    ctx: Ctx,
    form_id: int,
    fin: FieldIn,
    *,
    position: int | None = None,
    prefix: str = "",
) -> FieldMeta:
    """Add a field with its storage (and generated values for existing records) inside
    the caller's write transaction; the caller checks rights."""
    form = live_form(conn, form_id)
    if position is None:
        position = max((f.position for f in form.fields), default=-1) + 1
    field_id = _insert_field(conn, ctx, form_id, fin, set(form.by_key), position, prefix)
    form = load_form(conn, form_id)
    fm = field_of(form, field_id)
    ddl.create_field_storage(conn, form, fm)
    if fm.ftype.generates_values:
        _backfill_generated(conn, ctx, form, fm)
    bump_version(conn)
    return fm


def add_field(rt: Runtime, ctx: Ctx, form_id: int, fin: FieldIn) -> dict[str, Any]:
    require_manage(rt, ctx, form_id)

    def add(conn: Connection) -> FieldMeta:
        before = live_form(conn, form_id)
        fm = add_field_in(conn, ctx, form_id, fin)
        formulas.settle(conn, ctx, form_id, before)
        audit_schema.field(conn, ctx, "field_create", fm, field=audit_schema.field_state(fm))
        return fm

    return field_json(rt.db.write(add))


def _fixed_clock(at: datetime) -> Callable[[], datetime]:
    return lambda: at


def _backfill_generated(conn: Connection, ctx: Ctx, form: FormMeta, fm: FieldMeta) -> None:
    """Give existing records a generated value, in creation order and as of their
    creation time (a serial number pattern with {YYYY}{MM} uses the record's month)."""
    table = form.table
    column = table.c[fm.column_name]
    rows = conn.execute(
        sa.select(table.c.id, table.c.created_at).order_by(table.c.created_at, table.c.id)
    ).all()
    for record_id, created_at in rows:
        as_of = dataclasses.replace(ctx, clock=_fixed_clock(created_at))
        value = fm.ftype.generate(conn, fm, as_of)
        conn.execute(sa.update(table).where(table.c.id == record_id).values({column: value}))


def update_field(
    rt: Runtime, ctx: Ctx, form_id: int, field_id: int, patch: FieldPatch
) -> dict[str, Any]:
    require_manage(rt, ctx, form_id)

    def update(conn: Connection) -> FieldMeta:
        before = live_form(conn, form_id)
        old = field_of(before, field_id)
        new = update_field_in(conn, ctx, form_id, field_id, patch)
        formulas.settle(conn, ctx, form_id, before)
        audit_schema.field_updated(conn, ctx, old, new)
        return new

    return field_json(rt.db.write(update))


def _convert_type(
    conn: Connection, ctx: Ctx, form_id: int, old: FieldMeta, patch: FieldPatch, prefix: str
) -> FieldPatch:
    """Run a type change asked for by ``patch``; the rest of the patch is left to apply."""
    if patch.type is None or patch.type == old.type:
        return patch
    conversion = TypeChangeIn(
        type=patch.type,
        settings=patch.settings if patch.settings is not None else {},
        accept_loss=patch.accept_loss,
    )
    try:
        typechange.apply_in(conn, ctx, form_id, old.id, conversion)
    except QiaoError as exc:
        exc.details = [d.prefixed(prefix) for d in exc.details]
        raise
    return patch.model_copy(update={"type": None, "settings": None})


def update_field_in(
    conn: Connection,
    ctx: Ctx,
    form_id: int,
    field_id: int,
    patch: FieldPatch,
    *,
    prefix: str = "",
) -> FieldMeta:
    """Change a field inside the caller's write transaction (a new type converts the
    data in the same transaction: all of the changes or none); the caller checks rights."""
    form = live_form(conn, form_id)
    old = field_of(form, field_id)
    if patch.key is not None and patch.key != old.key:
        # first: a parked key (see ``park_keys``) never names the backup of a conversion
        fieldspec.check_key(patch.key, set(form.by_key) - {old.key}, prefix)
        conn.execute(sa.update(fields_t).where(fields_t.c.id == field_id).values(key=patch.key))
        bump_version(conn)
    patch = _convert_type(conn, ctx, form_id, field_of(form, field_id), patch, prefix)
    form = live_form(conn, form_id)
    old = field_of(form, field_id)
    ftype = old.ftype
    changes: dict[str, Any] = {}
    if patch.label is not None and patch.label.strip() != old.label:
        changes["label"] = patch.label.strip()
    if patch.required is not None and (patch.required and ftype.writable) != old.required:
        changes["required"] = patch.required and ftype.writable
    if patch.unique is not None:
        unique = fieldspec.check_flags(ftype, patch.unique, prefix)
        if unique != old.unique:
            changes["is_unique"] = unique
    if patch.indexed is not None and patch.indexed != old.indexed:
        changes["indexed"] = patch.indexed
    if patch.settings is not None:
        merged = {**old.settings.model_dump(mode="json"), **patch.settings}
        settings = fieldspec.parse_settings(conn, ftype, merged, prefix, old.settings)
        probe = FieldMeta(old.id, form_id, old.key, old.label, old.type, settings, "")
        if ftype.physical_signature(probe) != ftype.physical_signature(old):
            raise BadRequest(
                "type_change_unsupported",
                details=[ErrorDetail(f"{prefix}settings", "settings_need_conversion")],
                from_type=old.type,
                to_type=old.type,
            )
        if settings.model_dump(mode="json") != old.settings.model_dump(mode="json"):
            changes["settings"] = settings.model_dump(mode="json")
    if not changes:
        return old
    conn.execute(
        sa.update(fields_t).where(fields_t.c.id == field_id).values(**changes, updated_at=ctx.now())
    )
    new = field_of(load_form(conn, form_id), field_id)
    ddl.evolve_field_storage(conn, form, old, new)
    if new.unique and not old.unique:
        _refuse_duplicates(conn, form, new, prefix)
    ddl.set_field_indexes(conn, form, old, new)
    bump_version(conn)
    return new


def park_keys(conn: Connection, field_ids: list[int]) -> None:
    """Give fields a temporary key inside the caller's transaction, so that renames
    later in it may take each other's keys (``a`` → ``b`` and ``b`` → ``a``). A parked
    key starts with ``_``, which no field key may, so it never meets a real one."""
    for fid in field_ids:
        conn.execute(sa.update(fields_t).where(fields_t.c.id == fid).values(key=f"_parked_{fid}"))


def _refuse_duplicates(conn: Connection, form: FormMeta, fm: FieldMeta, prefix: str = "") -> None:
    col = form.table.c[fm.column_name]
    dup = conn.execute(
        sa.select(col)
        .where(form.table.c.deleted_at.is_(None), col.is_not(None))
        .group_by(col)
        .having(sa.func.count() > 1)
        .limit(1)
    ).first()
    if dup is not None:
        raise ValidationFailed(
            details=[
                ErrorDetail(f"{prefix}unique", "field_unique_has_duplicates", {"label": fm.label})
            ]
        )


def delete_field_in(conn: Connection, ctx: Ctx, form_id: int, field_id: int) -> None:
    """Hide a field inside the caller's write transaction; its data stays for the
    retention period and it can be restored. The caller checks rights."""
    form = live_form(conn, form_id)
    fm = field_of(form, field_id)
    conn.execute(sa.update(fields_t).where(fields_t.c.id == field_id).values(deleted_at=ctx.now()))
    ddl.set_field_indexes(conn, form, fm, ddl.unindexed(fm))
    bump_version(conn)


def delete_field(rt: Runtime, ctx: Ctx, form_id: int, field_id: int) -> None:
    """Hide a field; its data stays for the retention period and it can be restored."""
    require_manage(rt, ctx, form_id)

    def delete(conn: Connection) -> None:
        fm = field_of(live_form(conn, form_id), field_id)
        delete_field_in(conn, ctx, form_id, field_id)
        formulas.settle(conn, ctx, form_id, live_form(conn, form_id))
        audit_schema.field(conn, ctx, "field_delete", fm)

    rt.db.write(delete)


def restore_field(rt: Runtime, ctx: Ctx, form_id: int, field_id: int) -> dict[str, Any]:
    require_manage(rt, ctx, form_id)

    def restore(conn: Connection) -> FieldMeta:
        form = live_form(conn, form_id)
        fm = field_of(form, field_id, deleted=True)
        if fm.key in form.by_key:
            raise ValidationFailed(details=[ErrorDetail("key", "field_key_taken", {"key": fm.key})])
        # a relation may point at a form deleted (or purged) in the meantime
        fm.ftype.check_settings(conn, fm.settings)
        if fm.unique:  # values may have repeated while nobody enforced them
            _refuse_duplicates(conn, form, fm)
        position = max((f.position for f in form.fields), default=-1) + 1
        conn.execute(
            sa.update(fields_t)
            .where(fields_t.c.id == field_id)
            .values(deleted_at=None, position=position, updated_at=ctx.now())
        )
        ddl.set_field_indexes(conn, form, ddl.unindexed(fm), fm)
        bump_version(conn)
        audit_schema.field(conn, ctx, "field_restore", fm)
        return field_of(load_form(conn, form_id), field_id)

    return field_json(rt.db.write(restore))


def set_positions(conn: Connection, field_ids: list[int]) -> None:
    """Give the fields positions in list order (inside the caller's transaction)."""
    for position, fid in enumerate(field_ids):
        conn.execute(sa.update(fields_t).where(fields_t.c.id == fid).values(position=position))
    bump_version(conn)


def reorder_fields(rt: Runtime, ctx: Ctx, form_id: int, order: FieldOrderIn) -> dict[str, Any]:
    require_manage(rt, ctx, form_id)

    def reorder(conn: Connection) -> FormMeta:
        form = live_form(conn, form_id)
        live = {f.id for f in form.live_fields}
        if len(order.field_ids) != len(set(order.field_ids)) or set(order.field_ids) != live:
            raise ValidationFailed(details=[ErrorDetail("field_ids", "field_order_mismatch")])
        set_positions(conn, order.field_ids)
        after = load_form(conn, form_id)
        audit_schema.form_updated(conn, ctx, form, after)
        return after

    return form_json(rt.db.write(reorder))
