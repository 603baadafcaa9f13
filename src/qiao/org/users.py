"""Users: creation, look-up, the public and directory representations, and what an
administrator does to them (edit, departments, supervisor, roles, disable, reset the
password, invite).

Passwords are hashed in exactly two places: :func:`create_user` and :func:`set_password`;
a password policy belongs there and nowhere else. Every administrative change appends an
``org_change`` audit entry in the same transaction, never with a hash or a token in it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.engine import Connection

from qiao.audit import log as audit
from qiao.context import Ctx, utcnow
from qiao.db import schema
from qiao.db.dialect import contains_text
from qiao.errors import Conflict, ErrorDetail, NotFound, ValidationFailed
from qiao.org import password_policy
from qiao.org.passwords import hash_password

_USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,64}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{2,30}$")
INVITE_DAYS = 7
MAX_INVITE_DAYS = 30

u = schema.users
ud = schema.user_departments
ur = schema.user_roles


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    email: str | None
    is_admin: bool
    is_active: bool
    created_at: datetime
    phone: str | None = None
    must_change_password: bool = False

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "email": self.email,
            "is_admin": self.is_admin,
            "is_active": self.is_active,
        }


def user_from_row(row: Any) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        email=row.email,
        is_admin=row.is_admin,
        is_active=row.is_active,
        created_at=row.created_at,
        phone=getattr(row, "phone", None),
        must_change_password=bool(getattr(row, "must_change_password", False)),
    )


def normalize_username(username: str) -> str:
    return username.strip().lower()


def invite_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ----- the two places that hash a password ----------------------------------------------
def create_user(
    conn: Connection,
    username: str,
    password: str | None,
    *,
    display_name: str | None = None,
    email: str | None = None,
    is_admin: bool = False,
    phone: str | None = None,
    must_change_password: bool = False,
) -> User:
    """A new active user; ``password`` None leaves it without one (an invited user, who
    sets it through the invitation link)."""
    key = normalize_username(username)
    if not _USERNAME.match(key):
        raise ValidationFailed(details=[ErrorDetail("username", "invalid_username")])
    exists = conn.execute(sa.select(u.c.id).where(u.c.username == key)).first()
    if exists:
        raise ValidationFailed(details=[ErrorDetail("username", "username_taken")])
    if password is not None:
        password_policy.check(conn, password, username=key)
    now = utcnow()
    row = conn.execute(
        sa.insert(u)
        .values(
            username=key,
            display_name=(display_name or username).strip() or key,
            email=email,
            phone=phone,
            password_hash=None if password is None else hash_password(password),
            password_changed_at=None if password is None else now,
            must_change_password=must_change_password and password is not None,
            is_admin=is_admin,
            is_active=True,
            created_at=now,
            updated_at=now,
        )
        .returning(*u.c)
    ).one()
    return user_from_row(row)


def set_password(
    conn: Connection, user_id: int, password: str, *, must_change: bool, field: str = "password"
) -> None:
    """Set a user's password (hashed), when it changed and whether it must be changed at
    the next login; a pending invitation is used up by it."""
    username = conn.execute(sa.select(u.c.username).where(u.c.id == user_id)).scalar()
    password_policy.check(conn, password, username=username, field=field)
    hashed = hash_password(password)
    now = utcnow()
    result = conn.execute(
        sa.update(u)
        .where(u.c.id == user_id)
        .values(
            password_hash=hashed,
            password_changed_at=now,
            must_change_password=must_change,
            invite_token_hash=None,
            invite_expires_at=None,
            updated_at=now,
        )
    )
    if result.rowcount == 0:
        raise NotFound("org_user_not_found")


# ----- reads -----------------------------------------------------------------------------
def get_user(conn: Connection, user_id: int) -> User:
    row = conn.execute(sa.select(u).where(u.c.id == user_id)).first()
    if row is None:
        raise NotFound("not_found")
    return user_from_row(row)


def find_user_row(conn: Connection, username: str) -> Any:
    return conn.execute(sa.select(u).where(u.c.username == normalize_username(username))).first()


def acting_user(conn: Connection, username: str | None) -> User:
    """The user a command-line tool (``qiao import``, ``qiao export``) acts as, so that
    permissions, scope and the audit log apply as in the browser: the named active user
    (``--user``), or else the first active administrator. One function so that both
    commands refuse the same way with the same messages."""
    if username:
        row = find_user_row(conn, username)
        if row is None or not row.is_active:
            raise NotFound("cli_user_unknown", username=username)
        return user_from_row(row)
    row = conn.execute(
        sa.select(u).where(u.c.is_admin.is_(True), u.c.is_active.is_(True)).order_by(u.c.id)
    ).first()
    if row is None:
        raise NotFound("cli_no_admin")
    return user_from_row(row)


def count_users(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(u)).scalar_one())


def _memberships(conn: Connection, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return out
    d = schema.departments
    rows = conn.execute(
        sa.select(ud.c.user_id, ud.c.department_id, ud.c.is_main, ud.c.is_manager, d.c.name)
        .join(d, d.c.id == ud.c.department_id)
        .where(ud.c.user_id.in_(ids))
        .order_by(ud.c.user_id, sa.desc(ud.c.is_main), d.c.path)
    )
    for r in rows:
        out[r.user_id].append(
            {
                "id": r.department_id,
                "name": r.name,
                "is_main": r.is_main,
                "is_manager": r.is_manager,
            }
        )
    return out


def _roles(conn: Connection, ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for user_id, role_id in conn.execute(
            sa.select(ur.c.user_id, ur.c.role_id)
            .where(ur.c.user_id.in_(ids))
            .order_by(ur.c.role_id)
        ):
            out[user_id].append(role_id)
    return out


def _directory(row: Any, depts: list[dict[str, Any]]) -> dict[str, Any]:
    main = next((m for m in depts if m["is_main"]), depts[0] if depts else None)
    return {
        "id": row.id,
        "username": row.username,
        "display_name": row.display_name,
        "is_active": row.is_active,
        "main_department_id": main["id"] if main else None,
        "main_department": main["name"] if main else None,
    }


def _admin_view(row: Any, depts: list[dict[str, Any]], role_ids: list[int]) -> dict[str, Any]:
    return {
        **_directory(row, depts),
        "email": row.email,
        "phone": row.phone,
        "is_admin": row.is_admin,
        "created_at": row.created_at,
        "last_login_at": row.last_login_at,
        "must_change_password": row.must_change_password,
        "has_password": row.password_hash is not None,
        "totp_enabled": row.totp_enabled,
        "invite_pending": row.password_hash is None and row.invite_token_hash is not None,
        "invite_expires_at": row.invite_expires_at,
        "supervisor_id": row.supervisor_id,
        "departments": depts,
        "role_ids": role_ids,
    }


def list_users(
    conn: Connection,
    *,
    full: bool = True,
    q: str | None = None,
    department_id: int | None = None,
    include_sub: bool = False,
    active: bool | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of users and the number of matches. ``full`` is the administrator's view;
    otherwise the directory (name and main department) any user may read."""
    from qiao.org.departments import subtree_ids

    where: list[sa.ColumnElement[bool]] = []
    if q and q.strip():
        sqlite = conn.dialect.name == "sqlite"
        text = q.strip()
        where.append(
            sa.or_(
                *(contains_text(col, text, sqlite) for col in (u.c.username, u.c.display_name)),
                *(
                    (contains_text(col, text, sqlite) for col in (u.c.email, u.c.phone))
                    if full
                    else ()
                ),
            )
        )
    if department_id is not None:
        depts = subtree_ids(department_id) if include_sub else sa.select(sa.literal(department_id))
        where.append(u.c.id.in_(sa.select(ud.c.user_id).where(ud.c.department_id.in_(depts))))
    if active is not None:
        where.append(u.c.is_active.is_(active))
    total = int(conn.execute(sa.select(sa.func.count()).select_from(u).where(*where)).scalar_one())
    query = sa.select(u).where(*where).order_by(u.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    ids = [r.id for r in rows]
    depts_of = _memberships(conn, ids)
    if not full:
        return [_directory(r, depts_of[r.id]) for r in rows], total
    roles_of = _roles(conn, ids)
    return [_admin_view(r, depts_of[r.id], roles_of[r.id]) for r in rows], total


def user_detail(conn: Connection, user_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(u).where(u.c.id == user_id)).first()
    if row is None:
        raise NotFound("org_user_not_found")
    return _admin_view(
        row, _memberships(conn, [user_id])[user_id], _roles(conn, [user_id])[user_id]
    )


def snapshot(conn: Connection, user_id: int) -> dict[str, Any]:
    """What the audit log keeps of a user (never the password hash or a token)."""
    view = user_detail(conn, user_id)
    return {
        "username": view["username"],
        "display_name": view["display_name"],
        "email": view["email"],
        "phone": view["phone"],
        "is_admin": view["is_admin"],
        "is_active": view["is_active"],
        "supervisor_id": view["supervisor_id"],
        "department_ids": [m["id"] for m in view["departments"]],
        "main_department_id": view["main_department_id"],
        "role_ids": view["role_ids"],
    }


# ----- validation -------------------------------------------------------------------------
def clean_email(value: str | None, field: str = "email") -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return str(validate_email(value.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise ValidationFailed(details=[ErrorDetail(field, "org_invalid_email")]) from exc


def clean_phone(value: str | None, field: str = "phone") -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not _PHONE.match(text):
        raise ValidationFailed(details=[ErrorDetail(field, "org_invalid_phone")])
    return text


def clean_display_name(value: str, field: str = "display_name") -> str:
    text = value.strip()
    if not text or len(text) > 128:
        raise ValidationFailed(details=[ErrorDetail(field, "display_name_invalid")])
    return text


def _missing(conn: Connection, table: sa.Table, ids: list[int]) -> list[int]:
    if not ids:
        return []
    found = set(
        conn.execute(sa.select(table.c.id).where(table.c.id.in_(sorted(set(ids))))).scalars()
    )
    return [i for i in ids if i not in found]


def check_supervisor(conn: Connection, user_id: int | None, supervisor_id: int | None) -> None:
    """A supervisor must exist, and nobody may end up (indirectly) supervising themself."""
    if supervisor_id is None:
        return
    if supervisor_id == user_id:
        raise ValidationFailed(details=[ErrorDetail("supervisor_id", "supervisor_cycle")])
    if _missing(conn, u, [supervisor_id]):
        raise ValidationFailed(details=[ErrorDetail("supervisor_id", "org_user_not_found")])
    seen: set[int] = set()
    current: int | None = supervisor_id
    while current is not None and current not in seen:
        if current == user_id:
            raise ValidationFailed(details=[ErrorDetail("supervisor_id", "supervisor_cycle")])
        seen.add(current)
        current = conn.execute(sa.select(u.c.supervisor_id).where(u.c.id == current)).scalar()


def set_departments(
    conn: Connection, user_id: int, department_ids: list[int], main_id: int | None
) -> None:
    """The user's departments, one of them the main one (the first when not named);
    the manager flag of a department the user stays in is kept."""
    ids = list(dict.fromkeys(department_ids))
    if missing := _missing(conn, schema.departments, ids):
        raise ValidationFailed(
            details=[ErrorDetail("department_ids", "department_not_found", {"value": missing[0]})]
        )
    if main_id is not None and main_id not in ids:
        raise ValidationFailed(
            details=[ErrorDetail("main_department_id", "main_department_not_member")]
        )
    main = main_id if main_id is not None else (ids[0] if ids else None)
    current = set(
        conn.execute(sa.select(ud.c.department_id).where(ud.c.user_id == user_id)).scalars()
    )
    gone = sorted(current - set(ids))
    if gone:
        conn.execute(sa.delete(ud).where(ud.c.user_id == user_id, ud.c.department_id.in_(gone)))
    for dept_id in ids:
        if dept_id not in current:
            conn.execute(
                sa.insert(ud).values(
                    user_id=user_id,
                    department_id=dept_id,
                    is_main=dept_id == main,
                    is_manager=False,
                )
            )
    conn.execute(
        sa.update(ud)
        .where(ud.c.user_id == user_id)
        .values(is_main=sa.case((ud.c.department_id == main, sa.true()), else_=sa.false()))
    )


def set_roles(conn: Connection, user_id: int, role_ids: list[int]) -> None:
    ids = sorted(set(role_ids))
    if missing := _missing(conn, schema.roles, ids):
        raise ValidationFailed(
            details=[ErrorDetail("role_ids", "role_not_found", {"value": missing[0]})]
        )
    conn.execute(sa.delete(ur).where(ur.c.user_id == user_id))
    if ids:
        conn.execute(sa.insert(ur), [{"user_id": user_id, "role_id": r} for r in ids])


def _audit(conn: Connection, ctx: Ctx, user_id: int, op: str, before: Any, after: Any) -> None:
    audit.append_org_change(conn, ctx, "user", user_id, op, before, after)


# ----- administration ---------------------------------------------------------------------
@dataclass
class UserChanges:
    """Fields an administrator sets; None means "leave as is" (``supervisor_id`` uses
    ``clear_supervisor`` to remove the supervisor)."""

    display_name: str | None = None
    email: str | None = None
    phone: str | None = None
    is_admin: bool | None = None
    supervisor_id: int | None = None
    clear_supervisor: bool = False
    department_ids: list[int] | None = None
    main_department_id: int | None = None
    role_ids: list[int] | None = None


def _apply(conn: Connection, ctx: Ctx, user_id: int, changes: UserChanges) -> None:
    values: dict[str, Any] = {}
    if changes.display_name is not None:
        values["display_name"] = clean_display_name(changes.display_name)
    if changes.email is not None:
        values["email"] = clean_email(changes.email)
    if changes.phone is not None:
        values["phone"] = clean_phone(changes.phone)
    if changes.is_admin is not None:
        if ctx.user_id == user_id and not changes.is_admin:
            raise ValidationFailed(details=[ErrorDetail("is_admin", "cannot_demote_self")])
        values["is_admin"] = changes.is_admin
    if changes.clear_supervisor:
        values["supervisor_id"] = None
    elif changes.supervisor_id is not None:
        check_supervisor(conn, user_id, changes.supervisor_id)
        values["supervisor_id"] = changes.supervisor_id
    if values:
        values["updated_at"] = ctx.now()
        conn.execute(sa.update(u).where(u.c.id == user_id).values(**values))
    if changes.department_ids is not None:
        set_departments(conn, user_id, changes.department_ids, changes.main_department_id)
    elif changes.main_department_id is not None:
        current = list(
            conn.execute(sa.select(ud.c.department_id).where(ud.c.user_id == user_id)).scalars()
        )
        set_departments(conn, user_id, current, changes.main_department_id)
    if changes.role_ids is not None:
        set_roles(conn, user_id, changes.role_ids)


def _new_invite(conn: Connection, ctx: Ctx, user_id: int, days: int) -> dict[str, Any]:
    if not 1 <= days <= MAX_INVITE_DAYS:
        raise ValidationFailed(
            details=[ErrorDetail("invite_days", "invite_days_invalid", {"max": MAX_INVITE_DAYS})]
        )
    token = secrets.token_urlsafe(32)
    expires = ctx.now() + timedelta(days=days)
    conn.execute(
        sa.update(u)
        .where(u.c.id == user_id)
        .values(invite_token_hash=invite_digest(token), invite_expires_at=expires)
    )
    return {"invite_token": token, "invite_path": f"/invite/{token}", "invite_expires_at": expires}


def admin_create(
    conn: Connection,
    ctx: Ctx,
    username: str,
    *,
    password: str | None,
    invite_days: int | None,
    changes: UserChanges,
    must_change_password: bool = False,
) -> dict[str, Any]:
    """Create a user with a password, or (``password`` None) invited with a one-time
    link valid ``invite_days``; returns the administrator's view (plus the link)."""
    if password is None and invite_days is None:
        invite_days = INVITE_DAYS
    display = clean_display_name(changes.display_name) if changes.display_name else None
    user = create_user(
        conn,
        username,
        password,
        display_name=display,
        email=clean_email(changes.email),
        phone=clean_phone(changes.phone),
        is_admin=bool(changes.is_admin),
        must_change_password=must_change_password,
    )
    rest = UserChanges(
        supervisor_id=changes.supervisor_id,
        department_ids=changes.department_ids,
        main_department_id=changes.main_department_id,
        role_ids=changes.role_ids,
    )
    _apply(conn, ctx, user.id, rest)
    invite = _new_invite(conn, ctx, user.id, invite_days or INVITE_DAYS) if password is None else {}
    _audit(conn, ctx, user.id, "create", None, snapshot(conn, user.id))
    return {**user_detail(conn, user.id), **invite}


def admin_update(conn: Connection, ctx: Ctx, user_id: int, changes: UserChanges) -> dict[str, Any]:
    before = snapshot(conn, user_id)
    _apply(conn, ctx, user_id, changes)
    after = snapshot(conn, user_id)
    if after != before:
        _audit(conn, ctx, user_id, "update", before, after)
    return user_detail(conn, user_id)


def set_active(conn: Connection, ctx: Ctx, user_id: int, active: bool) -> dict[str, Any]:
    """Enable or disable a user; disabling ends their sessions and revokes their API
    tokens at once, so a disabled account cannot act through either."""
    row = conn.execute(sa.select(u.c.is_active).where(u.c.id == user_id)).first()
    if row is None:
        raise NotFound("org_user_not_found")
    if not active and ctx.user_id == user_id:
        raise Conflict("cannot_disable_self")
    if row.is_active != active:
        now = ctx.now()
        conn.execute(sa.update(u).where(u.c.id == user_id).values(is_active=active, updated_at=now))
        if not active:
            _revoke_access(conn, user_id, now, tokens=True)
        _audit(
            conn,
            ctx,
            user_id,
            "enable" if active else "disable",
            {"is_active": row.is_active},
            {"is_active": active},
        )
    return user_detail(conn, user_id)


def _revoke_access(conn: Connection, user_id: int, now: datetime, *, tokens: bool) -> None:
    s, t = schema.sessions, schema.api_tokens
    conn.execute(
        sa.update(s).where(s.c.user_id == user_id, s.c.revoked_at.is_(None)).values(revoked_at=now)
    )
    if tokens:
        conn.execute(
            sa.update(t)
            .where(t.c.user_id == user_id, t.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def reset_password(conn: Connection, ctx: Ctx, user_id: int, password: str) -> dict[str, Any]:
    """An administrator sets a new password the user must change at the next login; the
    user's other sessions end (whoever knew the old password is logged out)."""
    if conn.execute(sa.select(u.c.id).where(u.c.id == user_id)).first() is None:
        raise NotFound("org_user_not_found")
    set_password(conn, user_id, password, must_change=True)
    if ctx.user_id != user_id:
        _revoke_access(conn, user_id, ctx.now(), tokens=False)
    _audit(conn, ctx, user_id, "reset_password", None, {"must_change_password": True})
    return user_detail(conn, user_id)


def reinvite(conn: Connection, ctx: Ctx, user_id: int, days: int) -> dict[str, Any]:
    """A new invitation link for a user who has not set a password yet (the old link
    stops working)."""
    row = conn.execute(sa.select(u.c.password_hash).where(u.c.id == user_id)).first()
    if row is None:
        raise NotFound("org_user_not_found")
    if row.password_hash is not None:
        raise Conflict("user_has_password")
    invite = _new_invite(conn, ctx, user_id, days)
    _audit(conn, ctx, user_id, "invite", None, {"invite_expires_at": invite["invite_expires_at"]})
    return {**user_detail(conn, user_id), **invite}


def _invited_row(conn: Connection, token: str, now: datetime) -> Any:
    row = conn.execute(sa.select(u).where(u.c.invite_token_hash == invite_digest(token))).first()
    if (
        row is None
        or not row.is_active
        or row.invite_expires_at is None
        or row.invite_expires_at <= now
    ):
        raise NotFound("invite_invalid")
    return row


def invite_info(conn: Connection, token: str, now: datetime) -> dict[str, Any]:
    row = _invited_row(conn, token, now)
    return {"username": row.username, "display_name": row.display_name}


def accept_invite(conn: Connection, ctx: Ctx, token: str, password: str) -> dict[str, Any]:
    """Set the password of an invited user; the link is used up."""
    row = _invited_row(conn, token, ctx.now())
    set_password(conn, row.id, password, must_change=False)
    audit.append_org_change(
        conn, ctx, "user", row.id, "accept_invite", None, None, username=row.username
    )
    return {"username": row.username, "display_name": row.display_name}
