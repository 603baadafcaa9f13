"""Administrative divisions of mainland China (GB/T 2260): look-ups and normalisation.

The data set (``regions.json``, see README.md here for its source and licence) is read
once, on first use. Three levels: province (省级, level 1), prefecture-level city
(地级, level 2) and county-level district (县级, level 3). Every code is the 6-digit
GB/T 2260 form (``440000`` 广东省, ``440300`` 深圳市, ``440305`` 南山区); shorter forms
(``"44"``, ``"4403"``) are accepted wherever a code is.

Names are matched exactly, or by a short form without the administrative suffix
("广东" for 广东省, "广西" for 广西壮族自治区, "深圳" for 深圳市, "南山" for 南山区) when
that short form is unambiguous under the same parent. Municipalities (北京, 天津, 上海,
重庆) have the placeholder cities 市辖区/县; giving the municipality's own name as the
city ("北京市/北京市/朝阳区") is understood as "the city level is not given".

Used by the ``address`` field type, ``GET /api/regions`` and the Excel import cleansing,
so the API here is small and stable: :func:`get`, :func:`children`, :func:`find`,
:func:`normalize`, :func:`full_name`, :func:`tree`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

Level = Literal["province", "city", "district"]
LEVELS: tuple[Level, ...] = ("province", "city", "district")
#: city entries that are not cities but placeholders of the data set; names shown to people
#: leave them out (北京市东城区, not 北京市市辖区东城区)
PLACEHOLDER_CITIES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

_PROVINCE_SUFFIX = re.compile(r"(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$")
_LOCAL_SUFFIX = re.compile(r"(自治州|自治县|自治旗|地区|林区|新区|特区|市|区|县|盟|旗)$")
_CODE = re.compile(r"^\d{2}(\d{2}){0,2}$")


@dataclass(frozen=True)
class Region:
    """One division. ``parent`` is the code of the level above (None for provinces)."""

    code: str
    name: str
    level: Level
    parent: str | None
    children: tuple[str, ...] = field(default=(), repr=False)


class RegionError(ValueError):
    """A name or code that cannot be resolved. ``reason`` is ``unknown`` (no such
    division), ``mismatch`` (it exists but not under the given parent; ``parent`` names
    it) or ``ambiguous`` (a name that fits several divisions: give the parent too)."""

    def __init__(
        self,
        level: Level,
        value: str,
        reason: Literal["unknown", "mismatch", "ambiguous"],
        parent: str = "",
    ) -> None:
        super().__init__(f"{level} {value!r}: {reason}{f' under {parent}' if parent else ''}")
        self.level = level
        self.value = value
        self.reason = reason
        self.parent = parent


@dataclass(frozen=True)
class Resolved:
    """The result of :func:`normalize`: the divisions found, most general first."""

    province: Region | None = None
    city: Region | None = None
    district: Region | None = None

    def codes(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for level in LEVELS:
            region = getattr(self, level)
            if region is not None:
                out[f"{level}_code"] = region.code
        return out


class _Index:
    def __init__(self, raw: list[Any]) -> None:
        self.by_code: dict[str, Region] = {}
        self.provinces: tuple[str, ...] = tuple(p[0] for p in raw)
        for p_code, p_name, cities in raw:
            self.by_code[p_code] = Region(
                p_code, p_name, "province", None, tuple(c[0] for c in cities)
            )
            for c_code, c_name, districts in cities:
                self.by_code[c_code] = Region(
                    c_code, c_name, "city", p_code, tuple(d[0] for d in districts)
                )
                for d_code, d_name in districts:
                    self.by_code[d_code] = Region(d_code, d_name, "district", c_code)
        # name -> codes, per level, for exact names and for short forms
        self.names: dict[Level, dict[str, list[str]]] = {lv: {} for lv in LEVELS}
        for region in self.by_code.values():
            if region.level == "city" and region.name in PLACEHOLDER_CITIES:
                continue
            keys = {region.name, short_name(region.name, region.level)}
            for key in keys:
                self.names[region.level].setdefault(key, []).append(region.code)
        # (name, code) by the name's first character: split_address looks at prefixes
        self.by_first: dict[Level, dict[str, list[tuple[str, str]]]] = {lv: {} for lv in LEVELS}
        for level, names in self.names.items():
            for key, codes in names.items():
                for code in codes:
                    self.by_first[level].setdefault(key[0], []).append((key, code))
        # per level and first character: the distinct name lengths, longest first, so
        # that split_address probes ``names`` with a few slices instead of scanning
        # every name that starts with the character (up to a hundred districts)
        self.lengths: dict[Level, dict[str, tuple[int, ...]]] = {
            level: {
                first: tuple(sorted({len(key) for key, _ in pairs}, reverse=True))
                for first, pairs in by_first.items()
            }
            for level, by_first in self.by_first.items()
        }
        # code -> the division and those above it (province first), and their codes as
        # a set: ancestors() and _within() run per candidate name in the import's hot
        # loop, so the parent chain is walked once here rather than per call
        self.chains: dict[str, tuple[Region, ...]] = {}
        for code, region in self.by_code.items():
            chain = [region]
            while chain[0].parent is not None:
                chain.insert(0, self.by_code[chain[0].parent])
            self.chains[code] = tuple(chain)
        self.lineage: dict[str, frozenset[str]] = {
            code: frozenset(r.code for r in chain) for code, chain in self.chains.items()
        }


@cache
def _index() -> _Index:
    text = resources.files("qiao.data").joinpath("regions.json").read_text(encoding="utf-8")
    return _Index(json.loads(text))


def short_name(name: str, level: Level) -> str:
    """The name without its administrative suffix: 广东省 -> 广东, 南山区 -> 南山.
    Names that would shrink to one character keep their suffix (e.g. 城区, 矿区)."""
    pattern = _PROVINCE_SUFFIX if level == "province" else _LOCAL_SUFFIX
    short = pattern.sub("", name)
    return short if len(short) >= 2 else name


def canonical_code(code: str) -> str | None:
    """``"44"``/``"4403"``/``"440305"``/``"440000"`` -> the 6-digit code; None if not a
    code's shape."""
    code = code.strip()
    if not _CODE.match(code):
        return None
    return code.ljust(6, "0")


