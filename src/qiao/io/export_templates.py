"""Export templates: a named choice of columns (in order) and options for a form's export.

The form's managers create, change and delete them; anyone who may export the form may
list and use them (``template=ID`` on the export). Field keys are checked against the
form (live or system fields): an unknown key is a 422 naming it.
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import Conflict, ErrorDetail, NotFound, ValidationFailed
from qiao.forms.model import FormMeta
from qiao.org.access import form_access
from qiao.org.permissions import require_user
from qiao.runtime import Runtime

t = schema.export_templates


class TemplateOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subforms: Literal["sheets", "rows", "count"] | None = None


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    fields: list[str] = Field(min_length=1, max_length=500)
    options: TemplateOptions = Field(default_factory=TemplateOptions)


class TemplatePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    fields: list[str] | None = Field(default=None, min_length=1, max_length=500)
    options: TemplateOptions | None = None


def template_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "form_id": row.form_id,
        "name": row.name,
        "fields": row.fields,
        "options": row.options,
        "created_by": row.created_by,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _check_fields(form: FormMeta, keys: list[str]) -> list[str]:
    errors = []
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if form.field_or_system(key) is None:
            errors.append(ErrorDetail(f"fields[{i}]", "export_field_unknown", {"key": key}))
        elif key in seen:
            errors.append(ErrorDetail(f"fields[{i}]", "export_field_duplicate", {"key": key}))
        seen.add(key)
    if errors:
        raise ValidationFailed(details=errors)
    return keys


def _name_taken(conn: Connection, form_id: int, name: str, except_id: int | None) -> None:
    clause = [t.c.form_id == form_id, t.c.name == name]
    if except_id is not None:
        clause.append(t.c.id != except_id)
    if conn.execute(sa.select(t.c.id).where(*clause)).first() is not None:
        raise Conflict("export_template_name_taken", name=name)


def list_templates(rt: Runtime, ctx: Ctx, form_id: int) -> list[dict[str, Any]]:
    require_user(ctx)
    with rt.db.read() as conn:
        form_access(conn, ctx, rt.form(conn, form_id)).require("export")
        rows = conn.execute(
            sa.select(t).where(t.c.form_id == form_id).order_by(t.c.name, t.c.id)
        ).all()
    return [template_json(r) for r in rows]


def create_template(rt: Runtime, ctx: Ctx, form_id: int, data: TemplateIn) -> dict[str, Any]:
    require_user(ctx)

    def run(conn: Connection) -> Any:
        form = rt.form(conn, form_id)
        form_access(conn, ctx, form).require("manage")
        name = data.name.strip()
        _name_taken(conn, form_id, name, None)
        now = ctx.clock()
        new_id = conn.execute(
            t.insert()
            .values(
                form_id=form_id,
                name=name,
                fields=_check_fields(form, data.fields),
                options=data.options.model_dump(exclude_none=True),
                created_by=ctx.user_id,
                created_at=now,
                updated_at=now,
            )
            .returning(t.c.id)
        ).scalar_one()
        return conn.execute(sa.select(t).where(t.c.id == new_id)).one()

    return template_json(rt.db.write(run))


def _for_change(rt: Runtime, conn: Connection, ctx: Ctx, template_id: int) -> Any:
    row = conn.execute(sa.select(t).where(t.c.id == template_id)).first()
    if row is None:
        raise NotFound("export_template_not_found")
    form = rt.form(conn, row.form_id)
    access = form_access(conn, ctx, form)
    if not access.can("export") and not access.can("manage"):
        raise NotFound("export_template_not_found")
    access.require("manage")
    return row


def update_template(
    rt: Runtime, ctx: Ctx, template_id: int, patch: TemplatePatch
) -> dict[str, Any]:
    require_user(ctx)

    def run(conn: Connection) -> Any:
        row = _for_change(rt, conn, ctx, template_id)
        values: dict[str, Any] = {"updated_at": ctx.clock()}
        if patch.name is not None:
            name = patch.name.strip()
            _name_taken(conn, row.form_id, name, row.id)
            values["name"] = name
        if patch.fields is not None:
            values["fields"] = _check_fields(rt.form(conn, row.form_id), patch.fields)
        if patch.options is not None:
            values["options"] = patch.options.model_dump(exclude_none=True)
        conn.execute(t.update().where(t.c.id == row.id).values(**values))
        return conn.execute(sa.select(t).where(t.c.id == row.id)).one()

    return template_json(rt.db.write(run))


def delete_template(rt: Runtime, ctx: Ctx, template_id: int) -> None:
    require_user(ctx)

    def run(conn: Connection) -> None:
        row = _for_change(rt, conn, ctx, template_id)
        conn.execute(t.delete().where(t.c.id == row.id))

    rt.db.write(run)
