"""The platform's own tables (metadata, users, auth). User data lives in form tables
built at run time by ``qiao.forms.ddl``; these tables are created and upgraded by the
Alembic migrations in ``qiao/db/migrations`` and a test keeps both in step.
"""

from __future__ import annotations

import sqlalchemy as sa

from qiao.db.types import IdType, UTCDateTime

metadata = sa.MetaData()

#: Key/value settings of the installation; ``schema_version`` is bumped on every schema
#: change so that every app server reloads its cached form metadata.
settings = sa.Table(
    "qiao_settings",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
)

users = sa.Table(
    "qiao_users",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(128), nullable=False),
    sa.Column("email", sa.String(254)),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("last_login_at", UTCDateTime),
)

sessions = sa.Table(
    "qiao_sessions",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column(
        "user_id", IdType, sa.ForeignKey("qiao_users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    sa.Column("ip", sa.String(64)),
    sa.Column("user_agent", sa.String(512)),
    sa.Column("revoked_at", UTCDateTime),
)

api_tokens = sa.Table(
    "qiao_api_tokens",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column(
        "user_id", IdType, sa.ForeignKey("qiao_users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("token_prefix", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_used_at", UTCDateTime),
    sa.Column("revoked_at", UTCDateTime),
)

#: Failed-login bookkeeping per (normalised) username, also for names that do not exist,
#: so that probing unknown accounts is throttled the same way.
login_throttle = sa.Table(
    "qiao_login_throttle",
    metadata,
    sa.Column("username_key", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure_at", UTCDateTime, nullable=False),
    sa.Column("locked_until", UTCDateTime),
)

apps = sa.Table(
    "qiao_apps",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("icon", sa.String(64), nullable=False, server_default="app"),
    sa.Column("color", sa.String(16), nullable=False, server_default="#2f6bff"),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", IdType, sa.ForeignKey("qiao_users.id")),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("deleted_at", UTCDateTime),
)

forms = sa.Table(
    "qiao_forms",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("app_id", IdType, sa.ForeignKey("qiao_apps.id"), nullable=False, index=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("table_name", sa.String(63), nullable=False, unique=True),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", IdType, sa.ForeignKey("qiao_users.id")),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("deleted_at", UTCDateTime),
)

fields = sa.Table(
    "qiao_fields",
    metadata,
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
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("deleted_at", UTCDateTime),
    sa.Index("ix_qiao_fields_form", "form_id", "position"),
)

#: Gap-free autonumber sequences: incremented inside the record's write transaction, so
#: a rolled-back insert also rolls back its number.
autonumber_counters = sa.Table(
    "qiao_autonumber_counters",
    metadata,
    sa.Column("field_id", IdType, primary_key=True),
    sa.Column("period", sa.String(16), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

#: Saved views of a form (table, kanban, calendar, gallery); ``owner_id`` NULL means
#: shared with everyone, else the view is personal to that user.
views = sa.Table(
    "qiao_views",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column(
        "form_id", IdType, sa.ForeignKey("qiao_forms.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("owner_id", IdType, sa.ForeignKey("qiao_users.id", ondelete="CASCADE")),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_by", IdType, sa.ForeignKey("qiao_users.id")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_qiao_views_form", "form_id", "position"),
)

#: Comments on records, with the ids of the users they mention.
comments = sa.Table(
    "qiao_comments",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column(
        "form_id", IdType, sa.ForeignKey("qiao_forms.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("record_id", IdType, nullable=False),
    sa.Column("author_id", IdType, sa.ForeignKey("qiao_users.id"), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("mentions", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("deleted_at", UTCDateTime),
    sa.Index("ix_qiao_comments_record", "form_id", "record_id", "id"),
)

# A field key is unique among the live fields of its form; deleted fields keep theirs
# until purged, and restoring one whose key was reused is refused by the service.
sa.Index(
    "uq_qiao_fields_form_key",
    fields.c.form_id,
    fields.c.key,
    unique=True,
    sqlite_where=fields.c.deleted_at.is_(None),
    postgresql_where=fields.c.deleted_at.is_(None),
)
