"""A record's history (the record page's 变更记录): its audit entries, newest first.

Anyone who may see the record may read its history, but only what they may see of it:
the record must be in their view scope (404 otherwise, as for the record itself),
changes of fields hidden from them are dropped (an entry left with nothing visible is
dropped whole, so not even "something changed" leaks), and masked fields show masked
before and after values. Entries carry only what is computed here, never raw details,
IP addresses or user agents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.audit import actions
from qiao.audit.names import NameBook
from qiao.audit.search import fetch, parse_cursor
from qiao.audit.summary import summarize, unmasked_keys
from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import NotFound
from qiao.forms.model import FieldMeta, FormMeta
from qiao.org import access as permissions
from qiao.runtime import Runtime

#: how far one page may scan past entries that turn out invisible
SCAN_FACTOR = 5


@dataclass(frozen=True)
class Sight:
    """What the reader may see of the form's fields (by key, as entries name them)."""

    full: bool
    fields: dict[str, tuple[FieldMeta, bool]]  # visible key -> (field, masked)

    def show(self, key: str, value: Any) -> tuple[bool, Any, bool]:
        """(visible?, the value as they may see it, masked?)."""
        found = self.fields.get(key)
        if found is None:  # hidden, or a field deleted since: fail closed (but for admins)
            return (True, value, False) if self.full else (False, None, False)
        fm, masked = found
        return True, (fm.ftype.mask(fm, value) if masked else value), masked


def sight(conn: Connection, ctx: Ctx, form: FormMeta, record_id: int) -> Sight:
    """The one permission check of the history: the record in the reader's view scope
    (live or in the recycle bin), and their field rules."""
    acc = permissions.form_access(conn, ctx, form)
    try:
        permissions.require_record(conn, acc, record_id, "view")
    except NotFound:
        permissions.require_record(conn, acc, record_id, "view", trashed=True)
    fields = {}
    for fm in form.live_fields:
        rule = acc.rule(fm)
        if acc.full or rule.access != "hidden":
            fields[fm.key] = (fm, not acc.full and rule.masked)
    return Sight(acc.full, fields)


def _changes(s: Sight, values: dict[str, Any], *, created: bool) -> list[dict[str, Any]]:
    out = []
    for key, change in values.items():
        if created:
            label, before, after = key, None, change
        elif isinstance(change, dict):
            label, before, after = (
                change.get("label") or key,
                change.get("before"),
                change.get("after"),
            )
        else:
            continue
        visible, before_shown, masked = s.show(key, before)
        if not visible:
            continue
        _, after_shown, _ = s.show(key, after)
        found = s.fields.get(key)
        if created or (label == key and found):
            label = found[0].label if found else label
        out.append(
            {
                "key": key,
                "label": label,
                "before": before_shown,
                "after": after_shown,
                "masked": masked,
            }
        )
    return out


def _entry(s: Sight, entry: dict[str, Any]) -> dict[str, Any] | None:
    """The entry as this reader may see it; None when nothing of it is theirs to see."""
    action = entry["action"]
    details = entry["details"] if isinstance(entry["details"], dict) else {}
    shown: dict[str, Any] = {}
    changes: list[dict[str, Any]] = []
    if action == "record_create":
        changes = _changes(s, details.get("values") or {}, created=True)
    elif action == "record_update":
        changes = _changes(s, details.get("changes") or {}, created=False)
        if not changes:
            return None
        shown["version"] = details.get("version")
    elif action == "record_transfer":
        shown["before"], shown["after"] = details.get("before"), details.get("after")
    elif action == "record_unmask":
        keys = [k for k in unmasked_keys(details) if s.show(k, None)[0]]
        if not keys:
            return None
        shown["fields"] = keys
    elif not action.startswith("record_"):
        return None  # e.g. an export naming the record: not the record's own history
    # the summary is made from what is shown, never from the hidden rest
    visible = {**entry, "details": {**shown, "changes": {c["key"]: c for c in changes}}}
    return {"entry": visible, "changes": changes, "details": shown}


def record_history(
    rt: Runtime,
    ctx: Ctx,
    form_id: int,
    record_id: int,
    *,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    before = parse_cursor(cursor)
    log_t = schema.audit_log
    where: list[sa.ColumnElement[bool]] = [
        log_t.c.form_id == form_id,
        log_t.c.record_id == record_id,
    ]
    catalog = rt.catalog()
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
        s = sight(conn, ctx, form, record_id)
        kept: list[dict[str, Any]] = []
        scanned, more = 0, False
        while True:
            entries = fetch(conn, where, before, limit)
            for entry in entries:
                if len(kept) == limit:
                    more = True
                    break
                before, scanned = entry["seq"], scanned + 1
                item = _entry(s, entry)
                if item is not None:
                    kept.append(item)
            if more or len(entries) < limit:
                break
            if scanned >= limit * SCAN_FACTOR:  # a page of mostly invisible entries
                more = True
                break
        book = NameBook.load(conn, [k["entry"] for k in kept], catalog)
    names = book.names()
    items = []
    for k in kept:
        entry = k["entry"]
        user_id = entry["user_id"]
        known = book.users.get(user_id) if user_id is not None else None
        details = dict(k["details"])
        if entry["action"] == "record_transfer":
            details["before_name"] = names.user(details.get("before"))
            details["after_name"] = names.user(details.get("after"))
        items.append(
            {
                "seq": entry["seq"],
                "at": entry["at"].astimezone(ctx.tz),
                "action": entry["action"],
                "action_label": actions.label(entry["action"], ctx.locale),
                "user_id": user_id,
                "username": entry["username"],
                "user_display_name": known[1] if known else None,
                "summary": summarize(entry, ctx.locale, names),
                "changes": k["changes"],
                "details": details,
            }
        )
    return {"items": items, "next_cursor": str(before) if more else None}
