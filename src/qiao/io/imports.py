"""Imports of spreadsheets into forms: upload → configure (sheet, header row, mapping,
options) → analysis and preview → error report → a background job in batches →
cancel → history → undo.

The file is kept in the file store; the import row (``qiao_imports``) holds the choices,
the sheets' previews and the chosen sheet's columns (in ``summary``, so that a progress
poll never reads the file again) and the counts. The analysis lives in
``qiao.io.import_plan``, the job handlers in ``qiao.io.import_job`` and the annotated
report in ``qiao.io.import_report``.

Who sees an import: its creator, and whoever manages the form (system and app
administrators, holders of the form's "manage" operation). Starting one needs the
form's "import" operation; adding select options from the file needs "manage".
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from qiao import jobs
from qiao.audit import log as audit_log
from qiao.context import Ctx
from qiao.db import schema
from qiao.db.uow import after_commit
from qiao.errors import BadRequest, Conflict, ErrorDetail, Forbidden, NotFound, loc_path
from qiao.files.store import new_key
from qiao.forms.model import FormMeta
from qiao.gcpause import paused_gc
from qiao.i18n import translate
from qiao.io import import_job, import_report, mapping, readers
from qiao.io.import_plan import (
    ERRORS_HEADER,
    ImportOptions,
    Plan,
    analyse,
    cached,
    check_mapping,
    forget,
    peek,
)
from qiao.org.access import FormAccess, form_access, is_app_admin
from qiao.org.permissions import require_user
from qiao.runtime import Runtime

imports_t = schema.imports
mappings_t = schema.import_mappings
users_t = schema.users
jobs_t = schema.jobs
log = logging.getLogger(__name__)

#: states in which the import's job may still write
ACTIVE = ("queued", "running")
SAMPLES = 5
#: files up to this many rows are analysed on upload already; a bigger one once its
#: mapping and options are chosen (PATCH) or its preview is asked for
ANALYSE_ON_UPLOAD = 20_000

__all__ = ["import_job"]  # the job handlers register when this module is imported


# ----- loading and permissions ----------------------------------------------------------
def _row(conn: Connection, import_id: int) -> Any:
    row = conn.execute(sa.select(imports_t).where(imports_t.c.id == import_id)).first()
    if row is None:
        raise NotFound("import_not_found")
    return row


def _access(rt: Runtime, conn: Connection, ctx: Ctx, form_id: int) -> FormAccess:
    require_user(ctx)
    return form_access(conn, ctx, rt.form(conn, form_id))


def _visible(
    rt: Runtime, conn: Connection, ctx: Ctx, import_id: int
) -> tuple[Any, FormAccess | None]:
    """The import if the user may see it (404 otherwise: its existence must not leak)."""
    require_user(ctx)
    row = _row(conn, import_id)
    user = ctx.user
    assert user is not None
    if row.form_id is None:
        if row.created_by != user.id and not (row.app_id and is_app_admin(conn, ctx, row.app_id)):
            raise NotFound("import_not_found")
        return row, None
    try:
        access = _access(rt, conn, ctx, row.form_id)
    except (Forbidden, NotFound) as exc:
        raise NotFound("import_not_found") from exc
    if row.created_by != user.id and not access.full:
        raise NotFound("import_not_found")
    return row, access


def _content(rt: Runtime, row: Any) -> bytes:
    with rt.files.open(row.storage_key) as fh:
        return fh.read()


def sheets_of(rt: Runtime, row: Any) -> list[readers.Sheet]:
    """The stored file's sheets, read once per process while in the cache."""

    @paused_gc()  # a million cells that stay alive (see qiao.gcpause)
    def read() -> list[readers.Sheet]:
        return readers.read_workbook(_content(rt, row), row.filename)

    return cached(("book", row.storage_key), read)  # type: ignore[no-any-return]


def table_of(rt: Runtime, row: Any) -> readers.Table:
    sheets = sheets_of(rt, row)
    sheet = sheets[min(max(row.sheet, 0), len(sheets) - 1)]
    header = min(max(row.header_row, 0), max(len(sheet.rows) - 1, 0))

    @paused_gc()
    def make() -> readers.Table:
        return readers.to_table(sheet, header)

    return cached(("table", row.storage_key, row.sheet, row.header_row), make)  # type: ignore[no-any-return]


