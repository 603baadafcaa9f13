"""Reading records: one SELECT for the page (filter, search, keyset, order, limit) plus
one query per multi-valued or sub-form field for the rows on the page, and an optional
COUNT."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.errors import BadRequest, ErrorDetail
from qiao.forms.fields.base import Storage
from qiao.forms.model import FieldMeta, FormMeta
from qiao.query.filters import compile_filter
from qiao.query.sorting import (
    decode_cursor,
    encode_cursor,
    keyset_condition,
    order_clauses,
    parse_sort,
)
from qiao.records.children import child_rows

SYSTEM_READ = (
    "id",
    "version",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "owner",
    "deleted_at",
)
MAX_LIMIT = 500


@dataclass
class ListQuery:
    filter: Any = None
    sort: str | None = None
    limit: int = 50
    cursor: str | None = None
    fields: list[str] | None = None
    q: str | None = None
    trashed: bool = False
    with_total: bool = True
    #: fields the quick search must not look into (masked for this user)
    search_skip: frozenset[str] = frozenset()


def select_fields(form: FormMeta, keys: list[str] | None) -> list[FieldMeta]:
    if keys is None:
        return form.live_fields
    chosen = []
    for key in keys:
        fm = form.by_key.get(key)
        if fm is None:
            if key in form.system_fields:
                continue
            raise BadRequest(
                "request_invalid",
                details=[ErrorDetail("fields", "invalid_fields_param", {"key": key})],
            )
        chosen.append(fm)
    return chosen


def base_columns(form: FormMeta, fields: list[FieldMeta]) -> list[Any]:
    table = form.table
    cols: list[Any] = [table.c[name] for name in SYSTEM_READ]
    cols += [table.c[f.column_name] for f in fields if f.storage is Storage.COLUMN]
    return cols


def junction_values(
    conn: Connection, form: FormMeta, fields: list[FieldMeta], ids: list[int]
) -> dict[int, dict[int, list[Any]]]:
    """field id -> record id -> values in order, for the multi-valued fields."""
    result: dict[int, dict[int, list[Any]]] = {}
    for fm in fields:
        if fm.storage is not Storage.JUNCTION or not ids:
            continue
        j = form.junctions[fm.id]
        per_record: dict[int, list[Any]] = defaultdict(list)
        rows = conn.execute(
            sa.select(j.c.record_id, j.c.value)
            .where(j.c.record_id.in_(ids))
            .order_by(j.c.record_id, j.c.position)
        )
        for record_id, value in rows:
            per_record[record_id].append(value)
        result[fm.id] = per_record
    return result


def multi_values(
    conn: Connection, form: FormMeta, fields: list[FieldMeta], ids: list[int]
) -> dict[int, dict[int, list[Any]]]:
    """Values kept outside the form table: junction values and sub-form rows."""
    return {**junction_values(conn, form, fields, ids), **child_rows(conn, form, fields, ids)}


#: what ``record_json`` needs of a field: key, column (None: kept outside the form
#: table, in ``multi``), to_json, field
Reader = tuple[str, str | None, Callable[[FieldMeta, Any, Ctx], Any], FieldMeta]


def readers(fields: list[FieldMeta]) -> list[Reader]:
    """Look each field's type and storage up once per page rather than once per value."""
    return [
        (
            fm.key,
            None if fm.storage is not Storage.COLUMN else fm.column_name,
            fm.ftype.to_json,
            fm,
        )
        for fm in fields
    ]


def record_json(
    row: Any, plan: list[Reader], multi: dict[int, dict[int, list[Any]]], ctx: Ctx
) -> dict[str, Any]:
    """One record as the API shows it; ``plan`` is ``readers(fields)`` of the page."""
    mapping = row._mapping
    data: dict[str, Any] = {}
    for key, column, to_json, fm in plan:
        if column is None:
            stored: Any = multi.get(fm.id, {}).get(mapping["id"], [])
        else:
            stored = mapping[column]
        data[key] = to_json(fm, stored, ctx)
    record = {
        "id": mapping["id"],
        "version": mapping["version"],
        # shown in the organisation's zone, like datetime field values
        "created_at": mapping["created_at"].astimezone(ctx.tz),
        "updated_at": mapping["updated_at"].astimezone(ctx.tz),
        "created_by": mapping["created_by"],
        "updated_by": mapping["updated_by"],
        "owner": mapping["owner"],
        "data": data,
    }
    if mapping["deleted_at"] is not None:
        record["deleted_at"] = mapping["deleted_at"].astimezone(ctx.tz)
    return record


