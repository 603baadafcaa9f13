"""Messages of the account area (merged into qiao.i18n.catalog.MESSAGES)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