def _int_mapping(raw: dict[str, Any] | None) -> dict[int, str | None]:
    result: dict[int, str | None] = {}
    for key, value in (raw or {}).items():
        try:
            result[int(key)] = value if isinstance(value, str) and value else None
        except (TypeError, ValueError):
            continue
    return result


def _options(row: Any) -> ImportOptions:
    try:
        return ImportOptions.model_validate(row.options or {})
    except ValidationError:
        return ImportOptions()


def plan_of(
    rt: Runtime,
    conn: Connection,
    access: FormAccess,
    ctx: Ctx,
    row: Any,
    frozen: dict[str, Any] | None = None,
) -> Plan:
    """The analysis of the import as configured (cached per configuration)."""
    table = table_of(rt, row)
    columns = len(table.columns)
    wanted = {i: k for i, k in _int_mapping(row.mapping).items() if k and i < columns}
    checked = check_mapping(access, wanted, columns)
    options = _options(row)
    fingerprint = json.dumps(
        # the user too: duplicates and relations are matched within their data scope
        [
            row.storage_key,
            row.sheet,
            row.header_row,
            checked,
            options.model_dump(),
            ctx.locale,
            ctx.user_id,
        ],
        sort_keys=True,
        default=str,
    )
    key = ("plan", row.id, str(row.updated_at), fingerprint, frozen is not None)
    if frozen is not None:
        # the preview's plan, when it took the same decisions, serves the job too
        seen = peek(("plan", row.id, str(row.updated_at), fingerprint, False))
        if seen is not None and seen.frozen() == frozen:
            return seen  # type: ignore[no-any-return]
    return cached(  # type: ignore[no-any-return]
        key, lambda: analyse(rt, conn, access, ctx, table, checked, options, frozen)
    )


# ----- JSON -----------------------------------------------------------------------------
def _sheets_meta(sheets: list[readers.Sheet]) -> list[dict[str, Any]]:
    return [
        {
            "index": i,
            "name": sheet.name,
            "rows": readers.sheet_preview(sheet, 20),
            "row_count": len(sheet.rows),
            "header_row": readers.detect_header(sheet) if sheet.rows else 0,
        }
        for i, sheet in enumerate(sheets)
    ]


def _columns_meta(table: readers.Table) -> list[dict[str, Any]]:
    result = []
    for index, label in enumerate(table.columns):
        samples: list[str] = []
        for data_row in table.rows:
            text = readers.cell_text(data_row[index])
            if text and text not in samples:
                samples.append(text)
                if len(samples) >= SAMPLES:
                    break
        result.append({"index": index, "label": label, "samples": samples})
    return result


def _saved(conn: Connection, form_id: int) -> list[Any]:
    return list(
        conn.execute(
            sa.select(mappings_t)
            .where(mappings_t.c.form_id == form_id)
            .order_by(mappings_t.c.updated_at, mappings_t.c.id)
        ).all()
    )


def _saved_union(rows: list[Any]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for r in rows:
        merged.update({k: v for k, v in (r.mapping or {}).items() if isinstance(v, str)})
    return merged


def _for_columns(saved: dict[str, str], columns: list[str]) -> dict[str, str | None]:
    """A saved mapping (by header) applied to this file's columns (by index)."""
    return {str(i): saved.get(mapping.label_key(label)) for i, label in enumerate(columns)}


def _propose(form: FormMeta, columns: list[str], saved: dict[str, str]) -> dict[str, str | None]:
    proposed = mapping.propose_mapping(columns, form, saved or None)
    return {
        str(i): (None if columns[i] == ERRORS_HEADER else proposed.get(i))
        for i in range(len(columns))
    }


def _job_json(conn: Connection, job_id: int | None) -> dict[str, Any] | None:
    if job_id is None:
        return None
    job = conn.execute(sa.select(jobs_t).where(jobs_t.c.id == job_id)).first()
    if job is None:
        return None
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "done": job.done,
        "total": job.total,
        "progress": (job.done / job.total) if job.total else (1.0 if job.state == "done" else 0),
        "error": job.error if job.state == "failed" else None,
    }


def effective_state(row: Any, job: dict[str, Any] | None) -> str:
    """The import's state; a job that failed for good leaves the import failed."""
    if row.state in ACTIVE and job is not None and job["state"] == "failed":
        return "failed"
    if row.state == "undoing" and job is not None and job["state"] == "failed":
        return "failed"
    return str(row.state)


