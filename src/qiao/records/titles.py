"""Record titles: the text naming a record in relation values and pickers.

The title is the display text of the form's title field (``settings.title_field``, else
its first text field), else ``#<id>``.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from qiao.context import Ctx
from qiao.db.types import MAX_ID
from qiao.errors import BadRequest, ErrorDetail
from qiao.forms.fields.base import Storage
from qiao.forms.layout import default_title_field
from qiao.org.access import form_access
from qiao.org.permissions import require_user
from qiao.records.reads import junction_values
from qiao.runtime import Runtime

MAX_IDS = 200
_ID = re.compile(r"[0-9]{1,19}")


def parse_ids(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    # ASCII digits only ("²".isdigit() is true, int("²") fails) and within a stored id
    if len(parts) > MAX_IDS or not all(_ID.fullmatch(p) and int(p) <= MAX_ID for p in parts):
        raise BadRequest(
            "request_invalid",
            details=[ErrorDetail("ids", "titles_ids_invalid", {"max": MAX_IDS})],
        )
    return list(dict.fromkeys(int(p) for p in parts))


def titles(rt: Runtime, ctx: Ctx, form_id: int, ids_text: str) -> list[dict[str, Any]]:
    """Titles of the live records among ``ids`` (in the order asked for)."""
    require_user(ctx)
    ids = parse_ids(ids_text)
    with rt.db.read() as conn:
        access = form_access(conn, ctx, rt.form(conn, form_id))
        if not ids:
            return []
        # titles are records' data too: only those in the user's view scope, and no
        # title at all from a field hidden from them (masked ones come masked)
        scope = access.scope_clauses("view") if access.can("view") else [sa.false()]
        form = access.visible_form()
        key = default_title_field(access.form)
        fm = form.by_key.get(key) if key else None
        masked = fm is not None and access.rule(fm).masked
        table = form.table
        cols: list[Any] = [table.c.id]
        if fm is not None and fm.storage is Storage.COLUMN:
            cols.append(table.c[fm.column_name])
        rows = conn.execute(
            sa.select(*cols).where(table.c.id.in_(ids), table.c.deleted_at.is_(None), *scope)
        ).all()
        found = [r[0] for r in rows]
        multi = junction_values(conn, form, [fm], found).get(fm.id, {}) if fm else {}
    stored = {r[0]: (r[1] if len(r) > 1 else multi.get(r[0], [])) for r in rows}
    items = []
    for record_id in ids:
        if record_id not in stored:
            continue
        text = fm.ftype.display(fm, stored[record_id], ctx) if fm is not None else ""
        if masked and fm is not None:
            text = str(fm.ftype.mask(fm, text))
        items.append({"id": record_id, "title": text or f"#{record_id}"})
    return items
