"""A user's own account security: password, sessions, two-factor login, login history;
and what an administrator may do about another user's (end sessions, reset 2FA).

Every change is one transaction with its audit entry. Services take ``now`` (through
the ``Ctx`` clock) so that expiry is testable without waiting.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.audit import log as audit
from qiao.config import Settings
from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import ErrorDetail, NotFound, ValidationFailed
from qiao.org import auth, password_policy, totp, users
from qiao.org.passwords import verify_password

LOGIN_ACTIONS = ("login", "login_failed", "logout")


def _me(ctx: Ctx) -> int:
    assert ctx.user is not None
    return ctx.user.id


def _password_hash(conn: Connection, user_id: int) -> str | None:
    u = schema.users
    value = conn.execute(sa.select(u.c.password_hash).where(u.c.id == user_id)).scalar()
    return None if value is None else str(value)


def summary(conn: Connection, ctx: Ctx) -> dict[str, Any]:
    """What the account page shows at the top: 2FA state and the password's age."""
    u = schema.users
    row = conn.execute(sa.select(u).where(u.c.id == _me(ctx))).one()
    policy = password_policy.load(conn)
    changed = row.password_changed_at or row.created_at
    return {
        "user": users.user_from_row(row).public(),
        "totp_enabled": bool(row.totp_enabled),
        "password_changed_at": row.password_changed_at,
        "password_expires_at": password_policy.expires_at(policy, changed),
        "must_change_password": bool(row.must_change_password),
        "last_login_at": row.last_login_at,
    }


def change_password(
    conn: Connection, ctx: Ctx, current: str, new: str, *, keep_session: int | None
) -> int:
    """Change my own password (knowing the current one); every other session of mine
    ends, so whoever else knew the old password is logged out. Returns how many ended."""
    user_id = _me(ctx)
    if not verify_password(_password_hash(conn, user_id), current):
        raise ValidationFailed(details=[ErrorDetail("current_password", "current_password_wrong")])
    if new == current:
        raise ValidationFailed(details=[ErrorDetail("new_password", "password_unchanged")])
    users.set_password(conn, user_id, new, must_change=False, field="new_password")
    ended = auth.revoke_sessions(
        conn, user_id, ctx.now(), keep=[keep_session] if keep_session else []
    )
    audit.append(
        conn,
        ctx,
        "password_changed",
        object_type="user",
        object_id=user_id,
        details={"sessions_ended": ended},
    )
    return ended


# ----- sessions ------------------------------------------------------------------------------
def list_sessions(
    conn: Connection, settings: Settings, ctx: Ctx, current: int | None
) -> list[dict[str, Any]]:
    """My live sessions, the current one first, then the most recently active."""
    s = schema.sessions
    now = ctx.now()
    rows = conn.execute(
        sa.select(s)
        .where(s.c.user_id == _me(ctx), s.c.revoked_at.is_(None), s.c.expires_at > now)
        .order_by(s.c.last_seen_at.desc(), s.c.id.desc())
    ).all()
    items = [
        {
            "id": r.id,
            "created_at": r.created_at,
            "last_seen_at": r.last_seen_at,
            "expires_at": r.expires_at,
            "ip": r.ip,
            "user_agent": r.user_agent or "",
            "current": r.id == current,
        }
        for r in rows
        if auth.is_live(settings, r, now)
    ]
    items.sort(key=lambda item: not item["current"])  # stable: keeps the recency order
    return items


def end_session(conn: Connection, ctx: Ctx, session_id: int) -> None:
    """End one of my sessions (another user's is a 404, not a 403: ids do not leak)."""
    s = schema.sessions
    result = conn.execute(
        sa.update(s)
        .where(s.c.id == session_id, s.c.user_id == _me(ctx), s.c.revoked_at.is_(None))
        .values(revoked_at=ctx.now())
    )
    if result.rowcount == 0:
        raise NotFound("session_not_found")
    audit.append(
        conn, ctx, "session_revoked", object_type="session", object_id=session_id, details={}
    )


def end_other_sessions(conn: Connection, ctx: Ctx, current: int | None) -> int:
    ended = auth.revoke_sessions(conn, _me(ctx), ctx.now(), keep=[current] if current else [])
    audit.append(
        conn,
        ctx,
        "sessions_revoked",
        object_type="user",
        object_id=_me(ctx),
        details={"count": ended, "kept_current": current is not None},
    )
    return ended