def _user_json(conn: Connection, user_id: int | None) -> dict[str, Any] | None:
    if user_id is None:
        return None
    u = conn.execute(
        sa.select(users_t.c.id, users_t.c.display_name, users_t.c.username).where(
            users_t.c.id == user_id
        )
    ).first()
    return None if u is None else {"id": u.id, "name": u.display_name or u.username}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _json(conn: Connection, row: Any, *, full: bool = True) -> dict[str, Any]:
    meta = row.summary or {}
    job = _job_json(conn, row.job_id)
    state = effective_state(row, job)
    body: dict[str, Any] = {
        "id": row.id,
        "form_id": row.form_id,
        "app_id": row.app_id,
        "state": state,
        "filename": row.filename,
        "size": row.size,
        "sheet": row.sheet,
        "header_row": row.header_row,
        "mapping": {str(k): v for k, v in _int_mapping(row.mapping).items()},
        "options": _options(row).model_dump(),
        "summary": meta.get("stats"),
        "counts": {
            "total": row.total,
            "created": row.created,
            "updated": row.updated,
            "skipped": row.skipped,
            "failed": row.failed,
        },
        "job": job,
        "created_by": _user_json(conn, row.created_by),
        "created_at": _iso(row.created_at),
        "finished_at": _iso(row.finished_at),
        "undone_at": _iso(row.undone_at),
        "error": row.error or (job["error"] if job and state == "failed" else None),
    }
    if full:
        body["sheets"] = meta.get("sheets", [])
        body["columns"] = meta.get("columns", [])
        labels = [c["label"] for c in body["columns"]]
        saved = _saved(conn, row.form_id) if row.form_id else []
        body["saved_mappings"] = [
            {"id": s.id, "name": s.name, "mapping": _for_columns(s.mapping or {}, labels)}
            for s in saved
        ]
    return body


# ----- upload ---------------------------------------------------------------------------
def _check_size(rt: Runtime, filename: str, content: bytes) -> None:
    limit = rt.settings.max_upload_bytes
    if len(content) > limit:
        raise BadRequest(
            "import_upload_too_large", status=413, name=filename, max=limit // (1024 * 1024)
        )
    if not content:
        raise BadRequest("import_file_empty", name=filename)


def _first_sheet(sheets: list[readers.Sheet]) -> int:
    for i, sheet in enumerate(sheets):
        if any(any(c not in (None, "") for c in r) for r in sheet.rows):
            return i
    return 0


def _new(
    rt: Runtime,
    ctx: Ctx,
    filename: str,
    content: bytes,
    app_id: int,
    form: FormMeta | None,
    check: Callable[[Connection], None],
) -> int:
    _check_size(rt, filename, content)
    sheets = readers.read_workbook(content, filename)
    if not sheets:
        raise BadRequest("import_file_unreadable", name=filename)
    sheet_index = _first_sheet(sheets)
    meta_sheets = _sheets_meta(sheets)
    header_row = meta_sheets[sheet_index]["header_row"]
    table = readers.to_table(sheets[sheet_index], header_row)
    key = new_key()
    cached(("book", key), lambda: sheets)
    size = rt.files.put(key, content)
    now = ctx.now()

    def insert(conn: Connection) -> int:
        check(conn)
        proposal: dict[str, str | None] = {}
        if form is not None:
            proposal = _propose(form, table.columns, _saved_union(_saved(conn, form.id)))
        return int(
            conn.execute(
                sa.insert(imports_t)
                .values(
                    app_id=app_id,
                    form_id=form.id if form else None,
                    state="draft",
                    filename=filename[:255],
                    storage_key=key,
                    size=size,
                    sheet=sheet_index,
                    header_row=header_row,
                    mapping=proposal,
                    options=ImportOptions().model_dump(),
                    summary={"sheets": meta_sheets, "columns": _columns_meta(table)},
                    created_by=ctx.user_id,
                    created_at=now,
                    updated_at=now,
                )
                .returning(imports_t.c.id)
            ).scalar_one()
        )

    try:
        return rt.db.write(insert)
    except BaseException:
        rt.files.delete(key)
        raise


