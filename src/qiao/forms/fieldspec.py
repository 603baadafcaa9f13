"""Validation of field definitions (key, type, settings, flags) before they are stored."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.errors import ErrorDetail, FieldValueError, QiaoError, ValidationFailed, loc_path
from qiao.forms.fields import registry
from qiao.forms.fields.base import FieldSettings, FieldType
from qiao.forms.model import FieldMeta
from qiao.forms.system_fields import RESERVED_KEYS

KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")


def settings_errors(exc: ValidationError, prefix: str) -> list[ErrorDetail]:
    details = []
    for err in exc.errors():
        loc = loc_path(err["loc"])
        details.append(
            ErrorDetail(
                # a model-wide rule (e.g. min <= max) names the settings, not settings.settings
                f"{prefix}settings.{loc}" if loc else f"{prefix}settings",
                "field_setting_invalid",
                {"setting": loc or "settings", "reason": err["msg"]},
            )
        )
    return details


def resolve_type(type_key: str, prefix: str) -> FieldType:
    if type_key not in registry or registry.get(type_key).internal:
        raise ValidationFailed(
            details=[ErrorDetail(f"{prefix}type", "field_type_unknown", {"type": type_key})]
        )
    return registry.get(type_key)


def parse_settings(
    conn: Connection,
    ftype: FieldType,
    raw: dict[str, Any],
    prefix: str,
    old: FieldSettings | None = None,
) -> FieldSettings:
    try:
        settings = ftype.parse_settings(raw, old)
    except ValidationError as exc:
        raise ValidationFailed(details=settings_errors(exc, prefix)) from exc
    try:
        ftype.check_settings(conn, settings)
    except QiaoError as exc:
        raise ValidationFailed(details=[d.prefixed(prefix) for d in exc.details]) from exc
    _check_default(ftype, settings, prefix)
    return settings


def _check_default(ftype: FieldType, settings: FieldSettings, prefix: str) -> None:
    if settings.default is None:
        return
    probe = FieldMeta(0, 0, "default", "default", ftype.key, settings, "")
    try:
        if not ftype.writable:
            raise FieldValueError("read_only")
        ftype.to_storage(probe, settings.default, Ctx(user=None))
    except FieldValueError as exc:
        raise ValidationFailed(
            details=[ErrorDetail(f"{prefix}settings.default", "field_default_invalid")]
        ) from exc


def check_key(key: str, taken: set[str], prefix: str) -> None:
    if not KEY_RE.match(key):
        raise ValidationFailed(details=[ErrorDetail(f"{prefix}key", "field_key_invalid")])
    if key.lower() in RESERVED_KEYS:
        raise ValidationFailed(
            details=[ErrorDetail(f"{prefix}key", "field_key_reserved", {"key": key})]
        )
    if key in taken:
        raise ValidationFailed(
            details=[ErrorDetail(f"{prefix}key", "field_key_taken", {"key": key})]
        )


def suggest_key(label: str, taken: set[str]) -> str:
    """An ASCII key from the label when it has one, else ``field_<n>``."""
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    base = slug if slug and slug[0].isalpha() else "field"
    base = base[:50]
    if base != "field" and base not in taken and base not in RESERVED_KEYS:
        return base
    n = 1
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def check_flags(ftype: FieldType, unique: bool, prefix: str) -> bool:
    """The effective unique flag; refuses unique on types that cannot be unique."""
    if ftype.always_unique:
        return True
    if unique and not ftype.can_be_unique:
        raise ValidationFailed(
            details=[
                ErrorDetail(f"{prefix}unique", "field_unique_unsupported", {"type": ftype.key})
            ]
        )
    return unique
