"""Saved views of forms and comments on records.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qiao.db.types import IdType

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "qiao_views",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column(
            "form_id",
            IdType,
            sa.ForeignKey("qiao_forms.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("owner_id", IdType, sa.ForeignKey("qiao_users.id", ondelete="CASCADE")),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_by", IdType, sa.ForeignKey("qiao_users.id")),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_qiao_views_form", "qiao_views", ["form_id", "position"])
    op.create_table(
        "qiao_comments",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column(
            "form_id",
            IdType,
            sa.ForeignKey("qiao_forms.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("record_id", IdType, nullable=False),
        sa.Column("author_id", IdType, sa.ForeignKey("qiao_users.id"), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("mentions", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("deleted_at", TS),
    )
    op.create_index("ix_qiao_comments_record", "qiao_comments", ["form_id", "record_id", "id"])


def downgrade() -> None:
    op.drop_table("qiao_comments")
    op.drop_table("qiao_views")
