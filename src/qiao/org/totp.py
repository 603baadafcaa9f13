"""TOTP two-factor login (RFC 6238: 6 digits, 30-second steps, SHA-1 — what every
authenticator app understands).

Setting it up is two steps so that nobody locks themselves out: a new secret is stored
switched off, the user scans it, and only a correct code switches it on. A code is
accepted once: the last accepted time step is kept and a code of that step or an older
one is refused, so a code seen over a shoulder or in a log cannot be replayed. The
step is advanced with a conditional UPDATE, which makes two concurrent uses of one
code accept only one of them on both engines.
"""

from __future__ import annotations

import base64
import hmac
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyotp
import segno
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.db import schema
from qiao.errors import Conflict, ErrorDetail, NotFound, ValidationFailed

ISSUER = "qiao"
STEP_SECONDS = 30
#: codes one step before and after the current one are accepted (clock drift)
WINDOW = 1
DIGITS = 6


@dataclass(frozen=True)
class Setup:
    secret: str
    uri: str
    #: the otpauth URI as an SVG QR code, as a data: URI for an <img>
    qr_svg: str


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, the RFC 4226 recommendation


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_data_uri(text: str) -> str:
    out = io.BytesIO()
    # an <img> needs the SVG namespace, which segno's inline form leaves out
    segno.make(text, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def step_of(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def matching_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to, if it is within the window and newer than the
    last accepted one; None otherwise."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    current = step_of(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def _row(conn: Connection, user_id: int) -> Any:
    u = schema.users
    row = conn.execute(
        sa.select(u.c.id, u.c.username, u.c.totp_secret, u.c.totp_enabled, u.c.totp_last_step)
        .where(u.c.id == user_id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound("not_found")
    return row


def _claim(conn: Connection, user_id: int, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already was."""
    u = schema.users
    result = conn.execute(
        sa.update(u)
        .where(
            u.c.id == user_id,
            sa.or_(u.c.totp_last_step.is_(None), u.c.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    return result.rowcount == 1


def consume(conn: Connection, user_id: int, code: str, now: datetime) -> bool:
    """Accept ``code`` for an enabled user at most once; False for a wrong, stale or
    replayed code."""
    row = _row(conn, user_id)
    if not row.totp_enabled or not row.totp_secret:
        return False
    step = matching_step(str(row.totp_secret), code, now, row.totp_last_step)
    return step is not None and _claim(conn, user_id, step)


def begin_setup(conn: Connection, user_id: int) -> Setup:
    """Store a fresh secret (still switched off) and return what the user scans."""
    row = _row(conn, user_id)
    if row.totp_enabled:
        raise Conflict("totp_already_enabled")
    secret = new_secret()
    u = schema.users
    conn.execute(
        sa.update(u).where(u.c.id == user_id).values(totp_secret=secret, totp_last_step=None)
    )
    uri = provisioning_uri(secret, str(row.username))
    return Setup(secret, uri, qr_data_uri(uri))


def confirm_setup(conn: Connection, user_id: int, code: str, now: datetime) -> None:
    """Switch two-factor login on once the user proves their app has the secret."""
    row = _row(conn, user_id)
    if row.totp_enabled:
        raise Conflict("totp_already_enabled")
    if not row.totp_secret:
        raise Conflict("totp_setup_not_started")
    step = matching_step(str(row.totp_secret), code, now, row.totp_last_step)
    if step is None or not _claim(conn, user_id, step):
        raise ValidationFailed(details=[ErrorDetail("code", "totp_code_invalid")])
    u = schema.users
    conn.execute(sa.update(u).where(u.c.id == user_id).values(totp_enabled=True))


def disable(conn: Connection, user_id: int) -> bool:
    """Switch two-factor login off and forget the secret; False if it was not on."""
    u = schema.users
    result = conn.execute(
        sa.update(u)
        .where(u.c.id == user_id, sa.or_(u.c.totp_enabled.is_(True), u.c.totp_secret.is_not(None)))
        .values(totp_enabled=False, totp_secret=None, totp_last_step=None)
    )
    return result.rowcount == 1


def is_enabled(conn: Connection, user_id: int) -> bool:
    u = schema.users
    return bool(
        conn.execute(sa.select(u.c.totp_enabled).where(u.c.id == user_id)).scalar() or False
    )
