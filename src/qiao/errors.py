"""Domain errors with stable codes.

Every error carries a code (also the i18n message key), an HTTP status, parameters for
the message, and optional per-field details. ``qiao.api.errors`` turns them into the one
error shape ``{"error": {"code", "message", "details": [...]}}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any


@dataclass
class ErrorDetail:
    """One problem with one input field (``field`` is a key or a path like ``items[3].phone``)."""

    field: str
    code: str
    params: dict[str, Any] = dc_field(default_factory=dict)

    def prefixed(self, prefix: str) -> ErrorDetail:
        return ErrorDetail(f"{prefix}{self.field}", self.code, self.params)


def loc_path(loc: Iterable[Any], root: str = "") -> str:
    """A pydantic error location named the way details name fields: ``fields[2].label``
    (below ``root`` when given: ``config.columns[0].width``)."""
    path = root
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


class QiaoError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        code: str | None = None,
        *,
        details: list[ErrorDetail] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.code = code or type(self).code
        if status is not None:
            self.status = status
        self.details = details or []
        self.params = params
        self.headers = headers or {}
        super().__init__(self.code)


class BadRequest(QiaoError):
    status = 400


class NotAuthenticated(QiaoError):
    status = 401
    code = "not_authenticated"


class Forbidden(QiaoError):
    status = 403
    code = "forbidden"


class NotFound(QiaoError):
    status = 404
    code = "not_found"


class Conflict(QiaoError):
    status = 409
    code = "conflict"


class ValidationFailed(QiaoError):
    status = 422
    code = "validation_failed"


class TooManyRequests(QiaoError):
    status = 429
    code = "too_many_requests"


class FieldValueError(Exception):
    """Raised by a field type when an input value is not acceptable; becomes an ErrorDetail."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code)
