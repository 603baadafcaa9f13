"""Audit entries of schema changes: apps, forms, fields and publishing the designer.

Called by the schema services inside their write transaction, so a refused change has
no entry. Details describe what changed as ``{attribute: {"before", "after"}}`` and
name the object as it was called at that moment (``name`` / ``label``), so the log
reads right after a later rename or delete.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.audit import log
from qiao.context import Ctx
from qiao.db import schema
from qiao.forms.model import FieldMeta, FormMeta

#: field attributes a change is reported for (positions are the layout's business)
FIELD_ATTRS = ("key", "label", "type", "required", "unique", "indexed", "settings")
#: form settings that are not design: the designer's draft
IGNORED_SETTINGS = ("draft",)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{name: {"before", "after"}}`` for every key whose value differs."""
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in dict.fromkeys([*before, *after])
        if before.get(key) != after.get(key)
    }


def field_state(fm: FieldMeta) -> dict[str, Any]:
    return {
        "key": fm.key,
        "label": fm.label,
        "type": fm.type,
        "required": fm.required,
        "unique": fm.unique,
        "indexed": fm.indexed,
        "settings": fm.settings.model_dump(mode="json"),
    }


def _settings_diff(before: FormMeta, after: FormMeta) -> dict[str, dict[str, Any]]:
    drop = set(IGNORED_SETTINGS)
    return diff(
        {k: v for k, v in before.settings.items() if k not in drop},
        {k: v for k, v in after.settings.items() if k not in drop},
    )


# ----- apps ------------------------------------------------------------------------------
def app(
    conn: Connection,
    ctx: Ctx,
    action: str,
    app_id: int,
    name: str,
    **details: Any,
) -> None:
    log.append(
        conn,
        ctx,
        action,
        app_id=app_id,
        object_type="app",
        object_id=app_id,
        details={"name": name, **details},
    )


def app_updated(conn: Connection, ctx: Ctx, old: Any, changes: dict[str, Any]) -> None:
    """``old`` is the app row before ``changes`` (column -> new value) were applied."""
    before = {k: getattr(old, k) for k in changes}
    found = diff(before, changes)
    if found:
        app(conn, ctx, "app_update", old.id, changes.get("name", old.name), changes=found)


# ----- forms -----------------------------------------------------------------------------
def form(conn: Connection, ctx: Ctx, action: str, fm: FormMeta, **details: Any) -> None:
    log.append(
        conn,
        ctx,
        action,
        app_id=fm.app_id,
        form_id=fm.id,
        object_type="form",
        object_id=fm.id,
        details={"name": fm.name, **details},
    )


def form_created(conn: Connection, ctx: Ctx, fm: FormMeta) -> None:
    fields = [{"id": f.id, **field_state(f)} for f in fm.live_fields]
    form(conn, ctx, "form_create", fm, fields=fields)


def form_updated(conn: Connection, ctx: Ctx, before: FormMeta, after: FormMeta) -> None:
    changes = diff(
        {"name": before.name, "description": before.description},
        {"name": after.name, "description": after.description},
    )
    changes.update({f"settings.{k}": v for k, v in _settings_diff(before, after).items()})
    order_before = [f.id for f in before.live_fields]
    order_after = [f.id for f in after.live_fields]
    if order_before != order_after:
        changes["field_order"] = {"before": order_before, "after": order_after}
    if changes:
        form(conn, ctx, "form_update", after, changes=changes)


def published(conn: Connection, ctx: Ctx, before: FormMeta, after: FormMeta) -> None:
    """One entry for a publish, listing every field added, changed and removed."""
    old = {f.id: f for f in before.live_fields}
    new = {f.id: f for f in after.live_fields}
    fields: list[dict[str, Any]] = []
    for fid, fm in new.items():
        if fid not in old:
            fields.append({"op": "add", "id": fid, **field_state(fm)})
            continue
        changes = diff(field_state(old[fid]), field_state(fm))
        if changes:
            fields.append(
                {"op": "update", "id": fid, "key": fm.key, "label": fm.label, "changes": changes}
            )
    for fid, fm in old.items():
        if fid not in new:
            fields.append({"op": "delete", "id": fid, "key": fm.key, "label": fm.label})
    settings = _settings_diff(before, after)
    form(
        conn,
        ctx,
        "form_publish",
        after,
        fields=fields,
        layout_changed="layout" in settings,
        settings={k: v for k, v in settings.items() if k != "layout"},
    )


# ----- fields ----------------------------------------------------------------------------
def _app_of(conn: Connection, form_id: int) -> int | None:
    f = schema.forms
    return conn.execute(sa.select(f.c.app_id).where(f.c.id == form_id)).scalar()


def field(conn: Connection, ctx: Ctx, action: str, fm: FieldMeta, **details: Any) -> None:
    log.append(
        conn,
        ctx,
        action,
        app_id=_app_of(conn, fm.form_id),
        form_id=fm.form_id,
        object_type="field",
        object_id=fm.id,
        details={"key": fm.key, "label": fm.label, "type": fm.type, **details},
    )


def field_updated(conn: Connection, ctx: Ctx, before: FieldMeta, after: FieldMeta) -> None:
    changes = diff(field_state(before), field_state(after))
    if changes:
        field(conn, ctx, "field_update", after, changes=changes)
