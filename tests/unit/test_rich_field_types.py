"""The rich field types without a database: idcard, rating, richtext, location, address,
and the GB/T 2260 region look-ups they use."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from qiao.data import regions
from qiao.errors import FieldValueError
from qiao.forms.fields.idcard import birthday, check_char, gender, normalize_idcard, upgrade_15
from qiao.forms.fields.location import distance_km
from qiao.forms.fields.richtext import html_to_text, sanitize_html
from tests.unit.test_field_types import CTX, make_field


def store(type_key: str, value: Any, **settings: Any) -> Any:
    fm = make_field(type_key, **settings)
    return fm.ftype.to_storage(fm, value, CTX)


def error(type_key: str, value: Any, **settings: Any) -> tuple[str, dict[str, Any]]:
    with pytest.raises(FieldValueError) as info:
        store(type_key, value, **settings)
    return info.value.code, info.value.params


def as_json(type_key: str, value: Any, **settings: Any) -> Any:
    fm = make_field(type_key, **settings)
    return fm.ftype.to_json(fm, fm.ftype.to_storage(fm, value, CTX), CTX)


def display(type_key: str, value: Any, **settings: Any) -> str:
    fm = make_field(type_key, **settings)
    return fm.ftype.display(fm, fm.ftype.to_storage(fm, value, CTX), CTX)


# ----- idcard --------------------------------------------------------------------------
def test_check_character_matches_the_standard_example() -> None:
    assert check_char("11010519491231002") == "X"
    assert check_char("44030519900101001") == "8"


@pytest.mark.parametrize(
    "text",
    ["11010519491231002X", "11010519491231002x", "110105 19491231 002X", "110105-19491231-002x"],
)
def test_idcard_normalises_case_and_separators(text: str) -> None:
    assert store("idcard", text) == "11010519491231002X"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("110105194912310021", "idcard_checksum"),  # last digit wrong
        ("110105194912310020", "idcard_checksum"),
        ("11010519491231002Y", "idcard_format"),
        ("1101051949123100", "idcard_format"),  # 16 digits
        ("X10105194912310021", "idcard_format"),
        ("110105190002290012", "idcard_birthday"),  # 1900 was not a leap year
        ("110105202302290015", "idcard_birthday"),  # nor 2023
        ("110105199013010011", "idcard_birthday"),  # month 13
        ("110105189912310018", "idcard_birthday"),  # before 1900
        ("110105299001010013", "idcard_birthday"),  # in the future
        ("320311770706001", "idcard_15_not_allowed"),
    ],
)
def test_idcard_refuses(text: str, code: str) -> None:
    assert error("idcard", text)[0] == code


def test_a_leap_day_is_a_birthday() -> None:
    first17 = "11010520000229001"
    assert store("idcard", first17 + check_char(first17)) == first17 + check_char(first17)


def test_fifteen_digits_become_eighteen_when_allowed() -> None:
    stored = store("idcard", "320311770706001", allow_15=True)
    assert (
        stored
        == upgrade_15("320311770706001")
        == "32031119770706001" + check_char("32031119770706001")
    )
    assert birthday(stored) == date(1977, 7, 6)
    assert gender(stored) == "male"


def test_birthday_and_gender() -> None:
    assert birthday("11010519491231002X") == date(1949, 12, 31)
    assert gender("11010519491231002X") == "female"  # 17th digit 2 is even
    assert gender("440305199001010018") == "male"


def test_idcard_masks_with_the_shared_mask() -> None:
    fm = make_field("idcard")
    assert fm.ftype.mask(fm, "11010519491231002X") == "110***********002X"


def test_idcard_prefix_filter_operand() -> None:
    fm = make_field("idcard")
    assert fm.ftype.filter_operand(fm, "starts_with", "110105", CTX) == "110105"
    with pytest.raises(FieldValueError):
        fm.ftype.filter_operand(fm, "starts_with", "11a", CTX)


def test_normalize_idcard_honours_today() -> None:
    with pytest.raises(FieldValueError):
        normalize_idcard("110101199003074477", today=date(1990, 3, 6))
    assert normalize_idcard("110101199003074477", today=date(1990, 3, 7))


# ----- rating --------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "stored"), [(1, 1), (5, 5), ("3", 3), (4.0, 4), (None, None)])
def test_rating_accepts(value: Any, stored: Any) -> None:
    assert store("rating", value) == stored


@pytest.mark.parametrize(
    ("value", "code"),
    [(0, "rating_range"), (6, "rating_range"), (-1, "rating_range"), (2.5, "rating_not_integer"),
     (True, "rating_not_integer"), ("three", "rating_not_integer")],
)  # fmt: skip
def test_rating_refuses(value: Any, code: str) -> None:
    assert error("rating", value)[0] == code


def test_rating_max_setting() -> None:
    assert store("rating", 10, max=10) == 10
    assert error("rating", 4, max=3) == ("rating_range", {"max": 3})
    for bad in (2, 11):
        with pytest.raises(ValidationError):
            make_field("rating", max=bad)


def test_rating_display_and_back() -> None:
    assert display("rating", 3) == "★★★☆☆"
    assert display("rating", 3, style="fraction", max=10) == "3/10"
    fm = make_field("rating")
    assert fm.ftype.from_text(fm, "★★★★☆", CTX) == 4
    assert fm.ftype.from_text(fm, "2/5", CTX) == 2


# ----- richtext ------------------------------------------------------------------------
XSS = [
    ("<p>hi<script>alert(1)</script></p>", "<p>hi</p>"),
    ('<img src=x onerror="alert(1)">ok', "ok"),
    ('<p onclick="steal()">a</p>', "<p>a</p>"),
    ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
    ('<a href=" JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
    ('<a href="data:text/html,<script>1</script>">x</a>', '<a rel="noopener noreferrer">x</a>'),
    ('<p style="background:url(javascript:alert(1))">s</p>', "<p>s</p>"),
    ('<span style="color:red" class="c">t</span>', "t"),
    ("<style>p{display:none}</style><p>v</p>", "<p>v</p>"),
    ('<iframe src="https://evil.example"></iframe>x', "x"),
    ("<svg onload=alert(1)><circle/></svg>y", "y"),
    ('<img src="data:image/png;base64,iVBOR">z', "z"),
    ('<img src="https://tracker.example/p.gif">w', "w"),
    ("<!-- hidden --><b>b</b>", "<b>b</b>"),
    ('<form action="/x"><input name="a"></form>f', "f"),
]


@pytest.mark.parametrize(("dirty", "clean"), XSS)
def test_richtext_strips_xss(dirty: str, clean: str) -> None:
    assert store("richtext", dirty) == clean


def test_richtext_keeps_business_markup() -> None:
    markup = (
        "<h2>报价说明</h2><p><strong>粗</strong><em>斜</em><u>下划线</u><s>删除</s><br></p>"
        "<ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引用</blockquote>"
        "<pre><code>x = 1</code></pre>"
        '<table><thead><tr><th>a</th></tr></thead><tbody><tr><td colspan="2">1</td></tr>'
        "</tbody></table>"
        '<p><a href="https://example.com" rel="noopener noreferrer">链接</a>'
        '<a href="mailto:a@b.cn" rel="noopener noreferrer">邮件</a>'
        '<img src="/api/v1/files/abc123" alt="图"></p>'
    )
    assert sanitize_html(markup) == markup


def test_richtext_turns_editor_divs_into_paragraphs() -> None:
    assert store("richtext", "重点<div>下周<b>报价</b></div>") == "重点<p>下周<b>报价</b></p>"


def test_richtext_empty_editor_is_no_value() -> None:
    assert store("richtext", "<p><br></p>") is None
    assert store("richtext", "<script>x</script>") is None


def test_richtext_length_counts_the_sanitised_html() -> None:
    padding = "<script>" + "x" * 500 + "</script>"
    assert store("richtext", padding + "<p>ok</p>", max_length=100) == "<p>ok</p>"
    assert error("richtext", "<p>" + "长" * 200 + "</p>", max_length=100)[0] == "too_long"


def test_richtext_display_is_plain_text() -> None:
    assert display("richtext", "<h1>T</h1><p>a &amp; b<br>c</p><ul><li>x</li></ul>") == (
        "T\na & b\nc\nx"
    )
    assert html_to_text("<p>&lt;script&gt;</p>") == "<script>"
    fm = make_field("richtext")
    assert fm.ftype.from_text(fm, "a<b>\nline 2", CTX) == "<p>a&lt;b&gt;</p><p>line 2</p>"


# ----- location ------------------------------------------------------------------------
def test_location_round_trip() -> None:
    value = {"lat": 22.5431, "lng": 114.0579, "address": " 深圳市民中心 ", "accuracy": 12.34}
    assert as_json("location", value) == {
        "lat": 22.5431, "lng": 114.0579, "address": "深圳市民中心", "accuracy": 12.3,
    }  # fmt: skip
    assert as_json("location", "39.9042, 116.4074") == {"lat": 39.9042, "lng": 116.4074}
    assert display("location", {"lat": 1, "lng": 2, "address": "x"}) == "x (1.000000,2.000000)"
    fm = make_field("location")
    stored = fm.ftype.from_text(fm, "x (1.000000,2.000000)", CTX)
    assert json.loads(stored) == {"lat": 1.0, "lng": 2.0, "address": "x"}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ({"lat": 90.0001, "lng": 0}, "location_lat"),
        ({"lat": -91, "lng": 0}, "location_lat"),
        ({"lat": 0, "lng": 180.5}, "location_lng"),
        ({"lat": 0, "lng": -181}, "location_lng"),
        ({"lat": "north", "lng": 0}, "location_lat"),
        ({"lat": float("nan"), "lng": 0}, "location_lat"),
        ({"lat": True, "lng": 0}, "location_lat"),
        ({"lat": 1}, "location_shape"),
        ({"lat": 1, "lng": 2, "height": 3}, "location_shape"),
        ([1, 2], "location_shape"),
        ({"lat": 1, "lng": 2, "accuracy": -1}, "location_accuracy"),
        ({"lat": 1, "lng": 2, "address": "x" * 501}, "location_address"),
    ],
)
def test_location_refuses(value: Any, code: str) -> None:
    assert error("location", value)[0] == code


def test_location_bounds_are_inclusive() -> None:
    assert as_json("location", {"lat": 90, "lng": -180}) == {"lat": 90.0, "lng": -180.0}


def test_distance_operand_and_its_accuracy() -> None:
    fm = make_field("location")
    lat, lng, dlat, dlng, cos0 = fm.ftype.filter_operand(
        fm, "within_km", {"lat": 39.9042, "lng": 116.4074, "km": 111.32}, CTX
    )
    assert (lat, lng, dlat) == (39.9042, 116.4074, 1.0)
    assert dlng == pytest.approx(1 / cos0)
    # the approximation against the great circle, Beijing -> Tianjin and -> Shanghai
    for (la, ln), km in [((39.0842, 117.2009), 113.8), ((31.2304, 121.4737), 1067.3)]:
        assert distance_km(39.9042, 116.4074, la, ln) == pytest.approx(km, abs=0.1)
    for bad, code in [
        ({"lat": 0, "lng": 0}, "location_filter_shape"),
        ({"lat": 0, "lng": 0, "km": 0}, "location_filter_km"),
        ({"lat": 0, "lng": 0, "km": 6000}, "location_filter_km"),
        ({"lat": 89.9, "lng": 0, "km": 100}, "location_filter_wraps"),
        ({"lat": 0, "lng": 179.9, "km": 100}, "location_filter_wraps"),
    ]:
        with pytest.raises(FieldValueError) as info:
            fm.ftype.filter_operand(fm, "within_km", bad, CTX)
        assert info.value.code == code


def test_json_helpers_compile_for_both_engines() -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    from qiao.db.dialect import json_number, json_text

    col = sa.table("t", sa.column("c")).c.c
    expr = sa.and_(json_number(col, "lat") > 1, json_text(col, "city_code") == "440300")
    lite = str(expr.compile(dialect=sqlite.dialect()))
    pg = str(expr.compile(dialect=postgresql.dialect()))
    assert "json_extract(t.c, '$.' || ?)" in lite
    assert "CAST((CAST(t.c AS JSONB) ->>" in pg and "AS DOUBLE PRECISION" in pg
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(
                json_number(sa.literal('{"lat": 2.5}'), "lat"),
                json_text(sa.literal('{"p": "x"}'), "p"),
                json_text(sa.literal('{"p": "x"}'), "q"),
            )
        ).one()
    assert tuple(row) == (2.5, "x", None)


# ----- regions -------------------------------------------------------------------------
def test_region_lookups_by_code() -> None:
    for code in ("44", "440000"):
        region = regions.by_code(code)
        assert region is not None and region.name == "广东省" and region.level == "province"
    shenzhen = regions.by_code("4403")
    assert shenzhen is not None and shenzhen.name == "深圳市" and shenzhen.parent == "440000"
    assert regions.by_code("999999") is None and regions.by_code("abc") is None
    assert len(regions.children()) == 31
    assert "440305" in [r.code for r in regions.children("440300")]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("广东省", "深圳市", "南山区"), "440305"),
        (("广东", "深圳", "南山"), "440305"),
        (("44", "4403", "440305"), "440305"),
        ((None, None, "440305"), "440305"),
        (("广西", "南宁", None), "450100"),
        (("广西壮族自治区", None, None), "450000"),
        (("内蒙古", None, None), "150000"),
        (("北京市", "北京市", "朝阳区"), "110105"),
        (("北京", None, "朝阳区"), "110105"),
        ((None, "深圳市", None), "440300"),
    ],
)
def test_region_normalisation(args: tuple[Any, Any, Any], expected: str) -> None:
    resolved = regions.normalize(*args)
    deepest = resolved.district or resolved.city or resolved.province
    assert deepest is not None and deepest.code == expected
    assert resolved.province is not None  # the upper levels are always filled in


@pytest.mark.parametrize(
    ("args", "level", "reason"),
    [
        (("火星省", None, None), "province", "unknown"),
        (("广东", "杭州市", None), "city", "mismatch"),
        (("广东", "深圳", "西湖区"), "district", "mismatch"),
        ((None, None, "朝阳区"), "district", "ambiguous"),  # 北京 and 长春 both have one
        (("44", "3301", None), "city", "mismatch"),
        (("440300", None, None), "province", "unknown"),  # a city code as the province
    ],
)
def test_region_errors_name_the_level(args: tuple[Any, Any, Any], level: str, reason: str) -> None:
    with pytest.raises(regions.RegionError) as info:
        regions.normalize(*args)
    assert (info.value.level, info.value.reason) == (level, reason)


def test_full_name_leaves_out_placeholder_cities() -> None:
    assert regions.full_name(regions.normalize(district="110105")) == "北京市朝阳区"
    assert regions.full_name(regions.normalize(district="440305")) == "广东省深圳市南山区"


@pytest.mark.parametrize(
    ("text", "name", "rest"),
    [
        ("广东省深圳市南山区 科技园南区", "广东省深圳市南山区", "科技园南区"),
        ("深圳市南山区科技园", "广东省深圳市南山区", "科技园"),
        ("北京市北京市朝阳区建国路", "北京市朝阳区", "建国路"),
        ("上海浦东新区世纪大道", "上海市浦东新区", "世纪大道"),
        ("无法识别的地址", "", "无法识别的地址"),
    ],
)
def test_split_address(text: str, name: str, rest: str) -> None:
    resolved, remainder = regions.split_address(text)
    assert (regions.full_name(resolved), remainder) == (name, rest)


def test_tree_json_is_compact_and_complete() -> None:
    tree = json.loads(regions.tree_json())
    guangdong = next(p for p in tree if p["c"] == "440000")
    shenzhen = next(c for c in guangdong["s"] if c["n"] == "深圳市")
    assert {"c": "440305", "n": "南山区"} in shenzhen["s"]
    dongguan = next(c for c in guangdong["s"] if c["n"] == "东莞市")
    assert "s" not in dongguan  # no county level (its towns are not in GB/T 2260)


# ----- address -------------------------------------------------------------------------
def test_address_stores_codes_and_returns_names() -> None:
    value = {"province": "广东", "city": "深圳市", "district": "南山区", "street": " 科技园 "}
    stored = store("address", value)
    assert json.loads(stored) == {
        "province_code": "440000", "city_code": "440300", "district_code": "440305",
        "street": "科技园",
    }  # fmt: skip
    assert as_json("address", value) == {
        "province_code": "440000", "province": "广东省", "city_code": "440300",
        "city": "深圳市", "district_code": "440305", "district": "南山区", "street": "科技园",
    }  # fmt: skip
    assert display("address", value) == "广东省深圳市南山区 科技园"
    assert display("address", {"district_code": "110105"}) == "北京市朝阳区"


@pytest.mark.parametrize(
    ("value", "settings", "code"),
    [
        ({"province": "火星"}, {}, "address_province_unknown"),
        ({"province": "广东", "city": "杭州"}, {}, "address_city_mismatch"),
        ({"district": "朝阳区"}, {}, "address_district_ambiguous"),
        ({"province": "广东", "city": "深圳", "district": "南山"}, {"level": "city"},
         "address_too_detailed"),
        ({"province": "广东", "street": "x"}, {"show_street": False}, "address_street_off"),
        ({"province": "广东", "street": "x" * 201}, {}, "address_street"),
        ({"country": "CN"}, {}, "address_shape"),
        ({"province": 44.0}, {}, "address_shape"),
    ],
)  # fmt: skip
def test_address_refuses(value: Any, settings: dict[str, Any], code: str) -> None:
    assert error("address", value, **settings)[0] == code


def test_address_error_params_name_the_parent() -> None:
    assert error("address", {"province": "广东", "city": "杭州"}) == (
        "address_city_mismatch",
        {"value": "杭州", "parent": "广东省"},
    )


def test_address_from_text_and_filter_operands() -> None:
    fm = make_field("address")
    stored = fm.ftype.from_text(fm, "广东省深圳市南山区 科技园", CTX)
    assert json.loads(stored)["street"] == "科技园"
    operand = fm.ftype.filter_operand
    assert operand(fm, "eq", {"province": "44"}, CTX) == ("province", "440000")
    assert operand(fm, "eq", {"province": "广东", "city": "深圳"}, CTX) == ("city", "440300")
    assert operand(fm, "in", "440305", CTX) == ("district", "440305")
    assert operand(fm, "in", "深圳市", CTX) == ("city", "440300")
    with pytest.raises(FieldValueError):  # 深圳 and 鹤岗 both have a 南山区
        operand(fm, "in", "南山区", CTX)
    with pytest.raises(FieldValueError):
        operand(fm, "eq", {"town": "x"}, CTX)
    with pytest.raises(FieldValueError):
        operand(fm, "eq", "火星", CTX)


def test_address_mask_keeps_province_and_city() -> None:
    fm = make_field("address")
    value = as_json("address", {"district": "440305", "street": "科技园"})
    masked = fm.ftype.mask(fm, value)
    assert masked["province"] == "广东省" and masked["city"] == "深圳市"
    assert masked["district"] == "****" and masked["street"] == "****"


def test_what_formulas_see() -> None:
    from decimal import Decimal

    for type_key, value, expected in [
        ("rating", 4, Decimal(4)),
        ("richtext", "<p>a &amp; <b>b</b></p><p>c</p>", "a & b\nc"),
        ("address", {"district": "440305", "street": "科技园"}, "广东省深圳市南山区 科技园"),
        ("idcard", "11010519491231002x", "11010519491231002X"),
    ]:
        fm = make_field(type_key)
        stored = fm.ftype.to_storage(fm, value, CTX)
        assert fm.ftype.to_formula(fm, stored, CTX) == expected
    fm = make_field("address")
    stored = fm.ftype.from_formula(fm, "广东省深圳市南山区 科技园", CTX)
    assert json.loads(stored)["district_code"] == "440305"
