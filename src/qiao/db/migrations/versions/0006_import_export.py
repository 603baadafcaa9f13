"""Import, export and de-duplication: imports and their rows, saved column mappings,
merges of duplicate records, export templates.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qiao.db.types import IdType

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _user(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, IdType, sa.ForeignKey("qiao_users.id", ondelete="SET NULL"))


def _form(nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "form_id",
        IdType,
        sa.ForeignKey("qiao_forms.id", ondelete="CASCADE"),
        nullable=nullable,
    )


def upgrade() -> None:
    op.create_table(
        "qiao_imports",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("app_id", IdType, sa.ForeignKey("qiao_apps.id", ondelete="CASCADE")),
        _form(nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("storage_key", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sheet", sa.Integer, nullable=False, server_default="0"),
        sa.Column("header_row", sa.Integer, nullable=False, server_default="0"),
        sa.Column("mapping", sa.JSON, nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("summary", sa.JSON),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
        sa.Column("skipped", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("job_id", IdType),
        sa.Column("error", sa.Text),
        _user("created_by"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("undone_at", TS),
        _user("undone_by"),
    )
    op.create_index("ix_qiao_imports_form", "qiao_imports", ["form_id", "id"])
    op.create_table(
        "qiao_import_rows",
        sa.Column(
            "import_id",
            IdType,
            sa.ForeignKey("qiao_imports.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("row_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("record_id", IdType),
        sa.Column("before", sa.JSON),
        sa.Column("error", sa.JSON),
    )
    op.create_table(
        "qiao_import_mappings",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        _form(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("mapping", sa.JSON, nullable=False),
        _user("created_by"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("form_id", "name", name="uq_qiao_import_mappings_name"),
    )
    op.create_table(
        "qiao_merges",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        _form(),
        sa.Column("survivor_id", IdType, nullable=False),
        sa.Column("merged_ids", sa.JSON, nullable=False),
        sa.Column("before", sa.JSON, nullable=False),
        sa.Column("after", sa.JSON, nullable=False),
        sa.Column("repointed", sa.JSON, nullable=False),
        _user("created_by"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("undone_at", TS),
        _user("undone_by"),
    )
    op.create_index("ix_qiao_merges_form", "qiao_merges", ["form_id", "id"])
    op.create_table(
        "qiao_export_templates",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        _form(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        _user("created_by"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("form_id", "name", name="uq_qiao_export_templates_name"),
    )


def downgrade() -> None:
    for table in (
        "qiao_export_templates",
        "qiao_merges",
        "qiao_import_mappings",
        "qiao_import_rows",
        "qiao_imports",
    ):
        op.drop_table(table)