def create_import(
    rt: Runtime, ctx: Ctx, form_id: int, filename: str, content: bytes
) -> dict[str, Any]:
    """A draft import of an uploaded file into a form, with a proposed mapping and its
    analysis (summary)."""
    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
    access.require("import")
    form = access.visible_form()

    def check(conn: Connection) -> None:
        _access(rt, conn, ctx, form_id).require("import")

    import_id = _new(rt, ctx, filename, content, form.app_id, form, check)
    with rt.db.read() as conn:
        row = _row(conn, import_id)
    if table_rows(row) <= ANALYSE_ON_UPLOAD:
        _analyse_and_store(rt, ctx, import_id)
    return get_import(rt, ctx, import_id)


def table_rows(row: Any) -> int:
    """Rows of the chosen sheet (an upper bound of the data rows)."""
    sheets = (row.summary or {}).get("sheets") or []
    return int(sheets[row.sheet]["row_count"]) if row.sheet < len(sheets) else 0


def create_analysis(
    rt: Runtime, ctx: Ctx, app_id: int, filename: str, content: bytes
) -> dict[str, Any]:
    """A file uploaded to create a form from it (no form yet; app administrators)."""
    from qiao.org.access import require_app_admin

    require_user(ctx)

    def check(conn: Connection) -> None:
        require_app_admin(conn, ctx, app_id)

    with rt.db.read() as conn:
        check(conn)
    import_id = _new(rt, ctx, filename, content, app_id, None, check)
    return get_import(rt, ctx, import_id)


def _analyse_and_store(rt: Runtime, ctx: Ctx, import_id: int) -> None:
    """Run the analysis (into the cache) and keep its summary on the import."""
    with rt.db.read() as conn:
        row, access = _visible(rt, conn, ctx, import_id)
        if access is None or row.state != "draft":
            return
        try:
            plan = plan_of(rt, conn, access, ctx, row)
        except BadRequest:  # a mapping made stale by a field change: no summary
            return
    _store_stats(rt, row, plan)


def _store_stats(rt: Runtime, row: Any, plan: Plan) -> None:
    stats = plan.summary()

    def store(conn: Connection) -> None:
        current = _row(conn, row.id)
        if current.updated_at != row.updated_at or current.state != "draft":
            return  # configured again meanwhile
        meta = dict(current.summary or {})
        meta["stats"] = stats
        conn.execute(sa.update(imports_t).where(imports_t.c.id == row.id).values(summary=meta))

    rt.db.write(store)


# ----- configure ------------------------------------------------------------------------
_CONFIG_KEYS = {"sheet", "header_row", "mapping", "options"}


