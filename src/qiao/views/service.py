"""Saved views: shared ones (everyone sees them, admins change them) and personal ones
(only their owner sees and changes them). One write transaction per request."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import ErrorDetail, NotFound, ValidationFailed
from qiao.i18n import translate
from qiao.org.access import form_access
from qiao.org.permissions import require_user
from qiao.runtime import Runtime
from qiao.views import kinds  # noqa: F401  (registers the kinds)
from qiao.views.base import ViewKind, registry
from qiao.views.inputs import ViewIn, ViewOrderIn, ViewPatch

views_t = schema.views
DEFAULT_KIND = "table"


def view_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "form_id": row.form_id,
        "name": row.name,
        "kind": row.kind,
        "config": row.config,
        "shared": row.owner_id is None,
        "owner_id": row.owner_id,
        "position": row.position,
        "created_by": row.created_by,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _kind(key: str) -> ViewKind:
    kind = registry.get(key)
    if kind is None:
        raise ValidationFailed(details=[ErrorDetail("kind", "view_kind_unknown", {"kind": key})])
    return kind


def _visible(ctx: Ctx) -> sa.ColumnElement[bool]:
    return sa.or_(views_t.c.owner_id.is_(None), views_t.c.owner_id == ctx.user_id)


def _visible_rows(conn: Connection, form_id: int, ctx: Ctx) -> list[Any]:
    return list(
        conn.execute(
            sa.select(views_t)
            .where(views_t.c.form_id == form_id, _visible(ctx))
            .order_by(views_t.c.position, views_t.c.id)
        ).all()
    )


def _next_position(conn: Connection, form_id: int) -> int:
    return int(
        conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(views_t.c.position), -1) + 1).where(
                views_t.c.form_id == form_id
            )
        ).scalar_one()
    )


def _insert(
    conn: Connection,
    ctx: Ctx,
    form_id: int,
    name: str,
    kind: str,
    config: dict[str, Any],
    owner_id: int | None,
) -> Any:
    now = ctx.now()
    return conn.execute(
        sa.insert(views_t)
        .values(
            form_id=form_id,
            name=name,
            kind=kind,
            config=config,
            owner_id=owner_id,
            position=_next_position(conn, form_id),
            created_by=ctx.user_id,
            created_at=now,
            updated_at=now,
        )
        .returning(*views_t.c)
    ).one()


def list_views(rt: Runtime, ctx: Ctx, form_id: int) -> list[dict[str, Any]]:
    """The shared views and the caller's own; a form without shared views gets a default
    shared table view (stored, so that it has an id)."""
    require_user(ctx)
    with rt.db.read() as conn:  # the usual case: one read, no write transaction
        form_access(conn, ctx, rt.form(conn, form_id))
        rows = _visible_rows(conn, form_id, ctx)
    if any(r.owner_id is None for r in rows):
        return [view_json(r) for r in rows]

    def run(conn: Connection) -> list[Any]:
        form = rt.form(conn, form_id)
        # serialise concurrent first reads on the form row: one default, not two
        forms = schema.forms
        conn.execute(sa.select(forms.c.id).where(forms.c.id == form_id).with_for_update())
        shared = conn.execute(
            sa.select(views_t.c.id).where(
                views_t.c.form_id == form_id, views_t.c.owner_id.is_(None)
            )
        ).first()
        if shared is None:
            kind = _kind(DEFAULT_KIND)
            name = translate("view_default_name", ctx.locale, {})
            _insert(conn, ctx, form_id, name, DEFAULT_KIND, kind.default_config(form), None)
        return _visible_rows(conn, form_id, ctx)

    return [view_json(r) for r in rt.db.write(run)]


def create_view(rt: Runtime, ctx: Ctx, form_id: int, data: ViewIn) -> dict[str, Any]:
    require_user(ctx)

    def run(conn: Connection) -> Any:
        form = rt.form(conn, form_id)
        access = form_access(conn, ctx, form)
        if data.shared:
            access.require("manage")
        config = _kind(data.kind).validate(form, data.config, ctx)
        owner = None if data.shared else ctx.user_id
        return _insert(conn, ctx, form_id, data.name.strip(), data.kind, config, owner)

    return view_json(rt.db.write(run))


def _view_for_change(rt: Runtime, conn: Connection, ctx: Ctx, view_id: int) -> Any:
    """A view the caller sees (else 404) and may change (shared: the form's managers)."""
    row = conn.execute(sa.select(views_t).where(views_t.c.id == view_id, _visible(ctx))).first()
    if row is None:
        raise NotFound("view_not_found")
    if row.owner_id is None:
        _require_manage(rt, conn, ctx, row.form_id)
    return row


def _require_manage(rt: Runtime, conn: Connection, ctx: Ctx, form_id: int) -> None:
    form_access(conn, ctx, rt.form(conn, form_id)).require("manage")


def update_view(rt: Runtime, ctx: Ctx, view_id: int, patch: ViewPatch) -> dict[str, Any]:
    require_user(ctx)

    def run(conn: Connection) -> Any:
        row = _view_for_change(rt, conn, ctx, view_id)
        changes: dict[str, Any] = {}
        if patch.name is not None:
            changes["name"] = patch.name.strip()
        if patch.kind is not None or patch.config is not None:
            kind_key = patch.kind if patch.kind is not None else row.kind
            raw = patch.config if patch.config is not None else row.config
            changes["kind"] = kind_key
            changes["config"] = _kind(kind_key).validate(rt.form(conn, row.form_id), raw, ctx)
        if patch.shared is not None and patch.shared != (row.owner_id is None):
            _require_manage(rt, conn, ctx, row.form_id)
            changes["owner_id"] = None if patch.shared else ctx.user_id
        if changes:
            conn.execute(
                sa.update(views_t)
                .where(views_t.c.id == view_id)
                .values(**changes, updated_at=ctx.now())
            )
        return conn.execute(sa.select(views_t).where(views_t.c.id == view_id)).one()

    return view_json(rt.db.write(run))


def delete_view(rt: Runtime, ctx: Ctx, view_id: int) -> None:
    require_user(ctx)

    def run(conn: Connection) -> None:
        _view_for_change(rt, conn, ctx, view_id)
        conn.execute(sa.delete(views_t).where(views_t.c.id == view_id))

    rt.db.write(run)


def reorder_views(rt: Runtime, ctx: Ctx, form_id: int, order: ViewOrderIn) -> list[dict[str, Any]]:
    """``view_ids`` lists exactly the views the caller sees. Admins order all of them;
    other users order their personal views, which then follow the shared ones."""
    require_user(ctx)

    def run(conn: Connection) -> list[Any]:
        admin = form_access(conn, ctx, rt.form(conn, form_id)).can("manage")
        rows = {r.id: r for r in _visible_rows(conn, form_id, ctx)}
        ids = order.view_ids
        if len(ids) != len(set(ids)) or set(ids) != set(rows):
            raise ValidationFailed(details=[ErrorDetail("view_ids", "view_order_mismatch")])
        if not admin:
            base = max((r.position for r in rows.values() if r.owner_id is None), default=-1) + 1
            ids = [i for i in ids if rows[i].owner_id is not None]
        else:
            base = 0
        for offset, view_id in enumerate(ids):
            conn.execute(
                sa.update(views_t).where(views_t.c.id == view_id).values(position=base + offset)
            )
        return _visible_rows(conn, form_id, ctx)

    return [view_json(r) for r in rt.db.write(run)]
