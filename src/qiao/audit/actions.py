"""The one list of audit actions, grouped for the search page.

Every ``audit.append`` names one of these actions; the labels live in the message
catalogue (``audit.action.<action>``) so the UI shows them in the user's language, and
``GET /api/v1/audit/actions`` hands the list to the web app. A new action is one line
here plus its two labels in ``qiao.i18n.catalog_audit``.
"""

from __future__ import annotations

from dataclasses import dataclass

from qiao.i18n import translate


@dataclass(frozen=True)
class Action:
    key: str
    category: str  # auth | record | schema | account | org | permission | data | audit


_ACTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("auth", ("login", "login_failed", "logout", "token_created", "token_revoked")),
    (
        "record",
        (
            "record_create",
            "record_update",
            "record_delete",
            "record_restore",
            "record_transfer",
            "record_unmask",
            "record_merge",
            "record_merge_undo",
        ),
    ),
    (
        "schema",
        (
            "app_create",
            "app_update",
            "app_delete",
            "app_restore",
            "form_create",
            "form_update",
            "form_delete",
            "form_restore",
            "form_publish",
            "field_create",
            "field_update",
            "field_delete",
            "field_restore",
        ),
    ),
    (
        "account",
        (
            "password_changed",
            "password_policy_changed",
            "session_revoked",
            "sessions_revoked",
            "totp_enabled",
            "totp_disabled",
            "totp_reset",
        ),
    ),
    ("org", ("org_change",)),
    ("permission", ("permission_change",)),
    ("data", ("export", "import", "import_undo", "import_delete")),
    ("audit", ("audit_export",)),
)

ACTIONS: dict[str, Action] = {
    key: Action(key, category) for category, keys in _ACTIONS for key in keys
}
CATEGORIES: tuple[str, ...] = tuple(category for category, _ in _ACTIONS)


def label(action: str, locale: str) -> str:
    """The action's name in ``locale``; an action unknown to this release shows its key."""
    return translate(f"audit.action.{action}", locale) if action in ACTIONS else action


def catalogue(locale: str) -> list[dict[str, str]]:
    """The actions with their labels and categories, in registry order (for the UI)."""
    return [
        {
            "action": a.key,
            "label": label(a.key, locale),
            "category": a.category,
            "category_label": translate(f"audit.category.{a.category}", locale),
        }
        for a in ACTIONS.values()
    ]
