"""The record form's live evaluation and the designer's formula check."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api


def _relation(key: str, target: int, **settings: Any) -> dict[str, Any]:
    return {
        "key": key,
        "label": key,
        "type": "relation",
        "settings": {"target_form_id": target, **settings},
    }


def test_evaluate_a_draft(api: Api) -> None:
    lines = {
        "key": "lines",
        "label": "明细",
        "type": "subform",
        "settings": {
            "columns": [
                {"key": "qty", "label": "数量", "type": "number"},
                {"key": "price", "label": "单价", "type": "money"},
                {
                    "key": "subtotal",
                    "label": "小计",
                    "type": "formula",
                    "settings": {"expression": "qty * price"},
                },
            ]
        },
    }
    form = api.make_form(
        [
            {
                "key": "start_date",
                "label": "开始",
                "type": "date",
                "settings": {"default_formula": "DATE(2024,5,1)"},
            },
            {"key": "end_date", "label": "结束", "type": "date"},
            {
                "key": "discount",
                "label": "折扣",
                "type": "percent",
                "settings": {"visible_when": "SUM(lines.subtotal) > 100"},
            },
            {
                "key": "note",
                "label": "备注",
                "type": "text",
                "settings": {"required_when": "discount > 0.1"},
            },
            lines,
            {
                "key": "total",
                "label": "合计",
                "type": "formula",
                "settings": {"expression": "SUM(lines.subtotal) * (1 - discount)"},
            },
            {
                "key": "ratio",
                "label": "比例",
                "type": "formula",
                "settings": {"expression": "total / 0"},
            },
        ],
        "报价",
    )
    fid = form["id"]
    fields = [{k: f[k] for k in ("id", "key", "label", "type", "settings")} for f in form["fields"]]
    rule = {
        "id": "r",
        "expression": "end_date >= start_date",
        "message": "结束不能早于开始",
        "fields": ["end_date"],
    }
    api.ok(api.post(f"/forms/{fid}/publish", {"fields": fields, "layout": [], "rules": [rule]}))
    body = api.ok(api.post(f"/forms/{fid}/records/evaluate", {"data": {}}))
    assert body["defaults"] == {"start_date": "2024-05-01"}
    assert body["values"]["total"] == 0
    assert body["values"]["ratio"] == "#DIV/0!"
    assert body["visible"]["discount"] is False
    draft = {
        "start_date": "2024-05-01",
        "end_date": "2024-04-01",
        "discount": "0.2",
        "lines": [{"qty": 2, "price": 50}, {"qty": 1, "price": "30.5"}],
    }
    body = api.ok(api.post(f"/forms/{fid}/records/evaluate", {"data": draft}))
    assert [r["subtotal"] for r in body["values"]["lines"]] == [100, 30.5]
    assert body["values"]["total"] == 104.4
    assert body["visible"]["discount"] is True
    assert body["required"]["note"] is True
    assert body["errors"] == [
        {"field": "end_date", "code": "form_rule_failed", "message": "结束不能早于开始"}
    ]
    assert body["defaults"] == {}
    # a cell that does not convert yet leaves its row formula empty, not the sub-form
    typing = {**draft, "lines": [{"qty": "2x", "price": 50}, {"qty": 1, "price": 3}]}
    body = api.ok(api.post(f"/forms/{fid}/records/evaluate", {"data": typing}))
    assert [r["subtotal"] for r in body["values"]["lines"]] == [0, 3]
    # nothing was written
    assert api.list(fid)["total"] == 0
    # an existing record: its stored values fill what the draft leaves out
    record = api.create(fid, {"end_date": "2024-06-01", "lines": [{"qty": 1, "price": 7}]})
    body = api.ok(
        api.post(
            f"/forms/{fid}/records/evaluate",
            {"data": {"lines": [{"qty": 3, "price": 7}]}, "record_id": record["id"]},
        )
    )
    assert body["values"]["total"] == 21
    assert body["errors"] == []


def test_formula_check(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "amount", "label": "金额", "type": "money"},
            {
                "key": "tax",
                "label": "税",
                "type": "formula",
                "settings": {"expression": "amount * 0.13"},
            },
        ],
        "订单",
    )
    fid = form["id"]
    api.create(fid, {"amount": 100})
    body = api.ok(api.post(f"/forms/{fid}/formula/check", {"expression": "{金额} + tax"}))
    assert body["kind"] == "number"
    assert body["references"] == ["amount", "tax"]
    assert body["text"] == "amount + tax"
    assert body["sample"]["value"] == 113
    bad = api.post(f"/forms/{fid}/formula/check", {"expression": "amount + nope"})
    assert bad.status_code == 422
    detail = bad.json()["error"]["details"][0]
    assert detail["field"] == "expression" and detail["params"] == {"start": 9, "end": 13}
    # the designer's unpublished fields: a new field is known, a renamed one by its new label
    draft_fields = [
        {"id": form["fields"][0]["id"], "key": "amount", "label": "总金额", "type": "money"},
        {"key": "qty", "label": "数量", "type": "number"},
    ]
    body = api.ok(
        api.post(
            f"/forms/{fid}/formula/check",
            {"expression": "{总金额} * {数量}", "fields": draft_fields},
        )
    )
    assert body["references"] == ["amount", "qty"] and body["sample"] is None
    cycle = api.post(f"/forms/{fid}/formula/check", {"expression": "tax + 1", "field_key": "tax"})
    assert cycle.json()["error"]["details"][0]["code"] == "formula_cycle"
    assert api.post(f"/forms/{fid}/formula/check", {"expression": "TODAY()"}).status_code == 422
    assert (
        api.ok(
            api.post(f"/forms/{fid}/formula/check", {"expression": "TODAY()", "purpose": "default"})
        )["kind"]
        == "date"
    )


def test_evaluate_obeys_permissions(api: Api, make_user: Any) -> None:
    app_id = api.make_app()["id"]
    customers = api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text"},
            {"key": "address", "label": "地址", "type": "text"},
            {"key": "secret", "label": "机密", "type": "text"},
        ],
        "客户",
        app_id,
    )
    cid = customers["id"]
    deals = api.make_form(
        [
            _relation(
                "customer",
                cid,
                fill=[
                    {"target": "addr", "source": "address"},
                    {"target": "note", "source": "secret"},
                ],
            ),
            {"key": "addr", "label": "地址", "type": "text"},
            {"key": "note", "label": "备注", "type": "text"},
            {"key": "cost", "label": "成本", "type": "money"},
            {
                "key": "margin",
                "label": "毛利",
                "type": "formula",
                "settings": {"expression": "100 - cost"},
            },
        ],
        "商机",
        app_id,
    )
    did = deals["id"]
    acme = api.create(cid, {"name": "Acme", "address": "北京市", "secret": "s3cret"})
    body = api.ok(
        api.post(
            f"/forms/{did}/records/evaluate",
            {"data": {"customer": acme["id"]}, "changed": "customer"},
        )
    )
    assert body["fills"] == {"addr": "北京市", "note": "s3cret"}
    bob = make_user("bob")
    deal = api.create(did, {"customer": acme["id"]})
    # bob may not see the admin's deal (new forms: own records only)
    response = bob.post(f"/forms/{did}/records/evaluate", {"data": {}, "record_id": deal["id"]})
    assert response.status_code in (403, 404)
    # bob sees no customer: no fill
    body = bob.ok(
        bob.post(
            f"/forms/{did}/records/evaluate",
            {"data": {"customer": acme["id"]}, "changed": "customer"},
        )
    )
    assert body["fills"] == {}
    api.open_to_everyone(cid)
    api.open_to_everyone(did)
    # hide the secret from bob in the customer form, the cost in the deal form
    for form_id, key in ((cid, "secret"), (did, "cost")):
        group = api.ok(api.get(f"/forms/{form_id}/permission-groups"))["items"][0]
        api.ok(
            api.patch(f"/permission-groups/{group['id']}", {"fields": {key: {"access": "hidden"}}})
        )
    body = bob.ok(
        bob.post(
            f"/forms/{did}/records/evaluate",
            {"data": {"customer": acme["id"], "cost": 40}, "changed": "customer"},
        )
    )
    assert body["fills"] == {"addr": "北京市"}
    # the hidden cost is not read from bob's draft
    assert body["values"]["margin"] == 100
    assert "cost" not in body["visible"] and "cost" not in body["required"]


def test_evaluate_rollup_over_draft_links(api: Api) -> None:
    app_id = api.make_app()["id"]
    products = api.make_form([{"key": "price", "label": "价格", "type": "money"}], "产品", app_id)
    pid = products["id"]
    a, b = (api.create(pid, {"price": p})["id"] for p in (10, "2.5"))
    form = api.make_form(
        [
            _relation("items", pid, multiple=True),
            {
                "key": "total",
                "label": "合计",
                "type": "rollup",
                "settings": {"relation": "items", "aggregate": "sum", "field": "price"},
            },
        ],
        "套餐",
        app_id,
    )
    fid = form["id"]
    body = api.ok(api.post(f"/forms/{fid}/records/evaluate", {"data": {"items": [a, b]}}))
    assert body["values"]["total"] == 12.5
    record = api.create(fid, {"items": [a]})
    assert record["data"]["total"] == 10
    body = api.ok(
        api.post(
            f"/forms/{fid}/records/evaluate", {"data": {"items": [b]}, "record_id": record["id"]}
        )
    )
    assert body["values"]["total"] == 2.5