def by_code(code: str) -> Region | None:
    """The division with this code (any accepted form), or None."""
    index = _index()
    region = index.by_code.get(code)  # the stored 6-digit form: canonical already
    if region is not None:
        return region
    canonical = canonical_code(code)
    return index.by_code.get(canonical) if canonical else None


def children(code: str | None = None) -> list[Region]:
    """The divisions directly under ``code``; the provinces for None."""
    index = _index()
    if code is None:
        return [index.by_code[c] for c in index.provinces]
    region = by_code(code)
    return [index.by_code[c] for c in region.children] if region else []


def ancestors(region: Region) -> list[Region]:
    """``region`` and the divisions above it, province first."""
    index = _index()
    known = index.chains.get(region.code)
    if known is not None and known[-1] is region:
        return list(known)
    chain = [region]
    while chain[0].parent is not None:
        chain.insert(0, index.by_code[chain[0].parent])
    return chain


def _within(region: Region, ancestor: Region | None) -> bool:
    """Whether ``ancestor`` is ``region`` or above it (by code). Only the region's own
    code and parent are read from it; the rest of the chain is the index's."""
    if ancestor is None or ancestor.code == region.code:
        return True
    return region.parent is not None and ancestor.code in _index().lineage[region.parent]


def find(text: str, level: Level, within: Region | None = None) -> Region:
    """The division of ``level`` named or coded ``text``, under ``within`` when given.

    Raises :class:`RegionError`: ``unknown``, ``mismatch`` (found, but not under
    ``within``) or ``ambiguous``.
    """
    value = text.strip()
    index = _index()
    coded = by_code(value)
    if coded is not None or canonical_code(value):
        if coded is None or coded.level != level:
            raise RegionError(level, value, "unknown")
        if not _within(coded, within):
            raise RegionError(level, value, "mismatch", within.name if within else "")
        return coded
    names = index.names[level]
    codes = names.get(value)
    if codes is None:
        codes = names.get(short_name(value, level), [])
    if not codes:
        raise RegionError(level, value, "unknown")
    inside = [c for c in codes if _within(index.by_code[c], within)]
    if not inside:
        raise RegionError(level, value, "mismatch", within.name if within else "")
    exact = [c for c in inside if index.by_code[c].name == value]
    if len(inside) > 1 and len(exact) == 1:
        inside = exact
    if len(inside) > 1:
        raise RegionError(level, value, "ambiguous")
    return index.by_code[inside[0]]


