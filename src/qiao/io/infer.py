"""Proposing fields for the columns of a spreadsheet (create a form from a sheet).

Per column, up to ``sample_size`` non-blank cells are tried against parsers from the
most specific type to the least (an ID number also looks like a number, a phone number
too); a type wins when at least 90 % of the sampled cells parse as it. The settings
proposed are valid for the type's settings model (checked before they are returned).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from qiao.data import regions
from qiao.errors import FieldValueError
from qiao.forms.fields.base import registry
from qiao.forms.fields.email import normalize_email
from qiao.forms.fields.idcard import normalize_idcard
from qiao.io.cleanse import FALSE_WORDS, SPLIT, TRUE_WORDS
from qiao.io.parsing import (
    Cell,
    is_datetime_text,
    nfkc,
    normalize_phone,
    normalize_text,
    number_parts,
    parse_date,
    raw_text,
)

if TYPE_CHECKING:
    from qiao.io.readers import Table

SHARE = 0.9
MAX_CHOICES = 20
LONG_TEXT = 100  # characters: longer cells make a multi-line text field
_URL = re.compile(r"^(https?://|www\.)[^\s/$.?#][^\s]*$", re.IGNORECASE)
_PERCENT = re.compile(r"^[+-]?[\d.,]+\s*[%％‰]$")
_CURRENCY = {"$": "USD", "US$": "USD", "€": "EUR", "HK$": "HKD", "£": "GBP"}


@dataclass
class ProposedField:
    column: int
    label: str
    type: str
    settings: dict[str, Any]
    samples: list[str]
    blank_ratio: float


def _is_idcard(cell: Cell) -> bool:
    if not isinstance(cell, str):
        return False
    try:
        normalize_idcard(cell.strip())
    except FieldValueError:
        return False
    return True


def _is_phone(cell: Cell) -> bool:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, int) and not isinstance(cell, bool):
        cell = str(cell)
    return isinstance(cell, str) and len(cell) >= 7 and normalize_phone(cell) is not None


def _is_email(cell: Cell) -> bool:
    if not isinstance(cell, str) or ("@" not in cell and "＠" not in cell):
        return False
    try:
        normalize_email("".join(nfkc(cell).split()))
    except FieldValueError:
        return False
    return True


def _is_url(cell: Cell) -> bool:
    return isinstance(cell, str) and bool(_URL.match(cell.strip()))


def _is_date(cell: Cell) -> bool:
    if isinstance(cell, int | float):  # plain numbers are numbers, not Excel serials
        return False
    return parse_date(cell) is not None


def _is_percent(cell: Cell) -> bool:
    return isinstance(cell, str) and bool(_PERCENT.match(nfkc(cell).strip()))


def _is_money(cell: Cell) -> bool:
    parts = number_parts(cell)
    return parts is not None and parts[1]


def _is_number(cell: Cell) -> bool:
    return number_parts(cell) is not None


def _is_address(cell: Cell) -> bool:
    if not isinstance(cell, str):
        return False
    resolved, _ = regions.split_address(normalize_text(cell))
    return resolved.city is not None or resolved.district is not None


#: (type, test) from the most specific to the least
_TESTS: list[tuple[str, Callable[[Cell], bool]]] = [
    ("idcard", _is_idcard),
    ("phone", _is_phone),
    ("email", _is_email),
    ("url", _is_url),
    ("date", _is_date),
    ("percent", _is_percent),
    ("money", _is_money),
    ("number", _is_number),
    ("address", _is_address),
]


def _share(cells: list[Cell], test: Callable[[Cell], bool]) -> float:
    misses, allowed = 0, len(cells) * (1 - SHARE) + 1e-9
    for cell in cells:
        if not test(cell):
            misses += 1
            if misses > allowed:
                return 0.0
    return 1 - misses / len(cells)


def _choices(texts: list[str]) -> list[str] | None:
    """Distinct values in first-seen order when few and repeated."""
    distinct = list(dict.fromkeys(texts))
    if len(distinct) <= MAX_CHOICES and len(distinct) / len(texts) <= 0.5:
        return distinct
    return None


def _multi_choices(texts: list[str]) -> list[str] | None:
    if not any(SPLIT.search(t) for t in texts):
        return None
    parts = [p for t in texts for p in SPLIT.split(t) if p]
    distinct = list(dict.fromkeys(parts))
    split_share = sum(1 for t in texts if SPLIT.search(t)) / len(texts)
    if len(distinct) <= MAX_CHOICES and len(distinct) / len(parts) <= 0.5 and split_share >= 0.2:
        return distinct
    return None


def _settings(kind: str, cells: list[Cell], texts: list[str]) -> dict[str, Any]:
    if kind == "date" and sum(is_datetime_text(c) for c in cells) >= len(cells) * 0.5:
        return {"__type": "datetime"}
    if kind == "money":
        found = [number_parts(c) for c in cells]
        decimals = max((_decimals(p[0]) for p in found if p), default=2)
        return {"currency": _currency(texts), "precision": min(max(decimals, 2), 4)}
    if kind == "number":
        found = [number_parts(c) for c in cells]
        decimals = max((_decimals(p[0]) for p in found if p), default=0)
        return {"precision": min(decimals, 6)} if decimals else {}
    if kind == "percent":
        return {"precision": 2}
    return {}


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _currency(texts: list[str]) -> str:
    for text in texts:
        for sign, code in _CURRENCY.items():
            if sign in text:
                return code
    return "CNY"


def _is_boolean(cells: list[Cell], texts: list[str]) -> bool:
    """是/否, Y/N, √/× … (a yes and a no word, nothing else), or boolean cells."""
    if all(isinstance(c, bool) for c in cells):
        return True
    words = {t.lower() for t in texts}
    return len(words) == 2 and words <= TRUE_WORDS | FALSE_WORDS and bool(words & TRUE_WORDS)


def _decide(cells: list[Cell], texts: list[str]) -> tuple[str, dict[str, Any]]:
    for kind, test in _TESTS:
        if _share(cells, test) >= SHARE:
            settings = _settings(kind, cells, texts)
            if "__type" in settings:
                return str(settings.pop("__type")), settings
            return kind, settings
    if _is_boolean(cells, texts):
        return "boolean", {}
    choices = _choices(texts)
    if choices is not None:
        return "select", {"choices": [{"label": c} for c in choices]}
    multi = _multi_choices(texts)
    if multi is not None:
        return "multiselect", {"choices": [{"label": c} for c in multi]}
    longest = max(len(t) for t in texts)
    if longest > LONG_TEXT or any(isinstance(c, str) and "\n" in c.strip() for c in cells):
        return "textarea", {}
    return "text", {}


def _valid(kind: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The settings as the type's model accepts them; defaults when they do not fit."""
    try:
        registry.get(kind).settings_model.model_validate(settings)
    except ValueError:
        return {}
    return settings


def propose_fields(table: Table, sample_size: int = 2000) -> list[ProposedField]:
    """One proposed field per column of the table."""
    result: list[ProposedField] = []
    total = len(table.rows)
    for index, label in enumerate(table.columns):
        cells: list[Cell] = []
        blanks = 0
        for row in table.rows:
            cell = row[index] if index < len(row) else None
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                blanks += 1
                continue
            if len(cells) < sample_size:
                cells.append(cell)
        texts = [normalize_text(raw_text(c)) for c in cells]
        if cells:
            kind, settings = _decide(cells, texts)
        else:
            kind, settings = "text", {}
        result.append(
            ProposedField(
                column=index,
                label=label.strip().strip("*＊※").strip()[:100] or f"列{index + 1}",
                type=kind,
                settings=_valid(kind, settings),
                samples=list(dict.fromkeys(texts))[:5],
                blank_ratio=round(blanks / total, 4) if total else 1.0,
            )
        )
    return result
