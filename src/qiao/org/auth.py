"""Logins, sessions (cookie + CSRF token), API tokens and failed-login throttling.

Session ids and API tokens are random 256-bit secrets; only their SHA-256 is stored,
which is enough for secrets of that entropy (argon2 is for low-entropy passwords).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.config import Settings
from qiao.db import schema
from qiao.db.dialect import insert_ignore
from qiao.db.uow import Database
from qiao.errors import (
    ErrorDetail,
    Forbidden,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
    ValidationFailed,
)
from qiao.org.passwords import hash_password, needs_rehash, verify_password
from qiao.org.users import User, find_user_row, normalize_username, user_from_row

TOKEN_PREFIX = "qiao_"
_TOUCH_EVERY = timedelta(minutes=5)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class LoginFailed(NotAuthenticated):
    code = "login_failed"

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay


@dataclass(frozen=True)
class Session:
    id: int
    user: User
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class LoginResult:
    session: Session
    token: str  # the cookie value, shown only now


def login(
    db: Database,
    settings: Settings,
    username: str,
    password: str,
    now: datetime,
    ip: str | None = None,
    user_agent: str | None = None,
) -> LoginResult:
    key = normalize_username(username)[:64]
    with db.read() as conn:
        throttle = conn.execute(
            sa.select(schema.login_throttle).where(schema.login_throttle.c.username_key == key)
        ).first()
        user_row = find_user_row(conn, key)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        minutes = max(1, int((throttle.locked_until - now).total_seconds() // 60) + 1)
        raise TooManyRequests(
            "account_locked",
            minutes=minutes,
            headers={"Retry-After": str(int((throttle.locked_until - now).total_seconds()) + 1)},
        )
    ok = verify_password(user_row.password_hash if user_row else None, password)
    if not ok:
        failures = db.write(lambda c: _record_failure(c, settings, key, now))
        slow = failures - settings.login_slow_after
        delay = 0.0 if slow < 0 else min(settings.login_delay_seconds * 2**slow, 8.0)
        raise LoginFailed(delay)
    assert user_row is not None
    if not user_row.is_active:
        raise Forbidden("account_disabled")

    def start(conn: Connection) -> LoginResult:
        conn.execute(
            sa.delete(schema.login_throttle).where(schema.login_throttle.c.username_key == key)
        )
        changes: dict[str, Any] = {"last_login_at": now}
        if needs_rehash(user_row.password_hash):
            changes["password_hash"] = hash_password(password)
        conn.execute(
            sa.update(schema.users).where(schema.users.c.id == user_row.id).values(**changes)
        )
        return _new_session(conn, settings, user_from_row(user_row), now, ip, user_agent)

    return db.write(start)


def _record_failure(conn: Connection, settings: Settings, key: str, now: datetime) -> int:
    table = schema.login_throttle
    # make sure the row exists, then lock it: concurrent first failures must not race
    insert_ignore(conn, table, {"username_key": key, "failures": 0, "last_failure_at": now})
    row = conn.execute(sa.select(table).where(table.c.username_key == key).with_for_update()).one()
    failures = 1 if (row.locked_until and row.locked_until <= now) else row.failures + 1
    locked_until = (
        now + timedelta(minutes=settings.login_lock_minutes)
        if failures >= settings.login_lock_after
        else None
    )
    values = {"failures": failures, "last_failure_at": now, "locked_until": locked_until}
    conn.execute(sa.update(table).where(table.c.username_key == key).values(**values))
    return failures


def _new_session(
    conn: Connection,
    settings: Settings,
    user: User,
    now: datetime,
    ip: str | None,
    user_agent: str | None,
) -> LoginResult:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + timedelta(days=settings.session_days)
    session_id = conn.execute(
        sa.insert(schema.sessions)
        .values(
            token_hash=digest(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
            last_seen_at=now,
            ip=ip,
            user_agent=(user_agent or "")[:512],
        )
        .returning(schema.sessions.c.id)
    ).scalar_one()
    return LoginResult(Session(session_id, user, csrf, expires), token)


def resolve_session(db: Database, settings: Settings, token: str, now: datetime) -> Session | None:
    """The live session of a cookie value; slides its expiry at most every few minutes."""
    s, u = schema.sessions, schema.users
    with db.read() as conn:
        row = conn.execute(
            # labelled: the row also carries the user's own ``id``
            sa.select(
                s.c.id.label("session_id"), s.c.csrf_token, s.c.expires_at, s.c.last_seen_at, u
            )
            .join(u, u.c.id == s.c.user_id)
            .where(s.c.token_hash == digest(token), s.c.revoked_at.is_(None))
        ).first()
    if row is None or row.expires_at <= now or not row.is_active:
        return None
    expires = row.expires_at
    if now - row.last_seen_at > _TOUCH_EVERY:
        expires = now + timedelta(days=settings.session_days)
        db.write(
            lambda c: c.execute(
                sa.update(s)
                .where(s.c.id == row.session_id)
                .values(last_seen_at=now, expires_at=expires)
            )
        )
    return Session(row.session_id, user_from_row(row), row.csrf_token, expires)


def logout(db: Database, session_id: int, now: datetime) -> None:
    s = schema.sessions
    db.write(lambda c: c.execute(sa.update(s).where(s.c.id == session_id).values(revoked_at=now)))


def csrf_matches(session: Session, header: str | None) -> bool:
    return bool(header) and hmac.compare_digest(session.csrf_token, header or "")


# ----- API tokens ----------------------------------------------------------------------
def create_api_token(db: Database, user: User, name: str, now: datetime) -> dict[str, Any]:
    name = name.strip()
    if not name or len(name) > 128:
        raise ValidationFailed(details=[ErrorDetail("name", "name_required")])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    t = schema.api_tokens

    def insert(conn: Connection) -> dict[str, Any]:
        row = conn.execute(
            sa.insert(t)
            .values(
                user_id=user.id,
                name=name,
                token_hash=digest(token),
                token_prefix=token[:12],
                created_at=now,
            )
            .returning(t.c.id, t.c.created_at)
        ).one()
        return {
            "id": row.id,
            "name": name,
            "token": token,
            "prefix": token[:12],
            "created_at": row.created_at,
        }

    return db.write(insert)


def list_api_tokens(db: Database, user: User) -> list[dict[str, Any]]:
    t = schema.api_tokens
    with db.read() as conn:
        rows = conn.execute(
            sa.select(t).where(t.c.user_id == user.id, t.c.revoked_at.is_(None)).order_by(t.c.id)
        ).all()
    return [
        {
            "id": r.id,
            "name": r.name,
            "prefix": r.token_prefix,
            "created_at": r.created_at,
            "last_used_at": r.last_used_at,
        }
        for r in rows
    ]


def revoke_api_token(db: Database, user: User, token_id: int, now: datetime) -> None:
    t = schema.api_tokens

    def revoke(conn: Connection) -> None:
        result = conn.execute(
            sa.update(t)
            .where(t.c.id == token_id, t.c.user_id == user.id, t.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        if result.rowcount == 0:
            raise NotFound("not_found")

    db.write(revoke)


def resolve_api_token(db: Database, token: str, now: datetime) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    t, u = schema.api_tokens, schema.users
    with db.read() as conn:
        row = conn.execute(
            sa.select(t.c.id.label("token_id"), t.c.last_used_at, u)
            .join(u, u.c.id == t.c.user_id)
            .where(t.c.token_hash == digest(token), t.c.revoked_at.is_(None))
        ).first()
    if row is None or not row.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        db.write(
            lambda c: c.execute(sa.update(t).where(t.c.id == row.token_id).values(last_used_at=now))
        )
    return user_from_row(row)
