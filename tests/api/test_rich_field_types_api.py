"""The rich field types through the HTTP API, on SQLite and on PostgreSQL: idcard, rating,
richtext, location (with the distance filter) and address (with region filters), and
GET /regions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Api

FIELDS = [
    {"key": "name", "label": "名称", "type": "text"},
    {"key": "idno", "label": "身份证", "type": "idcard", "unique": True},
    {"key": "stars", "label": "评分", "type": "rating", "settings": {"max": 5}},
    {"key": "notes", "label": "备注", "type": "richtext"},
    {"key": "spot", "label": "位置", "type": "location"},
    {"key": "addr", "label": "地址", "type": "address"},
]

CITIES = {
    "beijing": (39.9042, 116.4074),
    "tianjin": (39.0842, 117.2009),  # ~114 km from Beijing
    "shanghai": (31.2304, 121.4737),  # ~1067 km from Beijing
    "guangzhou": (23.1291, 113.2644),  # ~1890 km from Beijing
}


@pytest.fixture
def form_id(api: Api) -> int:
    return int(api.make_form(FIELDS, name="拜访")["id"])


def query(api: Api, form_id: int, filter_: Any, **params: Any) -> Any:
    return api.get(
        f"/forms/{form_id}/records",
        params={"filter": json.dumps(filter_, ensure_ascii=False), **params},
    )


def names(api: Api, form_id: int, filter_: Any) -> list[str]:
    response = query(api, form_id, filter_)
    assert response.status_code == 200, response.text
    return sorted(r["data"]["name"] for r in response.json()["items"])


def details(response: Any) -> list[tuple[str, str]]:
    return [(d["field"], d["code"]) for d in response.json()["error"]["details"]]


def test_create_read_update(api: Api, form_id: int) -> None:
    record = api.create(
        form_id,
        {
            "name": "a",
            "idno": "11010519491231002x",
            "stars": 4,
            "notes": '<p onclick="x()">见面<script>alert(1)</script><a href="javascript:1">链</a></p>',
            "spot": {"lat": 22.5431, "lng": 114.0579, "address": "深圳市民中心", "accuracy": 8},
            "addr": {"province": "广东", "city": "深圳", "district": "南山区", "street": "科技园"},
        },
    )
    data = record["data"]
    assert data["idno"] == "11010519491231002X"
    assert data["stars"] == 4
    assert data["notes"] == '<p>见面<a rel="noopener noreferrer">链</a></p>'
    assert data["spot"] == {"lat": 22.5431, "lng": 114.0579, "address": "深圳市民中心",
                            "accuracy": 8.0}  # fmt: skip
    assert data["addr"] == {
        "province_code": "440000", "province": "广东省", "city_code": "440300",
        "city": "深圳市", "district_code": "440305", "district": "南山区", "street": "科技园",
    }  # fmt: skip
    # the JSON form of an address is accepted back as it is (a client's round trip)
    updated = api.ok(
        api.patch(
            f"/forms/{form_id}/records/{record['id']}",
            {
                "data": {"stars": 2, "addr": data["addr"] | {"street": "深南大道"}},
                "version": record["version"],
            },
        )
    )
    assert updated["data"]["stars"] == 2
    assert updated["data"]["addr"]["street"] == "深南大道"
    again = api.ok(api.get(f"/forms/{form_id}/records/{record['id']}"))
    assert again["data"]["addr"]["district"] == "南山区"


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"idno": "110105194912310021"}, "idno", "idcard_checksum"),
        ({"idno": "110105190002290012"}, "idno", "idcard_birthday"),
        ({"idno": "320311770706001"}, "idno", "idcard_15_not_allowed"),
        ({"stars": 6}, "stars", "rating_range"),
        ({"stars": 0}, "stars", "rating_range"),
        ({"spot": {"lat": 95, "lng": 1}}, "spot", "location_lat"),
        ({"spot": {"lat": 1, "lng": -200}}, "spot", "location_lng"),
        ({"addr": {"province": "广东", "city": "杭州"}}, "addr", "address_city_mismatch"),
        ({"addr": {"province": "火星"}}, "addr", "address_province_unknown"),
    ],
)
def test_invalid_values_are_refused_with_a_localised_message(
    api: Api, form_id: int, data: dict[str, Any], field: str, code: str
) -> None:
    response = api.post(f"/forms/{form_id}/records", {"data": {"name": "x", **data}})
    assert response.status_code == 422, response.text
    assert (field, code) in details(response)
    message = response.json()["error"]["details"][0]["message"]
    assert "{" not in message and code not in message
    en = api.post(
        f"/forms/{form_id}/records",
        {"data": {"name": "x", **data}},
        headers={"Accept-Language": "en"},
    )
    assert en.json()["error"]["details"][0]["message"] != message
    assert api.list(form_id)["total"] == 0


def test_address_error_names_the_level(api: Api, form_id: int) -> None:
    response = api.post(
        f"/forms/{form_id}/records",
        {"data": {"addr": {"province": "广东", "city": "深圳", "district": "西湖区"}}},
    )
    message = response.json()["error"]["details"][0]["message"]
    assert message == "「地址」的区县「西湖区」不属于「深圳市」"


def test_idcard_is_unique_across_spellings(api: Api, form_id: int) -> None:
    api.create(form_id, {"name": "a", "idno": "11010519491231002X"})
    response = api.post(
        f"/forms/{form_id}/records", {"data": {"name": "b", "idno": "110105 19491231 002x"}}
    )
    assert response.status_code == 422, response.text
    assert ("idno", "unique") in details(response)


def seed(api: Api, form_id: int) -> None:
    rows = [
        ("beijing", "11010519491231002X", 5, "<p>重点<b>客户</b></p>", {"province": "北京",
         "district": "朝阳区", "street": "建国路"}),
        ("tianjin", "440305199001010018", 3, "<p>普通</p>", {"province": "天津"}),
        ("shanghai", None, 1, None, {"district": "310115"}),
        ("guangzhou", None, None, "<p>重点跟进</p>", {"province": "广东", "city": "广州"}),
        ("shenzhen", None, 4, None, {"province": "广东", "city": "深圳", "district": "南山区"}),
        ("nowhere", None, None, None, None),
    ]  # fmt: skip
    for name, idno, stars, notes, addr in rows:
        lat_lng = CITIES.get(name)
        spot = {"lat": lat_lng[0], "lng": lat_lng[1]} if lat_lng else None
        api.create(form_id, {"name": name, "idno": idno, "stars": stars, "notes": notes,
                             "spot": spot, "addr": addr})  # fmt: skip


def test_filters(api: Api, form_id: int) -> None:
    seed(api, form_id)
    bj = {"lat": CITIES["beijing"][0], "lng": CITIES["beijing"][1]}
    # distance: Tianjin is ~114 km from Beijing, Shanghai ~1067 km
    assert names(api, form_id, {"field": "spot", "op": "within_km", "value": bj | {"km": 50}}) == [
        "beijing"
    ]
    assert names(api, form_id, {"field": "spot", "op": "within_km", "value": bj | {"km": 120}}) == [
        "beijing",
        "tianjin",
    ]
    assert names(
        api, form_id, {"field": "spot", "op": "within_km", "value": bj | {"km": 1100}}
    ) == ["beijing", "shanghai", "tianjin"]
    assert names(
        api, form_id, {"field": "spot", "op": "within_km", "value": bj | {"km": 1000}}
    ) == ["beijing", "tianjin"]
    assert names(api, form_id, {"field": "spot", "op": "is_empty"}) == ["nowhere", "shenzhen"]
    # combined with other conditions and negated
    assert names(
        api,
        form_id,
        {"not": {"field": "spot", "op": "within_km", "value": bj | {"km": 120}}},
    ) == ["guangzhou", "nowhere", "shanghai", "shenzhen"]
    # address: by province, city, district, by name or code
    assert names(api, form_id, {"field": "addr", "op": "eq", "value": {"province": "44"}}) == [
        "guangzhou",
        "shenzhen",
    ]
    assert names(api, form_id, {"field": "addr", "op": "eq", "value": {"city": "深圳市"}}) == [
        "shenzhen"
    ]
    assert names(
        api,
        form_id,
        {"field": "addr", "op": "eq", "value": {"province": "北京", "district": "朝阳"}},
    ) == ["beijing"]
    assert names(
        api, form_id, {"field": "addr", "op": "in", "value": ["110000", {"district": "浦东新区"}]}
    ) == ["beijing", "shanghai"]
    assert names(api, form_id, {"field": "addr", "op": "ne", "value": {"province": "广东"}}) == [
        "beijing",
        "nowhere",
        "shanghai",
        "tianjin",
    ]
    assert names(api, form_id, {"field": "addr", "op": "not_in", "value": ["44", "11"]}) == [
        "nowhere",
        "shanghai",
        "tianjin",
    ]
    assert names(api, form_id, {"field": "addr", "op": "is_empty"}) == ["nowhere"]
    # rating: number operators
    assert names(api, form_id, {"field": "stars", "op": "gte", "value": 4}) == [
        "beijing",
        "shenzhen",
    ]
    assert names(api, form_id, {"field": "stars", "op": "between", "value": [1, 3]}) == [
        "shanghai",
        "tianjin",
    ]
    # richtext: contains on the text, not on the tags
    assert names(api, form_id, {"field": "notes", "op": "contains", "value": "重点"}) == [
        "beijing",
        "guangzhou",
    ]
    assert names(api, form_id, {"field": "notes", "op": "not_contains", "value": "重点"}) == [
        "nowhere",
        "shanghai",
        "shenzhen",
        "tianjin",
    ]
    # idcard: text operators
    assert names(api, form_id, {"field": "idno", "op": "starts_with", "value": "110105"}) == [
        "beijing"
    ]
    assert names(api, form_id, {"field": "idno", "op": "eq", "value": "11010519491231002x"}) == [
        "beijing"
    ]


def test_quick_search_and_sort(api: Api, form_id: int) -> None:
    seed(api, form_id)
    found = api.list(form_id, q="深圳")["items"]
    assert [r["data"]["name"] for r in found] == ["shenzhen"]
    found = api.list(form_id, q="建国路")["items"]
    assert [r["data"]["name"] for r in found] == ["beijing"]
    found = api.list(form_id, q="跟进")["items"]
    assert [r["data"]["name"] for r in found] == ["guangzhou"]
    by_stars = api.list(form_id, sort="-stars")["items"]
    assert [r["data"]["name"] for r in by_stars][:3] == ["beijing", "shenzhen", "tianjin"]


@pytest.mark.parametrize(
    ("filter_", "field", "code"),
    [
        ({"field": "spot", "op": "within_km", "value": {"lat": 1, "lng": 2}}, "spot",
         "location_filter_shape"),
        ({"field": "spot", "op": "within_km", "value": "39,116"}, "spot", "filter_value_object"),
        ({"field": "spot", "op": "within_km", "value": {"lat": 1, "lng": 2, "km": -1}}, "spot",
         "location_filter_km"),
        ({"field": "spot", "op": "eq", "value": 1}, "spot", "filter_unsupported_op"),
        ({"field": "addr", "op": "eq", "value": {"province": "火星"}}, "addr",
         "address_province_unknown"),
        ({"field": "addr", "op": "in", "value": ["火星"]}, "addr", "address_filter_value"),
        ({"field": "notes", "op": "eq", "value": "x"}, "notes", "filter_unsupported_op"),
        ({"field": "stars", "op": "gt", "value": "many"}, "stars", "rating_not_integer"),
    ],
)  # fmt: skip
def test_bad_filters(
    api: Api, form_id: int, filter_: dict[str, Any], field: str, code: str
) -> None:
    response = query(api, form_id, filter_)
    assert response.status_code == 400, response.text
    assert (field, code) in details(response)


def test_field_types_list_the_new_operators(api: Api) -> None:
    types = {t["type"]: t for t in api.ok(api.get("/field-types"))["items"]}
    ops = {t: {o["op"]: o["arity"] for o in types[t]["operators"]} for t in types}
    assert ops["location"]["within_km"] == "object"
    assert ops["address"]["eq"] == "object" and ops["address"]["in"] == "list"
    assert "contains" not in ops["idcard"]


def test_regions_endpoint(api: Api, client: Any) -> None:
    response = client.get("/api/v1/regions")  # no sign-in needed
    assert response.status_code == 200
    tree = response.json()
    assert len(tree) == 31 and tree[0] == tree[0] | {"c": "110000", "n": "北京市"}
    etag = response.headers["etag"]
    assert "max-age" in response.headers["cache-control"]
    again = client.get("/api/v1/regions", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
