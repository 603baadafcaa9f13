"""The form designer: drafts saved while designing, and publishing the designed form.

Publishing applies the whole design — added, changed (also retyped) and removed fields,
their order, the layout and the title field — in one write transaction, through the
same connection-level functions as the single-field endpoints.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Connection

from qiao.audit import schema_changes as audit_schema
from qiao.context import Ctx
from qiao.errors import BadRequest, ErrorDetail, ValidationFailed
from qiao.forms import formulas, layout, service
from qiao.forms.catalog import load_form
from qiao.forms.inputs import DraftIn, FieldDraft, FieldIn, FieldPatch, PublishIn
from qiao.forms.model import FieldMeta, FormMeta
from qiao.forms.views import form_json
from qiao.org.access import require_manage
from qiao.runtime import Runtime

MAX_DRAFT_BYTES = 1_000_000
DRAFT_KEY = "draft"


# ----- drafts --------------------------------------------------------------------------
def save_draft(rt: Runtime, ctx: Ctx, form_id: int, data: DraftIn) -> dict[str, Any]:
    require_manage(rt, ctx, form_id)
    size = len(json.dumps(data.draft, ensure_ascii=False, separators=(",", ":")).encode())
    if size > MAX_DRAFT_BYTES:
        raise BadRequest(
            "draft_too_large",
            details=[ErrorDetail("draft", "draft_too_large", {"max": MAX_DRAFT_BYTES})],
            max=MAX_DRAFT_BYTES,
        )
    draft = {"data": data.draft, "saved_at": ctx.now().isoformat(), "saved_by": ctx.user_id}

    def save(conn: Connection) -> None:
        form = service.live_form(conn, form_id)
        service.set_form_settings(conn, ctx, form_id, {**form.settings, DRAFT_KEY: draft})

    rt.db.write(save)
    return draft


def discard_draft(rt: Runtime, ctx: Ctx, form_id: int) -> None:
    require_manage(rt, ctx, form_id)

    def discard(conn: Connection) -> None:
        form = service.live_form(conn, form_id)
        if DRAFT_KEY in form.settings:
            settings = {k: v for k, v in form.settings.items() if k != DRAFT_KEY}
            service.set_form_settings(conn, ctx, form_id, settings)

    rt.db.write(discard)


# ----- publish -------------------------------------------------------------------------
def _check_listing(form: FormMeta, drafts: list[FieldDraft]) -> None:
    live = {f.id for f in form.live_fields}
    errors: list[ErrorDetail] = []
    ids: set[int] = set()
    refs: set[str] = set()
    for i, fd in enumerate(drafts):
        if fd.id is not None:
            if fd.id not in live:
                errors.append(ErrorDetail(f"fields[{i}].id", "field_not_found"))
            elif fd.id in ids:
                errors.append(ErrorDetail(f"fields[{i}].id", "publish_field_repeated"))
            ids.add(fd.id)
        if fd.ref is not None:
            if fd.ref in refs:
                errors.append(ErrorDetail(f"fields[{i}].ref", "publish_ref_repeated"))
            refs.add(fd.ref)
    if errors:
        raise ValidationFailed(details=errors)


def _apply_field(conn: Connection, ctx: Ctx, form_id: int, i: int, fd: FieldDraft) -> FieldMeta:
    prefix = f"fields[{i}]."
    base = fd.model_dump(include=set(FieldIn.model_fields))
    if fd.id is None:
        return service.add_field_in(conn, ctx, form_id, FieldIn(**base), position=i, prefix=prefix)
    patch = FieldPatch(**base, accept_loss=fd.accept_loss)
    return service.update_field_in(conn, ctx, form_id, fd.id, patch, prefix=prefix)


def publish(rt: Runtime, ctx: Ctx, form_id: int, data: PublishIn) -> dict[str, Any]:
    require_manage(rt, ctx, form_id)
    # the layout's own rules first: nothing to undo when it is malformed
    layout.normalise(data.layout, {fd.ref: 0 for fd in data.fields if fd.ref is not None})

    def run(conn: Connection) -> FormMeta:
        jobs.clear()  # a retried transaction starts over
        form = before = service.live_form(conn, form_id)
        _check_listing(form, data.fields)
        listed = {fd.id for fd in data.fields}
        for fm in form.live_fields:
            if fm.id not in listed:  # first, so that a new field may take its key
                service.delete_field_in(conn, ctx, form_id, fm.id)
        # renamed fields let go of their keys first: keys may be swapped or passed on
        keys = {fm.id: fm.key for fm in form.live_fields}
        service.park_keys(
            conn,
            [
                fd.id
                for fd in data.fields
                if fd.id is not None and fd.key not in (None, keys[fd.id])
            ],
        )
        ids_by_ref: dict[str, int] = {}
        order: list[int] = []
        for i, fd in enumerate(data.fields):
            fm = _apply_field(conn, ctx, form_id, i, fd)
            order.append(fm.id)
            if fd.ref is not None:
                ids_by_ref[fd.ref] = fm.id
        service.set_positions(conn, order)
        form = load_form(conn, form_id)
        layout.check_title_field(form, data.title_field, "title_field")
        settings = {k: v for k, v in form.settings.items() if k != DRAFT_KEY}
        settings["layout"] = layout.normalise(data.layout, ids_by_ref)
        if data.title_field is not None:
            settings["title_field"] = data.title_field
        if data.rules is not None:
            settings["rules"] = [rule.model_dump() for rule in data.rules]
        service.set_form_settings(conn, ctx, form_id, settings)
        prefixes = {fid: f"fields[{i}]." for i, fid in enumerate(order)}
        jobs.extend(formulas.settle(conn, ctx, form_id, before, prefixes))
        after = load_form(conn, form_id)
        audit_schema.published(conn, ctx, before, after)
        return after

    jobs: list[int] = []
    body = form_json(rt.db.write(run))
    # a formula changed on a large form: recomputed in the background (GET /jobs/{id})
    body["jobs"] = jobs
    return body
