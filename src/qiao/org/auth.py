"""Logins (password, then a TOTP code when two-factor login is on), sessions (cookie +
CSRF token), API tokens and failed-login throttling.

Session ids and API tokens are random 256-bit secrets; only their SHA-256 is stored,
which is enough for secrets of that entropy (argon2 is for low-entropy passwords).

A session ends ``session_days`` after the login (absolute) or after
``session_idle_minutes`` without a request, whichever comes first. Logins, failed
logins and logouts are written to the audit log in the transaction that records them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.audit import log as audit
from qiao.config import Settings
from qiao.context import Ctx
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
from qiao.org import password_policy, totp
from qiao.org.passwords import hash_password, needs_rehash, verify_password
from qiao.org.users import User, find_user_row, get_user, normalize_username, user_from_row

TOKEN_PREFIX = "qiao_"
_TOUCH_EVERY = timedelta(minutes=5)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class LoginFailed(NotAuthenticated):
    code = "login_failed"

    def __init__(self, delay: float, code: str | None = None) -> None:
        super().__init__(code)
        self.delay = delay


@dataclass(frozen=True)
class Session:
    id: int
    user: User
    csrf_token: str
    expires_at: datetime
    #: the web app sends the user to the change-password page before anything else
    must_change_password: bool = False


@dataclass(frozen=True)
class LoginResult:
    session: Session
    token: str  # the cookie value, shown only now


@dataclass(frozen=True)
class TotpRequired:
    """The password was right; the login goes on with a code and this challenge."""

    challenge: str
    expires_at: datetime


@dataclass(frozen=True)
class Client:
    """Where a login comes from, for the session row and the audit log."""

    ip: str | None = None
    user_agent: str | None = None


def _audit_ctx(user: User | None, now: datetime, client: Client) -> Ctx:
    return Ctx(user=user, clock=lambda: now, ip=client.ip, user_agent=client.user_agent)


def _check_lock(conn: Connection, key: str, now: datetime) -> None:
    throttle = conn.execute(
        sa.select(schema.login_throttle).where(schema.login_throttle.c.username_key == key)
    ).first()
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        seconds = (throttle.locked_until - now).total_seconds()
        raise TooManyRequests(
            "account_locked",
            minutes=max(1, int(seconds // 60) + 1),
            headers={"Retry-After": str(int(seconds) + 1)},
        )


def _fail(
    db: Database,
    settings: Settings,
    key: str,
    user: User | None,
    now: datetime,
    client: Client,
    reason: str,
    code: str | None = None,
) -> LoginFailed:
    """Count a failure towards the throttle and log it (an unknown name as typed)."""

    def record(conn: Connection) -> int:
        failures = _record_failure(conn, settings, key, now)
        audit.append(
            conn,
            _audit_ctx(user, now, client),
            "login_failed",
            object_type="user",
            object_id=user.id if user else None,
            details={"reason": reason},
            username=key,
        )
        return failures

    failures = db.write(record)
    slow = failures - settings.login_slow_after
    delay = 0.0 if slow < 0 else min(settings.login_delay_seconds * 2**slow, 8.0)
    return LoginFailed(delay, code)


def login(
    db: Database,
    settings: Settings,
    username: str,
    password: str,
    now: datetime,
    ip: str | None = None,
    user_agent: str | None = None,
) -> LoginResult | TotpRequired:
    """Check the password; start a session, or ask for the second factor when it is on."""
    client = Client(ip, user_agent)
    key = normalize_username(username)[:64]
    with db.read() as conn:
        _check_lock(conn, key, now)
        user_row = find_user_row(conn, key)
    user = user_from_row(user_row) if user_row is not None else None
    ok = verify_password(user_row.password_hash if user_row else None, password)
    if not ok:
        raise _fail(db, settings, key, user, now, client, "password")
    assert user_row is not None and user is not None
    if not user_row.is_active:

        def refused(conn: Connection) -> None:
            audit.append(
                conn,
                _audit_ctx(user, now, client),
                "login_failed",
                object_type="user",
                object_id=user.id,
                details={"reason": "disabled"},
            )

        db.write(refused)
        raise Forbidden("account_disabled")
    if user_row.totp_enabled:
        expires = now + timedelta(seconds=settings.totp_challenge_seconds)
        return TotpRequired(_challenge(settings, user_row, expires), expires)
    rehash = hash_password(password) if needs_rehash(user_row.password_hash) else None
    return db.write(lambda c: _start(c, settings, key, user_row, now, client, "password", rehash))


def login_totp(
    db: Database,
    settings: Settings,
    challenge: str,
    code: str,
    now: datetime,
    ip: str | None = None,
    user_agent: str | None = None,
) -> LoginResult:
    """The second step of a two-factor login: a live challenge and a code not used before.

    A wrong code counts as a failed login for the throttle, like a wrong password.
    """
    client = Client(ip, user_agent)
    user_id = _challenge_user_id(challenge)
    with db.read() as conn:
        user_row = (
            conn.execute(sa.select(schema.users).where(schema.users.c.id == user_id)).first()
            if user_id is not None
            else None
        )
        if user_row is None or not _challenge_valid(settings, challenge, user_row, now):
            raise NotAuthenticated("totp_challenge_invalid")
        key = str(user_row.username)
        _check_lock(conn, key, now)
    user = user_from_row(user_row)
    if not user_row.is_active:
        raise Forbidden("account_disabled")

    def attempt(conn: Connection) -> LoginResult | None:
        if not totp.consume(conn, user.id, code, now):
            return None
        return _start(conn, settings, key, user_row, now, client, "totp", None)

    result = db.write(attempt)
    if result is None:
        raise _fail(db, settings, key, user, now, client, "totp", "totp_code_invalid")
    return result


def _start(
    conn: Connection,
    settings: Settings,
    key: str,
    user_row: Any,
    now: datetime,
    client: Client,
    method: str,
    rehash: str | None,
) -> LoginResult:
    conn.execute(
        sa.delete(schema.login_throttle).where(schema.login_throttle.c.username_key == key)
    )
    policy = password_policy.load(conn)
    expired = password_policy.is_expired(
        policy, user_row.password_changed_at or user_row.created_at, now
    )
    must_change = bool(user_row.must_change_password) or expired
    changes: dict[str, Any] = {"last_login_at": now, "must_change_password": must_change}
    if rehash is not None:
        changes["password_hash"] = rehash
    conn.execute(sa.update(schema.users).where(schema.users.c.id == user_row.id).values(**changes))
    user = user_from_row(user_row)
    result = _new_session(conn, settings, user, now, client.ip, client.user_agent, must_change)
    audit.append(
        conn,
        _audit_ctx(user, now, client),
        "login",
        object_type="user",
        object_id=user.id,
        details={"method": method, "session_id": result.session.id},
    )
    return result


# ----- the two-factor challenge ------------------------------------------------------------
def _challenge_mac(settings: Settings, body: str, user_row: Any) -> str:
    # bound to the password hash and the last accepted code step: a password change or
    # a completed login makes every outstanding challenge of the user worthless
    material = f"totp-challenge\n{body}\n{user_row.password_hash}\n{user_row.totp_last_step}"
    key = settings.resolved_secret_key.encode()
    return hmac.new(key, material.encode(), hashlib.sha256).hexdigest()


def _challenge(settings: Settings, user_row: Any, expires: datetime) -> str:
    body = f"{user_row.id}.{int(expires.timestamp())}.{secrets.token_urlsafe(9)}"
    return f"{body}.{_challenge_mac(settings, body, user_row)}"


def _challenge_user_id(challenge: str) -> int | None:
    head = challenge.split(".", 1)[0]
    if not head.isascii() or not head.isdigit() or len(head) > 19:
        return None
    return int(head)


def _challenge_valid(settings: Settings, challenge: str, user_row: Any, now: datetime) -> bool:
    body, _, mac = challenge.rpartition(".")
    parts = body.split(".")
    if len(parts) != 3 or not parts[1].isascii() or not parts[1].isdigit():
        return False
    if not hmac.compare_digest(mac, _challenge_mac(settings, body, user_row)):
        return False
    return int(parts[1]) > now.timestamp() and bool(user_row.totp_enabled)


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


# ----- sessions ----------------------------------------------------------------------------
def _new_session(
    conn: Connection,
    settings: Settings,
    user: User,
    now: datetime,
    ip: str | None,
    user_agent: str | None,
    must_change_password: bool = False,
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
            ip=(ip or None) and ip[:64],
            user_agent=(user_agent or "")[:512],
        )
        .returning(schema.sessions.c.id)
    ).scalar_one()
    session = Session(session_id, user, csrf, expires, must_change_password)
    return LoginResult(session, token)


def _idle_limit(settings: Settings) -> timedelta | None:
    return (
        timedelta(minutes=settings.session_idle_minutes) if settings.session_idle_minutes else None
    )


def _touch_every(settings: Settings) -> timedelta:
    """How stale ``last_seen_at`` may get: rarely written, but well inside the idle limit."""
    idle = _idle_limit(settings)
    return min(_TOUCH_EVERY, idle / 4) if idle else _TOUCH_EVERY


def is_live(settings: Settings, row: Any, now: datetime) -> bool:
    """A session row is live: not revoked, not past its absolute expiry, not idle too long."""
    if row.revoked_at is not None or row.expires_at <= now:
        return False
    idle = _idle_limit(settings)
    return idle is None or now - row.last_seen_at <= idle


def resolve_session(db: Database, settings: Settings, token: str, now: datetime) -> Session | None:
    """The live session of a cookie value; records activity at most every few minutes."""
    s, u = schema.sessions, schema.users
    with db.read() as conn:
        row = conn.execute(
            # labelled: the row also carries the user's own ``id``
            sa.select(
                s.c.id.label("session_id"),
                s.c.csrf_token,
                s.c.expires_at,
                s.c.last_seen_at,
                s.c.revoked_at,
                u,
            )
            .join(u, u.c.id == s.c.user_id)
            .where(s.c.token_hash == digest(token), s.c.revoked_at.is_(None))
        ).first()
    if row is None or not is_live(settings, row, now) or not row.is_active:
        return None
    if now - row.last_seen_at > _touch_every(settings):
        db.write(
            lambda c: c.execute(
                sa.update(s).where(s.c.id == row.session_id).values(last_seen_at=now)
            )
        )
    return Session(
        row.session_id,
        user_from_row(row),
        row.csrf_token,
        row.expires_at,
        bool(row.must_change_password),
    )


def logout(db: Database, session_id: int, now: datetime, client: Client | None = None) -> None:
    s = schema.sessions

    def end(conn: Connection) -> None:
        user_id = conn.execute(sa.select(s.c.user_id).where(s.c.id == session_id)).scalar()
        conn.execute(sa.update(s).where(s.c.id == session_id).values(revoked_at=now))
        if user_id is not None:
            user = get_user(conn, user_id)
            audit.append(
                conn,
                _audit_ctx(user, now, client or Client()),
                "logout",
                object_type="user",
                object_id=user.id,
                details={"session_id": session_id},
            )

    db.write(end)


def revoke_sessions(
    conn: Connection, user_id: int, now: datetime, *, keep: Iterable[int] = ()
) -> int:
    """End every session of a user (but ``keep``); returns how many were live."""
    s = schema.sessions
    condition = sa.and_(s.c.user_id == user_id, s.c.revoked_at.is_(None))
    kept = list(keep)
    if kept:
        condition = sa.and_(condition, s.c.id.not_in(kept))
    return int(conn.execute(sa.update(s).where(condition).values(revoked_at=now)).rowcount)


def csrf_matches(session: Session, header: str | None) -> bool:
    return bool(header) and hmac.compare_digest(session.csrf_token, header or "")


# ----- API tokens ----------------------------------------------------------------------
@dataclass(frozen=True)
class TokenAuth:
    """Who an API token acts as, and how it is narrowed."""

    user: User
    token_id: int
    read_only: bool = False
    #: the apps the token may reach; None: every app its user may reach
    app_ids: frozenset[int] | None = None


def _token_public(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "prefix": row.token_prefix,
        "created_at": row.created_at,
        "last_used_at": row.last_used_at,
        "read_only": bool(row.read_only),
        "app_ids": None if row.app_ids is None else sorted(int(a) for a in row.app_ids),
    }


def _check_app_ids(conn: Connection, app_ids: list[int]) -> list[int]:
    wanted = sorted(set(app_ids))
    if not wanted:
        raise ValidationFailed(details=[ErrorDetail("app_ids", "token_apps_empty")])
    a = schema.apps
    found = set(
        conn.execute(
            sa.select(a.c.id).where(a.c.id.in_(wanted), a.c.deleted_at.is_(None))
        ).scalars()
    )
    details = [
        ErrorDetail(f"app_ids[{app_ids.index(app_id)}]", "token_app_unknown", {"id": app_id})
        for app_id in wanted
        if app_id not in found
    ]
    if details:
        raise ValidationFailed(details=details)
    return wanted


def create_api_token(
    db: Database,
    user: User,
    name: str,
    now: datetime,
    *,
    read_only: bool = False,
    app_ids: list[int] | None = None,
    ctx: Ctx | None = None,
) -> dict[str, Any]:
    """A new token acting as ``user``, optionally narrowed; its secret is returned only
    here."""
    name = name.strip()
    if not name or len(name) > 128:
        raise ValidationFailed(details=[ErrorDetail("name", "name_required")])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    t = schema.api_tokens

    def insert(conn: Connection) -> dict[str, Any]:
        apps = None if app_ids is None else _check_app_ids(conn, app_ids)
        row = conn.execute(
            sa.insert(t)
            .values(
                user_id=user.id,
                name=name,
                token_hash=digest(token),
                token_prefix=token[:12],
                created_at=now,
                read_only=read_only,
                app_ids=apps,
            )
            .returning(*t.c)
        ).one()
        if ctx is not None:
            audit.append(
                conn,
                ctx,
                "token_created",
                object_type="api_token",
                object_id=row.id,
                details={"name": name, "read_only": read_only, "app_ids": apps},
            )
        return {**_token_public(row), "token": token}

    return db.write(insert)


def list_api_tokens(db: Database, user: User) -> list[dict[str, Any]]:
    t = schema.api_tokens
    with db.read() as conn:
        rows = conn.execute(
            sa.select(t).where(t.c.user_id == user.id, t.c.revoked_at.is_(None)).order_by(t.c.id)
        ).all()
    return [_token_public(r) for r in rows]


def revoke_api_token(
    db: Database, user: User, token_id: int, now: datetime, ctx: Ctx | None = None
) -> None:
    t = schema.api_tokens

    def revoke(conn: Connection) -> None:
        result = conn.execute(
            sa.update(t)
            .where(t.c.id == token_id, t.c.user_id == user.id, t.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        if result.rowcount == 0:
            raise NotFound("not_found")
        if ctx is not None:
            audit.append(conn, ctx, "token_revoked", object_type="api_token", object_id=token_id)

    db.write(revoke)


def resolve_api_token(db: Database, token: str, now: datetime) -> TokenAuth | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    t, u = schema.api_tokens, schema.users
    with db.read() as conn:
        row = conn.execute(
            sa.select(
                t.c.id.label("token_id"),
                t.c.last_used_at,
                t.c.read_only,
                t.c.app_ids.label("token_app_ids"),
                u,
            )
            .join(u, u.c.id == t.c.user_id)
            .where(t.c.token_hash == digest(token), t.c.revoked_at.is_(None))
        ).first()
    if row is None or not row.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        db.write(
            lambda c: c.execute(sa.update(t).where(t.c.id == row.token_id).values(last_used_at=now))
        )
    apps = row.token_app_ids
    return TokenAuth(
        user_from_row(row),
        row.token_id,
        bool(row.read_only),
        None if apps is None else frozenset(int(a) for a in apps),
    )
