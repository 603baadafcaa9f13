"""Users: creation, look-up and the public representation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import utcnow
from qiao.db import schema
from qiao.errors import ErrorDetail, NotFound, ValidationFailed
from qiao.org.passwords import hash_password

_USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,64}$")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    email: str | None
    is_admin: bool
    is_active: bool
    created_at: datetime

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
    )


def normalize_username(username: str) -> str:
    return username.strip().lower()


def create_user(
    conn: Connection,
    username: str,
    password: str,
    *,
    display_name: str | None = None,
    email: str | None = None,
    is_admin: bool = False,
) -> User:
    key = normalize_username(username)
    if not _USERNAME.match(key):
        raise ValidationFailed(details=[ErrorDetail("username", "invalid_username")])
    exists = conn.execute(
        sa.select(schema.users.c.id).where(schema.users.c.username == key)
    ).first()
    if exists:
        raise ValidationFailed(details=[ErrorDetail("username", "username_taken")])
    now = utcnow()
    row = conn.execute(
        sa.insert(schema.users)
        .values(
            username=key,
            display_name=(display_name or username).strip() or key,
            email=email,
            password_hash=hash_password(password),
            is_admin=is_admin,
            is_active=True,
            created_at=now,
            updated_at=now,
        )
        .returning(*schema.users.c)
    ).one()
    return user_from_row(row)


def get_user(conn: Connection, user_id: int) -> User:
    row = conn.execute(sa.select(schema.users).where(schema.users.c.id == user_id)).first()
    if row is None:
        raise NotFound("not_found")
    return user_from_row(row)


def find_user_row(conn: Connection, username: str) -> Any:
    return conn.execute(
        sa.select(schema.users).where(schema.users.c.username == normalize_username(username))
    ).first()


def list_users(conn: Connection) -> list[User]:
    rows = conn.execute(sa.select(schema.users).order_by(schema.users.c.id))
    return [user_from_row(r) for r in rows]


def count_users(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(schema.users)).scalar_one())
