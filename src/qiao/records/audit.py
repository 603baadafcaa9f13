"""Audit entries of record writes: what was created, and what changed field by field.

Entries are written by the write path, in its transaction, through ``qiao.audit.log``.
Values are kept as the API shows them (JSON), keyed by field key with the label of the
moment, so that the history reads right after a field is renamed or deleted.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection

from qiao.audit import log
from qiao.context import Ctx
from qiao.forms.fields.base import FieldType
from qiao.forms.model import FieldMeta, FormMeta
from qiao.records.values import Prepared

#: stored values whose rendering ``created`` remembers (hashable, compared by value)
_MEMO_TYPES = frozenset({str, int, Decimal, bool, date, datetime})
_MISSING = object()


def _shown_as_stored(fm: FieldMeta) -> bool:
    return type(fm.ftype).to_json is FieldType.to_json


def _base(form: FormMeta, record_id: int) -> dict[str, Any]:
    return {"app_id": form.app_id, "form_id": form.id, "record_id": record_id}


def created(
    conn: Connection,
    ctx: Ctx,
    form: FormMeta,
    ids: list[int],
    items: list[Prepared],
    owners: list[int | None],
) -> None:
    # resolved once per call, not per value: an import writes thousands of records
    # of one form here, and the lookups were a third of the work
    render = {
        # None: the stored value is what the API shows (text, phone, e-mail, …)
        fm.id: (fm.key, None if _shown_as_stored(fm) else fm.ftype.to_json, fm)
        for fm in form.live_fields
    }
    # a stored value renders the same every time within one call (same ctx): options,
    # scores, levels repeat across the records of a batch
    seen: dict[tuple[int, type, Any], Any] = {}
    entries = []
    for record_id, item, owner in zip(ids, items, owners, strict=True):
        values = {}
        for fid, value in item.items():
            if value is None or value == [] or value == "":
                continue
            target = render.get(fid)
            if target is None:
                continue
            key, to_json, fm = target
            if to_json is None:
                values[key] = value
            elif type(value) in _MEMO_TYPES:
                memo = (fid, type(value), value)  # True == 1, but renders apart
                shown = seen.get(memo, _MISSING)
                if shown is _MISSING:
                    shown = seen[memo] = to_json(fm, value, ctx)
                values[key] = shown
            else:
                values[key] = to_json(fm, value, ctx)
        details = {"values": values, "owner": owner if owner is not None else ctx.user_id}
        entries.append({**_base(form, record_id), "details": details})
    log.append_many(conn, ctx, "record_create", entries)


def changes(
    form: FormMeta, before: dict[str, Any], after: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Field key -> label, before and after, for the fields whose value changed."""
    result: dict[str, dict[str, Any]] = {}
    for fm in form.live_fields:
        old, new = before["data"].get(fm.key), after["data"].get(fm.key)
        if old != new:
            result[fm.key] = {"label": fm.label, "before": old, "after": new}
    return result


def updated(
    conn: Connection,
    ctx: Ctx,
    form: FormMeta,
    before: dict[int, dict[str, Any]],
    after: dict[int, dict[str, Any]],
) -> None:
    entries = []
    for record_id, old in before.items():
        new = after.get(record_id)
        if new is None:
            continue
        diff = changes(form, old, new)
        if diff:
            details = {"changes": diff, "version": new["version"]}
            entries.append({**_base(form, record_id), "details": details})
    log.append_many(conn, ctx, "record_update", entries)


def simple(
    conn: Connection,
    ctx: Ctx,
    action: str,
    form: FormMeta,
    ids: list[int],
    details: dict[int, dict[str, Any]] | None = None,
) -> None:
    """Deletes, restores, transfers and unmasked views: one entry per record."""
    log.append_many(
        conn,
        ctx,
        action,
        [{**_base(form, rid), "details": (details or {}).get(rid, {})} for rid in ids],
    )
