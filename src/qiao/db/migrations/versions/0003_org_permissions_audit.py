"""Organisation (departments, roles, memberships), permission groups, app administrators,
account security columns, narrowed API tokens and the hash-chained audit log.

Forms that exist before this migration keep their behaviour: each gets one permission
group that lets every member do everything but manage the form, on all records.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from qiao.db.types import IdType

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
GENESIS = "0" * 64


def _user(name: str) -> sa.Column[int]:
    return sa.Column(
        name, IdType, sa.ForeignKey("qiao_users.id", ondelete="CASCADE"), primary_key=True
    )


def upgrade() -> None:
    with op.batch_alter_table("qiao_users") as batch:
        batch.add_column(sa.Column("phone", sa.String(32)))
        batch.add_column(sa.Column("supervisor_id", IdType))
        batch.add_column(sa.Column("password_changed_at", TS))
        batch.add_column(
            sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("totp_secret", sa.String(64)))
        batch.add_column(
            sa.Column("totp_enabled", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger))
        batch.add_column(sa.Column("invite_token_hash", sa.String(64)))
        batch.add_column(sa.Column("invite_expires_at", TS))
        batch.create_foreign_key(
            "fk_qiao_users_supervisor", "qiao_users", ["supervisor_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_unique_constraint("uq_qiao_users_invite", ["invite_token_hash"])
    with op.batch_alter_table("qiao_api_tokens") as batch:
        batch.add_column(
            sa.Column("read_only", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("app_ids", sa.JSON))

    op.create_table(
        "qiao_departments",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("parent_id", IdType, sa.ForeignKey("qiao_departments.id")),
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_qiao_departments_parent", "qiao_departments", ["parent_id", "position"])
    op.create_index("ix_qiao_departments_path", "qiao_departments", ["path"])
    op.create_table(
        "qiao_user_departments",
        _user("user_id"),
        sa.Column(
            "department_id",
            IdType,
            sa.ForeignKey("qiao_departments.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("is_main", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("is_manager", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "ix_qiao_user_departments_dept", "qiao_user_departments", ["department_id", "user_id"]
    )
    op.create_table(
        "qiao_roles",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "qiao_user_roles",
        _user("user_id"),
        sa.Column(
            "role_id",
            IdType,
            sa.ForeignKey("qiao_roles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_qiao_user_roles_role", "qiao_user_roles", ["role_id", "user_id"])
    op.create_table(
        "qiao_app_admins",
        sa.Column(
            "app_id",
            IdType,
            sa.ForeignKey("qiao_apps.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _user("user_id"),
    )
    groups = op.create_table(
        "qiao_permission_groups",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column(
            "form_id",
            IdType,
            sa.ForeignKey("qiao_forms.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("operations", sa.JSON, nullable=False),
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("scope_filter", sa.JSON),
        sa.Column("field_access", sa.JSON, nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index(
        "ix_qiao_permission_groups_form", "qiao_permission_groups", ["form_id", "position"]
    )
    members = op.create_table(
        "qiao_permission_members",
        sa.Column(
            "group_id",
            IdType,
            sa.ForeignKey("qiao_permission_groups.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("member_type", sa.String(16), primary_key=True),
        sa.Column("member_id", IdType, primary_key=True),
    )
    op.create_index(
        "ix_qiao_permission_members_member",
        "qiao_permission_members",
        ["member_type", "member_id"],
    )
    op.create_table(
        "qiao_audit_log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", TS, nullable=False),
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
    )
    op.create_index("ix_qiao_audit_record", "qiao_audit_log", ["form_id", "record_id", "seq"])
    op.create_index("ix_qiao_audit_user", "qiao_audit_log", ["user_id", "seq"])
    op.create_index("ix_qiao_audit_action", "qiao_audit_log", ["action", "seq"])
    op.create_index("ix_qiao_audit_at", "qiao_audit_log", ["at"])
    head = op.create_table(
        "qiao_audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    _append_only("qiao_audit_log")

    # existing forms keep what they had: every member does everything but manage, on all
    conn = op.get_bind()
    now = datetime.now(UTC)
    form_ids = conn.execute(sa.text("SELECT id FROM qiao_forms ORDER BY id")).scalars().all()
    for form_id in form_ids:
        group_id = conn.execute(
            sa.insert(groups)
            .values(
                form_id=form_id,
                name="全体成员",
                description="",
                operations=["view", "create", "edit", "delete", "import", "export"],
                scope="all",
                scope_filter=None,
                field_access={},
                position=0,
                created_at=now,
                updated_at=now,
            )
            .returning(groups.c.id)
        ).scalar_one()
        conn.execute(sa.insert(members).values(group_id=group_id, member_type="all", member_id=0))


def _append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on the audit log in the database itself, so that no code
    path (nor a careless manual query) rewrites history; the hash chain still catches
    whoever drops the trigger first. TRUNCATE (test set-up) is not affected."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION qiao_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION qiao_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS qiao_audit_log_append_only ON qiao_audit_log")
        op.execute("DROP FUNCTION IF EXISTS qiao_append_only()")
    for table in (
        "qiao_audit_head",
        "qiao_audit_log",
        "qiao_permission_members",
        "qiao_permission_groups",
        "qiao_app_admins",
        "qiao_user_roles",
        "qiao_roles",
        "qiao_user_departments",
        "qiao_departments",
    ):
        op.drop_table(table)
    with op.batch_alter_table("qiao_api_tokens") as batch:
        batch.drop_column("app_ids")
        batch.drop_column("read_only")
    with op.batch_alter_table("qiao_users") as batch:
        batch.drop_constraint("uq_qiao_users_invite", type_="unique")
        batch.drop_constraint("fk_qiao_users_supervisor", type_="foreignkey")
        for name in (
            "invite_expires_at",
            "invite_token_hash",
            "totp_last_step",
            "totp_enabled",
            "totp_secret",
            "must_change_password",
            "password_changed_at",
            "supervisor_id",
            "phone",
        ):
            batch.drop_column(name)
