"""Uploaded files of attachment, image and signature fields (``qiao_files``).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qiao.db.types import IdType

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "qiao_files",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("storage_key", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("mime", sa.String(128), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("thumbnail_key", sa.String(64)),
        sa.Column("form_id", IdType, nullable=False),
        sa.Column("field_id", IdType, nullable=False),
        sa.Column("record_id", IdType),
        sa.Column("created_by", IdType, sa.ForeignKey("qiao_users.id", ondelete="SET NULL")),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("attached_at", TS),
        sa.Column("detached_at", TS),
    )
    op.create_index("ix_qiao_files_record", "qiao_files", ["form_id", "record_id", "field_id"])
    op.create_index("ix_qiao_files_created", "qiao_files", ["created_at"])


def downgrade() -> None:
    op.drop_table("qiao_files")
