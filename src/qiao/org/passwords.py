"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).

Only hashing lives here: whether a new password is acceptable is the password policy's
decision (``qiao.org.password_policy``), made where a password is set, never where an
existing one is re-hashed at login.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
#: verified against when the user does not exist, so both paths cost the same
DUMMY_HASH = _hasher.hash("qiao-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
