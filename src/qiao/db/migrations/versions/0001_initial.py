"""Initial platform tables: settings, users, sessions, API tokens, login throttle, apps,
forms, fields and autonumber counters.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qiao.db.types import IdType

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "qiao_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
    )
    op.create_table(
        "qiao_users",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("last_login_at", TS),
    )
    op.create_table(
        "qiao_sessions",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "user_id",
            IdType,
            sa.ForeignKey("qiao_users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("ip", sa.String(64)),
        sa.Column("user_agent", sa.String(512)),
        sa.Column("revoked_at", TS),
    )
    op.create_table(
        "qiao_api_tokens",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column(
            "user_id",
            IdType,
            sa.ForeignKey("qiao_users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("token_prefix", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_used_at", TS),
        sa.Column("revoked_at", TS),
    )
    op.create_table(
        "qiao_login_throttle",
        sa.Column("username_key", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure_at", TS, nullable=False),
        sa.Column("locked_until", TS),
    )
    op.create_table(
        "qiao_apps",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("icon", sa.String(64), nullable=False, server_default="app"),
        sa.Column("color", sa.String(16), nullable=False, server_default="#2f6bff"),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", IdType, sa.ForeignKey("qiao_users.id")),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("deleted_at", TS),
    )
    op.create_table(
        "qiao_forms",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("app_id", IdType, sa.ForeignKey("qiao_apps.id"), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("table_name", sa.String(63), nullable=False, unique=True),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", IdType, sa.ForeignKey("qiao_users.id")),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("deleted_at", TS),
    )
    op.create_index("ix_qiao_forms_app_id", "qiao_forms", ["app_id"])
    op.create_table(
        "qiao_fields",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("form_id", IdType, sa.ForeignKey("qiao_forms.id"), nullable=False),
        sa.Column("key", sa.String(63), nullable=False),
        sa.Column("label", sa.String(128), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("required", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("is_unique", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("indexed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("column_name", sa.String(63), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("deleted_at", TS),
    )
    op.create_index("ix_qiao_fields_form", "qiao_fields", ["form_id", "position"])
    op.create_index(
        "uq_qiao_fields_form_key",
        "qiao_fields",
        ["form_id", "key"],
        unique=True,
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "qiao_autonumber_counters",
        sa.Column("field_id", IdType, primary_key=True),
        sa.Column("period", sa.String(16), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "qiao_autonumber_counters",
        "qiao_fields",
        "qiao_forms",
        "qiao_apps",
        "qiao_login_throttle",
        "qiao_api_tokens",
        "qiao_sessions",
        "qiao_users",
        "qiao_settings",
    ):
        op.drop_table(table)