def configure(rt: Runtime, ctx: Ctx, import_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Change the sheet, header row, mapping or options of a draft import; the analysis
    is run again. Another sheet or header row proposes the mapping again unless given."""
    if not isinstance(body, dict):
        raise BadRequest("request_invalid")
    unknown = [k for k in body if k not in _CONFIG_KEYS]
    if unknown:
        raise BadRequest(
            "request_invalid",
            details=[ErrorDetail(k, "unknown_field", {"key": k, "label": k}) for k in unknown],
        )
    with rt.db.read() as conn:
        row, access = _visible(rt, conn, ctx, import_id)
        if access is not None:
            access.require("import")
    if row.state != "draft":
        raise Conflict("import_not_draft", state=row.state)
    values: dict[str, Any] = {}
    sheets = sheets_of(rt, row)
    sheet_index, header_row = row.sheet, row.header_row
    if "sheet" in body:
        sheet_index = _int_in(body["sheet"], "sheet", len(sheets))
        if "header_row" not in body and sheet_index != row.sheet:
            header_row = (
                readers.detect_header(sheets[sheet_index]) if sheets[sheet_index].rows else 0
            )
    if "header_row" in body:
        header_row = _int_in(
            body["header_row"], "header_row", max(len(sheets[sheet_index].rows), 1)
        )
    reshaped = (sheet_index, header_row) != (row.sheet, row.header_row)
    table = readers.to_table(sheets[sheet_index], header_row)
    if reshaped:
        values.update(sheet=sheet_index, header_row=header_row)
        meta = dict(row.summary or {})
        meta["columns"] = _columns_meta(table)
        meta.pop("stats", None)
        values["summary"] = meta
    if "mapping" in body:
        raw = body["mapping"]
        if not isinstance(raw, dict):
            raise BadRequest(
                "request_invalid", details=[ErrorDetail("mapping", "wrong_type", {"msg": "object"})]
            )
        wanted = _int_mapping(raw)
        if access is not None:
            check_mapping(access, {i: k for i, k in wanted.items() if k}, len(table.columns))
        values["mapping"] = {str(i): wanted.get(i) for i in range(len(table.columns))}
    elif reshaped and access is not None:
        with rt.db.read() as conn:
            saved = _saved_union(_saved(conn, access.form.id))
        values["mapping"] = _propose(access.visible_form(), table.columns, saved)
    elif reshaped:
        values["mapping"] = {}
    if "options" in body:
        values["options"] = _check_options(access, body["options"])
    values["updated_at"] = ctx.now()

    def update(conn: Connection) -> None:
        current = _row(conn, import_id)
        if current.state != "draft":
            raise Conflict("import_not_draft", state=current.state)
        conn.execute(sa.update(imports_t).where(imports_t.c.id == import_id).values(values))

    rt.db.write(update)
    forget(import_id)
    _analyse_and_store(rt, ctx, import_id)
    return get_import(rt, ctx, import_id)


def _int_in(value: Any, name: str, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < limit:
        raise BadRequest(
            "request_invalid",
            details=[ErrorDetail(name, "import_out_of_range", {"max": limit - 1})],
        )
    return value


def _check_options(access: FormAccess | None, raw: Any) -> dict[str, Any]:
    try:
        options = ImportOptions.model_validate(raw)
    except ValidationError as exc:
        details = [
            ErrorDetail(loc_path(e["loc"], "options"), "import_option_invalid", {"msg": e["msg"]})
            for e in exc.errors()
        ]
        raise BadRequest("request_invalid", details=details) from exc
    if access is not None:
        form = access.visible_form()
        errors = [
            ErrorDetail(f"options.dedupe_keys[{i}]", "import_field_unknown", {"key": key})
            for i, key in enumerate(options.dedupe_keys)
            if key not in form.by_key
        ]
        errors += [
            ErrorDetail(f"options.option_map.{key}", "import_field_unknown", {"key": key})
            for key in options.option_map
            if key not in form.by_key
        ]
        if errors:
            raise BadRequest("request_invalid", details=errors)
    return options.model_dump()


# ----- reads ----------------------------------------------------------------------------
def get_import(rt: Runtime, ctx: Ctx, import_id: int) -> dict[str, Any]:
    with rt.db.read() as conn:
        row, _ = _visible(rt, conn, ctx, import_id)
        return _json(conn, row)


def list_imports(rt: Runtime, ctx: Ctx, form_id: int) -> dict[str, Any]:
    """The form's import history: everyone's for its managers, one's own otherwise."""
    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
        if not (access.can("import") or access.full):
            access.require("import")
        query = sa.select(imports_t).where(imports_t.c.form_id == form_id)
        if not access.full:
            query = query.where(imports_t.c.created_by == ctx.user_id)
        rows = conn.execute(query.order_by(imports_t.c.id.desc()).limit(200)).all()
        return {"items": [_json(conn, r, full=False) for r in rows]}


def _message(detail: ErrorDetail, locale: str) -> str:
    return translate(detail.code, locale, detail.params)


def row_errors(plan: Plan, index: int, locale: str) -> list[dict[str, Any]]:
    labels = plan_labels(plan)
    result = []
    for detail in plan.errors.get(index, []):
        key = detail.field.split(".", 1)[0].split("[", 1)[0]
        result.append(
            {
                "field": detail.field,
                "column": labels.get(key, ""),
                "code": detail.code,
                "message": _message(detail, locale),
            }
        )
    return result


def plan_labels(plan: Plan) -> dict[str, str]:
    """Field key -> the header of its column."""
    return {key: plan.table.columns[i] for i, key in plan.mapping.items()}


_ONLY = {"errors", "duplicates", "changed"}


def preview(
    rt: Runtime,
    ctx: Ctx,
    import_id: int,
    offset: int = 0,
    limit: int = 50,
    only: str | None = None,
) -> dict[str, Any]:
    """A page of the analysed rows: cleaned cells, errors, duplicates, actions."""
    if only is not None and only not in _ONLY:
        raise BadRequest(
            "request_invalid", details=[ErrorDetail("only", "import_only_invalid", {"value": only})]
        )
    offset, limit = max(offset, 0), min(max(limit, 1), 500)
    with rt.db.read() as conn:
        row, access = _visible(rt, conn, ctx, import_id)
        if access is None:
            raise Conflict("import_without_form")
        plan = plan_of(rt, conn, access, ctx, row)
    if row.state == "draft" and not (row.summary or {}).get("stats"):
        _store_stats(rt, row, plan)  # a form just created from the file: first analysis
    if only == "errors":
        indexes = [i for i, a in enumerate(plan.actions) if a == "error"]
    elif only == "duplicates":
        indexes = sorted(plan.matches)
    elif only == "changed":
        indexes = sorted(plan.notes)
    else:
        indexes = list(range(len(plan.actions)))
    page = indexes[offset : offset + limit]
    existing = [
        int(plan.matches[i].record_id)
        for i in page
        if i in plan.matches and plan.matches[i].kind == "existing"
    ]
    titles: dict[int, str] = {}
    if existing:
        from qiao.records.titles import titles as record_titles

        ids = ",".join(str(i) for i in dict.fromkeys(existing))
        titles = {t["id"]: t["title"] for t in record_titles(rt, ctx, access.form.id, ids)}
    items = [_preview_row(plan, i, ctx.locale, titles) for i in page]
    return {"total": len(indexes), "items": items, "summary": plan.summary()}


def _preview_row(plan: Plan, index: int, locale: str, titles: dict[int, str]) -> dict[str, Any]:
    table = plan.table
    raw_row = table.rows[index]
    notes = plan.notes.get(index, {})
    cells: dict[str, Any] = {}
    for col, key in sorted(plan.mapping.items()):
        raw = readers.cell_text(raw_row[col])
        note = notes.get(key)
        if note is None:
            cells[key] = {"raw": raw, "text": raw, "changed": False, "issue": None}
        else:
            issue = translate(note.issue, locale, note.params) if note.issue else None
            cells[key] = {"raw": raw, "text": note.text, "changed": note.changed, "issue": issue}
    match = plan.matches.get(index)
    duplicate: dict[str, Any] | None = None
    if match is not None and match.kind == "file":
        duplicate = {
            "kind": "file",
            "row_no": table.row_numbers[int(match.row)],
            "score": match.score,
        }
    elif match is not None:
        rid = int(match.record_id)
        duplicate = {
            "kind": "existing",
            "record_id": rid,
            "title": titles.get(rid, f"#{rid}"),
            "score": match.score,
        }
    return {
        "row_no": table.row_numbers[index],
        "cells": cells,
        "errors": row_errors(plan, index, locale),
        "duplicate": duplicate,
        "action": plan.actions[index],
    }


def report_xlsx(rt: Runtime, ctx: Ctx, import_id: int, all_rows: bool = False) -> bytes:
    """The file's rows annotated with their errors (see ``import_report``)."""
    with rt.db.read() as conn:
        row, access = _visible(rt, conn, ctx, import_id)
        if access is None:
            raise Conflict("import_without_form")
        plan = plan_of(rt, conn, access, ctx, row)
        failed = _failed_rows(conn, row) if row.state != "draft" else {}
    return import_report.build(plan, ctx.locale, all_rows=all_rows, failed=failed)


def _failed_rows(conn: Connection, row: Any) -> dict[int, list[ErrorDetail]]:
    """Row number -> errors of the rows the job could not write."""
    rows = conn.execute(
        sa.select(schema.import_rows.c.row_no, schema.import_rows.c.error).where(
            schema.import_rows.c.import_id == row.id, schema.import_rows.c.action == "failed"
        )
    ).all()
    return {
        r.row_no: [
            ErrorDetail(
                str(e.get("field", "")), str(e.get("code", "")), dict(e.get("params") or {})
            )
            for e in (r.error or [])
            if isinstance(e, dict)
        ]
        for r in rows
    }


# ----- start, cancel, undo ----------------------------------------------------------------
def start(rt: Runtime, ctx: Ctx, import_id: int) -> dict[str, Any]:
    """Queue the import's job; select options the option map adds are added now (in
    the transaction that queues the job), the mapping is saved if asked."""
    with rt.db.read() as conn:
        row, access = _visible(rt, conn, ctx, import_id)
        if access is None:
            raise Conflict("import_without_form")
        access.require("import")
        if row.state != "draft":
            raise Conflict("import_not_draft", state=row.state)
        if not any(_int_mapping(row.mapping).values()):
            raise BadRequest("import_mapping_empty")
        plan = plan_of(rt, conn, access, ctx, row)
    if plan.added_options and not access.can("manage"):
        access.require("manage")
    options = _options(row)
    table = plan.table
    frozen = plan.frozen()

    def run(conn: Connection) -> None:
        current = _row(conn, import_id)
        if current.state != "draft" or current.updated_at != row.updated_at:
            raise Conflict("import_changed")
        _access(rt, conn, ctx, access.form.id).require("import")
        if plan.added_options:
            _add_options(conn, ctx, access.form, plan.added_options)
        if options.save_mapping_as:
            save_mapping(
                conn, ctx, access.form.id, options.save_mapping_as, table.columns, plan.mapping
            )
        job_id = jobs.enqueue(
            conn,
            "import",
            {"import_id": import_id, "locale": ctx.locale, "user_id": ctx.user_id, "plan": frozen},
            total=len(plan.actions),
            created_by=ctx.user_id,
        )
        conn.execute(
            sa.update(imports_t)
            .where(imports_t.c.id == import_id)
            .values(state="queued", job_id=job_id, total=len(plan.actions))
        )

    rt.db.write(run)
    return get_import(rt, ctx, import_id)


def _add_options(conn: Connection, ctx: Ctx, form: FormMeta, adds: dict[str, list[str]]) -> None:
    """New select options through the forms service (the same checks, audit and schema
    version bump as the designer)."""
    from qiao.audit import schema_changes as audit_schema
    from qiao.forms import formulas
    from qiao.forms import service as forms
    from qiao.forms.inputs import FieldPatch

    before = forms.live_form(conn, form.id)
    for key, labels in adds.items():
        fm = before.by_key.get(key)
        if fm is None:
            continue
        current = fm.settings.model_dump(mode="json")
        choices = list(current.get("choices") or [])
        have = {c["label"] for c in choices if not c.get("archived")}
        choices += [{"label": label} for label in labels if label not in have]
        patch = FieldPatch(settings={"choices": choices})
        new = forms.update_field_in(
            conn, ctx, form.id, fm.id, patch, prefix=f"options.option_map.{key}."
        )
        audit_schema.field_updated(conn, ctx, fm, new)
    formulas.settle(conn, ctx, form.id, before)


def save_mapping(
    conn: Connection,
    ctx: Ctx,
    form_id: int,
    name: str,
    columns: list[str],
    by_index: dict[int, str],
) -> int:
    """Save (or replace) a named mapping keyed by the normalised column headers."""
    now = ctx.now()
    saved = {mapping.label_key(columns[i]): key for i, key in by_index.items() if key}
    name = name.strip()[:100]
    found = conn.execute(
        sa.select(mappings_t.c.id).where(mappings_t.c.form_id == form_id, mappings_t.c.name == name)
    ).scalar()
    if found is not None:
        conn.execute(
            sa.update(mappings_t)
            .where(mappings_t.c.id == found)
            .values(mapping=saved, updated_at=now)
        )
        return int(found)
    return int(
        conn.execute(
            sa.insert(mappings_t)
            .values(
                form_id=form_id,
                name=name,
                mapping=saved,
                created_by=ctx.user_id,
                created_at=now,
                updated_at=now,
            )
            .returning(mappings_t.c.id)
        ).scalar_one()
    )


def cancel(rt: Runtime, ctx: Ctx, import_id: int) -> dict[str, Any]:
    """Stop a queued or running import after its current batch; what was imported stays
    (and can be undone)."""

    def run(conn: Connection) -> None:
        row, _ = _visible(rt, conn, ctx, import_id)
        if row.state not in ACTIVE:
            raise Conflict("import_not_running", state=row.state)
        if row.job_id is not None:
            jobs.cancel(conn, row.job_id)
        conn.execute(
            sa.update(imports_t)
            .where(imports_t.c.id == import_id)
            .values(state="cancelled", finished_at=ctx.now())
        )

    rt.db.write(run)
    return get_import(rt, ctx, import_id)


def undo(rt: Runtime, ctx: Ctx, import_id: int) -> dict[str, Any]:
    """Queue the undo of a finished, cancelled or failed import: created records go to
    the recycle bin, updated ones get their values back."""

    def run(conn: Connection) -> None:
        row, access = _visible(rt, conn, ctx, import_id)
        if access is None:
            raise Conflict("import_without_form")
        access.require("import")
        job = _job_json(conn, row.job_id)
        state = effective_state(row, job)
        if state in ACTIVE or (row.state == "undoing" and state != "failed"):
            raise Conflict("import_running")
        if state not in ("done", "cancelled", "failed"):
            raise Conflict("import_not_undoable", state=state)
        if row.created:
            access.require("delete")
        if row.updated:
            access.require("edit")
        job_id = jobs.enqueue(
            conn,
            "import_undo",
            {"import_id": import_id, "locale": ctx.locale, "user_id": ctx.user_id},
            total=row.created + row.updated,
            created_by=ctx.user_id,
        )
        conn.execute(
            sa.update(imports_t)
            .where(imports_t.c.id == import_id)
            .values(state="undoing", job_id=job_id, undone_by=ctx.user_id, error=None)
        )

    rt.db.write(run)
    return get_import(rt, ctx, import_id)


def delete_draft(rt: Runtime, ctx: Ctx, import_id: int) -> None:
    """Delete an import that was never started (or an abandoned "create a form from a
    spreadsheet" analysis): its row, any rows or analysis kept for it, and its stored
    file. Only drafts: a started import's history is what undo and the audit rely on.

    The row goes in one transaction; the file and the cached analysis only once that
    committed, so a refused or rolled-back delete leaves a usable draft behind."""

    def run(conn: Connection) -> None:
        row, _ = _visible(rt, conn, ctx, import_id)
        if row.state != "draft":
            raise Conflict("import_not_deletable", state=row.state)
        conn.execute(sa.delete(schema.import_rows).where(schema.import_rows.c.import_id == row.id))
        conn.execute(sa.delete(imports_t).where(imports_t.c.id == row.id))
        audit_log.append(
            conn,
            ctx,
            "import_delete",
            app_id=row.app_id,
            form_id=row.form_id,
            object_type="import",
            object_id=row.id,
            details={
                "import_id": row.id,
                "name": row.filename,
                "size": row.size,
                "created_by": row.created_by,
            },
        )
        key = str(row.storage_key)
        after_commit(conn, lambda: _drop_file(rt, import_id, key))

    rt.db.write(run)


def _drop_file(rt: Runtime, import_id: int, key: str) -> None:
    """The deleted draft's file and cached analysis; the row is gone already, so a
    store that fails here is logged, not reported (a missing file is no error)."""
    forget(import_id, key)
    try:
        rt.files.delete(key)
    except OSError:
        log.warning("could not delete the file %s of deleted import %s", key, import_id)


def run_sync(
    rt: Runtime,
    ctx: Ctx,
    import_id: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Start the import and run its job in this process (CLI, bench)."""
    body = start(rt, ctx, import_id)
    job_id = int(body["job"]["id"])
    import_job.run_here(rt, job_id, progress)
    return get_import(rt, ctx, import_id)


# ----- saved mappings -------------------------------------------------------------------
def list_mappings(rt: Runtime, ctx: Ctx, form_id: int) -> dict[str, Any]:
    with rt.db.read() as conn:
        _access(rt, conn, ctx, form_id).require("import")
        rows = _saved(conn, form_id)
    return {"items": [{"id": r.id, "name": r.name, "mapping": r.mapping} for r in rows]}


def delete_mapping(rt: Runtime, ctx: Ctx, mapping_id: int) -> None:
    def run(conn: Connection) -> None:
        require_user(ctx)
        found = conn.execute(sa.select(mappings_t).where(mappings_t.c.id == mapping_id)).first()
        if found is None:
            raise NotFound("import_mapping_not_found")
        try:
            access = _access(rt, conn, ctx, found.form_id)
        except (Forbidden, NotFound) as exc:
            raise NotFound("import_mapping_not_found") from exc
        access.require("import")
        if found.created_by != ctx.user_id and not access.full:
            raise Forbidden("import_mapping_forbidden")
        conn.execute(sa.delete(mappings_t).where(mappings_t.c.id == mapping_id))

    rt.db.write(run)


def import_template(rt: Runtime, ctx: Ctx, form_id: int) -> tuple[bytes, str]:
    """The form's import template (.xlsx) and its file name."""
    from qiao.io import templates

    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
    access.require("import")
    form = access.visible_form()
    return templates.import_template(form, ctx, ctx.locale), f"{form.name}.xlsx"
