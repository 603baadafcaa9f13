"""Related records (relation fields pointing at a form) and the forms' navigation order."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api


def test_related_lists_live_relation_fields(api: Api, make_user: Any) -> None:
    app_id = api.make_app()["id"]
    customers = api.make_form([{"key": "name", "label": "名称", "type": "text"}], "客户", app_id)
    cid = customers["id"]
    deals = api.make_form(
        [
            {
                "key": "customer",
                "label": "客户",
                "type": "relation",
                "settings": {"target_form_id": cid},
            },
            {
                "key": "partners",
                "label": "伙伴",
                "type": "relation",
                "settings": {"target_form_id": cid, "multiple": True},
            },
        ],
        "商机",
        app_id,
    )
    other = api.make_form(
        [{"key": "c", "label": "客户", "type": "relation", "settings": {"target_form_id": cid}}],
        "合同",
        app_id,
    )
    api.ok(api.delete(f"/forms/{other['id']}"), 204)
    bob = make_user("bob")
    items = bob.ok(bob.get(f"/forms/{cid}/related"))["items"]
    by_key = {i["field_key"]: i for i in items}
    assert set(by_key) == {"customer", "partners"}
    assert by_key["customer"] == {
        "form_id": deals["id"],
        "form_name": "商机",
        "app_id": app_id,
        "field_id": deals["fields"][0]["id"],
        "field_key": "customer",
        "field_label": "客户",
        "multiple": False,
    }
    assert by_key["partners"]["multiple"] is True
    assert api.ok(api.get(f"/forms/{deals['id']}/related"))["items"] == []
    assert api.get("/forms/999999/related").status_code == 404


def test_form_order_and_groups(api: Api, make_user: Any) -> None:
    app_id = api.make_app()["id"]
    ids = [api.make_form([], name, app_id)["id"] for name in ("A", "B", "C")]
    body = {
        "items": [
            {"id": ids[2], "group": "销售"},
            {"id": ids[0], "group": "销售"},
            {"id": ids[1], "group": None},
        ]
    }
    app = api.ok(api.put(f"/apps/{app_id}/forms/order", body))
    assert [(f["id"], f["group"]) for f in app["forms"]] == [
        (ids[2], "销售"),
        (ids[0], "销售"),
        (ids[1], None),
    ]
    listed = next(a for a in api.ok(api.get("/apps"))["items"] if a["id"] == app_id)
    assert [f["group"] for f in listed["forms"]] == ["销售", "销售", None]
    form = api.ok(api.get(f"/forms/{ids[2]}"))
    assert form["settings"]["group"] == "销售" and form["position"] == 0
    bad = api.put(f"/apps/{app_id}/forms/order", {"items": [{"id": ids[0]}]})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0] == {
        "field": "items",
        "code": "form_order_mismatch",
        "message": "需要恰好列出该应用的所有表单",
    }
    assert make_user("bob").put(f"/apps/{app_id}/forms/order", body).status_code == 403
