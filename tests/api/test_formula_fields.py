"""Formula, lookup and rollup fields: computed on save, kept current when what they read
changes (related records, sub-form rows), checked at design time (unknown fields,
cycles), refused as input, and recomputed in the background over large forms."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api


def _num(name: str, label: str | None = None, **settings: Any) -> dict[str, Any]:
    return {"key": name, "label": label or name, "type": "number", "settings": settings}


def _formula(key: str, expression: str, **settings: Any) -> dict[str, Any]:
    return {
        "key": key,
        "label": key,
        "type": "formula",
        "settings": {"expression": expression, **settings},
    }


def test_formula_computed_on_create_and_update(api: Api) -> None:
    app_id = api.make_app()["id"]
    form = api.make_form(
        [
            _num("qty", "数量"),
            _num("price", "单价"),
            _formula("amount", "{数量} * {单价}"),
            _formula("label", 'IF(amount > 100, "大单", "小单")'),
            _formula("ratio", "qty / price"),
        ],
        "订单",
        app_id,
    )
    by_key = {f["key"]: f for f in form["fields"]}
    assert by_key["amount"]["settings"]["kind"] == "number"
    assert by_key["amount"]["settings"]["expression"] == "{数量} * {单价}"
    assert by_key["label"]["settings"]["kind"] == "text"
    record = api.create(form["id"], {"qty": 3, "price": 50})
    assert record["data"]["amount"] == 150
    assert record["data"]["label"] == "大单"
    assert record["data"]["ratio"] == pytest.approx(0.06)
    updated = api.ok(
        api.patch(
            f"/forms/{form['id']}/records/{record['id']}",
            {"data": {"price": 0}, "version": record["version"]},
        )
    )
    assert updated["data"]["amount"] == 0
    assert updated["data"]["label"] == "小单"
    assert updated["data"]["ratio"] is None  # #DIV/0! is stored as empty
    listed = api.list(form["id"], filter='{"field":"amount","op":"gte","value":0}')
    assert listed["total"] == 1


def test_computed_values_are_read_only(api: Api) -> None:
    app_id = api.make_app()["id"]
    form = api.make_form([_num("a"), _formula("b", "a + 1")], "F", app_id)
    response = api.post(f"/forms/{form['id']}/records", {"data": {"a": 1, "b": 5}})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "b"
    assert response.json()["error"]["details"][0]["code"] == "read_only"


def test_formula_errors_at_design_time(api: Api) -> None:
    app_id = api.make_app()["id"]
    form = api.make_form([_num("a")], "F", app_id)
    response = api.post(
        f"/forms/{form['id']}/fields",
        {"label": "x", "type": "formula", "settings": {"expression": "a + nope"}},
    )
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["field"] == "settings.expression"
    assert detail["params"]["start"] == 4
    response = api.post(
        f"/forms/{form['id']}/fields",
        {"label": "x", "type": "formula", "settings": {"expression": "TODAY()"}},
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["code"] == "formula_volatile_stored"


def test_cycle_refused_at_publish(api: Api) -> None:
    app_id = api.make_app()["id"]
    form = api.make_form([_num("a"), _formula("b", "a + 1")], "F", app_id)
    fields = form["fields"]
    body = {
        "fields": [
            {**_formula("a2", "b * 2"), "ref": "n1"},
            {"id": fields[0]["id"], **_num("a")},
            {"id": fields[1]["id"], **_formula("b", "a2 + 1")},
        ],
        "layout": [],
    }
    response = api.post(f"/forms/{form['id']}/publish", body)
    assert response.status_code == 422, response.json()
    detail = response.json()["error"]["details"][0]
    assert detail["code"] == "formula_cycle"
    assert detail["field"] in ("fields[0].settings.expression", "fields[2].settings.expression")
    assert "a2 → b → a2" in detail["message"] or "b → a2 → b" in detail["message"]
