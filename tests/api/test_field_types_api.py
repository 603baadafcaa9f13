"""Every field type through the HTTP API, on SQLite and on PostgreSQL.

Valid values are written and read back exactly; invalid ones get a 422 naming the field
and the rule, and nothing is written.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import QiaoError, ValidationFailed
from qiao.org import users
from qiao.records import service
from qiao.runtime import Runtime
from tests.conftest import Api

SHANGHAI = ZoneInfo("Asia/Shanghai")


# ----- helpers -------------------------------------------------------------------------
def body(response: Any) -> Any:
    """The JSON body with numbers that have decimals read as exact Decimals."""
    return json.loads(response.text, parse_float=Decimal)


def details(response: Any) -> list[tuple[str, str]]:
    return [(d["field"], d["code"]) for d in response.json()["error"]["details"]]


def total(api: Api, form_id: int) -> int:
    return int(api.list(form_id)["total"])


def refused(
    api: Api, form_id: int, data: dict[str, Any], field: str, code: str, status: int = 422
) -> dict[str, Any]:
    """POST ``data``; assert the error names ``field`` with ``code`` and nothing was written."""
    before = total(api, form_id)
    response = api.post(f"/forms/{form_id}/records", {"data": data})
    assert response.status_code == status, (data, response.text)
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert (field, code) in details(response), (data, response.text)
    assert total(api, form_id) == before, data
    return dict(error)


def one_field_form(api: Api, type_key: str, settings: dict[str, Any] | None = None) -> int:
    form = api.make_form(
        [{"key": "f", "label": "字段", "type": type_key, "settings": settings or {}}]
    )
    return int(form["id"])


def get_record(api: Api, form_id: int, record_id: int, **params: Any) -> Any:
    response = api.get(f"/forms/{form_id}/records/{record_id}", params=params)
    assert response.status_code == 200, response.text
    return body(response)


def form_table(rt: Runtime, form_id: int, key: str) -> tuple[sa.Table, sa.Column[Any]]:
    form = rt.catalog().form(form_id)
    return form.table, form.column(form.by_key[key])


D = Decimal

# type -> (settings, [(input, value read back)], [(bad input, error code)])
CASES: dict[str, tuple[str, dict[str, Any], list[tuple[Any, Any]], list[tuple[Any, str]]]] = {
    "text": (
        "text",
        {"max_length": 40},
        [
            ("  华为技术  ", "华为技术"),
            (12, "12"),
            (1.5, "1.5"),
            ("", None),
            (None, None),
            ("a" * 40, "a" * 40),
            ("O'Brien'; DROP TABLE qf_1;--", "O'Brien'; DROP TABLE qf_1;--"),
            ("😀 emoji", "😀 emoji"),
        ],
        [
            ("a" * 41, "too_long"),
            ("中" * 41, "too_long"),
            (True, "not_text"),
            ({"a": 1}, "not_text"),
            (["a"], "not_text"),
        ],
    ),
    "textarea": (
        "textarea",
        {},
        [("第一行\n第二行\n", "第一行\n第二行"), ("  x  ", "x"), ("y" * 10000, "y" * 10000)],
        [("y" * 10001, "too_long"), (False, "not_text"), ([], "not_text")],
    ),
    "number": (
        "number",
        {"precision": 2, "min": -1000, "max": 1000000},
        [
            (42, 42),
            (" 42 ", 42),
            ("1,234.565", D("1234.57")),
            ("1.005", D("1.01")),
            (0.1, D("0.1")),
            ("-999.994", D("-999.99")),
            ("1e3", 1000),
            (1000000, 1000000),
            ("", None),
            (None, None),
        ],
        [
            ("abc", "not_number"),
            ("12abc", "not_number"),
            (True, "not_number"),
            ("NaN", "not_number"),
            ("inf", "not_number"),
            ([1], "not_number"),
            ({"v": 1}, "not_number"),
            ("1000000.01", "number_too_large"),
            ("-1000.01", "number_too_small"),
        ],
    ),
    "number_exact": (
        "number",
        {},
        [
            ("123456789012.123456", D("123456789012.123456")),
            ("9223372036854.775807", D("9223372036854.775807")),
            ("-0.000001", D("-0.000001")),
            ("0.3", D("0.3")),
        ],
        [("9223372036854.775808", "number_out_of_range"), ("1e30", "number_out_of_range")],
    ),
    "money": (
        "money",
        {"currency": "CNY"},
        [
            (0.1, D("0.1")),
            ("0.2", D("0.2")),
            ("19.999", 20),
            ("1,000,000.5", D("1000000.5")),
            ("922337203685477.58", D("922337203685477.58")),
            (-12.34, D("-12.34")),
        ],
        [
            ("¥100", "not_number"),
            ("100元", "not_number"),
            (False, "not_number"),
            ("1e15", "number_out_of_range"),
        ],
    ),
    "percent": (
        "percent",
        {},
        [
            ("15.5%", D("0.155")),
            (0.155, D("0.155")),
            ("100%", 1),
            ("12.345%", D("0.1235")),
            ("-3%", D("-0.03")),
        ],
        [("abc%", "not_number"), ("%", "not_number"), (True, "not_number")],
    ),
    "date": (
        "date",
        {},
        [
            ("2024-03-05", "2024-03-05"),
            ("2024-02-29", "2024-02-29"),
            (" 2024-12-31 ", "2024-12-31"),
            ("0001-01-01", "0001-01-01"),
            ("9999-12-31", "9999-12-31"),
            ("", None),
        ],
        [
            ("2024-02-30", "invalid_date"),
            ("2023-02-29", "invalid_date"),
            ("2024-13-01", "invalid_date"),
            ("2024/3/5", "invalid_date"),  # the API takes ISO dates only
            ("2024-03-05T10:00:00", "invalid_date"),
            (20240305, "invalid_date"),
            (True, "invalid_date"),
        ],
    ),
    "datetime": (
        "datetime",
        {},
        [
            ("2024-03-05T09:30:00+08:00", "2024-03-05T09:30:00+08:00"),
            ("2024-03-05T01:30:00Z", "2024-03-05T09:30:00+08:00"),
            ("2024-03-05T01:30:00+00:00", "2024-03-05T09:30:00+08:00"),
            ("2024-03-05T09:30:00", "2024-03-05T09:30:00+08:00"),
            ("2024-03-05 09:30", "2024-03-05T09:30:00+08:00"),
            ("2024-03-05T09:30:00.250000-05:00", "2024-03-05T22:30:00.250000+08:00"),
            ("2024-12-31T20:00:00+00:00", "2025-01-01T04:00:00+08:00"),
        ],
        [
            ("2024-03-05", "invalid_datetime"),
            ("2024-02-30T10:00:00", "invalid_datetime"),
            ("2024-03-05T24:30:00", "invalid_datetime"),
            ("0001-01-01T00:00:00+08:00", "invalid_datetime"),
            ("9999-12-31T23:59:59-08:00", "invalid_datetime"),
            (1709602200, "invalid_datetime"),
            ("tomorrow", "invalid_datetime"),
        ],
    ),
    "boolean": (
        "boolean",
        {},
        [
            (True, True),
            (False, False),
            ("是", True),
            ("否", False),
            (1, True),
            (0, False),
            ("true", True),
            ("FALSE", False),
            (None, None),
        ],
        [("maybe", "not_boolean"), (2, "not_boolean"), (1.5, "not_boolean"), ([], "not_boolean")],
    ),
    "select": (
        "select",
        {"choices": ["A级", "B级", {"label": "C级", "color": "#ff0000"}]},
        [("A级", "A级"), (" B级 ", "B级"), ("C级", "C级"), ("", None), (None, None)],
        [
            ("D级", "invalid_choice"),
            ("a级", "invalid_choice"),
            (1, "invalid_choice"),
            (["A级"], "invalid_choice"),
        ],
    ),
    "multiselect": (
        "multiselect",
        {"choices": ["x", "y", "z"]},
        [(["z", "x"], ["z", "x"]), (["y"], ["y"]), ([], []), (None, [])],
        [
            ("x", "not_list"),
            (["x", "x"], "duplicate_values"),
            (["x", "w"], "invalid_choice"),
            ([1], "invalid_choice"),
        ],
    ),
    "phone": (
        "phone",
        {},
        [
            ("+86 138 1234 5678", "13812345678"),
            ("0086-13812345678", "13812345678"),
            ("138-1234-5678", "13812345678"),
            ("010-12345678", "010-12345678"),
            ("(0755) 8888 6666", "0755-88886666"),
            ("4008001234", "400-800-1234"),
            ("010-12345678转123", "010-12345678-123"),
        ],
        [
            ("123", "invalid_phone"),
            ("12345678", "invalid_phone"),
            ("1381234567", "invalid_phone"),
            ("+1 650 253 0000", "invalid_phone"),
            ("+852 2345 6789", "invalid_phone"),
            ("call me", "invalid_phone"),
            (True, "not_text"),
        ],
    ),
    "email": (
        "email",
        {},
        [("Zhang.San@Example.COM", "zhang.san@example.com"), (" a+b@qq.com ", "a+b@qq.com")],
        [
            ("zhangsan", "invalid_email"),
            ("a@b", "invalid_email"),
            ("a b@example.com", "invalid_email"),
            ("a@example..com", "invalid_email"),
        ],
    ),
    "url": (
        "url",
        {},
        [
            ("www.example.com", "https://www.example.com"),
            ("http://x.cn/a?b=1", "http://x.cn/a?b=1"),
            ("https://例子.中国", "https://例子.中国"),
        ],
        [
            ("ftp://x.com", "invalid_url"),
            ("http://exa mple.com", "invalid_url"),
            ("javascript:alert(1)", "invalid_url"),
            ("mailto:sales@example.com", "invalid_url"),
            ("example", "invalid_url"),
        ],
    ),
    "user": (
        "user",
        {},
        [(None, None), ("", None)],
        [
            ("abc", "user_not_found"),
            (0, "user_not_found"),
            (-5, "user_not_found"),
            (True, "user_not_found"),
            (999999, "user_not_found"),
        ],
    ),
}


# ----- valid and invalid values per type -----------------------------------------------
@pytest.mark.parametrize("case", list(CASES))
def test_values_of_each_type(api: Api, case: str) -> None:
    type_key, settings, valid, invalid = CASES[case]
    fid = one_field_form(api, type_key, settings)

    # valid values are written and read back exactly (create, get, list)
    for value, expected in valid:
        response = api.post(f"/forms/{fid}/records", {"data": {"f": value}})
        assert response.status_code == 201, (value, response.text)
        created = body(response)
        assert created["data"]["f"] == expected, value
        again = get_record(api, fid, created["id"])
        assert again["data"]["f"] == expected, value
        if isinstance(expected, Decimal):
            # digit for digit in the JSON text, not a float approximation
            assert str(expected) in response.text
    page = body(api.get(f"/forms/{fid}/records", params={"sort": "id", "limit": 500}))
    assert page["total"] == len(valid)
    assert [item["data"]["f"] for item in page["items"]] == [e for _, e in valid]

    # invalid values: 422 naming the field and the rule, nothing written or changed
    good = page["items"][0]
    for value, code in invalid:
        refused(api, fid, {"f": value}, "f", code)
        response = api.patch(
            f"/forms/{fid}/records/{good['id']}", {"data": {"f": value}, "version": 1}
        )
        assert response.status_code == 422, (value, response.text)
        assert ("f", code) in details(response)
    after = get_record(api, fid, good["id"])
    assert after["version"] == 1
    assert after["data"]["f"] == valid[0][1]

    # a batch with one bad item writes nothing and names the item
    first_bad = invalid[0]
    response = api.post(
        f"/forms/{fid}/records/bulk",
        {"items": [{"data": {"f": valid[0][0]}}, {"data": {"f": first_bad[0]}}]},
    )
    assert response.status_code == 422, response.text
    assert ("items[1].f", first_bad[1]) in details(response)
    assert total(api, fid) == len(valid)


def test_nan_and_infinity_in_the_json_body_are_refused(api: Api) -> None:
    fid = one_field_form(api, "number")
    for literal in ("NaN", "Infinity", "-Infinity"):
        response = api.client.post(
            f"/api/v1/forms/{fid}/records",
            content='{"data": {"f": ' + literal + "}}",
            headers={**api.headers, "Content-Type": "application/json"},
        )
        assert response.status_code in (400, 422), response.text
        if response.status_code == 422:
            assert ("f", "not_number") in details(response)
    assert total(api, fid) == 0


def test_required_blank_values_are_refused(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text", "required": True},
            {
                "key": "tags",
                "label": "标签",
                "type": "multiselect",
                "required": True,
                "settings": {"choices": ["x"]},
            },
            {"key": "amount", "label": "金额", "type": "money", "required": True},
        ]
    )
    fid = form["id"]
    refused(api, fid, {"tags": ["x"], "amount": 1}, "name", "required")
    refused(api, fid, {"name": "   ", "tags": ["x"], "amount": 1}, "name", "required")
    refused(api, fid, {"name": "a", "tags": [], "amount": 1}, "tags", "required")
    refused(api, fid, {"name": "a", "tags": ["x"], "amount": ""}, "amount", "required")
    response = api.post(f"/forms/{fid}/records", {"data": {}})
    assert response.status_code == 422
    assert {f for f, c in details(response) if c == "required"} == {"name", "tags", "amount"}
    assert api.create(fid, {"name": "a", "tags": ["x"], "amount": 0})["data"]["amount"] == 0


def test_unknown_and_read_only_keys_are_refused(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text"},
            {"key": "no", "label": "编号", "type": "autonumber"},
        ]
    )
    fid = form["id"]
    refused(api, fid, {"name": "a", "nmae": "typo"}, "nmae", "unknown_field")
    refused(api, fid, {"name": "a", "no": "00001"}, "no", "read_only")
    refused(api, fid, {"name": "a", "id": 5}, "id", "read_only")
    refused(
        api, fid, {"name": "a", "created_at": "2024-01-01T00:00:00Z"}, "created_at", "read_only"
    )


def test_every_problem_is_reported_at_once_and_messages_are_localised(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "amount", "label": "金额", "type": "money"},
            {"key": "phone", "label": "电话", "type": "phone"},
            {"key": "signed", "label": "签约日期", "type": "date"},
        ]
    )
    fid = form["id"]
    bad = {"amount": "lots", "phone": "123", "signed": "2024-02-30"}
    response = api.post(f"/forms/{fid}/records", {"data": bad})
    assert response.status_code == 422
    error = response.json()["error"]
    assert sorted(details(response)) == [
        ("amount", "not_number"),
        ("phone", "invalid_phone"),
        ("signed", "invalid_date"),
    ]
    messages = {d["field"]: d["message"] for d in error["details"]}
    assert "金额" in messages["amount"] and "电话" in messages["phone"]
    english = api.post(
        f"/forms/{fid}/records", {"data": bad}, headers={"Accept-Language": "en"}
    ).json()["error"]
    en_messages = {d["field"]: d["message"] for d in english["details"]}
    assert "金额" in en_messages["amount"]  # the label, in an English sentence
    assert en_messages["amount"] != messages["amount"]
    assert total(api, fid) == 0


# ----- numbers and money ---------------------------------------------------------------
def test_money_values_sum_exactly(api: Api, rt: Runtime) -> None:
    fid = one_field_form(api, "money", {"currency": "CNY"})
    amounts = ["0.1", "0.2", "0.7", "1.15", "0.05", "19.99", "0.01"]
    ids = []
    for amount in amounts:
        created = body(api.post(f"/forms/{fid}/records", {"data": {"f": amount}}))
        assert created["data"]["f"] == Decimal(amount)
        ids.append(created["id"])
    page = body(api.get(f"/forms/{fid}/records", params={"sort": "id"}))
    read = [item["data"]["f"] for item in page["items"]]
    assert read == [Decimal(a) for a in amounts]
    assert sum(read) == Decimal("22.20")
    # the database sums exact integers too: no 0.30000000000000004 anywhere
    table, col = form_table(rt, fid, "f")
    with rt.db.read() as conn:
        stored_sum = conn.execute(sa.select(sa.func.sum(col))).scalar_one()
        first_two = conn.execute(
            sa.select(sa.func.sum(col)).where(table.c.id.in_(ids[:2]))
        ).scalar_one()
    assert int(stored_sum) == 222000
    assert Decimal(int(first_two)).scaleb(-4) == Decimal("0.3")
    # sorting and filtering see exact values
    cheap = api.list(fid, filter=json.dumps({"field": "f", "op": "eq", "value": 0.3}))
    assert cheap["total"] == 0
    tenth = api.list(fid, filter=json.dumps({"field": "f", "op": "eq", "value": "0.10"}))
    assert tenth["total"] == 1
    ordered = body(api.get(f"/forms/{fid}/records", params={"sort": "-f", "limit": 3}))
    assert [i["data"]["f"] for i in ordered["items"]] == [D("19.99"), D("1.15"), D("0.7")]


def test_money_field_keeps_its_currency(api: Api) -> None:
    form = api.make_form(
        [{"key": "usd", "label": "美元", "type": "money", "settings": {"currency": "USD"}}]
    )
    assert form["fields"][0]["settings"]["currency"] == "USD"
    assert form["fields"][0]["settings"]["precision"] == 2
    response = api.post(
        f"/apps/{form['app_id']}/forms",
        {
            "name": "坏",
            "fields": [
                {"key": "m", "label": "钱", "type": "money", "settings": {"currency": "rmb"}}
            ],
        },
    )
    assert response.status_code == 422
    assert details(response) == [("fields[0].settings.currency", "field_setting_invalid")]


def test_number_settings_are_checked(api: Api) -> None:
    app = api.make_app()
    for settings, where in (
        ({"min": 10, "max": 1}, "fields[0].settings"),
        ({"precision": 9}, "fields[0].settings.precision"),
        ({"precision": "two"}, "fields[0].settings.precision"),
    ):
        response = api.post(
            f"/apps/{app['id']}/forms",
            {
                "name": "表",
                "fields": [{"key": "n", "label": "数", "type": "number", "settings": settings}],
            },
        )
        assert response.status_code == 422, response.text
        assert [f for f, _ in details(response)] == [where], response.text


# ----- dates and times -----------------------------------------------------------------
def test_datetime_is_stored_as_the_utc_instant(api: Api, rt: Runtime) -> None:
    fid = one_field_form(api, "datetime")
    created = api.create(fid, {"f": "2024-03-05T09:30:00-05:00"})
    assert created["data"]["f"] == "2024-03-05T22:30:00+08:00"
    table, col = form_table(rt, fid, "f")
    with rt.db.read() as conn:
        stored = conn.execute(sa.select(col).where(table.c.id == created["id"])).scalar_one()
    assert stored == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)


def test_datetime_filter_by_day_uses_the_shanghai_day(api: Api) -> None:
    fid = one_field_form(api, "datetime")
    late = api.create(fid, {"f": "2024-03-05T23:30:00+08:00"})  # 15:30 UTC on the 5th
    early = api.create(fid, {"f": "2024-03-06T00:30:00+08:00"})  # 16:30 UTC on the 5th
    on_5th = api.list(fid, filter=json.dumps({"field": "f", "op": "eq", "value": "2024-03-05"}))
    assert [i["id"] for i in on_5th["items"]] == [late["id"]]
    on_6th = api.list(fid, filter=json.dumps({"field": "f", "op": "eq", "value": "2024-03-06"}))
    assert [i["id"] for i in on_6th["items"]] == [early["id"]]
    for edge in ("0001-01-01", "9999-12-31"):
        response = api.get(
            f"/forms/{fid}/records",
            params={"filter": json.dumps({"field": "f", "op": "eq", "value": edge})},
        )
        assert response.status_code == 400, response.text


def test_date_and_datetime_update_round_trip(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "d", "label": "日期", "type": "date"},
            {"key": "t", "label": "时间", "type": "datetime"},
        ]
    )
    fid = form["id"]
    rec = api.create(fid, {"d": "2024-01-31", "t": "2024-01-31T23:59:59+08:00"})
    response = api.patch(
        f"/forms/{fid}/records/{rec['id']}",
        {"data": {"d": "2024-02-29", "t": "2024-02-29T00:00:00Z"}, "version": 1},
    )
    updated = api.ok(response)
    assert updated["data"] == {"d": "2024-02-29", "t": "2024-02-29T08:00:00+08:00"}
    cleared = api.ok(
        api.patch(f"/forms/{fid}/records/{rec['id']}", {"data": {"d": None, "t": ""}, "version": 2})
    )
    assert cleared["data"] == {"d": None, "t": None}


# ----- normalised text types -----------------------------------------------------------
def test_unique_phone_and_email_compare_normalised_values(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "phone", "label": "手机", "type": "phone", "unique": True},
            {"key": "email", "label": "邮箱", "type": "email", "unique": True},
        ]
    )
    fid = form["id"]
    api.create(fid, {"phone": "13812345678", "email": "sales@example.com"})
    refused(api, fid, {"phone": "+86 138-1234-5678"}, "phone", "unique")
    refused(api, fid, {"phone": "0086 13812345678"}, "phone", "unique")
    refused(api, fid, {"email": "Sales@Example.COM"}, "email", "unique")
    api.create(fid, {"phone": "13912345678", "email": "other@example.com"})
    found = api.list(
        fid, filter=json.dumps({"field": "phone", "op": "eq", "value": "+86 139 1234 5678"})
    )
    assert found["total"] == 1


# ----- select and multiselect ----------------------------------------------------------
def choices_of(api: Api, form_id: int, key: str) -> list[dict[str, Any]]:
    form = api.ok(api.get(f"/forms/{form_id}"))
    field = next(f for f in form["fields"] if f["key"] == key)
    return list(field["settings"]["choices"])


def field_id(api: Api, form_id: int, key: str) -> int:
    form = api.ok(api.get(f"/forms/{form_id}"))
    return int(next(f["id"] for f in form["fields"] if f["key"] == key))


def test_select_option_rename_keeps_records_and_shows_the_new_label(api: Api) -> None:
    form = api.make_form(
        [
            {
                "key": "stage",
                "label": "阶段",
                "type": "select",
                "settings": {"choices": ["潜在", "意向", "成交"]},
            },
            {
                "key": "tags",
                "label": "标签",
                "type": "multiselect",
                "settings": {"choices": ["重要", "老客户"]},
            },
        ]
    )
    fid = form["id"]
    rec = api.create(fid, {"stage": "意向", "tags": ["老客户", "重要"]})
    stage = choices_of(api, fid, "stage")
    assert [c["label"] for c in stage] == ["潜在", "意向", "成交"]
    assert all(c["id"] and c["color"] and not c["archived"] for c in stage)
    renamed = [dict(c, label="商机") if c["label"] == "意向" else c for c in stage]
    response = api.patch(
        f"/forms/{fid}/fields/{field_id(api, fid, 'stage')}", {"settings": {"choices": renamed}}
    )
    api.ok(response)
    tags = [
        dict(c, label="VIP") if c["label"] == "重要" else c for c in choices_of(api, fid, "tags")
    ]
    api.ok(
        api.patch(
            f"/forms/{fid}/fields/{field_id(api, fid, 'tags')}", {"settings": {"choices": tags}}
        )
    )

    again = get_record(api, fid, rec["id"])
    assert again["data"] == {"stage": "商机", "tags": ["老客户", "VIP"]}
    assert again["version"] == 1  # no record was touched
    # the new label is what is written and filtered now; the old one is unknown
    refused(api, fid, {"stage": "意向"}, "stage", "invalid_choice")
    refused(api, fid, {"tags": ["重要"]}, "tags", "invalid_choice")
    assert api.create(fid, {"stage": "商机", "tags": ["VIP"]})["data"]["stage"] == "商机"
    hits = api.list(fid, filter=json.dumps({"field": "stage", "op": "eq", "value": "商机"}))
    assert hits["total"] == 2
    hits = api.list(fid, filter=json.dumps({"field": "tags", "op": "contains", "value": "VIP"}))
    assert hits["total"] == 2


def test_removed_options_stay_displayable_but_cannot_be_chosen(api: Api) -> None:
    form = api.make_form(
        [
            {
                "key": "level",
                "label": "等级",
                "type": "select",
                "settings": {"choices": ["A", "B", "C"]},
            },
            {
                "key": "tags",
                "label": "标签",
                "type": "multiselect",
                "settings": {"choices": ["x", "y"]},
            },
        ]
    )
    fid = form["id"]
    rec = api.create(fid, {"level": "C", "tags": ["x", "y"]})
    api.ok(
        api.patch(
            f"/forms/{fid}/fields/{field_id(api, fid, 'level')}",
            {"settings": {"choices": ["A", "B"]}},
        )
    )
    api.ok(
        api.patch(
            f"/forms/{fid}/fields/{field_id(api, fid, 'tags')}", {"settings": {"choices": ["x"]}}
        )
    )
    level = choices_of(api, fid, "level")
    assert [(c["label"], c["archived"]) for c in level] == [("A", False), ("B", False), ("C", True)]
    assert get_record(api, fid, rec["id"])["data"] == {"level": "C", "tags": ["x", "y"]}
    refused(api, fid, {"level": "C"}, "level", "invalid_choice")
    refused(api, fid, {"tags": ["y"]}, "tags", "invalid_choice")
    # the record keeps its value when other fields change, and can move to a live option
    updated = api.ok(
        api.patch(f"/forms/{fid}/records/{rec['id']}", {"data": {"tags": ["x"]}, "version": 1})
    )
    assert updated["data"] == {"level": "C", "tags": ["x"]}
    moved = api.ok(
        api.patch(f"/forms/{fid}/records/{rec['id']}", {"data": {"level": "A"}, "version": 2})
    )
    assert moved["data"]["level"] == "A"


def test_duplicate_option_labels_are_refused(api: Api) -> None:
    app = api.make_app()
    for type_key in ("select", "multiselect"):
        response = api.post(
            f"/apps/{app['id']}/forms",
            {
                "name": "表",
                "fields": [
                    {
                        "key": "s",
                        "label": "选",
                        "type": type_key,
                        "settings": {"choices": ["A", " A"]},
                    }
                ],
            },
        )
        assert response.status_code == 422, response.text
        assert details(response)[0][1] == "field_setting_invalid"
    fid = one_field_form(api, "select", {"choices": ["A", "B"]})
    response = api.patch(
        f"/forms/{fid}/fields/{field_id(api, fid, 'f')}", {"settings": {"choices": ["A", "A"]}}
    )
    assert response.status_code == 422, response.text
    assert [c["label"] for c in choices_of(api, fid, "f")] == ["A", "B"]


# ----- user ----------------------------------------------------------------------------
def test_user_field_accepts_active_members_only(
    api: Api, rt: Runtime, make_user: Callable[..., Api]
) -> None:
    fid = one_field_form(api, "user")
    me = api.ok(api.get("/auth/me"))["user"]
    colleague = make_user("colleague").get("/auth/me").json()["user"]
    leaver = make_user("leaver").get("/auth/me").json()["user"]
    assert api.create(fid, {"f": me["id"]})["data"]["f"] == me["id"]
    kept = api.create(fid, {"f": str(colleague["id"])})
    assert kept["data"]["f"] == colleague["id"]
    rt.db.write(
        lambda c: c.execute(
            sa.update(schema.users).where(schema.users.c.id == leaver["id"]).values(is_active=False)
        )
    )
    refused(api, fid, {"f": leaver["id"]}, "f", "user_not_found")
    refused(api, fid, {"f": 987654}, "f", "user_not_found")
    refused(api, fid, {"f": "nobody"}, "f", "user_not_found")
    bulk = api.post(
        f"/forms/{fid}/records/bulk",
        {"items": [{"data": {"f": me["id"]}}, {"data": {"f": leaver["id"]}}]},
    )
    assert bulk.status_code == 422
    assert details(bulk) == [("items[1].f", "user_not_found")]
    response = api.patch(
        f"/forms/{fid}/records/{kept['id']}", {"data": {"f": leaver["id"]}, "version": 1}
    )
    assert response.status_code == 422
    assert get_record(api, fid, kept["id"])["data"]["f"] == colleague["id"]
    assert total(api, fid) == 2


# ----- relation ------------------------------------------------------------------------
def relation_forms(api: Api, **settings: Any) -> tuple[int, int, list[int]]:
    """A customers form with three records and a contacts form linking to it."""
    app = api.make_app()
    customers = api.make_form([{"key": "name", "label": "名称", "type": "text"}], "客户", app["id"])
    ids = [api.create(customers["id"], {"name": n})["id"] for n in ("甲", "乙", "丙")]
    contacts = api.make_form(
        [
            {"key": "name", "label": "姓名", "type": "text"},
            {
                "key": "customer",
                "label": "客户",
                "type": "relation",
                "settings": {"target_form_id": customers["id"], **settings},
            },
        ],
        "联系人",
        app["id"],
    )
    return customers["id"], contacts["id"], ids


def test_relation_single_valid_and_invalid_ids(api: Api) -> None:
    customers, contacts, (a, b, c) = relation_forms(api)
    rec = api.create(contacts, {"name": "张三", "customer": a})
    assert rec["data"]["customer"] == a
    assert api.create(contacts, {"name": "李四", "customer": str(b)})["data"]["customer"] == b
    assert api.create(contacts, {"name": "王五", "customer": None})["data"]["customer"] is None
    refused(api, contacts, {"customer": 424242}, "customer", "related_record_not_found")
    refused(api, contacts, {"customer": [a, b]}, "customer", "relation_single_value")
    refused(api, contacts, {"customer": "甲"}, "customer", "not_record_id")
    refused(api, contacts, {"customer": 0}, "customer", "not_record_id")
    # a record in the recycle bin cannot be linked
    assert api.delete(f"/forms/{customers}/records/{c}").status_code == 204
    refused(api, contacts, {"customer": c}, "customer", "related_record_not_found")
    hits = api.list(contacts, filter=json.dumps({"field": "customer", "op": "eq", "value": a}))
    assert [i["id"] for i in hits["items"]] == [rec["id"]]


def test_relation_multiple_valid_and_invalid_ids(api: Api) -> None:
    _, contacts, (a, b, c) = relation_forms(api, multiple=True)
    rec = api.create(contacts, {"name": "张三", "customer": [c, a]})
    assert rec["data"]["customer"] == [c, a]
    assert api.create(contacts, {"name": "李四", "customer": b})["data"]["customer"] == [b]
    assert api.create(contacts, {"name": "王五"})["data"]["customer"] == []
    error = refused(
        api, contacts, {"customer": [a, 999999]}, "customer", "related_record_not_found"
    )
    assert "999999" in error["details"][0]["message"]
    refused(api, contacts, {"customer": [a, a]}, "customer", "duplicate_values")
    refused(api, contacts, {"customer": [a, "x"]}, "customer", "not_record_id")
    updated = api.ok(
        api.patch(
            f"/forms/{contacts}/records/{rec['id']}", {"data": {"customer": [b]}, "version": 1}
        )
    )
    assert updated["data"]["customer"] == [b]
    hits = api.list(
        contacts, filter=json.dumps({"field": "customer", "op": "contains", "value": b})
    )
    assert hits["total"] == 2


@pytest.mark.parametrize("multiple", [False, True])
def test_relation_restrict_refuses_deleting_a_linked_record(api: Api, multiple: bool) -> None:
    customers, contacts, (a, b, _) = relation_forms(api, multiple=multiple, on_delete="restrict")
    value: Any = [a] if multiple else a
    link = api.create(contacts, {"name": "张三", "customer": value})
    response = api.delete(f"/forms/{customers}/records/{a}")
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "record_referenced"
    bulk = api.post(f"/forms/{customers}/records/bulk-delete", {"ids": [a, b]})
    assert bulk.status_code == 409
    assert total(api, customers) == 3  # nothing deleted, not even b
    assert get_record(api, contacts, link["id"])["data"]["customer"] == value
    # an unlinked record can go; once the link is removed, so can a
    assert api.delete(f"/forms/{customers}/records/{b}").status_code == 204
    api.ok(
        api.patch(
            f"/forms/{contacts}/records/{link['id']}",
            {"data": {"customer": [] if multiple else None}, "version": 1},
        )
    )
    assert api.delete(f"/forms/{customers}/records/{a}").status_code == 204


@pytest.mark.parametrize("multiple", [False, True])
def test_relation_nullify_removes_the_link(api: Api, multiple: bool) -> None:
    customers, contacts, (a, b, _) = relation_forms(api, multiple=multiple, on_delete="nullify")
    first = api.create(contacts, {"name": "张三", "customer": [a, b] if multiple else a})
    second = api.create(contacts, {"name": "李四", "customer": [b] if multiple else b})
    assert api.delete(f"/forms/{customers}/records/{a}").status_code == 204
    assert total(api, customers) == 2
    expected_first: Any = [b] if multiple else None
    expected_second: Any = [b] if multiple else b
    assert get_record(api, contacts, first["id"])["data"]["customer"] == expected_first
    assert get_record(api, contacts, second["id"])["data"]["customer"] == expected_second
    # the deleted record cannot be linked again
    refused(
        api, contacts, {"customer": [a] if multiple else a}, "customer", "related_record_not_found"
    )


def test_relation_target_form_must_exist(api: Api) -> None:
    app = api.make_app()
    response = api.post(
        f"/apps/{app['id']}/forms",
        {
            "name": "联系人",
            "fields": [
                {
                    "key": "c",
                    "label": "客户",
                    "type": "relation",
                    "settings": {"target_form_id": 9999},
                }
            ],
        },
    )
    assert response.status_code == 422, response.text
    assert details(response) == [("fields[0].settings.target_form_id", "relation_target_invalid")]


# ----- autonumber ----------------------------------------------------------------------
def numbers(api: Api, form_id: int, key: str = "no") -> list[str]:
    items = api.list(form_id, sort="id", limit=500)["items"]
    return [i["data"][key] for i in items]


def test_autonumber_pattern_uses_the_shanghai_month(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text"},
            {
                "key": "no",
                "label": "编号",
                "type": "autonumber",
                "settings": {"pattern": "KH-{YYYY}{MM}-{0000}"},
            },
        ]
    )
    fid = form["id"]
    assert form["fields"][1]["unique"] is True
    before = datetime.now(SHANGHAI).strftime("%Y%m")
    made = [api.create(fid, {"name": f"客户{i}"})["data"]["no"] for i in range(3)]
    after = datetime.now(SHANGHAI).strftime("%Y%m")
    if before == after:  # else the month turned over between the calls
        assert made == [f"KH-{before}-0001", f"KH-{before}-0002", f"KH-{before}-0003"]
    assert (
        api.list(fid, filter=json.dumps({"field": "no", "op": "eq", "value": made[1]}))["total"]
        == 1
    )


def test_autonumber_pattern_is_validated(api: Api) -> None:
    app = api.make_app()
    for pattern in ("KH-{YYYY}", "{000}-{00}", ""):
        response = api.post(
            f"/apps/{app['id']}/forms",
            {
                "name": "表",
                "fields": [
                    {
                        "key": "no",
                        "label": "编号",
                        "type": "autonumber",
                        "settings": {"pattern": pattern},
                    }
                ],
            },
        )
        assert response.status_code == 422, response.text
        assert details(response) == [("fields[0].settings.pattern", "field_setting_invalid")]


def test_autonumber_failed_creates_consume_no_number(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "code", "label": "代码", "type": "text", "unique": True},
            {"key": "manager", "label": "负责人", "type": "user"},
            {"key": "no", "label": "编号", "type": "autonumber", "settings": {"pattern": "{000}"}},
        ]
    )
    fid = form["id"]
    assert api.create(fid, {"code": "a"})["data"]["no"] == "001"
    refused(api, fid, {"code": "b", "manager": "x"}, "manager", "user_not_found")  # refused early
    refused(api, fid, {"code": "b", "manager": 987654}, "manager", "user_not_found")  # in the db
    refused(api, fid, {"code": "a"}, "code", "unique")  # in the db, inside the transaction
    bulk = api.post(
        f"/forms/{fid}/records/bulk",
        {"items": [{"data": {"code": "c"}}, {"data": {"code": "a"}}]},
    )
    assert bulk.status_code == 422
    assert api.create(fid, {"code": "b"})["data"]["no"] == "002"
    created = api.ok(
        api.post(
            f"/forms/{fid}/records/bulk",
            {"items": [{"data": {"code": "c"}}, {"data": {"code": "d"}}]},
        ),
        201,
    )
    assert created["count"] == 2
    assert api.create(fid, {"code": "e"})["data"]["no"] == "005"
    assert numbers(api, fid) == ["001", "002", "003", "004", "005"]
    # deleting does not free a number: the next one is still new
    assert api.delete(f"/forms/{fid}/records/{created['ids'][0]}").status_code == 204
    assert api.create(fid, {"code": "f"})["data"]["no"] == "006"


def test_autonumber_period_restarts_in_the_org_zone(rt: Runtime, ctx: Ctx, api: Api) -> None:
    form = api.make_form(
        [
            {
                "key": "no",
                "label": "编号",
                "type": "autonumber",
                "settings": {"pattern": "KH-{YYYY}{MM}-{0000}"},
            }
        ]
    )
    fid = form["id"]

    def at(moment: datetime) -> Ctx:
        return Ctx(user=ctx.user, tz=ctx.tz, clock=lambda: moment)

    march_end = at(datetime(2024, 3, 31, 15, 59, tzinfo=UTC))  # 23:59 in Shanghai
    april = at(datetime(2024, 3, 31, 16, 0, tzinfo=UTC))  # 00:00 on April 1st in Shanghai
    assert service.create_record(rt, march_end, fid, {})["data"]["no"] == "KH-202403-0001"
    assert service.create_record(rt, march_end, fid, {})["data"]["no"] == "KH-202403-0002"
    assert service.create_record(rt, april, fid, {})["data"]["no"] == "KH-202404-0001"
    bulk = service.bulk_create(rt, april, fid, [{"data": {}}, {"data": {}}])
    assert bulk["count"] == 2
    assert service.create_record(rt, march_end, fid, {})["data"]["no"] == "KH-202403-0003"
    assert numbers(api, fid) == [
        "KH-202403-0001",
        "KH-202403-0002",
        "KH-202404-0001",
        "KH-202404-0002",
        "KH-202404-0003",
        "KH-202403-0003",
    ]


def test_autonumber_is_gap_free_and_unique_under_concurrency(
    rt: Runtime, ctx: Ctx, api: Api, admin: users.User
) -> None:
    form = api.make_form(
        [
            {"key": "code", "label": "代码", "type": "text", "unique": True},
            {"key": "manager", "label": "负责人", "type": "user"},
            {
                "key": "no",
                "label": "编号",
                "type": "autonumber",
                "settings": {"pattern": "{00000}"},
            },
        ]
    )
    fid = form["id"]
    threads, rounds = 8, 5
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    crashes: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(rounds):
                attempts: list[tuple[Callable[..., Any], Any]] = [
                    (service.create_record, {"code": f"t{n}-{i}"}),
                    # refused inside the transaction: must not take a number
                    (service.create_record, {"code": f"x{n}-{i}", "manager": 987654}),
                    # every thread races for the same unique value: one wins
                    (service.create_record, {"code": f"same-{i}"}),
                    (service.bulk_create, [{"data": {"code": f"b{n}-{i}-{k}"}} for k in range(3)]),
                ]
                for write, data in attempts:
                    try:
                        write(rt, ctx, fid, data)
                        result = "ok"
                    except ValidationFailed as exc:
                        result = ",".join(sorted(d.code for d in exc.details))
                    except QiaoError as exc:  # pragma: no cover - reported below
                        result = f"error:{exc.code}"
                    with lock:
                        outcomes.append(result)
        except BaseException as exc:  # pragma: no cover - reported below
            crashes.append(exc)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    assert not crashes, crashes
    assert not [o for o in outcomes if o.startswith("error:")], outcomes
    assert outcomes.count("user_not_found") == threads * rounds
    assert outcomes.count("unique") == (threads - 1) * rounds
    expected = threads * rounds * (1 + 3) + rounds  # singles + bulks + race winners
    assert total(api, fid) == expected
    got = sorted(numbers(api, fid))
    assert got == [f"{n:05d}" for n in range(1, expected + 1)]
    # the counter continues right after, with no number lost
    assert (
        service.create_record(rt, ctx, fid, {"code": "last"})["data"]["no"] == f"{expected + 1:05d}"
    )


def test_autonumber_backfills_existing_records_when_added(api: Api) -> None:
    form = api.make_form([{"key": "name", "label": "名称", "type": "text"}])
    fid = form["id"]
    ids = [api.create(fid, {"name": n})["id"] for n in ("甲", "乙", "丙", "丁")]
    assert api.delete(f"/forms/{fid}/records/{ids[1]}").status_code == 204
    added = api.ok(
        api.post(
            f"/forms/{fid}/fields",
            {"key": "no", "label": "编号", "type": "autonumber", "settings": {"pattern": "C{000}"}},
        ),
        201,
    )
    assert added["type"] == "autonumber"
    live = {i["id"]: i["data"]["no"] for i in api.list(fid, sort="id")["items"]}
    trashed = get_record(api, fid, ids[1], trashed="true")
    assert live == {ids[0]: "C001", ids[2]: "C003", ids[3]: "C004"}  # in creation order
    assert trashed["data"]["no"] == "C002"
    new = api.create(fid, {"name": "戊"})
    assert new["data"]["no"] == "C005"
    # restoring the trashed record keeps its number, and all numbers stay unique
    api.ok(api.post(f"/forms/{fid}/records/{ids[1]}/restore"))
    assert sorted(numbers(api, fid)) == ["C001", "C002", "C003", "C004", "C005"]
