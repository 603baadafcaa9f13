"""De-duplication keys and matching: exact keys after normalisation and fuzzy company
names (case, width, punctuation, legal suffixes, pinyin).

Used by imports (``Deduper``: each file row against the earlier rows and the existing
records the user can see) and by the duplicate finder of existing data
(``qiao.io.merge``). Fuzzy matching never compares every pair: values are put into
blocks (the first two characters of the company key after a leading province or city
name, and the toneless pinyin of those characters, so that a homophone typo still
meets its original) and
``rapidfuzz.process`` scores only a value's blocks.
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import sqlalchemy as sa
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.data import regions
from qiao.errors import BadRequest
from qiao.forms.fields.base import FieldType, Storage
from qiao.forms.model import FieldMeta, FormMeta
from qiao.io.mapping import plain_label_key
from qiao.org.access import form_access

#: types compared fuzzily when fuzzy matching is on (company names, people, addresses)
FUZZY_TYPES = frozenset({"text", "textarea"})
#: types whose stored value is already canonical, so SQL can group them as they are
CANONICAL_TYPES = frozenset(
    {"phone", "email", "select", "number", "money", "percent", "rating", "date", "datetime",
     "boolean", "relation", "user", "department", "idcard", "autonumber"}
)  # fmt: skip

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
_EN_SUFFIX = re.compile(
    r"(?:[\s,.;&]+|^)(?:co|ltd|inc|llc|corp|corporation|company|limited|plc|gmbh)\.?[\s,.]*$"
)
_ZH_SUFFIXES = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团", "公司")
_BRANCH = "分公司"


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def text_key(text: str) -> str:
    """NFKC (full-width → half-width), lower case, spaces and punctuation dropped: the
    mapping step's ``label_key``, so that a header and a value compare alike (uncached:
    values are mostly distinct, and :class:`KeyPlan` keeps its own per-value cache)."""
    return plain_label_key(text)


def company_key(text: str) -> str:
    """A company name reduced to what tells companies apart: ``"深圳市腾讯计算机系统
    有限公司"`` → ``"深圳市腾讯计算机系统"``, ``"ACME Co., Ltd."`` → ``"acme"``. The city
    prefix and a bracketed region stay (other city, other company); 分公司 stays (a
    branch is a customer of its own)."""
    lowered = _nfkc(text).strip()
    while True:  # "Foo Co., Ltd." drops Ltd then Co
        shorter = _EN_SUFFIX.sub("", lowered)
        if shorter == lowered or not shorter.strip():
            break
        lowered = shorter
    key = _DROP.sub("", lowered)
    stripped = True
    while stripped:
        stripped = False
        if key.endswith(_BRANCH):
            break
        for suffix in _ZH_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                stripped = True
                break
    return key or _DROP.sub("", _nfkc(text))


@functools.cache
def _char_pinyin(char: str) -> str:
    if char < "\u3400":
        return char
    return "".join(lazy_pinyin(char, style=Style.NORMAL))


def pinyin(key: str) -> str:
    """Toneless pinyin of a key, character by character (cached per character: the
    phrase dictionary would be more exact for polyphones, and a hundred times slower)."""
    return "".join(map(_char_pinyin, key))


@functools.cache
def _places() -> frozenset[str]:
    """Province and city names, full and short (深圳市, 深圳): a company key's leading
    place is no help in telling companies apart within a block."""
    names: set[str] = set()
    for province in regions.children(None):
        names |= {province.name, regions.short_name(province.name, "province")}
        for city in regions.children(province.code):
            if city.name not in regions.PLACEHOLDER_CITIES:
                names |= {city.name, regions.short_name(city.name, "city")}
    return frozenset(n for n in names if len(n) >= 2)


def block_text(key: str) -> str:
    """The key without leading province / city names (广东省深圳市华强 → 华强), which
    would otherwise put every company of a city into one block."""
    places = _places()
    for _ in range(2):
        for size in range(min(len(key) - 2, 9), 1, -1):
            if key[:size] in places:
                key = key[size:]
                break
        else:
            break
    return key


def similarity(a: str, b: str) -> float:
    """0..1: rapidfuzz ratio of the company keys, or of their pinyin when that is closer
    (深圳腾迅 / 深圳腾讯)."""
    ka, kb = company_key(a), company_key(b)
    if not ka or not kb:
        return 0.0
    score = fuzz.ratio(ka, kb)
    if score < 100:
        score = max(score, fuzz.ratio(pinyin(ka), pinyin(kb)))
    return float(score) / 100.0


# ----- exact keys ----------------------------------------------------------------------
_NON_DIGIT = re.compile(r"\D+")


def _digits_phone(value: str) -> str:
    digits = _NON_DIGIT.sub("", value)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def _decimal(value: Any) -> str | None:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def exact_key(fm: FieldMeta, value: Any) -> str | None:
    """The normalised form of an API value that two equal values share: phone digits
    (no +86), lower-case e-mail, text without case/width/spaces/punctuation, canonical
    numbers, ISO dates. None for a blank value (blank never matches)."""
    if value is None or value == "" or value == []:
        return None
    kind = fm.type
    if isinstance(value, list):
        parts = sorted(k for k in (exact_key(fm, v) for v in value) if k is not None)
        return "\x1f".join(parts) or None
    if kind == "phone":
        return _digits_phone(str(value)) or None
    if kind == "email":
        return str(value).strip().lower() or None
    if kind in ("number", "money", "percent", "rating"):
        return _decimal(value) or text_key(str(value)) or None
    if kind in ("date", "datetime"):
        if isinstance(value, datetime | date):
            return value.isoformat()
        return str(value).strip() or None
    if kind == "boolean":
        return "1" if value is True or str(value).lower() in ("1", "true") else "0"
    if kind in ("relation", "user", "department"):
        return str(value).strip() or None
    if isinstance(value, dict):
        return text_key(" ".join(str(v) for v in value.values() if v)) or None
    return text_key(str(value)) or None


# ----- matching ------------------------------------------------------------------------
@dataclass
class Match:
    kind: Literal["file", "existing"]
    row: int | None
    record_id: int | None
    score: float


@dataclass
class _Fuzzy:
    """One fuzzy value: company key, its pinyin, and the blocks it sits in."""

    key: str
    pinyin: str
    block: str
    sound: str

    @classmethod
    def of(cls, text: str) -> _Fuzzy:
        key = company_key(text)
        core = block_text(key)
        return cls(key, pinyin(key), core[:2], pinyin(core[:2]))


@dataclass
class Index:
    """Exact composite keys and fuzzy blocks of one set of entries (file rows or
    existing records); an entry is a row index or a record id."""

    fuzzy: bool
    exact: dict[tuple[str, ...], int] = field(default_factory=dict)
    # (exact part, block) -> parallel lists of company keys / pinyin and entries
    by_key: dict[tuple[tuple[str, ...], str], tuple[list[str], list[int]]] = field(
        default_factory=dict
    )
    by_sound: dict[tuple[tuple[str, ...], str], tuple[list[str], list[int]]] = field(
        default_factory=dict
    )
    extra: dict[int, list[_Fuzzy]] = field(default_factory=dict)

    def add(
        self, entry: int, exact: tuple[str, ...], rest: tuple[str, ...], fz: list[_Fuzzy]
    ) -> None:
        self.exact.setdefault(exact, entry)
        if not self.fuzzy or not fz or not fz[0].key:
            return
        first = fz[0]
        keys, entries = self.by_key.setdefault((rest, first.block), ([], []))
        keys.append(first.key)
        entries.append(entry)
        sounds, entries2 = self.by_sound.setdefault((rest, first.sound), ([], []))
        sounds.append(first.pinyin)
        entries2.append(entry)
        if len(fz) > 1:
            self.extra[entry] = fz[1:]

    def candidates(
        self, rest: tuple[str, ...], fz: list[_Fuzzy], cutoff: float, limit: int | None = 5
    ) -> dict[int, float]:
        """Entries whose first fuzzy key scores at least ``cutoff`` (0..100) within the
        blocks, and whose other fuzzy keys do too; entry -> score (0..1, the lowest)."""
        found: dict[int, float] = {}
        if not fz or not fz[0].key:
            return found
        first = fz[0]
        for table, query, block in (
            (self.by_key, first.key, first.block),
            (self.by_sound, first.pinyin, first.sound),
        ):
            hit = table.get((rest, block))
            if hit is None:
                continue
            choices, entries = hit
            for _, score, pos in process.extract(
                query, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit
            ):
                entry = entries[pos]
                found[entry] = max(found.get(entry, 0.0), score / 100.0)
        if len(fz) > 1:
            for entry in list(found):
                others = self.extra.get(entry, [])
                for mine, theirs in zip(fz[1:], others, strict=False):
                    score = max(
                        fuzz.ratio(mine.key, theirs.key), fuzz.ratio(mine.pinyin, theirs.pinyin)
                    )
                    if score < cutoff:
                        found.pop(entry)
                        break
                    found[entry] = min(found[entry], score / 100.0)
        return found


class KeyPlan:
    """How the key fields of a form are compared: exact ones (every key when fuzzy is
    off) and fuzzy text ones."""

    def __init__(self, form: FormMeta, keys: list[str], fuzzy: bool) -> None:
        fields: list[FieldMeta] = []
        for key in keys:
            fm = form.by_key.get(key)
            if fm is None or fm.storage is not Storage.COLUMN or fm.type == "subform":
                raise BadRequest("dedupe_field_invalid", key=key)
            fields.append(fm)
        if not fields:
            raise BadRequest("dedupe_fields_required")
        self.fields = fields
        self.fuzzy_fields = [fm for fm in fields if fuzzy and fm.type in FUZZY_TYPES]
        self.exact_fields = [fm for fm in fields if fm not in self.fuzzy_fields]
        self.fuzzy = bool(self.fuzzy_fields)
        self._fuzzy_flags = [fm in self.fuzzy_fields for fm in fields]
        #: exact_key of each field, with a cache per distinct text (see _key_function)
        self.key_fns = [_key_function(fm) for fm in fields]
        self._field_keys = [fm.key for fm in fields]

    def exact_keys(self, values: tuple[Any, ...]) -> tuple[str, ...] | None:
        """The exact keys of all fields (for a plan without fuzzy fields), None when one
        is blank: what :meth:`split` gives as its first two parts, without its per-field
        branching — this runs for every existing record and every file row."""
        keys = tuple(map(operator.call, self.key_fns, values))
        return None if None in keys else keys  # type: ignore[return-value]

    def values(self, data: dict[str, Any]) -> tuple[Any, ...]:
        """A row's key values (API values by field key) in the plan's field order."""
        get = data.get
        return tuple([get(key) for key in self._field_keys])

    def split(
        self, values: tuple[Any, ...]
    ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None, list[_Fuzzy]]:
        """(exact key of all fields, exact key of the non-fuzzy fields, fuzzy values);
        None where a key field is blank. A fuzzy field's exact part is its company key:
        two names equal but for a suffix are the same company (similarity 1)."""
        if not self.fuzzy:
            keys = self.exact_keys(values)
            return (None, None, []) if keys is None else (keys, keys, [])
        rest: list[str] = []
        fz: list[_Fuzzy] = []
        for key_of, value, fuzzy in zip(self.key_fns, values, self._fuzzy_flags, strict=True):
            if fuzzy:
                if value is None or value == "":
                    return None, None, []
                one = _Fuzzy.of(str(value))
                if not one.key:
                    return None, None, []
                fz.append(one)
                continue
            key = key_of(value)
            if key is None:
                return None, None, []
            rest.append(key)
        full = (*rest, *(f.key for f in fz))
        return full, tuple(rest), fz


def _text_key_function(kind: str) -> Callable[[str], str | None]:
    """:func:`exact_key` of a non-empty ``str`` value of a field of type ``kind``: the
    branch that function would take, chosen once per field instead of once per value."""
    if kind == "phone":
        return lambda text: _digits_phone(text) or None
    if kind == "email":
        return lambda text: text.strip().lower() or None
    if kind in ("number", "money", "percent", "rating"):
        return lambda text: _decimal(text) or text_key(text) or None
    if kind in ("date", "datetime", "relation", "user", "department"):
        return lambda text: text.strip() or None
    if kind == "boolean":
        return lambda text: "1" if text.lower() in ("1", "true") else "0"
    return lambda text: plain_label_key(text) or None  # text_key, one call less


_MISS: Any = object()


def _key_function(fm: FieldMeta) -> Callable[[Any], str | None]:
    """``exact_key(fm, value)``, computed once per distinct text value: a column of a few
    distinct values (a city, a status) is keyed a few times, not once per row. Only
    ``str`` values are cached — ``1 == 1.0 == True`` would mix keys of other types."""
    cache: dict[str, str | None] = {}
    of_text = _text_key_function(fm.type)

    def key(value: Any) -> str | None:
        if value.__class__ is not str or not value:
            return exact_key(fm, value)
        found = cache.get(value, _MISS)
        if found is _MISS:
            found = cache[value] = of_text(value)
        return found  # type: ignore[no-any-return]

    return key


def _reader(fm: FieldMeta, ctx: Ctx) -> Callable[[Any], Any]:
    """Stored value -> API value; the identity (no call per value) where the type's
    ``to_json`` is the base one."""
    to_json = fm.ftype.to_json
    if type(fm.ftype).to_json is FieldType.to_json:
        return lambda stored: stored
    return lambda stored: None if stored is None else to_json(fm, stored, ctx)


def load_existing(
    conn: Connection, form: FormMeta, fields: Iterable[FieldMeta], scope: list[Any], ctx: Ctx
) -> list[tuple[int, tuple[Any, ...]]]:
    """(id, API values of ``fields`` in order) of the live records in ``scope``: one
    SELECT."""
    fields = list(fields)
    rows = _key_rows(conn, form, fields, scope)
    readers = [_reader(fm, ctx) for fm in fields]
    if all(type(fm.ftype).to_json is FieldType.to_json for fm in fields):
        return [(row[0], tuple(row[1:])) for row in rows]
    return [
        (row[0], tuple(read(v) for read, v in zip(readers, row[1:], strict=True))) for row in rows
    ]


def _key_rows(
    conn: Connection, form: FormMeta, fields: list[FieldMeta], scope: list[Any]
) -> Sequence[Any]:
    """(id, stored values of ``fields``) of the live records in ``scope``, by id: one
    SELECT of just those columns."""
    table = form.table
    columns = [table.c[fm.column_name] for fm in fields]
    return conn.execute(
        sa.select(table.c.id, *columns)
        .where(table.c.deleted_at.is_(None), *scope)
        .order_by(table.c.id)
    ).all()


def first_ids(
    conn: Connection, form: FormMeta, plan: KeyPlan, scope: list[Any], ctx: Ctx
) -> dict[tuple[str, ...], int]:
    """Exact key -> id of the first live record in ``scope`` that has it (a plan without
    fuzzy fields): what :meth:`Index.add` gives when fed :func:`load_existing` record by
    record, built column by column — each column read and keyed in one pass (a value's
    key computed once), no tuple per record but the key itself, and the keys stored last
    to first so that the first record's id is the one that stays."""
    rows = _key_rows(conn, form, plan.fields, scope)
    if not rows:
        return {}
    ids, *stored = zip(*rows, strict=True)
    keyed = []
    for fm, key_of, column in zip(plan.fields, plan.key_fns, stored, strict=True):
        if type(fm.ftype).to_json is not FieldType.to_json:
            column = tuple(map(_reader(fm, ctx), column))
        keyed.append(map(key_of, column))
    keys = [None if None in key else key for key in zip(*keyed, strict=True)]
    found = dict(zip(reversed(keys), reversed(ids), strict=True))
    found.pop(None, None)
    return found


