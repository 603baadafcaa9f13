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
    sa.Column("phone", sa.String(32)),
    # the direct supervisor (直属上级)
    sa.Column("supervisor_id", IdType, sa.ForeignKey("qiao_users.id", ondelete="SET NULL")),
    sa.Column("password_changed_at", UTCDateTime),
    sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
    # TOTP two-factor login: the base32 secret, whether it is switched on, and the last
    # time step accepted (a code is never accepted twice)
    sa.Column("totp_secret", sa.String(64)),
    sa.Column("totp_enabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("totp_last_step", sa.BigInteger),
    # a one-time invitation link: only its SHA-256 is stored
    sa.Column("invite_token_hash", sa.String(64), unique=True),
    sa.Column("invite_expires_at", UTCDateTime),
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
    # a token acts as its user, optionally narrowed to reading and/or to some apps
    sa.Column("read_only", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("app_ids", sa.JSON),
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


# ----- organisation ----------------------------------------------------------------------
#: The department tree. ``path`` is the chain of ids from the root, "/1/4/9/", so that
#: "this department and below" is one prefix match.
departments = sa.Table(
    "qiao_departments",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("parent_id", IdType, sa.ForeignKey("qiao_departments.id")),
    sa.Column("path", sa.String(1024), nullable=False),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_qiao_departments_parent", "parent_id", "position"),
    sa.Index("ix_qiao_departments_path", "path"),
)

#: A user belongs to several departments, one of them the main one, and may manage some.
user_departments = sa.Table(
    "qiao_user_departments",
    metadata,
    sa.Column(
        "user_id", IdType, sa.ForeignKey("qiao_users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "department_id",
        IdType,
        sa.ForeignKey("qiao_departments.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("is_main", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_manager", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_qiao_user_departments_dept", "department_id", "user_id"),
)

roles = sa.Table(
    "qiao_roles",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

user_roles = sa.Table(
    "qiao_user_roles",
    metadata,
    sa.Column(
        "user_id", IdType, sa.ForeignKey("qiao_users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "role_id", IdType, sa.ForeignKey("qiao_roles.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Index("ix_qiao_user_roles_role", "role_id", "user_id"),
)

# ----- permissions -----------------------------------------------------------------------
#: App administrators manage every form of their app and see all its data.
app_admins = sa.Table(
    "qiao_app_admins",
    metadata,
    sa.Column(
        "app_id", IdType, sa.ForeignKey("qiao_apps.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "user_id", IdType, sa.ForeignKey("qiao_users.id", ondelete="CASCADE"), primary_key=True
    ),
)

#: Permission groups (权限组) of a form: operations, a data scope and field permissions.
#: ``field_access`` maps a field id (as a string) to {"access": hidden|read|edit,
#: "mask": bool, "unmask": bool}; fields not named are editable.
permission_groups = sa.Table(
    "qiao_permission_groups",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column(
        "form_id", IdType, sa.ForeignKey("qiao_forms.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("operations", sa.JSON, nullable=False),
    sa.Column("scope", sa.String(32), nullable=False),
    sa.Column("scope_filter", sa.JSON),
    sa.Column("field_access", sa.JSON, nullable=False),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_qiao_permission_groups_form", "form_id", "position"),
)

#: Members of a group: ``member_type`` is "user", "department" (with its sub-departments),
#: "role" or "all" (every active user; ``member_id`` 0).
permission_members = sa.Table(
    "qiao_permission_members",
    metadata,
    sa.Column(
        "group_id",
        IdType,
        sa.ForeignKey("qiao_permission_groups.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("member_type", sa.String(16), primary_key=True),
    sa.Column("member_id", IdType, primary_key=True),
    sa.Index("ix_qiao_permission_members_member", "member_type", "member_id"),
)

# ----- audit -----------------------------------------------------------------------------
#: The append-only audit log (操作日志). Entries are numbered without gaps by ``seq`` and
#: each ``hash`` covers the entry and the previous entry's hash, so that editing or
#: deleting a row breaks the chain (``qiao audit verify``). No foreign keys: an entry
#: outlives the user, form or record it names.
audit_log = sa.Table(
    "qiao_audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("user_id", IdType),
    sa.Column("username", sa.String(64)),
    sa.Column("ip", sa.String(64)),
    sa.Column("user_agent", sa.String(512)),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("app_id", IdType),
    sa.Column("form_id", IdType),
    sa.Column("record_id", IdType),
    sa.Column("object_type", sa.String(32)),
    sa.Column("object_id", sa.String(64)),
    sa.Column("details", sa.JSON, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Index("ix_qiao_audit_record", "form_id", "record_id", "seq"),
    sa.Index("ix_qiao_audit_user", "user_id", "seq"),
    sa.Index("ix_qiao_audit_action", "action", "seq"),
    sa.Index("ix_qiao_audit_at", "at"),
)

#: The head of the chain: one row (id 1) with the last seq and hash. Appending updates it
#: in the writing transaction, which also serialises appends on PostgreSQL.
audit_head = sa.Table(
    "qiao_audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# ----- files -----------------------------------------------------------------------------
#: Uploaded files (attachment, image and signature fields). The blob lives in the file
#: store under ``storage_key``; a file is *pending* (``record_id`` NULL) from its upload
#: until a record saves it into ``field_id``, then *attached*; removed from the record it
#: is *detached* and the purge deletes it. No foreign keys to forms: the purge of a form
#: outlives nothing here that it must keep consistent, and rows are swept by the purge.
files = sa.Table(
    "qiao_files",
    metadata,
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
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("attached_at", UTCDateTime),
    sa.Column("detached_at", UTCDateTime),
    sa.Index("ix_qiao_files_record", "form_id", "record_id", "field_id"),
    sa.Index("ix_qiao_files_created", "created_at"),
)

# ----- jobs --------------------------------------------------------------------------------
#: Background jobs (qiao.jobs): written in the transaction that makes them necessary (a
#: formula changed on a large form), claimed by workers (FOR UPDATE SKIP LOCKED on
#: PostgreSQL), progress (``done``/``total``) and a resumable ``cursor`` updated batch by
#: batch. ``state``: queued, running, done, failed.
jobs = sa.Table(
    "qiao_jobs",
    metadata,
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
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("locked_until", UTCDateTime),
    sa.Column("finished_at", UTCDateTime),
    sa.Index("ix_qiao_jobs_state", "state", "id"),
)

# ----- import, export, de-duplication (qiao.io) -------------------------------------------
#: An import of a spreadsheet into a form, from upload to undo. ``form_id`` is NULL
#: while a spreadsheet is only analysed to create a form from it. The file itself lives
#: in the file store under ``storage_key``. ``state``: draft, queued, running, done,
#: failed, cancelled, undoing, undone. ``mapping`` maps column index (text) to field key;
#: ``options`` holds de-duplication, option mapping and the like (qiao.io.imports).
imports = sa.Table(
    "qiao_imports",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("app_id", IdType, sa.ForeignKey("qiao_apps.id", ondelete="CASCADE")),
    sa.Column("form_id", IdType, sa.ForeignKey("qiao_forms.id", ondelete="CASCADE")),
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
    sa.Column("created_by", IdType, sa.ForeignKey("qiao_users.id", ondelete="SET NULL")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("undone_at", UTCDateTime),
    sa.Column("undone_by", IdType, sa.ForeignKey("qiao_users.id", ondelete="SET NULL")),
    sa.Index("ix_qiao_imports_form", "form_id", "id"),
)

#: What an import did with each row of its file, written in the same transaction as the
#: records of that row: the primary key makes every row land exactly once however often
#: a batch is retried, and ``before`` (the replaced values of an updated record) is what
#: undo puts back. ``action``: created, updated, skipped, failed.
import_rows = sa.Table(
    "qiao_import_rows",
    metadata,
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

#: Column → field mappings saved for reuse; ``mapping`` is keyed by the normalised
#: column header so it applies to the next file with the same headers.
import_mappings = sa.Table(
    "qiao_import_mappings",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column(
        "form_id", IdType, sa.ForeignKey("qiao_forms.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("mapping", sa.JSON, nullable=False),
    sa.Column("created_by", IdType, sa.ForeignKey("qiao_users.id", ondelete="SET NULL")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("form_id", "name", name="uq_qiao_import_mappings_name"),
)

#: A merge of duplicate records into one survivor (qiao.io.dedupe): enough to undo it —
#: the survivor's values before, the merged (soft-deleted) records, and every link from
#: other records that was re-pointed to the survivor.
merges = sa.Table(
    "qiao_merges",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column(
        "form_id", IdType, sa.ForeignKey("qiao_forms.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("survivor_id", IdType, nullable=False),
    sa.Column("merged_ids", sa.JSON, nullable=False),
    sa.Column("before", sa.JSON, nullable=False),
    sa.Column("after", sa.JSON, nullable=False),
    sa.Column("repointed", sa.JSON, nullable=False),
    sa.Column("created_by", IdType, sa.ForeignKey("qiao_users.id", ondelete="SET NULL")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("undone_at", UTCDateTime),
    sa.Column("undone_by", IdType, sa.ForeignKey("qiao_users.id", ondelete="SET NULL")),
    sa.Index("ix_qiao_merges_form", "form_id", "id"),
)

#: Saved export layouts of a form: which columns in which order, and how sub-forms go out.
export_templates = sa.Table(
    "qiao_export_templates",
    metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column(
        "form_id", IdType, sa.ForeignKey("qiao_forms.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("fields", sa.JSON, nullable=False),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("created_by", IdType, sa.ForeignKey("qiao_users.id", ondelete="SET NULL")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("form_id", "name", name="uq_qiao_export_templates_name"),
)
