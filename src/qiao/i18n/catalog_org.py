"""Messages of the org area (merged into qiao.i18n.catalog.MESSAGES)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
