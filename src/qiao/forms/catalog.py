"""Form metadata loaded from the platform tables and cached per process.

Every schema change bumps ``schema_version`` in the same transaction; each request
compares the cached version with the stored one (one indexed read) and reloads when
another app server — or this one — changed the schema.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from qiao.db import schema
from qiao.errors import NotFound
from qiao.forms.ddl import build_children, build_tables
from qiao.forms.fields import registry
from qiao.forms.model import FieldMeta, FormMeta

VERSION_KEY = "schema_version"


@dataclass(frozen=True)
class Catalog:
    version: int
    forms: dict[int, FormMeta]

    def linking_to(self, form_id: int) -> list[tuple[FormMeta, FieldMeta]]:
        """The live fields of live forms whose values are records of ``form_id``."""
        return [
            (form, fm)
            for form in self.forms.values()
            if form.deleted_at is None
            for fm in form.live_fields
            if fm.ftype.referenced_form(fm) == form_id
        ]

    def form(self, form_id: int, *, include_deleted: bool = False) -> FormMeta:
        form = self.forms.get(form_id)
        if form is None or (form.deleted_at is not None and not include_deleted):
            raise NotFound("form_not_found")
        return form


def field_from_row(row: Row[Any] | Any) -> FieldMeta:
    ftype = registry.get(row.type)
    return FieldMeta(
        id=row.id,
        form_id=row.form_id,
        key=row.key,
        label=row.label,
        type=row.type,
        settings=ftype.settings_model.model_validate(row.settings),
        column_name=row.column_name,
        position=row.position,
        required=row.required,
        unique=row.is_unique,
        indexed=row.indexed,
        deleted_at=row.deleted_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def form_from_rows(row: Row[Any] | Any, field_rows: list[Any]) -> FormMeta:
    form = FormMeta(
        id=row.id,
        app_id=row.app_id,
        name=row.name,
        description=row.description,
        table_name=row.table_name,
        position=row.position,
        settings=dict(row.settings or {}),
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        deleted_at=row.deleted_at,
        fields=sorted((field_from_row(f) for f in field_rows), key=lambda f: (f.position, f.id)),
    )
    form.table, form.junctions = build_tables(form)
    form.children = build_children(form)
    return form


def load_form(conn: Connection, form_id: int) -> FormMeta:
    """Fresh metadata of one form, bypassing the cache (used inside schema changes)."""
    row = conn.execute(sa.select(schema.forms).where(schema.forms.c.id == form_id)).first()
    if row is None:
        raise NotFound("form_not_found")
    field_rows = conn.execute(
        sa.select(schema.fields).where(schema.fields.c.form_id == form_id)
    ).all()
    return form_from_rows(row, list(field_rows))


def load_catalog(conn: Connection, version: int) -> Catalog:
    by_form: dict[int, list[Any]] = {}
    for frow in conn.execute(sa.select(schema.fields)):
        by_form.setdefault(frow.form_id, []).append(frow)
    forms = {
        row.id: form_from_rows(row, by_form.get(row.id, []))
        for row in conn.execute(sa.select(schema.forms))
    }
    return Catalog(version, forms)


def read_version(conn: Connection) -> int:
    value = conn.execute(
        sa.select(schema.settings.c.value).where(schema.settings.c.key == VERSION_KEY)
    ).scalar()
    return int(value or 0)


_BUMPED = "qiao_schema_bumped"


def bump_version(conn: Connection) -> int:
    """Increment the schema version once per write transaction: a unit of work made of
    several schema changes (a publish) is one new version, however often it asks."""
    transaction = conn.get_transaction()
    done = conn.info.get(_BUMPED)
    if done is not None and transaction is not None and done[0] is transaction:
        return int(done[1])
    table = schema.settings
    current = conn.execute(
        sa.select(table.c.value).where(table.c.key == VERSION_KEY).with_for_update()
    ).scalar()
    version = 1 if current is None else int(current) + 1
    if current is None:
        conn.execute(sa.insert(table).values(key=VERSION_KEY, value=version))
    else:
        conn.execute(sa.update(table).where(table.c.key == VERSION_KEY).values(value=version))
    # keyed by the transaction object: conn.info outlives it (pool checkouts, retries)
    conn.info[_BUMPED] = (transaction, version)
    return version


class SchemaCache:
    def __init__(self) -> None:
        self._catalog: Catalog | None = None
        self._lock = threading.Lock()

    def get(self, conn: Connection) -> Catalog:
        version = read_version(conn)
        catalog = self._catalog
        if catalog is not None and catalog.version == version:
            return catalog
        with self._lock:
            catalog = self._catalog
            if catalog is None or catalog.version != version:
                catalog = load_catalog(conn, version)
                self._catalog = catalog
        return catalog
