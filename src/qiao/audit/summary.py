"""One line of plain text per audit entry, in the reader's language.

The search page, the CSV export and the record history show the same summary; it is
computed when read (from the entry's action and details), never stored, so it follows
the reader's language and the names of today.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qiao.audit.actions import ACTIONS, label
from qiao.i18n import translate

#: how many field labels a summary names before "…"
MAX_NAMED = 5


@dataclass(frozen=True)
class Names:
    """Look-ups a summary may need: a user's display name, a field's label."""

    user: Callable[[Any], str]
    field_label: Callable[[int | None, str], str]


def _t(summary: str, locale: str, **params: Any) -> str:
    return translate(f"audit.summary.{summary}", locale, params)


def _listed(labels: list[str], locale: str) -> str:
    sep = "、" if locale == "zh-CN" else ", "
    shown = sep.join(labels[:MAX_NAMED])
    return shown + ("…" if len(labels) > MAX_NAMED else "")


def summarize(entry: dict[str, Any], locale: str, names: Names) -> str:
    action = str(entry.get("action") or "")
    details: dict[str, Any] = entry.get("details") or {}
    if not isinstance(details, dict):
        details = {}
    record = entry.get("record_id")
    name = details.get("name")
    if action == "login_failed":
        reason = str(details.get("reason") or "password")
        if reason == "password":  # a name that exists or not: the entry knows the user
            reason = "wrong_password" if entry.get("user_id") else "unknown_user"
        return _t(action, locale, reason=translate(f"audit.reason.{reason}", locale))
    if action in ("login", "logout", "audit_export"):
        return _t(action, locale)
    if action in ("record_create", "record_delete", "record_restore"):
        return _t(action, locale, record=record)
    if action == "record_update":
        changes = details.get("changes") or {}
        labels = [str((c or {}).get("label") or key) for key, c in changes.items()]
        return _t(action, locale, record=record, fields=_listed(labels, locale))
    if action == "record_transfer":
        before, after = names.user(details.get("before")), names.user(details.get("after"))
        return _t(action, locale, record=record, before=before, after=after)
    if action == "record_unmask":
        keys = unmasked_keys(details)
        labels = [names.field_label(entry.get("form_id"), k) for k in keys]
        return _t(action, locale, record=record, field=_listed(labels, locale))
    if action == "sessions_revoked" and isinstance(details.get("count"), int):
        return _t(action, locale, count=details["count"])
    if action == "form_publish":
        ops = [c.get("op") for c in details.get("fields") or [] if isinstance(c, dict)]
        return _t(
            action,
            locale,
            name=name or "",
            added=ops.count("add"),
            changed=ops.count("update"),
            removed=ops.count("delete"),
        )
    if action.startswith("field_"):
        return _t(action, locale, label=details.get("label") or details.get("key") or "")
    if action in ("org_change", "permission_change"):
        return _object_change(entry, details, locale)
    if action in ("export", "import", "import_undo") and isinstance(details.get("count"), int):
        return _t(action, locale, count=details["count"])
    if action in ACTIONS and f"audit.summary.{action}" in _named and name:
        return _t(action, locale, name=name)
    text = label(action, locale)
    if name:
        return translate("audit.summary.named", locale, {"action": text, "name": name})
    return text


#: actions whose summary template takes the object's ``name``
_named = {
    f"audit.summary.{a}"
    for a in (
        "token_created",
        "token_revoked",
        "app_create",
        "app_update",
        "app_delete",
        "app_restore",
        "form_create",
        "form_update",
        "form_delete",
        "form_restore",
    )
}


def unmasked_keys(details: dict[str, Any]) -> list[str]:
    """The fields an unmasked view showed: ``fields`` (a list) or one ``field``."""
    keys = details.get("fields")
    if isinstance(keys, list):
        return [str(k) for k in keys]
    return [str(details["field"])] if details.get("field") else []


def _object_change(entry: dict[str, Any], details: dict[str, Any], locale: str) -> str:
    """``{op, before, after}`` changes of users, departments, roles, permission groups."""
    kind = str(entry.get("object_type") or "")
    state = details.get("after") or details.get("before") or {}
    name = None
    if isinstance(state, dict):
        name = state.get("name") or state.get("display_name") or state.get("username")
    op = str(details.get("op") or "")
    return _t(
        "object_change",
        locale,
        action=label(str(entry.get("action")), locale),
        object=_translated(f"audit.object.{kind}", kind, locale),
        name=name or f"#{entry.get('object_id') or ''}",
        op=_translated(f"audit.op.{op}", op, locale),
    )


def _translated(message: str, fallback: str, locale: str) -> str:
    text = translate(message, locale)
    return fallback if text == message else text
