"""The write path's fast paths (plain URLs, whole and short decimals, cached field types,
cached address look-ups, per-form field lists) answer exactly as the general code does."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from qiao.data import regions
from qiao.errors import FieldValueError
from qiao.forms.fields import address, phone
from qiao.forms.fields._decimal import DecimalSettings, parse_decimal
from qiao.forms.fields.base import registry
from qiao.forms.fields.money import MoneySettings
from qiao.forms.fields.percent import PercentSettings
from qiao.forms.fields.url import UrlType, _checked
from qiao.forms.model import FieldMeta, FormMeta
from qiao.records import values


def _outcome(fn: Any, *args: Any) -> str:
    try:
        return repr(fn(*args))
    except FieldValueError as exc:
        return f"error:{exc.code}:{exc.params}"


def _field(ftype: str, settings: Any = None, key: str = "k", fid: int = 1) -> FieldMeta:
    settings = settings if settings is not None else registry.get(ftype).settings_model()
    return FieldMeta(fid, 1, key, key.upper(), ftype, settings, f"c{fid}")


def _urls(rng: random.Random) -> list[str]:
    pieces = ["http", "https", "HTTPS", "ftp", "://", ":/", "www", "example", ".", "com", "cn",
              "-", "_", ":", "8080", "99999", "/", "?", "#", "a=1", "@", "user", "[", "]",
              "::1", "例子", "localhost", "1.2.3.4", " ", "\x01", "%20", "mailto:"]  # fmt: skip
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 9))) for _ in range(20000)]


def test_url_fast_path_matches_urlsplit_check() -> None:
    ftype = registry.get("url")
    assert isinstance(ftype, UrlType)
    fm = _field("url")
    rng = random.Random(20261201)
    fast = 0
    for text in [*_urls(rng), "www.example.com", "https://a.b/c?d#e", "HTTP://X.CN:80"]:
        expected = _outcome(_checked, text)
        assert _outcome(ftype.normalize, fm, text) == expected, text
        fast += not expected.startswith("error")
    assert fast > 500


@pytest.mark.parametrize(
    ("ftype", "settings"),
    [
        ("number", DecimalSettings()),
        ("number", DecimalSettings(precision=0)),
        ("number", DecimalSettings(precision=2)),
        ("money", MoneySettings()),
        ("money", MoneySettings(precision=0)),
        ("percent", PercentSettings()),
        ("percent", PercentSettings(precision=1)),
    ],
)
def test_decimal_to_json_fast_path_matches_rounding(ftype: str, settings: Any) -> None:
    kind = registry.get(ftype)
    fm = _field(ftype, settings)
    rng = random.Random(7)
    unit = 10**kind.scale  # type: ignore[attr-defined]
    stored = [0, 1, -1, unit, -unit, 2**63 - 1, -(2**63) + 1, unit // 2, -unit // 2]
    for _ in range(3000):
        magnitude = rng.choice([1, 10, 100, unit // 100 or 1, unit, unit * 1000, 10**18])
        stored.append(rng.randrange(-magnitude * 10, magnitude * 10))
        stored.append(rng.randrange(-1000, 1000) * rng.choice([1, 10, 100, 1000, unit]))
    for value in stored:
        number = kind.to_decimal(fm, value)  # type: ignore[attr-defined]
        expected = int(number) if number == number.to_integral_value() else number.normalize()
        got = kind.to_json(fm, value, None)  # type: ignore[arg-type]
        assert (type(got), str(got)) == (type(expected), str(expected)), value


def test_parse_decimal_digits_fast_path() -> None:
    for text in ["0", "007", "12345678901234567890", " 42 ", "1" * 40]:
        assert repr(parse_decimal(text)) == repr(Decimal(text.strip()))
    assert parse_decimal("１２") == 12  # other digits go the general way, as before
    for text in ["²", "", "1,2"]:
        with pytest.raises(FieldValueError):
            parse_decimal(text)


def test_phone_other_types_alternation_matches_each_pattern() -> None:
    rng = random.Random(3)
    for _ in range(20000):
        nsn = rng.choice("1234589") + "".join(
            rng.choice("0123456789") for _ in range(rng.randint(6, 11))
        )
        expected = any(p.fullmatch(nsn) for p in phone._OTHER_TYPES)
        assert bool(phone._OTHER_TYPE.fullmatch(nsn)) == expected, nsn


def test_field_type_is_cached_and_follows_type_changes() -> None:
    fm = _field("text")
    assert fm.ftype is registry.get("text")
    assert fm.ftype is fm.ftype
    fm.type = "textarea"
    assert fm.ftype is registry.get("textarea")


def test_address_cached_resolution_and_json() -> None:
    ftype = registry.get("address")
    fm = _field("address", address.AddressSettings())
    value = {"province": "广东", "city": "深圳市", "district": "南山区", "street": "科技园"}
    first = ftype.to_storage(fm, value, None)  # type: ignore[arg-type]
    again = ftype.to_storage(fm, dict(value), None)  # type: ignore[arg-type]
    assert first == again
    codes = json.loads(first)
    plain = regions.normalize("广东", "深圳市", "南山区")
    assert codes == {**plain.codes(), "street": "科技园"}
    shown = ftype.to_json(fm, first, None)  # type: ignore[arg-type]
    shown_again = ftype.to_json(fm, first, None)  # type: ignore[arg-type]
    assert shown == shown_again and shown is not shown_again  # callers may change theirs
    assert shown["district"] == plain.district.name  # type: ignore[union-attr]
    assert shown["street"] == "科技园"
    odd = json.dumps({"province_code": ["x"], "city_code": 4403, "district_code": None})
    assert ftype.to_json(fm, odd, None)["province_code"] is None  # type: ignore[arg-type]
    with pytest.raises(FieldValueError) as exc:
        ftype.to_storage(fm, {"province": "广东", "city": "杭州"}, None)  # type: ignore[arg-type]
    assert exc.value.code == "address_city_mismatch"


def _form(fields: list[FieldMeta]) -> FormMeta:
    now = datetime.now(UTC)
    return FormMeta(1, 1, "f", "", "qf_1", 0, {}, now, now, None, None, fields=fields)


def test_prepare_reports_keys_and_fields_in_order() -> None:
    fields = [
        _field("text", key="a", fid=1),
        _field("autonumber", key="n", fid=2),
        _field("number", key="b", fid=3),
    ]
    fields[0].required = True
    form = _form(fields)
    assert [f.key for f in form.writable_fields] == ["a", "b"]
    stored, errors = values.prepare(form, {"b": "1.5", "a": " x "}, None, partial=False)  # type: ignore[arg-type]
    assert (stored, errors) == ({1: "x", 3: 1500000}, [])
    stored, errors = values.prepare(
        form,
        {"zz": 1, "n": "7", "b": "x", 5: 1, "id": 3},
        None,  # type: ignore[arg-type]
        partial=False,
        prefix="rows[2].",
    )
    assert stored == {}
    assert [(e.field, e.code) for e in errors] == [
        ("rows[2].zz", "unknown_field"),
        ("rows[2].n", "read_only"),
        ("rows[2].5", "unknown_field"),
        ("rows[2].id", "read_only"),
        ("rows[2].a", "required"),
        ("rows[2].b", "not_number"),
    ]
    stored, errors = values.prepare(form, {"b": "2"}, None, partial=True)  # type: ignore[arg-type]
    assert (stored, errors) == ({3: 2000000}, [])
