"""Which relation fields point at a form: used to refuse deleting a form still linked."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.db import schema
from qiao.errors import Conflict
from qiao.forms.catalog import field_from_row
from qiao.forms.model import FieldMeta


def relation_fields_to(conn: Connection, target_form_ids: set[int]) -> list[FieldMeta]:
    """Live relation fields of live forms that target any of ``target_form_ids``."""
    f, fo = schema.fields, schema.forms
    rows = conn.execute(
        sa.select(f)
        .join(fo, fo.c.id == f.c.form_id)
        .where(f.c.deleted_at.is_(None), fo.c.deleted_at.is_(None))
    ).all()
    fields = (field_from_row(row) for row in rows)
    return [fm for fm in fields if fm.ftype.referenced_form(fm) in target_form_ids]


def refuse_if_referenced(conn: Connection, form_ids: set[int]) -> None:
    for fm in relation_fields_to(conn, form_ids):
        if fm.form_id in form_ids:
            continue  # links inside the forms being deleted go with them
        form_name = conn.execute(
            sa.select(schema.forms.c.name).where(schema.forms.c.id == fm.form_id)
        ).scalar_one()
        raise Conflict("form_referenced", form=form_name, field=fm.label)
