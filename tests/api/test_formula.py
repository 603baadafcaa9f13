"""The designer's formula endpoints: the function library and sample evaluation."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

FIELDS = [
    {"key": "qty", "label": "数量", "kind": "number"},
    {"key": "price", "label": "单价", "kind": "number"},
    {"key": "start", "label": "开始", "kind": "date"},
    {"key": "lines.amount", "label": "金额", "kind": "number", "many": True},
]


def test_function_library_in_the_callers_language(api: Api, make_user: Any) -> None:
    items = api.ok(api.get("/formula/functions"))["items"]
    by_name = {f["name"]: f for f in items}
    assert len(items) >= 80
    assert by_name["ROUND"]["signature"] == "ROUND(number, digits)"
    assert by_name["ROUND"]["category"] == "math"
    assert by_name["ROUND"]["summary"].startswith("四舍五入")
    assert {"formula": "ROUND(2.345, 2)", "result": "2.35"} in by_name["ROUND"]["examples"]
    english = make_user("eve", locale="en")
    items = english.ok(english.get("/formula/functions"))["items"]
    assert {f["name"]: f for f in items}["ROUND"]["summary"].startswith("Rounds")


def test_evaluate_a_formula_on_sample_values(api: Api) -> None:
    body = {
        "formula": "IF({数量}*{单价} > 1000, ROUND({数量}*{单价}*0.95, 2), {数量}*{单价})",
        "fields": FIELDS,
        "values": {"qty": 30, "price": "39.9"},
    }
    result = api.ok(api.post("/formula/evaluate", body))
    assert result["kind"] == "number"
    assert result["value"] == 1137.15 and result["display"] == "1137.15"
    assert result["text"] == "IF(qty*price > 1000, ROUND(qty*price*0.95, 2), qty*price)"
    assert result["references"] == ["price", "qty"]
    assert not result["error"]

    dated = {"formula": "start + 30", "fields": FIELDS, "values": {"start": "2024-02-01"}}
    assert api.ok(api.post("/formula/evaluate", dated))["value"] == "2024-03-02"
    total = {"formula": "SUM(lines.amount)", "fields": FIELDS, "values": {"lines.amount": [1.5, 2]}}
    assert api.ok(api.post("/formula/evaluate", total))["display"] == "3.5"
    error = {"formula": "qty/0", "fields": FIELDS, "values": {}}
    assert api.ok(api.post("/formula/evaluate", error))["display"] == "#DIV/0!"
    odd = api.post(
        "/formula/evaluate",
        content=b'{"formula": "qty > 1", "fields": [], "values": {"qty": NaN}}',
        headers={"Content-Type": "application/json"},
    )
    assert odd.status_code in (200, 422), odd.text
    nested = {"formula": "qty", "fields": FIELDS, "values": {"qty": {"a": 1}}}
    assert api.post("/formula/evaluate", nested).status_code == 422


def test_problems_come_back_localised_with_positions(api: Api, make_user: Any) -> None:
    body = {"formula": "qty + nope + FOO(1)", "fields": FIELDS, "values": {}}
    response = api.post("/formula/evaluate", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "formula_invalid"
    assert [(d["code"], d["start"], d["end"]) for d in error["details"]] == [
        ("formula_unknown_field", 6, 10),
        ("formula_unknown_function", 13, 16),
    ]
    assert error["details"][0]["message"] == "未知字段：nope"
    english = make_user("eve", locale="en")
    response = english.post("/formula/evaluate", {"formula": "ROUND(1", "fields": []})
    detail = response.json()["error"]["details"][0]
    assert detail["code"] == "formula_unclosed_paren" and detail["start"] == 7
    assert "closing parenthesis" in detail["message"]


def test_the_endpoints_need_a_logged_in_user(client: Any) -> None:
    assert client.get("/api/v1/formula/functions").status_code == 401
    response = client.post("/api/v1/formula/evaluate", json={"formula": "1+1"})
    assert response.status_code == 401