class Deduper:
    """Built once per import: keys of existing records loaded in bulk (one query over
    the key columns, within the user's view scope — rows the user cannot see are not
    matched), then ``check`` per file row in index order."""

    def __init__(
        self,
        rt: Any,
        conn: Connection,
        ctx: Ctx,
        form: FormMeta,
        keys: list[str],
        fuzzy: bool,
        threshold: float,
    ) -> None:
        self.plan = KeyPlan(form, keys, fuzzy)
        self.cutoff = max(0.0, min(1.0, threshold)) * 100.0
        access = form_access(conn, ctx, form)
        scope = access.scope_clauses("view") if access.can("view") else [sa.false()]
        self.existing = Index(self.plan.fuzzy)
        if self.plan.fuzzy:
            for record_id, values in load_existing(conn, form, self.plan.fields, scope, ctx):
                full, rest, fz = self.plan.split(values)
                if full is not None and rest is not None:
                    self.existing.add(record_id, full, rest, fz)
        else:
            self.existing.exact = first_ids(conn, form, self.plan, scope, ctx)
        self.file = Index(self.plan.fuzzy)

    def check(self, index: int, data: dict[str, Any]) -> Match | None:
        """The earlier file row or existing record ``data`` duplicates, exact matches
        first (file before existing), then fuzzy ones; the row joins the file's index."""
        full, rest, fz = self.plan.split(self.plan.values(data))
        if full is None or rest is None:
            return None
        match: Match | None = None
        row = self.file.exact.get(full)
        if row is not None:
            match = Match("file", row, None, 1.0)
        else:
            rid = self.existing.exact.get(full)
            if rid is not None:
                match = Match("existing", None, rid, 1.0)
            elif self.plan.fuzzy:
                match = self._fuzzy(rest, fz)
        self.file.add(index, full, rest, fz)
        return match

    def _fuzzy(self, rest: tuple[str, ...], fz: list[_Fuzzy]) -> Match | None:
        for kind, idx in (("file", self.file), ("existing", self.existing)):
            found = idx.candidates(rest, fz, self.cutoff)
            if found:
                entry, score = max(found.items(), key=lambda item: (item[1], -item[0]))
                if kind == "file":
                    return Match("file", entry, None, score)
                return Match("existing", None, entry, score)
        return None
