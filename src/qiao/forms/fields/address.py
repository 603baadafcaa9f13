"""Address (地址): province / city / district of mainland China plus a street line.

The divisions come from the shipped GB/T 2260 data set (:mod:`qiao.data.regions`). The
column holds JSON text with the 6-digit codes and the street, keys in a fixed order::

    {"province_code": "440000", "city_code": "440300", "district_code": "440305",
     "street": "科技园南区 1 号"}

Codes, not names, are stored: names of divisions change (县 becomes 区) while codes of
existing divisions rarely do, and filters compare codes. Input takes codes or names at
any level (``{"province": "广东", "city": "深圳市", "district": "南山区", "street": …}`` or
``{"district_code": "440305"}``), normalised by :func:`qiao.data.regions.normalize`; an
unknown or inconsistent combination is refused naming the level. The JSON form carries
codes and names. The ``level`` setting caps how deep an address goes; ``show_street``
whether it has a street line.

Filters: ``eq``/``ne`` with ``{"province": "44"}``, ``{"city": "深圳"}`` or
``{"district": "440305"}`` (the deepest level given counts), ``in``/``not_in`` with a
list of such objects (or bare codes), ``is_empty``/``is_not_empty``. They compare the
code at that level, read from the JSON with :func:`qiao.db.dialect.json_text`.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import orjson
import sqlalchemy as sa

from qiao.data import regions
from qiao.db.dialect import contains_text, json_text
from qiao.errors import FieldValueError
from qiao.forms.fields.base import FieldSettings, FieldType, FilterTarget, registry
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

MAX_STREET = 200
_INPUT_KEYS = {
    "province", "city", "district", "street", "province_code", "city_code", "district_code",
}  # fmt: skip
_DEPTH = {"province": 1, "city": 2, "district": 3}
_LEVEL_KEYS = tuple((level, f"{level}_code") for level in regions.LEVELS)
#: one encoder for every value: ``json.dumps`` with options builds a new one per call
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
#: the division data never changes in a process, so a combination of divisions, once
#: resolved, is remembered (an import meets the same few hundred again and again)
_CACHE_SIZE = 4096


class AddressSettings(FieldSettings):
    level: Literal["province", "city", "district"] = "district"
    show_street: bool = True


def _text(value: Any, code: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise FieldValueError(code)
    text = str(value).strip()
    if "\x00" in text:
        raise FieldValueError(code)
    return text or None


def resolve(value: dict[str, Any]) -> regions.Resolved:
    """Names or codes (``province`` or ``province_code``, …) -> regions, or the error
    naming the level that is unknown, does not fit its parent or is ambiguous."""
    given: list[str | None] = []
    for level, code_key in _LEVEL_KEYS:
        name = value.get(level)
        code = value.get(code_key)
        # most inputs give one of the two: the other (None) needs no check
        name = None if name is None else _text(name, "address_shape")
        code = None if code is None else _text(code, "address_shape")
        given.append(code or name)
    try:
        return _normalized(given[0], given[1], given[2])
    except regions.RegionError as exc:
        code = f"address_{exc.level}_{exc.reason}"
        raise FieldValueError(code, value=exc.value, parent=exc.parent) from exc


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _normalized(province: str | None, city: str | None, district: str | None) -> regions.Resolved:
    return regions.normalize(province, city, district)


def _deepest(resolved: regions.Resolved) -> int:
    """The depth of the deepest level found (3 for a district), 0 for none."""
    if resolved.district is not None:
        return 3
    if resolved.city is not None:
        return 2
    return 0 if resolved.province is None else 1


def _levels(data: dict[str, Any]) -> tuple[tuple[str | None, str | None], ...]:
    """(code, name) per level of stored codes, (None, None) where a level is missing."""
    codes = (data.get("province_code"), data.get("city_code"), data.get("district_code"))
    try:
        return _named_levels(*codes)
    except TypeError:  # not codes (hand-edited data): uncached, the look-up decides
        return _named_levels.__wrapped__(*codes)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _named_levels(
    province: Any, city: Any, district: Any
) -> tuple[tuple[str | None, str | None], ...]:
    codes = {"province_code": province, "city_code": city, "district_code": district}
    resolved = regions.resolve_codes(codes)
    return tuple(
        (region.code, region.name) if region else (None, None)
        for region in (getattr(resolved, level) for level in regions.LEVELS)
    )


def region_operand(value: Any) -> tuple[str, str]:
    """A filter value -> (level, code) of the deepest level it names."""
    if isinstance(value, str):
        region = regions.by_code(value)
        if region is None:
            for level in regions.LEVELS:
                try:
                    region = regions.find(value, level)
                    break
                except regions.RegionError:
                    continue
        if region is None:
            raise FieldValueError("address_filter_value", value=value)
        return region.level, region.code
    if not isinstance(value, dict) or not value or not set(value) <= set(regions.LEVELS):
        raise FieldValueError("address_filter_value", value=json.dumps(value, ensure_ascii=False))
    resolved = resolve(value)
    deepest = max((lv for lv in value if value[lv]), key=_DEPTH.__getitem__)
    region = getattr(resolved, deepest)
    assert region is not None
    return region.level, region.code


@registry.register
class AddressType(FieldType):
    key = "address"
    #: formulas read the display text (广东省深圳市南山区 科技园); a text result is read back
    #: as a free-text address
    formula = Kind.TEXT
    settings_model = AddressSettings
    operators = ("eq", "ne", "in", "not_in", "is_empty", "is_not_empty")
    arity_overrides: ClassVar[dict[str, str]] = {"eq": "object", "ne": "object"}
    searchable = True

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> str:
        return "广东省深圳市南山区科技园路1号"

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return sa.Text()

    def _settings(self, field: FieldMeta) -> AddressSettings:
        settings = field.settings
        return settings if isinstance(settings, AddressSettings) else AddressSettings()

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None or value == "" or value == {}:
            return None
        if isinstance(value, str):
            return self.from_text(field, value, ctx)
        if not isinstance(value, dict) or not value.keys() <= _INPUT_KEYS:
            raise FieldValueError("address_shape")
        settings = self._settings(field)
        resolved = resolve(value)
        out = resolved.codes()
        # the deepest level with a code (codes() has exactly the levels found)
        deepest = _deepest(resolved)
        if deepest > _DEPTH[settings.level]:
            raise FieldValueError("address_too_detailed")
        street = _text(value.get("street"), "address_street")
        if street is not None:
            if not settings.show_street:
                raise FieldValueError("address_street_off")
            if len(street) > MAX_STREET:
                raise FieldValueError("address_street", max=MAX_STREET)
            out["street"] = street
        if not out:
            return None
        return _ENCODER.encode(out)

    def to_json(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        if stored is None:
            return None
        data = orjson.loads(stored)
        out: dict[str, Any] = {}
        for level, (code, name) in zip(regions.LEVELS, _levels(data), strict=True):
            out[f"{level}_code"] = code
            out[level] = name
        out["street"] = data.get("street")
        return out

    def display(self, field: FieldMeta, stored: Any, ctx: Ctx) -> str:
        if stored is None:
            return ""
        data = orjson.loads(stored)
        names = regions.full_name(regions.resolve_codes(data))
        street = data.get("street") or ""
        return f"{names} {street}".strip() if names and street else names or street

    def export_text(self, field: FieldMeta, value: Any, ctx: Ctx) -> str | None:
        if not isinstance(value, dict):
            return None
        names = "".join(value.get(level) or "" for level in regions.LEVELS)
        street = value.get("street") or ""
        return f"{names} {street}".strip()

    def from_text(self, field: FieldMeta, text: str, ctx: Ctx) -> Any:
        """Free text "广东省深圳市南山区 科技园…": divisions read from the start (by
        :func:`qiao.data.regions.split_address`), the rest is the street."""
        if not text.strip():
            return None
        resolved, rest = regions.split_address(text)
        value: dict[str, Any] = {k.removesuffix("_code"): v for k, v in resolved.codes().items()}
        if rest:
            value["street"] = rest
        if not self._settings(field).show_street and rest:
            raise FieldValueError("address_street_off")
        return self.to_storage(field, value, ctx)

    def to_formula(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        return self.display(field, stored, ctx) if stored is not None else None

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        return region_operand(value)

    def compile_filter(
        self, field: FieldMeta, op: str, operand: Any, target: FilterTarget, ctx: Ctx
    ) -> sa.ColumnElement[bool]:
        col = target.column
        assert col is not None
        if op in ("is_empty", "is_not_empty"):
            return col.is_(None) if op == "is_empty" else col.is_not(None)
        pairs: list[tuple[str, str]] = operand if op in ("in", "not_in") else [operand]
        positive = sa.or_(*(json_text(col, f"{level}_code") == code for level, code in pairs))
        if op in ("eq", "in"):
            return sa.and_(col.is_not(None), positive)
        # "not in Guangdong" keeps empty addresses, as negative operators do elsewhere
        return sa.or_(col.is_(None), sa.not_(sa.func.coalesce(positive, sa.false())))

    def search_condition(
        self, field: FieldMeta, col: sa.ColumnElement[Any], text: str, sqlite: bool
    ) -> sa.ColumnElement[bool] | None:
        """The street text, or a division named by the search text (深圳 finds every
        address in 深圳市)."""
        street = contains_text(col, text, sqlite)
        try:
            level, code = region_operand(text.strip())
        except FieldValueError:
            return street
        return sa.or_(street, json_text(col, f"{level}_code") == code)

    def mask(self, field: FieldMeta, value: Any) -> Any:
        """Province and city stay visible, district and street are hidden."""
        if not isinstance(value, dict):
            return value
        masked = dict(value)
        for key in ("district", "district_code"):
            masked[key] = "****" if masked.get(key) else masked.get(key)
        if masked.get("street"):
            masked["street"] = "****"
        return masked

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        level = {"type": ["string", "null"]}
        return {
            "type": "object",
            "properties": {
                **{k: level for k in sorted(_INPUT_KEYS - {"street"})},
                "street": {"type": ["string", "null"], "maxLength": MAX_STREET},
            },
            "additionalProperties": False,
        }
