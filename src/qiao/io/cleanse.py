"""Cleansing spreadsheet cells into field values.

A cleanser turns one cell into the value the API takes for a field (what
``qiao.records.values.prepare`` accepts: option labels, ISO dates, ids, address
objects — never the stored form), the text shown in the import preview, and an issue
code when the cell cannot be made sense of (the value is then the raw text, so that
validation names the rule). Cleansers are registered per field type with
:func:`cleanser`; a type without one gets :func:`default_cleanser` (normalised text,
checked by the type's own ``from_text``).

Speed: a 100,000-row sheet is 1.5 million cells. Cleaned results of the types whose
values repeat (choices, yes/no, regions, references, dates) are cached per (field,
cell) in the :class:`CleanseEnv`; the other types are cached on trial (kept on for a
field whose first :data:`TRIAL` cells repeat enough, such as a number column of
scores or a text column of cities); regexes are compiled once (:mod:`qiao.io.parsing`).
:func:`cleanser_for` resolves a field's cleanser once, for a loop over a column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from qiao.data import regions
from qiao.errors import FieldValueError
from qiao.forms.fields._choices import ChoiceSettings
from qiao.forms.fields.email import normalize_email
from qiao.forms.fields.idcard import normalize_idcard
from qiao.io.lookups import RelationIndex, match_key
from qiao.io.parsing import (
    Cell,
    decimal_text,
    nfkc,
    normalize_multiline,
    normalize_phone,
    normalize_text,
    number_text,
    parse_date,
    parse_datetime,
    parse_number,
    parse_percent,
    phone_input,
    raw_text,
)

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

__all__ = [
    "Cell", "Cleaned", "CleanseEnv", "Cleanser", "RelationIndex", "cleanse", "cleanser",
    "cleanser_for",
    "normalize_phone", "normalize_text", "parse_date", "parse_datetime", "parse_number",
    "parse_percent",
]  # fmt: skip

#: cached results per import, at most (the values that repeat fit well below this)
MAX_CACHED = 300_000
#: cells of a field whose type is not always cached that are cached on trial; the
#: field stays cached when at least 1 in TRIAL_RATIO of them was a repeat
TRIAL = 2000
TRIAL_RATIO = 4
ADD_OPTION = "__add__"
#: multiselect and multi-record separators
SPLIT = re.compile(r"\s*[、,，;；/\n|]\s*")
#: several titles of a multiple relation ("/" is common inside titles, so not here)
REF_SPLIT = re.compile(r"\s*[、,，;；\n]\s*")


@dataclass(slots=True)
class Cleaned:
    value: Any  # the API input value, None = empty
    text: str  # the cleaned value as text, for the preview
    changed: bool  # differs from the raw cell text
    issue: str | None = None  # a message code when the cell could not be cleaned
    params: dict[str, Any] = field(default_factory=dict)


BLANK = Cleaned(None, "", False)


@dataclass
class CleanseEnv:
    """What cleansers need beyond the cell; one per import (it also holds the cache)."""

    option_map: dict[str, dict[str, str | None]] = field(default_factory=dict)
    relations: RelationIndex = field(default_factory=RelationIndex)
    cache: dict[tuple[str, type, Any], Cleaned] = field(default_factory=dict)
    #: per select/multiselect field: match key → option label
    choices: dict[str, dict[str, str]] = field(default_factory=dict)
    #: fields on a caching trial: key → [cells looked up, repeats found]
    trials: dict[str, list[int]] = field(default_factory=dict)
    #: fields whose trial ended: key → whether their results are cached
    tried: dict[str, bool] = field(default_factory=dict)


class Cleanser(Protocol):
    def __call__(self, fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned: ...


_CLEANSERS: dict[str, Cleanser] = {}
#: types whose results are cached per (field, cell)
_CACHED: set[str] = set()


def cleanser(*types: str, cache: bool = False) -> Callable[[Cleanser], Cleanser]:
    """Register a cleanser for field types; ``cache`` when values repeat across rows."""

    def register(fn: Cleanser) -> Cleanser:
        for key in types:
            _CLEANSERS[key] = fn
            if cache:
                _CACHED.add(key)
        return fn

    return register


def cleanse(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    """One cell for one field. Blank cells (None, empty or white space) are empty. For
    the cells of a whole column, :func:`cleanser_for` once is faster."""
    return cleanser_for(fm)(cell, ctx, env)


def cleanser_for(fm: FieldMeta) -> Callable[[Cell, Ctx, CleanseEnv], Cleaned]:
    """The cleansing of one field's cells, the cleanser looked up once: for a loop over
    the cells of a column (``clean = cleanser_for(fm)`` then ``clean(cell, ctx, env)``).
    Results of the types in ``_CACHED`` are cached per (field, cell); the others are
    cached on trial (see ``_count_trial``)."""
    fn = _CLEANSERS.get(fm.type, default_cleanser)
    always = fm.type in _CACHED
    name = fm.key

    def clean(cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
        if cell is None or (cell.__class__ is str and (not cell or cell.isspace())):
            return BLANK
        on_trial = False
        if not always:
            decided = env.tried.get(name)
            if decided is False:
                return fn(fm, cell, ctx, env)
            on_trial = decided is None
        key = (name, cell.__class__, cell)
        hit = env.cache.get(key)
        if on_trial:
            _count_trial(env, name, hit is not None)
        if hit is None:
            hit = fn(fm, cell, ctx, env)
            if len(env.cache) < MAX_CACHED:
                env.cache[key] = hit
        return hit

    return clean


def _count_trial(env: CleanseEnv, name: str, repeat: bool) -> None:
    """One cell of a field on its caching trial; at the trial's end the field stays
    cached only when repeats were common, so that a column of unique values (names,
    phone numbers) costs no cache look-ups and no memory."""
    counts = env.trials.get(name)
    if counts is None:
        counts = env.trials[name] = [0, 0]
    counts[0] += 1
    counts[1] += repeat
    if counts[0] >= TRIAL:
        env.tried[name] = counts[1] * TRIAL_RATIO >= counts[0]


def _ok(value: Any, text: str, raw: str) -> Cleaned:
    return Cleaned(value, text, text != raw)


def _issue(code: str, raw: str, **params: Any) -> Cleaned:
    return Cleaned(raw, raw, False, code, {"value": raw, **params})


def default_cleanser(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    """Normalised text, handed to the type (``from_text``) to check; a type error is the
    issue (with the type's own code and parameters)."""
    raw = raw_text(cell)
    text = normalize_text(raw)
    if not text:
        return BLANK
    try:
        fm.ftype.from_text(fm, text, ctx)
    except FieldValueError as exc:
        return Cleaned(text, text, text != raw, exc.code, {"value": text, **exc.params})
    return _ok(text, text, raw)


# ----- text -------------------------------------------------------------------------------


@cleanser("text")
def _text(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = cell if cell.__class__ is str else raw_text(cell)
    text = normalize_text(raw)
    limit = int(getattr(fm.settings, "max_length", 200))
    if len(text) > limit:
        return Cleaned(text, text, text != raw, "too_long", {"value": text, "max": limit})
    return Cleaned(text or None, text, text != raw)


@cleanser("textarea")
def _textarea(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    text = normalize_multiline(raw)
    limit = int(getattr(fm.settings, "max_length", 10000))
    if len(text) > limit:
        return Cleaned(text, text, text != raw, "too_long", {"value": text[:50], "max": limit})
    return Cleaned(text or None, text, text != raw)


@cleanser("idcard")
def _idcard(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    text = nfkc(raw).strip()
    if " " in text or "-" in text:
        text = "".join(text.split()).replace("-", "")
    try:
        value = normalize_idcard(text.upper(), bool(getattr(fm.settings, "allow_15", False)))
    except FieldValueError as exc:
        return _issue("idcard_invalid", raw.strip(), rule=exc.code)
    return _ok(value, value, raw)


@cleanser("phone")
def _phone(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    found = phone_input(raw)
    if found is None:
        return _issue("phone_invalid", raw.strip())
    return _ok(found[0], found[1], raw)


@cleanser("email")
def _email(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    text = "".join(nfkc(raw).split()).removeprefix("mailto:")
    try:
        if len(text) > 254:
            raise FieldValueError("too_long")
        value = normalize_email(text)  # lower case, as the field stores it
    except FieldValueError:
        return _issue("email_invalid", raw.strip())
    return _ok(value, value, raw)


@cleanser("url")
def _url(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    text = nfkc(raw).strip()
    try:
        value = fm.ftype.from_text(fm, text, ctx)
    except FieldValueError:
        return _issue("url_invalid", raw.strip())
    return _ok(value, value, raw)


# ----- numbers and dates --------------------------------------------------------------------


@cleanser("number", "money")
def _number(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    found = number_text(cell)
    if found is None:
        return _issue("number_unparsed", raw.strip())
    return _ok(found[0], found[0], raw)


@cleanser("percent")
def _percent(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    number = parse_percent(cell)
    if number is None:
        return _issue("number_unparsed", raw.strip())
    value = decimal_text(number)
    text = f"{decimal_text(number * 100)}%"
    return Cleaned(value, text, text != raw and value != raw)


@cleanser("date", cache=True)
def _date(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    day = parse_date(cell)
    if day is None:
        return _issue("date_unparsed", raw.strip())
    text = day.isoformat()
    return _ok(text, text, raw)


@cleanser("datetime")
def _datetime(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    moment = parse_datetime(cell)
    if moment is None:
        return _issue("date_unparsed", raw.strip())
    value = moment.isoformat(timespec="seconds")
    return _ok(value, moment.isoformat(sep=" ", timespec="seconds"), raw)


@cleanser("rating", cache=True)
def _rating(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    text = nfkc(raw).strip()
    try:
        stars = fm.ftype.from_text(fm, text, ctx)
    except FieldValueError as exc:
        number = parse_number(text.rstrip("星分"))
        if number is None or number != int(number):
            return Cleaned(raw, raw, False, exc.code, {"value": raw, **exc.params})
        try:
            stars = fm.ftype.to_storage(fm, int(number), ctx)
        except FieldValueError as again:
            return Cleaned(raw, raw, False, again.code, {"value": raw, **again.params})
    return _ok(stars, str(stars), raw)


# ----- yes/no -------------------------------------------------------------------------------

TRUE_WORDS = _TRUE = frozenset(
    ["是", "对", "有", "y", "yes", "true", "t", "1", "√", "✓", "✔", "on", "真", "ok"]
)
FALSE_WORDS = _FALSE = frozenset(
    [
        "否",
        "不是",
        "错",
        "无",
        "没有",
        "n",
        "no",
        "false",
        "f",
        "0",
        "×",
        "✗",
        "✘",
        "x",
        "off",
        "假",
    ]
)


@cleanser("boolean", cache=True)
def _boolean(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    if isinstance(cell, bool):
        value: bool | None = cell
    else:
        word = nfkc(raw).strip().lower()
        value = True if word in _TRUE else False if word in _FALSE else None
    if value is None:
        return _issue("boolean_unparsed", raw.strip())
    text = ("Yes" if value else "No") if ctx.locale == "en" else ("是" if value else "否")
    return Cleaned(value, text, False)


# ----- choices ------------------------------------------------------------------------------


def _choice_table(fm: FieldMeta, env: CleanseEnv) -> dict[str, str]:
    table = env.choices.get(fm.key)
    if table is None:
        table = {}
        settings = fm.settings
        active = (
            [c for c in settings.choices if not c.archived]
            if isinstance(settings, ChoiceSettings)
            else []
        )
        for choice in active:  # ids first, so that a label equal to an id wins
            table.setdefault(match_key(choice.id), choice.label)
        for choice in active:
            table[match_key(choice.label)] = choice.label
        env.choices[fm.key] = table
    return table


def _choose(fm: FieldMeta, part: str, env: CleanseEnv) -> tuple[str | None, bool]:
    """(label or None, known): the option a piece of text means."""
    mapped = env.option_map.get(fm.key)
    if mapped is not None:
        for probe in (part, normalize_text(part)):
            if probe in mapped:
                target = mapped[probe]
                if target == ADD_OPTION:
                    return normalize_text(part), True
                if target is None:
                    return None, True
                label = _choice_table(fm, env).get(match_key(target))
                return (label or target), True
    label = _choice_table(fm, env).get(match_key(part))
    return label, label is not None


@cleanser("select", cache=True)
def _select(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    label, known = _choose(fm, raw.strip(), env)
    if not known:
        part = normalize_text(raw)
        return _issue("option_unknown", part, values=[part])
    if label is None:
        return Cleaned(None, "", bool(raw.strip()))
    return _ok(label, label, raw)


@cleanser("multiselect", cache=True)
def _multiselect(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    labels: list[str] = []
    unknown: list[str] = []
    for part in SPLIT.split(raw.strip()):
        if not part:
            continue
        label, known = _choose(fm, part, env)
        if not known:
            unknown.append(normalize_text(part))
        elif label is not None and label not in labels:
            labels.append(label)
    if unknown:
        return _issue("option_unknown", unknown[0], values=unknown)
    text = "、".join(labels)
    return Cleaned(labels or None, text, text != raw)


# ----- regions and references --------------------------------------------------------------


@cleanser("address", cache=True)
def _address(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    raw = raw_text(cell)
    text = normalize_text(raw)
    resolved, rest = regions.split_address(text)
    found = [
        (level, region)
        for level, region in zip(
            regions.LEVELS, (resolved.province, resolved.city, resolved.district), strict=True
        )
        if region is not None
    ]
    if not found:
        return _issue("region_unknown", text)
    level = getattr(fm.settings, "level", "district")
    kept = found[: regions.LEVELS.index(level) + 1]
    value: dict[str, Any] = {f"{lv}_code": region.code for lv, region in kept}
    if rest:
        value["street"] = rest
    # the kept regions are index entries at their own level, so this is what
    # regions.resolve_codes(value) would give back, without looking the codes up again
    names = regions.full_name(regions.Resolved(**dict(kept)))
    shown = f"{names} {rest}".strip() if rest else names
    return Cleaned(value, shown, shown != raw)


_REF_CODES = {
    "relation": ("relation_not_found", "relation_ambiguous"),
    "user": ("member_unknown", "member_ambiguous"),
    "department": ("department_unknown", "department_ambiguous"),
}


def _as_id(text: str) -> list[int]:
    digits = text.removeprefix("#")
    return [int(digits)] if digits.isascii() and digits.isdigit() and len(digits) < 19 else []


@cleanser("relation", "user", "department", cache=True)
def _reference(fm: FieldMeta, cell: Cell, ctx: Ctx, env: CleanseEnv) -> Cleaned:
    """Display text → id(s) through :class:`RelationIndex`; a multiple relation takes
    several titles separated like multiselect values."""
    raw = raw_text(cell)
    missing, ambiguous = _REF_CODES[fm.type]
    multiple = bool(getattr(fm.settings, "multiple", False))
    parts = [p for p in REF_SPLIT.split(raw.strip()) if p] if multiple else [raw.strip()]
    ids: list[int] = []
    indexed = env.relations.has(fm.key)
    for part in parts:
        # without an index for the field (not loaded), only ids can be taken as they are
        found = env.relations.match(fm.key, part) if indexed else _as_id(part)
        if not found:
            return _issue(missing, normalize_text(part))
        if len(found) > 1:
            return _issue(ambiguous, normalize_text(part), count=len(found))
        if found[0] not in ids:
            ids.append(found[0])
    text = "、".join(normalize_text(p) for p in parts)
    return Cleaned(ids if multiple else ids[0], text, text != raw)
