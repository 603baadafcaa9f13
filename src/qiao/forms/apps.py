"""Apps: containers of forms (and later dashboards and flows)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.audit import schema_changes as audit_schema
from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import Conflict, ErrorDetail, NotFound, ValidationFailed
from qiao.forms.catalog import bump_version, load_form
from qiao.forms.inputs import AppIn, AppPatch, FormOrderIn
from qiao.forms.references import refuse_if_referenced
from qiao.forms.views import app_json
from qiao.org.access import accessible_form_ids, admin_app_ids, is_app_admin
from qiao.org.permissions import require_admin, require_user
from qiao.runtime import Runtime

apps = schema.apps


def _app_row(conn: Connection, app_id: int) -> Any:
    row = conn.execute(
        sa.select(apps).where(apps.c.id == app_id, apps.c.deleted_at.is_(None))
    ).first()
    if row is None:
        raise NotFound("app_not_found")
    return row


def list_apps(rt: Runtime, ctx: Ctx) -> list[dict[str, Any]]:
    """The apps the user administers or has at least one form to open in (a fixed
    number of queries however many apps and forms there are)."""
    require_user(ctx)
    with rt.db.read() as conn:
        rows = conn.execute(
            sa.select(apps).where(apps.c.deleted_at.is_(None)).order_by(apps.c.position, apps.c.id)
        ).all()
        live = [f for f in rt.schema.get(conn).forms.values() if f.deleted_at is None]
        administered = admin_app_ids(conn, ctx)
        allowed = accessible_form_ids(conn, ctx, live)
    by_app: dict[int, list[Any]] = {}
    for form in live:
        if form.id in allowed:
            by_app.setdefault(form.app_id, []).append(form)
    result = []
    for row in rows:
        if ctx.token_app_ids is not None and row.id not in ctx.token_app_ids:
            continue
        manages = administered is None or row.id in administered
        forms = by_app.get(row.id, [])
        if manages or forms:
            result.append({**app_json(row, forms), "can_manage": manages})
    return result


def get_app(rt: Runtime, ctx: Ctx, app_id: int) -> dict[str, Any]:
    require_user(ctx)
    with rt.db.read() as conn:
        row = _app_row(conn, app_id)
        catalog = rt.schema.get(conn)
        forms = [f for f in catalog.forms.values() if f.app_id == app_id and f.deleted_at is None]
        manages = is_app_admin(conn, ctx, app_id)
        if not manages:
            allowed = accessible_form_ids(conn, ctx, forms)
            forms = [f for f in forms if f.id in allowed]
        blocked = ctx.token_app_ids is not None and app_id not in ctx.token_app_ids
        if blocked or (not manages and not forms):
            raise NotFound("app_not_found")
    return {**app_json(row, forms), "can_manage": manages}


def create_app(rt: Runtime, ctx: Ctx, data: AppIn) -> dict[str, Any]:
    require_admin(ctx)
    now = ctx.now()

    def insert(conn: Connection) -> Any:
        position = data.position
        if position is None:
            position = int(
                conn.execute(
                    sa.select(sa.func.coalesce(sa.func.max(apps.c.position), -1) + 1)
                ).scalar_one()
            )
        row = conn.execute(
            sa.insert(apps)
            .values(
                name=data.name.strip(),
                description=data.description,
                icon=data.icon,
                color=data.color,
                position=position,
                created_at=now,
                created_by=ctx.user_id,
                updated_at=now,
            )
            .returning(*apps.c)
        ).one()
        audit_schema.app(conn, ctx, "app_create", row.id, row.name)
        return row

    return app_json(rt.db.write(insert), [])


def update_app(rt: Runtime, ctx: Ctx, app_id: int, data: AppPatch) -> dict[str, Any]:
    require_admin(ctx)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)

    def update(conn: Connection) -> None:
        old = _app_row(conn, app_id)
        if changes:
            conn.execute(
                sa.update(apps).where(apps.c.id == app_id).values(**changes, updated_at=ctx.now())
            )
            audit_schema.app_updated(conn, ctx, old, changes)

    rt.db.write(update)
    return get_app(rt, ctx, app_id)


def order_forms(rt: Runtime, ctx: Ctx, app_id: int, order: FormOrderIn) -> dict[str, Any]:
    """Set the order of the app's forms and their navigation groups (``settings.group``);
    ``items`` lists exactly the app's live forms."""
    require_admin(ctx)
    forms = schema.forms

    def run(conn: Connection) -> None:
        _app_row(conn, app_id)
        rows = {
            r.id: r
            for r in conn.execute(
                sa.select(forms.c.id, forms.c.settings).where(
                    forms.c.app_id == app_id, forms.c.deleted_at.is_(None)
                )
            )
        }
        ids = [item.id for item in order.items]
        if len(ids) != len(set(ids)) or set(ids) != set(rows):
            raise ValidationFailed(details=[ErrorDetail("items", "form_order_mismatch")])
        for position, item in enumerate(order.items):
            settings = {k: v for k, v in (rows[item.id].settings or {}).items() if k != "group"}
            group = item.group.strip() if item.group else None
            if group:
                settings["group"] = group
            conn.execute(
                sa.update(forms)
                .where(forms.c.id == item.id)
                .values(position=position, settings=settings)
            )
        bump_version(conn)

    rt.db.write(run)
    return get_app(rt, ctx, app_id)


