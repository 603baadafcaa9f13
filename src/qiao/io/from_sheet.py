"""Create a form from a spreadsheet: analyse an uploaded file (sheets, header row, a
proposed field per column), then create the form with the fields the admin kept and
turn the analysis into an ordinary draft import of that form, mapped column by column.

The upload itself, the import row and its JSON belong to ``qiao.io.imports``; reading
the file to ``qiao.io.readers``; the type guesses to ``qiao.io.infer``. This module only
adds the proposals and the form creation, which runs in the same write transaction as
the import's new form id and mapping (a form is never left without its import).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import Conflict, ErrorDetail, Forbidden, NotFound, ValidationFailed
from qiao.forms import service as forms
from qiao.forms.fields import registry
from qiao.forms.inputs import FieldIn, FormIn
from qiao.forms.system_fields import RESERVED_KEYS
from qiao.io import imports, infer
from qiao.io.mapping import label_key, pinyin_key
from qiao.org.access import require_app_admin
from qiao.org.permissions import require_user
from qiao.runtime import Runtime

imports_t = schema.imports

#: types a column cannot become: nothing to write (computed, generated) or no way to
#: write it from a cell's text (files, sub-forms)
UNSUPPORTED_TYPES = frozenset({"subform", "attachment", "image", "signature"})
MAX_KEY = 40


class SheetFieldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    column: int = Field(ge=0)
    label: str = Field(default="", max_length=128)
    type: str = Field(min_length=1, max_length=32)
    settings: dict[str, Any] = Field(default_factory=dict)
    required: bool = False
    #: False: the column is left out of the form (and of the import)
    include: bool = True


class CreateFormIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    description: str = Field(default="", max_length=2000)
    fields: list[SheetFieldIn] = Field(max_length=500)


# ----- analysis ------------------------------------------------------------------------
def analyze_file(
    rt: Runtime,
    ctx: Ctx,
    app_id: int,
    filename: str,
    content: bytes,
    sheet: int | None = None,
    header_row: int | None = None,
) -> dict[str, Any]:
    """Store the file as an analysis (an import without a form yet) and propose fields."""
    require_user(ctx)
    with rt.db.read() as conn:
        require_app_admin(conn, ctx, app_id)
    body = imports.create_analysis(rt, ctx, app_id, filename, content)
    if sheet is not None or header_row is not None:
        return analyze(rt, ctx, int(body["id"]), sheet, header_row)
    return _with_proposals(rt, ctx, body)


def analyze(
    rt: Runtime, ctx: Ctx, import_id: int, sheet: int | None, header_row: int | None
) -> dict[str, Any]:
    """Look at another sheet and/or header row of an analysis; without a header row the
    detected one of the sheet is taken."""
    require_user(ctx)
    with rt.db.read() as conn:
        _analysis_row(conn, ctx, import_id)
    changes: dict[str, Any] = {}
    if sheet is not None:
        changes["sheet"] = sheet  # without a header row: the sheet's detected one
    if header_row is not None:
        changes["header_row"] = header_row
    if changes:
        imports.configure(rt, ctx, import_id, changes)
    return _with_proposals(rt, ctx, imports.get_import(rt, ctx, import_id))


def _analysis_row(conn: Connection, ctx: Ctx, import_id: int) -> Any:
    row = conn.execute(sa.select(imports_t).where(imports_t.c.id == import_id)).first()
    if row is None or row.app_id is None:
        raise NotFound("sheet_import_not_found")
    try:
        require_app_admin(conn, ctx, row.app_id)
    except Forbidden as exc:  # whether it exists is not theirs to know
        raise NotFound("sheet_import_not_found") from exc
    if row.form_id is not None:
        raise Conflict("sheet_import_has_form")
    return row


def _with_proposals(rt: Runtime, ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    with rt.db.read() as conn:
        row = conn.execute(sa.select(imports_t).where(imports_t.c.id == body["id"])).one()
    proposed = infer.propose_fields(imports.table_of(rt, row))
    body["proposed_fields"] = [
        {
            "column": p.column,
            "label": p.label,
            "type": p.type,
            "settings": p.settings,
            "samples": p.samples,
            "blank_ratio": p.blank_ratio,
        }
        for p in proposed
    ]
    return body


# ----- the form ------------------------------------------------------------------------
def create_form(rt: Runtime, ctx: Ctx, import_id: int, data: CreateFormIn) -> dict[str, Any]:
    """Create the form with the kept columns as fields, and make the analysis a draft
    import of it whose mapping is column → the new field, in one transaction."""
    require_user(ctx)
    with rt.db.read() as conn:
        row = _analysis_row(conn, ctx, import_id)
    table = imports.table_of(rt, row)
    kept = _check_fields(data, len(table.columns))
    taken: set[str] = set()
    fields_in = [
        FieldIn(
            key=_key_for(
                data.fields[i].label.strip() or table.columns[data.fields[i].column], taken
            ),
            label=data.fields[i].label.strip() or table.columns[data.fields[i].column],
            type=data.fields[i].type,
            required=data.fields[i].required,
            settings=data.fields[i].settings,
        )
        for i in kept
    ]
    form_in = FormIn(name=data.name, description=data.description, fields=fields_in)

    def run(conn: Connection) -> None:
        current = _analysis_row(conn, ctx, import_id)  # not turned into an import meanwhile
        try:
            form = forms.create_form_in(conn, ctx, current.app_id, form_in)
        except ValidationFailed as exc:
            raise ValidationFailed(details=_renamed(exc.details, kept)) from exc
        mapping: dict[str, str | None] = {str(c): None for c in range(len(table.columns))}
        for position, i in enumerate(kept):
            mapping[str(data.fields[i].column)] = fields_in[position].key
        conn.execute(
            sa.update(imports_t)
            .where(imports_t.c.id == import_id)
            .values(form_id=form.id, mapping=mapping, updated_at=ctx.now())
        )

    rt.db.write(run)
    # the analysis of the rows against the new fields, as for any import (summary)
    return imports.configure(rt, ctx, import_id, {})


def _check_fields(data: CreateFormIn, columns: int) -> list[int]:
    """Indexes of the kept fields; every problem of the listing at once, named by the
    position in the request (``fields[3].label``)."""
    errors: list[ErrorDetail] = []
    labels: dict[str, int] = {}
    used: set[int] = set()
    kept: list[int] = []
    for i, f in enumerate(data.fields):
        if not f.include:
            continue
        kept.append(i)
        prefix = f"fields[{i}]."
        if f.column >= columns:
            errors.append(
                ErrorDetail(f"{prefix}column", "sheet_column_unknown", {"column": f.column + 1})
            )
        elif f.column in used:
            errors.append(
                ErrorDetail(f"{prefix}column", "sheet_column_repeated", {"column": f.column + 1})
            )
        used.add(f.column)
        label = f.label.strip()
        if not label:
            errors.append(ErrorDetail(f"{prefix}label", "sheet_field_label_missing"))
        else:
            norm = label_key(label) or label.casefold()
            if norm in labels:
                errors.append(
                    ErrorDetail(f"{prefix}label", "sheet_field_label_repeated", {"label": label})
                )
            labels[norm] = i
        if f.type not in registry or registry.get(f.type).internal:
            errors.append(ErrorDetail(f"{prefix}type", "field_type_unknown", {"type": f.type}))
        elif f.type in UNSUPPORTED_TYPES or not registry.get(f.type).writable:
            errors.append(
                ErrorDetail(f"{prefix}type", "sheet_field_type_unsupported", {"type": f.type})
            )
    if not kept:
        errors.append(ErrorDetail("fields", "sheet_no_fields"))
    if errors:
        raise ValidationFailed(details=errors)
    return kept


def _renamed(details: list[ErrorDetail], kept: list[int]) -> list[ErrorDetail]:
    """``fields[j].…`` of the created form's listing → ``fields[i].…`` of the request."""

    def rename(name: str) -> str:
        m = re.match(r"^fields\[(\d+)\]", name)
        if m is None or int(m.group(1)) >= len(kept):
            return name
        return f"fields[{kept[int(m.group(1))]}]{name[m.end() :]}"

    return [ErrorDetail(rename(d.field), d.code, d.params) for d in details]


def _key_for(label: str, taken: set[str]) -> str:
    """A readable ASCII key: the label's own letters, else its pinyin (客户名称 →
    kehumingcheng), else ``field``; ``_2``, ``_3`` … when taken or reserved."""
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    if not re.search(r"[a-z]", slug) or not label.isascii():
        slug = re.sub(r"[^a-z0-9]+", "_", pinyin_key(label).lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"f_{slug}" if slug else "field"
    base = slug[:MAX_KEY].rstrip("_")
    key, n = base, 1
    while key in taken or key.lower() in RESERVED_KEYS:
        n += 1
        key = f"{base}_{n}"
    taken.add(key)
    return key