def normalize(
    province: str | None = None, city: str | None = None, district: str | None = None
) -> Resolved:
    """Resolve names or codes at up to three levels into one consistent chain.

    Levels may be left out: a lower level implies the ones above it (``district="440305"``
    is 广东省深圳市南山区), and a unique name is enough (``city="深圳"``). Every given level
    must agree with the others, else :class:`RegionError` names the first level that does
    not fit (``mismatch``). For a municipality, the city may be given as the municipality
    itself (北京市/北京市/朝阳区) and is then inferred from the district.
    """
    p = find(province, "province") if province else None
    c: Region | None = None
    if city:
        try:
            c = find(city, "city", p)
        except RegionError:
            # "北京市" as the city of 北京市: the placeholder level, inferred below
            if p is None or short_name(city.strip(), "province") != short_name(p.name, "province"):
                raise
    d = find(district, "district", c or p) if district else None
    if d is not None:
        chain = ancestors(d)
        c, p = chain[1], chain[0]
    elif c is not None:
        p = ancestors(c)[0]
    return Resolved(p, c, d)


def full_name(resolved: Resolved, separator: str = "") -> str:
    """广东省深圳市南山区; placeholder cities (市辖区, 县…) are left out."""
    parts = [resolved.province.name] if resolved.province else []
    if resolved.city and resolved.city.name not in PLACEHOLDER_CITIES:
        parts.append(resolved.city.name)
    if resolved.district:
        parts.append(resolved.district.name)
    return separator.join(parts)


def resolve_codes(codes: dict[str, Any]) -> Resolved:
    """A stored ``{province_code, city_code, district_code}`` mapping back to regions
    (codes no longer in the data set are dropped rather than failing a read)."""
    out: dict[str, Region | None] = {}
    for level in LEVELS:
        code = codes.get(f"{level}_code")
        region = by_code(code) if isinstance(code, str) else None
        out[level] = region if region is not None and region.level == level else None
    return Resolved(out["province"], out["city"], out["district"])


@cache
def tree_json() -> bytes:
    """The whole tree for a cascader, as compact JSON bytes:
    ``[{"c": code, "n": name, "s": [...]}, ...]`` (leaves have no ``s``)."""

    def node(region: Region) -> dict[str, Any]:
        out: dict[str, Any] = {"c": region.code, "n": region.name}
        if region.children:
            out["s"] = [node(_index().by_code[c]) for c in region.children]
        return out

    data = [node(r) for r in children(None)]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def split_address(text: str) -> tuple[Resolved, str]:
    """Read the divisions at the start of a free-text address and return them with the
    rest (the street part): ``"广东省深圳市南山区 科技园"`` -> (广东省/深圳市/南山区,
    ``"科技园"``). Each level is matched by its full or short name at the current position,
    longest first; reading stops at the first level that does not match, so
    ``"深圳市南山区…"`` (no province) still finds the city. Raises nothing: what is not
    recognised is left in the rest."""
    index = _index()
    rest = text.strip()
    found: dict[Level, Region] = {}
    scope: Region | None = None
    lineage = index.lineage
    for level in LEVELS:
        # the longest name at the start of ``rest`` with a division inside the scope:
        # probe the name lengths that occur for this first character, longest first
        names = index.names[level]
        codes_at: set[str] = set()
        longest = 0
        for length in index.lengths[level].get(rest[:1], ()):
            if length > len(rest):
                continue
            codes = names.get(rest[:length])
            if codes is None:
                continue
            codes_at = {c for c in codes if scope is None or scope.code in lineage[c]}
            if codes_at:
                longest = length
                break
        if not codes_at:
            continue
        if len(codes_at) != 1:
            break
        region = index.by_code[codes_at.pop()]
        found[level] = region
        scope = region
        rest = rest[longest:].lstrip(" ,，")
        if level == "province" and rest.startswith(region.name):  # 北京市北京市朝阳区
            rest = rest[len(region.name) :]
    if "district" in found:
        chain = index.chains[found["district"].code]
        return Resolved(chain[0], chain[1], chain[2]), rest.strip()
    if "city" in found:
        chain = index.chains[found["city"].code]
        return Resolved(chain[0], chain[1]), rest.strip()
    return Resolved(found.get("province")), rest.strip()