def delete_app(rt: Runtime, ctx: Ctx, app_id: int) -> None:
    """Soft-delete an app and its forms; purged with their tables after the retention."""
    require_admin(ctx)
    now = ctx.now()
    forms = schema.forms

    def delete(conn: Connection) -> None:
        row = _app_row(conn, app_id)
        form_ids = list(
            conn.execute(
                sa.select(forms.c.id).where(forms.c.app_id == app_id, forms.c.deleted_at.is_(None))
            ).scalars()
        )
        refuse_if_referenced(conn, set(form_ids))
        conn.execute(sa.update(apps).where(apps.c.id == app_id).values(deleted_at=now))
        audit_schema.app(conn, ctx, "app_delete", app_id, row.name, form_ids=form_ids)
        if form_ids:
            conn.execute(sa.update(forms).where(forms.c.id.in_(form_ids)).values(deleted_at=now))
            bump_version(conn)

    rt.db.write(delete)


# ----- recently deleted ----------------------------------------------------------------
def _retention(rt: Runtime) -> timedelta:
    return timedelta(days=rt.settings.field_retention_days)


def _trashed(deleted_at: datetime, retention: timedelta) -> dict[str, Any]:
    return {"deleted_at": deleted_at, "purge_at": deleted_at + retention}


def list_deleted_apps(rt: Runtime, ctx: Ctx) -> list[dict[str, Any]]:
    """Deleted apps still inside the retention period, the latest first; ``form_count``
    counts the forms deleted together with the app (the ones a restore brings back)."""
    require_admin(ctx)
    retention = _retention(rt)
    forms = schema.forms
    form_count = (
        sa.select(sa.func.count())
        .where(forms.c.app_id == apps.c.id, forms.c.deleted_at == apps.c.deleted_at)
        .scalar_subquery()
    )
    with rt.db.read() as conn:
        rows = conn.execute(
            sa.select(apps, form_count.label("form_count"))
            .where(apps.c.deleted_at.is_not(None), apps.c.deleted_at >= ctx.now() - retention)
            .order_by(apps.c.deleted_at.desc(), apps.c.id.desc())
        ).all()
    return [
        {**app_json(r), **_trashed(r.deleted_at, retention), "form_count": int(r.form_count)}
        for r in rows
    ]


def restore_app(rt: Runtime, ctx: Ctx, app_id: int) -> dict[str, Any]:
    """Bring back a deleted app with the forms deleted together with it (``delete_app``
    stamps them with the app's ``deleted_at``); forms deleted on their own before stay
    in the trash. 409 for a live app, 404 once it is purged."""
    require_admin(ctx)
    forms = schema.forms

    def restore(conn: Connection) -> None:
        row = conn.execute(sa.select(apps).where(apps.c.id == app_id)).first()
        if row is None:
            raise NotFound("app_not_found")
        if row.deleted_at is None:
            raise Conflict("app_not_deleted")
        form_ids = list(
            conn.execute(
                sa.select(forms.c.id).where(
                    forms.c.app_id == app_id, forms.c.deleted_at == row.deleted_at
                )
            ).scalars()
        )
        conn.execute(sa.update(apps).where(apps.c.id == app_id).values(deleted_at=None))
        audit_schema.app(conn, ctx, "app_restore", app_id, row.name, form_ids=form_ids)
        if form_ids:
            conn.execute(sa.update(forms).where(forms.c.id.in_(form_ids)).values(deleted_at=None))
            for form_id in form_ids:
                # a relation may point at a form deleted (or purged) in the meantime
                for fm in load_form(conn, form_id).live_fields:
                    fm.ftype.check_settings(conn, fm.settings)
            bump_version(conn)

    rt.db.write(restore)
    return get_app(rt, ctx, app_id)


def list_deleted_forms(rt: Runtime, ctx: Ctx, app_id: int) -> list[dict[str, Any]]:
    """The deleted forms of a live app still inside the retention period, latest first."""
    require_admin(ctx)
    retention = _retention(rt)
    cutoff = ctx.now() - retention
    with rt.db.read() as conn:
        _app_row(conn, app_id)
        catalog = rt.schema.get(conn)
    deleted = [
        (f.deleted_at, f)
        for f in catalog.forms.values()
        if f.app_id == app_id and f.deleted_at is not None and f.deleted_at >= cutoff
    ]
    deleted.sort(key=lambda pair: (pair[0], pair[1].id), reverse=True)
    return [
        {
            "id": f.id,
            "app_id": f.app_id,
            "name": f.name,
            "description": f.description,
            "field_count": len(f.live_fields),
            **_trashed(deleted_at, retention),
        }
        for deleted_at, f in deleted
    ]
