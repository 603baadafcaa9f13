"""Exporting a form's records as the user sees them, to XLSX or CSV, in flat memory.

One export path for both formats (the old ``/records/export.csv`` delegates here): the
records are read through the permission layer like any list (the user's data scope,
hidden fields left out, masked values masked) in keyset pages of ``PAGE`` records, each
page in its own short read, and written out as they come, so memory does not grow with
the number of records. The "export" operation is required and the export is audited
(with its format) before the first byte leaves.

What to export comes from the request (filter, sort, fields, q), a saved view (its
filter, sort and visible columns in order) or an export template (its columns and
options); explicit request parameters win over the view's, a template's columns over
the view's, and a request filter is AND-ed with the view's. Unless the columns name a
system field (id, owner, created_at, …) or come from a template, the record id, owner
and creation time come first.

XLSX is written by xlsxwriter in ``constant_memory`` mode (each row goes to the sheet's
temporary file as soon as the next row starts) into a temporary file, which is then
streamed in chunks and deleted. Cells are typed: numbers as numbers, dates and times as
Excel dates with a date format, money with two decimals (or the field's precision),
percentages as percentages. Text that a spreadsheet would run as a formula is
neutralised (``neutralise``), including file names and headers.

Sub-forms: ``sheets`` (XLSX default) writes one extra sheet per sub-form with the parent
record's id and title before the row's columns — in the same pass: in constant_memory
mode every worksheet streams to its own temporary file, so writing a parent row and then
its child rows on another sheet interleaves safely; ``rows`` repeats the parent's cells
for every child row (the sub-forms' columns side by side, row i next to row i);
``count`` (CSV default; CSV cannot have sheets) writes "3 行".
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from qiao.audit import log as audit
from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import BadRequest, ErrorDetail, NotFound
from qiao.forms.fields.base import FieldType, Storage
from qiao.forms.fields.subform import child_fields
from qiao.forms.layout import default_title_field
from qiao.forms.model import FieldMeta, FormMeta
from qiao.forms.system_fields import SYSTEM_FIELDS
from qiao.i18n import translate
from qiao.org.access import form_access
from qiao.org.permissions import require_user
from qiao.records.export import neutralise
from qiao.records.reads import ListQuery, list_records, select_fields
from qiao.runtime import Runtime

PAGE = 1000
CHUNK = 256 * 1024
Format = Literal["xlsx", "csv"]
SubformMode = Literal["sheets", "rows", "count"]
FORMATS: tuple[str, ...] = ("xlsx", "csv")
SUBFORM_MODES: tuple[str, ...] = ("sheets", "rows", "count")
#: system columns written first when the chosen columns name none of them
DEFAULT_SYSTEM = ("id", "owner", "created_at")
FILE_TYPES = frozenset({"attachment", "image", "signature"})
#: types whose numeric JSON values are ids or codes, not quantities
_NOT_QUANTITIES = frozenset({"user", "department", "relation", "sys_id", "autonumber"})
_USER_TYPES = frozenset({"user"})
#: xlsxwriter refuses more hyperlinks than this per worksheet; the rest become text
MAX_LINKS = 65_000
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass
class ExportRequest:
    """What to export; ``None`` leaves a setting to the view, the template or the default."""

    format: Format = "xlsx"
    filter: Any = None
    sort: str | None = None
    fields: list[str] | None = None
    q: str | None = None
    view_id: int | None = None
    template_id: int | None = None
    subforms: SubformMode | None = None
    #: scheme://host of the links to files ("" writes the path only)
    base_url: str = ""


class Cell:
    """A typed value: kind is text, number, date, datetime or link (value = url);
    ``text`` is what CSV writes (and what sizes the XLSX columns)."""

    __slots__ = ("kind", "num_format", "text", "value")

    def __init__(self, kind: str, value: Any, text: str = "", num_format: str | None = None):
        self.kind = kind
        self.value = value
        self.text = text
        self.num_format = num_format


EMPTY = Cell("text", None, "")
FieldFn = Callable[[Any], Cell]


@dataclass
class Column:
    label: str
    fm: FieldMeta | None  # None: a system column (key in ``system``)
    system: str | None = None
    #: for ``rows`` mode: the sub-form this child column belongs to
    parent: FieldMeta | None = None


@dataclass
class Plan:
    """Everything resolved up front (permissions checked, audit written)."""

    form: FormMeta
    query: ListQuery
    columns: list[Column]
    subforms: list[FieldMeta]
    mode: SubformMode
    format: Format
    title_key: str | None
    users: dict[int, str]
    scope: list[Any]
    shape: Any
    search_skip: frozenset[str]
    base_url: str
    filename: str
    fetch_keys: list[str] = field(default_factory=list)


def _sheet_name(label: str, used: set[str]) -> str:
    name = _SHEET_BAD.sub("_", label).strip("'") or "Sheet"
    name = name[:28]
    candidate, n = name, 2
    while candidate.lower() in used:
        candidate = f"{name[:25]} ({n})"
        n += 1
    used.add(candidate.lower())
    return candidate


def _system_label(key: str, locale: str) -> str:
    _type, zh, en = SYSTEM_FIELDS[key]
    return zh if locale.startswith("zh") else en


def _load_view(conn: Any, ctx: Ctx, form_id: int, view_id: int) -> Any:
    views = schema.views
    row = conn.execute(
        sa.select(views).where(
            views.c.id == view_id,
            views.c.form_id == form_id,
            sa.or_(views.c.owner_id.is_(None), views.c.owner_id == ctx.user_id),
        )
    ).first()
    if row is None:
        raise NotFound("view_not_found")
    return row


def _load_template(conn: Any, form_id: int, template_id: int) -> Any:
    t = schema.export_templates
    row = conn.execute(sa.select(t).where(t.c.id == template_id, t.c.form_id == form_id)).first()
    if row is None:
        raise NotFound("export_template_not_found")
    return row


def _and(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return {"and": [a, b]}


def plan_export(rt: Runtime, ctx: Ctx, form_id: int, req: ExportRequest) -> Plan:
    """Resolve and check an export; writes the audit entry. Raises before any output."""
    require_user(ctx)
    if req.format not in FORMATS:
        raise BadRequest(
            "request_invalid",
            details=[ErrorDetail("format", "export_format_unknown", {"value": req.format})],
        )
    with rt.db.read() as conn:
        access = form_access(conn, ctx, rt.form(conn, form_id))
        access.require("export")
        keys = req.fields
        strict = keys is not None  # the caller's own keys must all exist
        filter_, sort = req.filter, req.sort
        mode: str | None = req.subforms
        exact = False  # a template's columns are exactly those; else system ones first
        if req.view_id is not None:
            view = _load_view(conn, ctx, form_id, req.view_id)
            config = view.config or {}
            filter_ = _and(config.get("filter"), filter_)
            sort = sort or config.get("sort")
            shown = [c for c in config.get("columns") or [] if not c.get("hidden")]
            if keys is None and shown:
                keys = [c["key"] for c in shown]
        if req.template_id is not None:
            template = _load_template(conn, form_id, req.template_id)
            if req.fields is None:  # the template's columns win over a view's
                keys = list(template.fields)
                exact = True
            mode = mode or (template.options or {}).get("subforms")
        access.check_filter(filter_)
        access.check_sort(sort)
        form = access.visible_form()
        users = {
            r.id: r.display_name
            for r in conn.execute(sa.select(schema.users.c.id, schema.users.c.display_name))
        }
    if mode is not None and mode not in SUBFORM_MODES:
        raise BadRequest(
            "request_invalid",
            details=[ErrorDetail("subforms", "export_subforms_unknown", {"value": mode})],
        )
    if mode is None or (req.format == "csv" and mode == "sheets"):
        mode = "sheets" if req.format == "xlsx" else "count"
    # the view's or template's columns may name fields since removed or hidden from the
    # user: those are left out; the request's own keys must exist (400 naming the key)
    if keys is not None and not strict:
        keys = [k for k in keys if k in form.by_key or k in SYSTEM_FIELDS]
    fields = select_fields(form, keys)
    system = [k for k in keys or [] if k in SYSTEM_FIELDS]
    columns: list[Column] = []
    if not system and not exact:
        columns = [Column(_system_label(k, ctx.locale), None, k) for k in DEFAULT_SYSTEM]
    ordered: list[str] = [
        k
        for k in (keys if keys is not None else [fm.key for fm in fields])
        if k in SYSTEM_FIELDS or k in form.by_key
    ]
    subforms: list[FieldMeta] = []
    for key in ordered:
        if key in SYSTEM_FIELDS:
            columns.append(Column(_system_label(key, ctx.locale), None, key))
            continue
        fm = form.by_key[key]
        if fm.storage is Storage.CHILD:
            subforms.append(fm)
            if mode == "rows":
                for child in child_fields(fm):
                    columns.append(Column(f"{fm.label}-{child.label}", child, parent=fm))
                continue
        columns.append(Column(fm.label, fm))
    title_key = default_title_field(access.form)
    if title_key not in form.by_key:
        title_key = None
    fetch = [fm.key for fm in fields]
    if title_key and title_key not in fetch:
        fetch.append(title_key)
    query = ListQuery(filter=filter_, sort=sort, q=req.q, fields=fetch)
    rt.db.write(
        lambda conn: audit.append(
            conn,
            ctx,
            "export",
            app_id=form.app_id,
            form_id=form.id,
            details={
                "format": req.format,
                "filter": filter_,
                "q": req.q,
                "fields": [fm.key for fm in fields],
                "view": req.view_id,
                "template": req.template_id,
                "subforms": mode,
            },
        )
    )
    stamp = ctx.clock().astimezone(ctx.tz).strftime("%Y%m%d")
    return Plan(
        form=form,
        query=query,
        columns=columns,
        subforms=subforms if mode == "sheets" and req.format == "xlsx" else [],
        mode=mode,  # type: ignore[arg-type]
        format=req.format,
        title_key=title_key,
        users=users,
        scope=access.scope_clauses("view"),
        shape=None if access.full else access.shape,
        search_skip=frozenset(access.masked_keys()),
        base_url=req.base_url.rstrip("/"),
        filename=f"{form.name}-{stamp}.{req.format}",
        fetch_keys=fetch,
    )


# ----- reading --------------------------------------------------------------------------
def _list(rt: Runtime, plan: Plan, ctx: Ctx, query: ListQuery) -> dict[str, Any]:
    with rt.db.read() as conn:
        return list_records(
            conn,
            plan.form,
            query,
            ctx,
            rt.settings.resolved_secret_key,
            rt.db.is_sqlite,
            scope=plan.scope,
            shape=plan.shape,
        )


def count_records(rt: Runtime, ctx: Ctx, plan: Plan) -> int:
    """How many records the export will write (for a progress bar)."""
    q = plan.query
    query = ListQuery(
        filter=q.filter,
        sort=q.sort,
        limit=1,
        fields=[],
        q=q.q,
        with_total=True,
        search_skip=plan.search_skip,
    )
    return int(_list(rt, plan, ctx, query)["total"] or 0)


def iter_pages(rt: Runtime, ctx: Ctx, plan: Plan) -> Iterator[list[dict[str, Any]]]:
    """The records in keyset pages, each page read in its own short transaction."""
    cursor = None
    q = plan.query
    while True:
        query = ListQuery(
            filter=q.filter,
            sort=q.sort,
            limit=PAGE,
            cursor=cursor,
            fields=plan.fetch_keys,
            q=q.q,
            with_total=False,
            search_skip=plan.search_skip,
        )
        page = _list(rt, plan, ctx, query)
        yield page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return


# ----- cells ----------------------------------------------------------------------------
def _plain(value: Any, names: dict[int, str] | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_plain(v, names) for v in value)
    if isinstance(value, dict):
        return str(value.get("title") or value.get("label") or value.get("name") or value)
    if names is not None and isinstance(value, int):
        return names.get(value, str(value))
    return str(value)


def _text(value: Any) -> Cell:
    return Cell("text", None, neutralise(_plain(value)))


def _decimals_format(fm: FieldMeta, default: int) -> str:
    places = getattr(fm.settings, "precision", None)
    places = default if places is None else int(places)
    return "#,##0" + ("." + "0" * places if places > 0 else "")


class Renderer:
    """Turns a record's JSON values into typed cells. The per-column work (which type,
    which number format, whether the type renders its own text) is decided once per
    column, not once per cell: an export renders millions of cells."""

    def __init__(self, plan: Plan, ctx: Ctx) -> None:
        self.plan = plan
        self.ctx = ctx
        self._compiled: dict[int, FieldFn] = {}
        self.row_fns = [self._column_fn(col) for col in plan.columns]

    def file_url(self, file_id: Any) -> str:
        return f"{self.plan.base_url}/api/v1/files/{file_id}"

    def _column_fn(self, col: Column) -> Callable[[dict[str, Any], Any], Cell]:
        if col.system is not None:
            key = col.system
            return lambda record, _rows: self.system(key, record)
        assert col.fm is not None
        fn, fkey = self.compile(col.fm), col.fm.key
        if col.parent is not None:
            pid = col.parent.id

            def child_cell(_record: dict[str, Any], rows: Any) -> Cell:
                row = (rows or {}).get(pid)
                return EMPTY if row is None else fn(row.get(fkey))

            return child_cell
        return lambda record, _rows: fn(record["data"].get(fkey))

    def system(self, key: str, record: dict[str, Any]) -> Cell:
        value = record.get(key)
        if key == "id":
            return Cell("number", value, str(value))
        if key in ("owner", "created_by", "updated_by"):
            return Cell("text", None, self.plan.users.get(value, "") if value else "")
        if isinstance(value, datetime):
            naive = value.replace(tzinfo=None, microsecond=0)
            return Cell("datetime", naive, naive.isoformat(" "))
        return Cell("text", None, neutralise(_plain(value)))

    def field(self, fm: FieldMeta, value: Any) -> Cell:
        return self.compile(fm)(value)

    def compile(self, fm: FieldMeta) -> FieldFn:
        """The cell function of a field (cached per field object)."""
        fn = self._compiled.get(id(fm))
        if fn is None:
            fn = self._compiled[id(fm)] = self._compile(fm)
        return fn

    def _compile(self, fm: FieldMeta) -> FieldFn:
        kind, ftype, ctx = fm.type, fm.ftype, self.ctx
        if fm.storage is Storage.CHILD:
            return lambda v: EMPTY if not v else Cell("text", None, ftype.display(fm, v, ctx))
        if kind in FILE_TYPES:
            return lambda v: EMPTY if not v else self._files(v) if isinstance(v, list) else _text(v)
        if kind in _USER_TYPES:
            names = self.plan.users
            return lambda v: (
                EMPTY if v is None else Cell("text", None, neutralise(_plain(v, names)))
            )
        own_text = type(ftype).export_text is not FieldType.export_text
        quantity = kind not in _NOT_QUANTITIES
        num_format: str | None = None
        if kind == "money":
            num_format = _decimals_format(fm, 2)
        elif kind == "percent":
            places = getattr(fm.settings, "precision", None)
            num_format = "0" + ("." + "0" * int(places) if places else "") + "%"

        def cell(v: Any) -> Cell:
            if v is None or v == "" or v == []:
                return EMPTY
            if isinstance(v, str) and not own_text:
                if kind == "date":
                    try:
                        return Cell("date", date.fromisoformat(v), v)
                    except ValueError:
                        pass  # masked
                elif kind == "datetime":
                    try:
                        moment = datetime.fromisoformat(v).replace(tzinfo=None)
                        return Cell("datetime", moment, moment.isoformat(" "))
                    except ValueError:
                        pass
                return Cell("text", None, neutralise(v))
            if quantity and isinstance(v, int | float | Decimal) and not isinstance(v, bool):
                return Cell("number", float(v), str(v), num_format)
            text = ftype.export_text(fm, v, ctx) if own_text else None
            return Cell("text", None, neutralise(_plain(v) if text is None else text))

        return cell

    def _files(self, files: list[Any]) -> Cell:
        described = [f for f in files if isinstance(f, dict) and f.get("id") is not None]
        if not described:
            return Cell("text", None, neutralise(_plain(files)))
        names = [neutralise(str(f.get("name") or f["id"])) for f in described]
        urls = [self.file_url(f["id"]) for f in described]
        if len(described) == 1 and urls[0].startswith(("http://", "https://")):
            return Cell("link", urls[0], names[0])
        # several files (or no absolute base URL): the names, then one link per line
        return Cell("text", None, "、".join(names) + "\n" + "\n".join(urls))

    def record_cells(
        self, record: dict[str, Any], child_rows: dict[int, dict[str, Any] | None] | None = None
    ) -> list[Cell]:
        """The main sheet's cells of a record (``child_rows``: rows mode, the i-th row of
        each sub-form by field id)."""
        return [fn(record, child_rows) for fn in self.row_fns]

    def title(self, record: dict[str, Any]) -> str:
        key = self.plan.title_key
        if key is None:
            return f"#{record['id']}"
        fm = self.plan.form.by_key[key]
        cell = self.field(fm, record["data"].get(key))
        return cell.text or f"#{record['id']}"

    def expand(self, record: dict[str, Any]) -> Iterator[list[Cell]]:
        """The main rows of a record: one, or (rows mode) one per child row."""
        subs = [c.parent for c in self.plan.columns if c.parent is not None]
        if self.plan.mode != "rows" or not subs:
            yield self.record_cells(record)
            return
        parents = {fm.id: fm for fm in subs if fm is not None}
        lists = {fid: record["data"].get(fm.key) or [] for fid, fm in parents.items()}
        height = max([1] + [len(rows) for rows in lists.values() if isinstance(rows, list)])
        for i in range(height):
            rows = {
                fid: (rows[i] if isinstance(rows, list) and i < len(rows) else None)
                for fid, rows in lists.items()
            }
            yield self.record_cells(record, rows)


def _width(text: str) -> int:
    line = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


# ----- writers --------------------------------------------------------------------------
Progress = Callable[[int], None]


def write_csv(
    rt: Runtime, ctx: Ctx, plan: Plan, progress: Progress | None = None
) -> Iterator[bytes]:
    """CSV chunks (UTF-8 with a BOM, so that Excel reads it right), one per page."""
    render = Renderer(plan, ctx)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(c.label) for c in plan.columns])
    yield ("\ufeff" + buffer.getvalue()).encode()
    done = 0
    for items in iter_pages(rt, ctx, plan):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for record in items:
            for cells in render.expand(record):
                writer.writerow([c.text for c in cells])
        done += len(items)
        if progress is not None:
            progress(done)
        yield buffer.getvalue().encode()


class _Sheet:
    """A worksheet and its next row."""

    def __init__(self, ws: Worksheet, widths: list[int]) -> None:
        self.ws = ws
        self.row = 1
        self.widths = widths
        self.sized = False
        self.links = 0


def write_xlsx(
    rt: Runtime, ctx: Ctx, plan: Plan, path: str, progress: Progress | None = None
) -> int:
    """Write the workbook to ``path``; returns the number of records written."""
    book = xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "tmpdir": os.path.dirname(path) or None,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    header = book.add_format({"bold": True, "bg_color": "#F2F3F5", "border": 1})
    formats: dict[str | None, Any] = {
        None: None,
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "link": book.add_format({"font_color": "blue", "underline": 1}),
    }

    def fmt(cell: Cell) -> Any:
        if cell.num_format is not None:
            if cell.num_format not in formats:
                formats[cell.num_format] = book.add_format({"num_format": cell.num_format})
            return formats[cell.num_format]
        return formats.get(cell.kind)

    def put(sheet: _Sheet, col: int, cell: Cell) -> None:
        ws, r = sheet.ws, sheet.row
        if cell.kind == "number" and cell.value is not None:
            ws.write_number(r, col, cell.value, fmt(cell))
        elif cell.kind in ("date", "datetime") and cell.value is not None:
            ws.write_datetime(r, col, cell.value, fmt(cell))
        elif cell.kind == "link" and sheet.links < MAX_LINKS:
            sheet.links += 1
            ws.write_url(r, col, cell.value, formats["link"], string=cell.text)
        elif cell.kind == "link":
            ws.write_string(r, col, f"{cell.text} {cell.value}")
        elif cell.text:
            ws.write_string(r, col, cell.text)
        if not sheet.sized:
            sheet.widths[col] = max(sheet.widths[col], min(_width(cell.text), 60))

    def start(name: str, labels: list[str]) -> _Sheet:
        ws = book.add_worksheet(name)
        for i, label in enumerate(labels):
            ws.write_string(0, i, neutralise(label), header)
        ws.freeze_panes(1, 0)
        return _Sheet(ws, [_width(label) for label in labels])

    def finish(sheet: _Sheet, ncols: int) -> None:
        size(sheet)
        if ncols:
            sheet.ws.autofilter(0, 0, max(sheet.row - 1, 0), ncols - 1)

    def size(sheet: _Sheet) -> None:
        if sheet.sized:
            return
        for i, w in enumerate(sheet.widths):
            sheet.ws.set_column(i, i, max(8, min(w + 2, 60)))
        sheet.sized = True

    used: set[str] = set()
    render = Renderer(plan, ctx)
    main = start(_sheet_name(plan.form.name, used), [c.label for c in plan.columns])
    id_label = _system_label("id", ctx.locale)
    title_label = translate("export_parent_title", ctx.locale)
    subs = [
        (
            fm,
            child_fields(fm),
            start(
                _sheet_name(fm.label, used),
                [id_label, title_label] + [c.label for c in child_fields(fm)],
            ),
        )
        for fm in plan.subforms
    ]
    done = 0
    for items in iter_pages(rt, ctx, plan):
        for record in items:
            for cells in render.expand(record):
                for i, cell in enumerate(cells):
                    put(main, i, cell)
                main.row += 1
            if subs:
                title = Cell("text", None, render.title(record))
                ident = Cell("number", record["id"], str(record["id"]))
                for fm, children, sheet in subs:
                    rows = record["data"].get(fm.key)
                    for row in rows if isinstance(rows, list) else []:
                        put(sheet, 0, ident)
                        put(sheet, 1, title)
                        for j, child in enumerate(children):
                            put(sheet, j + 2, render.field(child, row.get(child.key)))
                        sheet.row += 1
        done += len(items)
        # widths from the first page
        size(main)
        for _fm, _children, sheet in subs:
            if sheet.row > 1:
                size(sheet)
        if progress is not None:
            progress(done)
    finish(main, len(plan.columns))
    for _fm, children, sheet in subs:
        finish(sheet, len(children) + 2)
    book.close()
    return done


def xlsx_chunks(rt: Runtime, ctx: Ctx, plan: Plan) -> Iterator[bytes]:
    """Build the workbook in a temporary file, then stream it and delete it (also when
    the client goes away: the generator's ``finally`` runs on close)."""
    fd, path = tempfile.mkstemp(prefix="qiao-export-", suffix=".xlsx")
    os.close(fd)
    try:
        write_xlsx(rt, ctx, plan, path)
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def export(
    rt: Runtime, ctx: Ctx, form_id: int, req: ExportRequest
) -> tuple[str, str, Iterator[bytes]]:
    """(file name, media type, body chunks); checks and the audit entry happen first."""
    plan = plan_export(rt, ctx, form_id, req)
    body = write_csv(rt, ctx, plan) if plan.format == "csv" else xlsx_chunks(rt, ctx, plan)
    return plan.filename, MEDIA_TYPES[plan.format], body


def export_to_file(
    rt: Runtime,
    ctx: Ctx,
    form_id: int,
    req: ExportRequest,
    path: str,
    on_total: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> tuple[Plan, int]:
    """Write the export to ``path`` (the CLI and the benchmark); returns (plan, records)."""
    plan = plan_export(rt, ctx, form_id, req)
    if on_total is not None:
        on_total(count_records(rt, ctx, plan))
    if plan.format == "xlsx":
        return plan, write_xlsx(rt, ctx, plan, path, progress)
    done = 0

    def counted(n: int) -> None:
        nonlocal done
        done = n
        if progress is not None:
            progress(n)

    with open(path, "wb") as fh:
        for chunk in write_csv(rt, ctx, plan, counted):
            fh.write(chunk)
    return plan, done