def admin_end_sessions(conn: Connection, ctx: Ctx, user_id: int) -> int:
    """An administrator logs a user out everywhere (API tokens are left alone: they are
    revoked one by one, or by disabling the user)."""
    users.get_user(conn, user_id)  # 404 for an unknown id
    ended = auth.revoke_sessions(conn, user_id, ctx.now())
    audit.append(
        conn,
        ctx,
        "sessions_revoked",
        object_type="user",
        object_id=user_id,
        details={"count": ended, "by_admin": True},
    )
    return ended


# ----- two-factor login ----------------------------------------------------------------------
def totp_setup(conn: Connection, ctx: Ctx) -> totp.Setup:
    return totp.begin_setup(conn, _me(ctx))


def totp_enable(conn: Connection, ctx: Ctx, code: str) -> None:
    totp.confirm_setup(conn, _me(ctx), code, ctx.now())
    audit.append(conn, ctx, "totp_enabled", object_type="user", object_id=_me(ctx), details={})


def totp_disable(conn: Connection, ctx: Ctx, *, code: str | None, password: str | None) -> None:
    """Switching it off needs a current code or the password: a session left open on
    someone else's screen must not be enough to weaken the account."""
    user_id = _me(ctx)
    if not totp.is_enabled(conn, user_id):
        totp.disable(conn, user_id)  # drops an unconfirmed secret, if any
        return
    if code:
        if not totp.consume(conn, user_id, code, ctx.now()):
            raise ValidationFailed(details=[ErrorDetail("code", "totp_code_invalid")])
    elif password:
        if not verify_password(_password_hash(conn, user_id), password):
            raise ValidationFailed(details=[ErrorDetail("password", "current_password_wrong")])
    else:
        raise ValidationFailed(details=[ErrorDetail("code", "totp_disable_needs_proof")])
    totp.disable(conn, user_id)
    audit.append(conn, ctx, "totp_disabled", object_type="user", object_id=user_id, details={})


def admin_reset_totp(conn: Connection, ctx: Ctx, user_id: int) -> bool:
    """An administrator switches a user's two-factor login off (a lost phone); the user
    logs in with the password alone and can set it up again."""
    users.get_user(conn, user_id)
    was_on = totp.is_enabled(conn, user_id)
    totp.disable(conn, user_id)
    audit.append(
        conn,
        ctx,
        "totp_reset",
        object_type="user",
        object_id=user_id,
        details={"was_enabled": was_on},
    )
    return was_on


# ----- login history -------------------------------------------------------------------------
def login_history(conn: Connection, ctx: Ctx, limit: int, before: int | None) -> dict[str, Any]:
    """My recent logins, failed logins and logouts, newest first, from the audit log;
    ``before`` (a seq) pages further back."""
    log = schema.audit_log
    condition = sa.and_(log.c.user_id == _me(ctx), log.c.action.in_(LOGIN_ACTIONS))
    if before is not None:
        condition = sa.and_(condition, log.c.seq < before)
    rows = conn.execute(
        sa.select(log.c.seq, log.c.at, log.c.action, log.c.ip, log.c.user_agent, log.c.details)
        .where(condition)
        .order_by(log.c.seq.desc())
        .limit(limit + 1)
    ).all()
    items = [
        {
            "seq": r.seq,
            "at": r.at,
            "action": r.action,
            "ip": r.ip,
            "user_agent": r.user_agent or "",
            "method": (r.details or {}).get("method"),
            "reason": (r.details or {}).get("reason"),
        }
        for r in rows[:limit]
    ]
    return {"items": items, "next_before": items[-1]["seq"] if len(rows) > limit else None}


def set_policy(conn: Connection, ctx: Ctx, policy: password_policy.PasswordPolicy) -> None:
    before = password_policy.load(conn)
    password_policy.save(conn, policy)
    audit.append(
        conn,
        ctx,
        "password_policy_changed",
        object_type="settings",
        object_id=password_policy.KEY,
        details={"before": before.as_dict(), "after": policy.as_dict()},
    )
