"""Background jobs (``qiao_jobs``): batch recomputation of formula fields, later others.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qiao.db.types import IdType

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "qiao_jobs",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("total", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("done", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("cursor", sa.JSON),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text),
        sa.Column("created_by", IdType, sa.ForeignKey("qiao_users.id", ondelete="SET NULL")),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("locked_until", TS),
        sa.Column("finished_at", TS),
    )
    op.create_index("ix_qiao_jobs_state", "qiao_jobs", ["state", "id"])


def downgrade() -> None:
    op.drop_table("qiao_jobs")
