"""The password policy of the installation (系统设置 ``password_policy`` in qiao_settings).

One place decides whether a password is acceptable, so that creating a user, an
administrator's reset and a user's own change all apply the same rules. The defaults
(8 characters, letters and digits) are what most Chinese enterprise policies ask for
and what every existing account already meets.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.db import schema
from qiao.errors import ErrorDetail, ValidationFailed

KEY = "password_policy"
#: bounds an administrator can choose within (also enforced by the API model)
MIN_LENGTH_FLOOR = 6
MIN_LENGTH_CEILING = 64
MAX_AGE_CEILING = 3650


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 8
    require_letters_and_digits: bool = True
    require_symbol: bool = False
    #: the password may not be the username (in any case)
    forbid_username: bool = True
    #: a password older than this must be changed at the next login; 0 = never
    max_age_days: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def from_dict(value: Any) -> PasswordPolicy:
    """A stored policy; unknown keys are ignored and missing ones take the default, so a
    policy saved by an older version still loads."""
    if not isinstance(value, dict):
        return PasswordPolicy()
    defaults = PasswordPolicy().as_dict()
    known = {k: value[k] for k in defaults if k in value and type(value[k]) is type(defaults[k])}
    return PasswordPolicy(**known)


def load(conn: Connection) -> PasswordPolicy:
    table = schema.settings
    value = conn.execute(sa.select(table.c.value).where(table.c.key == KEY)).scalar()
    return from_dict(value)


def save(conn: Connection, policy: PasswordPolicy) -> PasswordPolicy:
    table = schema.settings
    exists = conn.execute(
        sa.select(table.c.key).where(table.c.key == KEY).with_for_update()
    ).first()
    if exists:
        conn.execute(sa.update(table).where(table.c.key == KEY).values(value=policy.as_dict()))
    else:
        conn.execute(sa.insert(table).values(key=KEY, value=policy.as_dict()))
    return policy


def problems(
    policy: PasswordPolicy, password: str, *, username: str | None, field: str = "password"
) -> list[ErrorDetail]:
    """Every rule the password breaks, each as a detail on ``field`` whose message states
    the rule (the user fixes them all at once instead of one per attempt)."""
    found: list[ErrorDetail] = []
    if len(password) < policy.min_length:
        found.append(ErrorDetail(field, "password_too_short", {"min": policy.min_length}))
    if policy.require_letters_and_digits and not (
        any(c.isalpha() for c in password) and any(c.isdigit() for c in password)
    ):
        found.append(ErrorDetail(field, "password_needs_letters_and_digits"))
    if policy.require_symbol and all(c.isalnum() for c in password):
        found.append(ErrorDetail(field, "password_needs_symbol"))
    if policy.forbid_username and username and password.strip().lower() == username.strip().lower():
        found.append(ErrorDetail(field, "password_equals_username"))
    return found


def check_with(
    policy: PasswordPolicy, password: str, *, username: str | None, field: str = "password"
) -> None:
    found = problems(policy, password, username=username, field=field)
    if found:
        raise ValidationFailed(details=found)


def check(
    conn: Connection, password: str, *, username: str | None, field: str = "password"
) -> None:
    """Raise ValidationFailed naming ``field`` when the password breaks the policy."""
    check_with(load(conn), password, username=username, field=field)


def is_expired(policy: PasswordPolicy, changed_at: datetime | None, now: datetime) -> bool:
    """Whether a password set at ``changed_at`` is past the policy's maximum age."""
    if policy.max_age_days <= 0 or changed_at is None:
        return False
    return now - changed_at >= timedelta(days=policy.max_age_days)


def expires_at(policy: PasswordPolicy, changed_at: datetime | None) -> datetime | None:
    if policy.max_age_days <= 0 or changed_at is None:
        return None
    return changed_at + timedelta(days=policy.max_age_days)


def generate(length: int = 16) -> str:
    """A random password that meets any policy an administrator can choose (letters of
    both cases, digits, a symbol; no look-alike characters), for first-run accounts."""
    length = max(length, MIN_LENGTH_CEILING // 4)
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "Il1O0o")
    while True:
        chars = [secrets.choice(alphabet) for _ in range(length - 1)]
        chars.insert(secrets.randbelow(length), secrets.choice("-_.@"))
        password = "".join(chars)
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password
