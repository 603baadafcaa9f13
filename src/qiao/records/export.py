"""Exporting the records of a form as CSV, streamed page by page.

The export reads through the permission layer like any list (the user's data scope,
hidden fields left out, masked values masked) and needs the "export" operation; it is
audited before the first byte leaves. Rows are read in keyset pages of ``PAGE`` records,
each in its own short read, so memory stays flat however many records there are. Cells
that a spreadsheet would run as a formula (= + - @ and control characters first) are
prefixed with a quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from qiao.audit import log as audit
from qiao.context import Ctx
from qiao.db import schema
from qiao.forms.fields.base import Storage
from qiao.forms.model import FieldMeta, FormMeta
from qiao.org.access import form_access
from qiao.org.permissions import require_user
from qiao.records.reads import ListQuery, list_records, select_fields
from qiao.runtime import Runtime

PAGE = 1000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SYSTEM_COLUMNS = (("id", "ID"), ("owner", "负责人/Owner"), ("created_at", "创建时间/Created"))


def neutralise(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _cell(value: Any, user_names: dict[int, str] | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_cell(v, user_names) for v in value)
    if isinstance(value, dict):
        return str(value.get("title") or value.get("label") or value.get("name") or value)
    if user_names is not None and isinstance(value, int):
        return user_names.get(value, str(value))
    return neutralise(str(value))


def _field_cell(
    fm: FieldMeta,
    value: Any,
    ctx: Ctx,
    row_counts: dict[str, FieldMeta],
    users: dict[int, str],
    user_keys: set[str],
) -> str:
    if fm.key in row_counts:
        return fm.ftype.display(fm, value, ctx)
    text = fm.ftype.export_text(fm, value, ctx) if value is not None else None
    if text is not None:
        return neutralise(text)
    return _cell(value, users if fm.key in user_keys else None)


def export_csv(
    rt: Runtime, ctx: Ctx, form_id: int, query: ListQuery
) -> tuple[str, Iterator[bytes]]:
    """(file name, body chunks). Checks and the audit entry happen before streaming."""
    require_user(ctx)
    with rt.db.read() as conn:
        access = form_access(conn, ctx, rt.form(conn, form_id))
        access.require("export")
        access.check_filter(query.filter)
        access.check_sort(query.sort)
        form = access.visible_form()
        fields = select_fields(form, query.fields)
        users = {
            r.id: r.display_name
            for r in conn.execute(sa.select(schema.users.c.id, schema.users.c.display_name))
        }
    user_keys = {fm.key for fm in fields if fm.type == "user"}
    # a sub-form's rows do not fit a cell: the cell says how many there are ("3 行")
    row_counts = {fm.key: fm for fm in fields if fm.storage is Storage.CHILD}
    rt.db.write(
        lambda conn: audit.append(
            conn,
            ctx,
            "export",
            app_id=form.app_id,
            form_id=form.id,
            details={
                "format": "csv",
                "filter": query.filter,
                "q": query.q,
                "fields": [fm.key for fm in fields],
            },
        )
    )
    scope = access.scope_clauses("view")
    shape = None if access.full else access.shape

    def rows() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([label for _, label in SYSTEM_COLUMNS] + [fm.label for fm in fields])
        yield ("\ufeff" + buffer.getvalue()).encode()
        cursor = None
        while True:
            page_query = ListQuery(
                filter=query.filter,
                sort=query.sort,
                limit=PAGE,
                cursor=cursor,
                fields=[fm.key for fm in fields],
                q=query.q,
                with_total=False,
                search_skip=frozenset(access.masked_keys()),
            )
            with rt.db.read() as conn:
                page = _page(rt, conn, form, page_query, ctx, scope, shape)
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for item in page["items"]:
                data = item["data"]
                writer.writerow(
                    [
                        item["id"],
                        users.get(item["owner"], "") if item["owner"] else "",
                        item["created_at"].strftime("%Y-%m-%d %H:%M:%S"),
                    ]
                    + [
                        _field_cell(fm, data.get(fm.key), ctx, row_counts, users, user_keys)
                        for fm in fields
                    ]
                )
            yield buffer.getvalue().encode()
            cursor = page["next_cursor"]
            if not cursor:
                return

    return f"{form.name}.csv", rows()


def _page(
    rt: Runtime,
    conn: Any,
    form: FormMeta,
    query: ListQuery,
    ctx: Ctx,
    scope: list[Any],
    shape: Any,
) -> dict[str, Any]:
    return list_records(
        conn,
        form,
        query,
        ctx,
        rt.settings.resolved_secret_key,
        rt.db.is_sqlite,
        scope=scope,
        shape=shape,
    )