def fetch_records(
    conn: Connection,
    form: FormMeta,
    ids: list[int],
    ctx: Ctx,
    *,
    trashed: bool | None = False,
    scope: Sequence[sa.ColumnElement[bool]] = (),
) -> dict[int, dict[str, Any]]:
    table = form.table
    query = sa.select(*base_columns(form, form.live_fields)).where(table.c.id.in_(ids), *scope)
    if trashed is not None:
        deleted = table.c.deleted_at
        query = query.where(deleted.is_not(None) if trashed else deleted.is_(None))
    rows = conn.execute(query).all()
    multi = multi_values(conn, form, form.live_fields, [r.id for r in rows])
    plan = readers(form.live_fields)
    return {r.id: record_json(r, plan, multi, ctx) for r in rows}


def search_condition(
    form: FormMeta, q: str, sqlite: bool, skip: frozenset[str] = frozenset()
) -> sa.ColumnElement[bool]:
    text = q.replace("\x00", "").strip()[:200]  # NUL cannot reach PostgreSQL
    parts = []
    for fm in form.live_fields:
        if fm.storage is Storage.COLUMN and fm.key not in skip:
            cond = fm.ftype.search_condition(fm, form.table.c[fm.column_name], text, sqlite)
            if cond is not None:
                parts.append(cond)
    if text.isdigit() and len(text) < 19:
        parts.append(form.table.c.id == int(text))
    return sa.or_(*parts) if parts else sa.false()


def where_clauses(
    form: FormMeta,
    query: ListQuery,
    ctx: Ctx,
    sqlite: bool,
    scope: Sequence[sa.ColumnElement[bool]] = (),
) -> list[sa.ColumnElement[bool]]:
    """The conditions of a list: live or trashed, the caller's data scope (from the
    permission layer), the filter and the quick search."""
    table = form.table
    clauses: list[sa.ColumnElement[bool]] = [
        table.c.deleted_at.is_not(None) if query.trashed else table.c.deleted_at.is_(None),
        *scope,
    ]
    condition = compile_filter(form, query.filter, ctx)
    if condition is not None:
        clauses.append(condition)
    if query.q and query.q.strip():
        clauses.append(search_condition(form, query.q, sqlite, query.search_skip))
    return clauses


def list_records(
    conn: Connection,
    form: FormMeta,
    query: ListQuery,
    ctx: Ctx,
    secret: str,
    sqlite: bool,
    scope: Sequence[sa.ColumnElement[bool]] = (),
    shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    limit = max(1, min(query.limit, MAX_LIMIT))
    fields = select_fields(form, query.fields)
    keys = parse_sort(form, query.sort)
    clauses = where_clauses(form, query, ctx, sqlite, scope)
    # a cursor is only valid for the query it came from (and the user, whose scope and
    # visible fields shape the page)
    cursor_scope = f"{form.id}|{ctx.user_id}|{query.sort}|{query.filter}|{query.q}|{query.trashed}"
    page_clauses = list(clauses)
    if query.cursor:
        values = decode_cursor(query.cursor, secret, cursor_scope, len(keys))
        page_clauses.append(keyset_condition(keys, values))
    key_cols = [k.expr.label(f"_k{i}") for i, k in enumerate(keys)]
    stmt = (
        sa.select(*base_columns(form, fields), *key_cols)
        .where(*page_clauses)
        .order_by(*order_clauses(keys, sqlite))
        .limit(limit + 1)
    )
    rows = conn.execute(stmt).all()
    more = len(rows) > limit
    rows = rows[:limit]
    multi = multi_values(conn, form, fields, [r.id for r in rows])
    plan = readers(fields)
    items = [record_json(r, plan, multi, ctx) for r in rows]
    if shape is not None:
        items = [shape(item) for item in items]
    next_cursor = None
    if more and rows:
        last = rows[-1]._mapping
        next_cursor = encode_cursor(
            [last[f"_k{i}"] for i in range(len(keys))], secret, cursor_scope
        )
    total = None
    if query.with_total:
        total = conn.execute(
            sa.select(sa.func.count()).select_from(form.table).where(*clauses)
        ).scalar_one()
    return {"items": items, "total": total, "next_cursor": next_cursor}
