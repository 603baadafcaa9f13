"""Physical tables of forms: built from metadata, created and evolved at run time.

Names are generated, never user text: form table ``qf_<form id>``, columns
``c_<field id>`` (``c_<field id>v<n>`` after a type change), junction tables
``qj_<field id>``, sub-form child tables ``qs_<field id>`` with columns ``c<n>``; indexes ``ix_``/``ux_<table>_<column>``. All DDL runs inside the
caller's transaction (both engines have transactional DDL), so a failed schema change
leaves nothing behind. Column DDL goes through Alembic's operations, which know each
dialect's ALTER TABLE.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from qiao.db.dialect import index_column
from qiao.db.types import IdType, UTCDateTime
from qiao.forms.fields.base import Storage
from qiao.forms.model import FieldMeta, FormMeta

SYSTEM_COLUMN_NAMES = (
    "id", "created_at", "created_by", "updated_at", "updated_by", "owner", "version", "deleted_at",
)  # fmt: skip


def table_name_for(form_id: int) -> str:
    return f"qf_{form_id}"


def system_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", IdType),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("updated_by", IdType),
        sa.Column("owner", IdType),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("deleted_at", UTCDateTime),
    ]


def build_tables(form: FormMeta) -> tuple[sa.Table, dict[int, sa.Table]]:
    """SQLAlchemy Table objects for a form and its junction tables (no DDL)."""
    md = sa.MetaData()
    columns = system_columns()
    for fm in form.fields:
        if fm.storage is Storage.COLUMN:
            columns.append(sa.Column(fm.column_name, fm.ftype.sql_type(fm)))
    table = sa.Table(form.table_name, md, *columns)
    junctions = {
        fm.id: junction_table(md, form.table_name, fm)
        for fm in form.fields
        if fm.storage is Storage.JUNCTION
    }
    return table, junctions


def build_children(form: FormMeta) -> dict[int, sa.Table]:
    """The child tables of a form's sub-forms, in the form table's metadata (their
    foreign keys name it)."""
    md = form.table.metadata
    return {
        fm.id: child_table(md, form.table_name, fm)
        for fm in form.fields
        if fm.storage is Storage.CHILD
    }


def child_table(md: sa.MetaData, parent: str, fm: FieldMeta) -> sa.Table:
    """``qs_<field id>``: one row per sub-form row, ``c<n>`` per current child column
    (columns removed from the settings stay in the database, unread)."""
    from qiao.forms.fields.subform import child_fields

    return sa.Table(
        fm.column_name,
        md,
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column(
            "record_id",
            IdType,
            sa.ForeignKey(f"{parent}.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        *(sa.Column(c.column_name, c.ftype.sql_type(c)) for c in child_fields(fm)),
    )


def junction_table(md: sa.MetaData, parent: str, fm: FieldMeta) -> sa.Table:
    return sa.Table(
        fm.column_name,
        md,
        sa.Column(
            "record_id",
            IdType,
            sa.ForeignKey(f"{parent}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("value", fm.ftype.junction_value_type(fm), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )


def _live(table: sa.Table) -> dict[str, Any]:
    cond = table.c.deleted_at.is_(None)
    return {"sqlite_where": cond, "postgresql_where": cond}


def system_indexes(conn: Connection, table: sa.Table) -> list[sa.Index]:
    name = table.name
    return [
        sa.Index(
            f"ix_{name}_created", index_column(conn, table.c.created_at), table.c.id, **_live(table)
        ),
        sa.Index(
            f"ix_{name}_updated", index_column(conn, table.c.updated_at), table.c.id, **_live(table)
        ),
        sa.Index(f"ix_{name}_owner", table.c.owner, table.c.id, **_live(table)),
        sa.Index(
            f"ix_{name}_trash",
            table.c.deleted_at,
            sqlite_where=table.c.deleted_at.is_not(None),
            postgresql_where=table.c.deleted_at.is_not(None),
        ),
    ]


def field_indexes(conn: Connection, table: sa.Table, fm: FieldMeta) -> list[sa.Index]:
    if fm.storage is not Storage.COLUMN:
        return []
    col = table.c[fm.column_name]
    result = []
    if fm.indexed:
        result.append(
            sa.Index(
                f"ix_{table.name}_{fm.column_name}",
                index_column(conn, col),
                table.c.id,
                **_live(table),
            )
        )
    if fm.unique:
        result.append(
            sa.Index(f"ux_{table.name}_{fm.column_name}", col, unique=True, **_live(table))
        )
    return result


def create_form_tables(conn: Connection, form: FormMeta) -> None:
    form.table.create(conn)
    for index in system_indexes(conn, form.table):
        index.create(conn)
    for fm in form.fields:
        create_field_storage(conn, form, fm, add_column=False)


def create_field_storage(
    conn: Connection, form: FormMeta, fm: FieldMeta, *, add_column: bool = True
) -> None:
    """Add a field's column (or junction table) and its indexes. ``form`` must already
    include ``fm`` (its tables are built from metadata that lists the field)."""
    if fm.storage is Storage.JUNCTION:
        junction = form.junctions[fm.id]
        junction.create(conn)
        sa.Index(f"ix_{junction.name}_value", junction.c.value, junction.c.record_id).create(conn)
        return
    if fm.storage is Storage.CHILD:
        child = form.children[fm.id]
        child.create(conn)
        sa.Index(f"ix_{child.name}_record", child.c.record_id, child.c.position).create(conn)
        return
    if add_column:
        _ops(conn).add_column(form.table_name, sa.Column(fm.column_name, fm.ftype.sql_type(fm)))
    for index in field_indexes(conn, form.table, fm):
        index.create(conn)


def evolve_field_storage(conn: Connection, form: FormMeta, old: FieldMeta, new: FieldMeta) -> None:
    """Settings changed in place: a sub-form's new child columns are added to its table
    (removed ones stay, unread, until the field is purged)."""
    if new.storage is not Storage.CHILD:
        return
    from qiao.forms.fields.subform import child_fields

    before = {c.column_name for c in child_fields(old)}
    ops = _ops(conn)
    for child in child_fields(new):
        if child.column_name not in before:
            ops.add_column(
                new.column_name, sa.Column(child.column_name, child.ftype.sql_type(child))
            )


def set_field_indexes(conn: Connection, form: FormMeta, old: FieldMeta, new: FieldMeta) -> None:
    """Create or drop the index / unique index when those flags change."""
    table = form.table
    before = {i.name: i for i in field_indexes(conn, table, old)}
    after = {i.name: i for i in field_indexes(conn, table, new)}
    for name in before.keys() - after.keys():
        _ops(conn).drop_index(str(name), table_name=table.name)
    for name in after.keys() - before.keys():
        after[name].create(conn)


def unindexed(fm: FieldMeta) -> FieldMeta:
    """The field as it stands while deleted: no index, no unique index. A hidden column
    must not refuse writes (a restored record colliding on a value nobody sees)."""
    return dataclasses.replace(fm, unique=False, indexed=False)


def drop_field_storage(conn: Connection, form: FormMeta, fm: FieldMeta) -> None:
    """Physically remove a field (at purge time)."""
    if fm.storage in (Storage.JUNCTION, Storage.CHILD):
        _ops(conn).drop_table(fm.column_name)
        return
    for index in field_indexes(conn, form.table, fm):
        _ops(conn).drop_index(str(index.name), table_name=form.table_name, if_exists=True)
    _ops(conn).drop_column(form.table_name, fm.column_name)


def drop_form_tables(conn: Connection, form: FormMeta) -> None:
    for junction in form.junctions.values():
        junction.drop(conn, checkfirst=True)
    for child in form.children.values():
        child.drop(conn, checkfirst=True)
    form.table.drop(conn, checkfirst=True)


def _ops(conn: Connection) -> Operations:
    return Operations(MigrationContext.configure(conn))
