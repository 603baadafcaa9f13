"""Backend message catalogue and locale negotiation."""

from __future__ import annotations

from typing import Any

from qiao.i18n.catalog import MESSAGES
from qiao.i18n.catalog_access import OPERATION_LABELS

SUPPORTED = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"


def negotiate(accept_language: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Pick zh-CN or en from an Accept-Language header (q-values honoured)."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        lang, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        ranked.append((-weight, index, lang.strip().lower()))
    for _, _, lang in sorted(ranked):
        if lang.startswith("zh"):
            return "zh-CN"
        if lang.startswith("en"):
            return "en"
    return default


def translate(code: str, locale: str, params: dict[str, Any] | None = None) -> str:
    entry = MESSAGES.get(code)
    if entry is None:
        return code
    template = entry.get(locale) or entry[DEFAULT_LOCALE]
    if params and "{op_label}" in template:
        label = OPERATION_LABELS.get(str(params.get("op")), {})
        params = {**params, "op_label": label.get(locale) or str(params.get("op"))}
    try:
        return template.format(**(params or {}))
    except (KeyError, IndexError):
        return template
