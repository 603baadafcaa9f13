"""Validation rules on every write path: field rules (regex, length, range) with custom
messages, form rules across fields, required_when, visible_when and default formulas."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api


def details(response: Any) -> list[tuple[str, str, str]]:
    return [(d["field"], d["code"], d["message"]) for d in response.json()["error"]["details"]]


def _publish(api: Api, form: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    fields = [
        {k: f[k] for k in ("id", "key", "label", "type", "settings", "required")}
        for f in form["fields"]
    ]
    return api.ok(
        api.post(f"/forms/{form['id']}/publish", {"fields": fields, "layout": [], **extra})
    )


def test_field_rules_with_custom_messages(api: Api) -> None:
    form = api.make_form(
        [
            {
                "key": "code",
                "label": "编码",
                "type": "text",
                "settings": {
                    "rules": [
                        {
                            "kind": "regex",
                            "pattern": "^[A-Z]{2}\\d{4}$",
                            "message": "编码为两个大写字母加四位数字",
                        },
                        {"kind": "length", "max": 6},
                    ]
                },
            },
            {
                "key": "score",
                "label": "分数",
                "type": "number",
                "settings": {"rules": [{"kind": "range", "min": 0, "max": 100}]},
            },
            {
                "key": "day",
                "label": "日期",
                "type": "date",
                "settings": {
                    "rules": [{"kind": "range", "min": "2024-01-01", "message": "不早于2024年"}]
                },
            },
        ],
        "规则",
    )
    fid = form["id"]
    bad = api.post(
        f"/forms/{fid}/records", {"data": {"code": "ab12", "score": 101, "day": "2023-12-31"}}
    )
    assert bad.status_code == 422
    assert details(bad) == [
        ("code", "field_rule_failed", "编码为两个大写字母加四位数字"),
        ("score", "rule_range", "「分数」应在 0 到 100 之间"),
        ("day", "field_rule_failed", "不早于2024年"),
    ]
    ok = api.create(fid, {"code": "AB1234", "score": 100, "day": "2024-01-01"})
    # empty values are not judged by value rules
    api.create(fid, {})
    # the same rules on update and in bulk, with item paths
    upd = api.patch(
        f"/forms/{fid}/records/{ok['id']}", {"data": {"score": -1}, "version": ok["version"]}
    )
    assert details(upd) == [("score", "rule_range", "「分数」应在 0 到 100 之间")]
    bulk = api.post(
        f"/forms/{fid}/records/bulk",
        {"items": [{"data": {"code": "AB1234"}}, {"data": {"code": "x"}}]},
    )
    assert [(f, c) for f, c, _ in details(bulk)] == [("items[1].code", "field_rule_failed")]
    # an invalid pattern is refused at save, at the rule's setting
    response = api.post(
        f"/forms/{fid}/fields",
        {"label": "x", "type": "text", "settings": {"rules": [{"kind": "regex", "pattern": "(["}]}},
    )
    assert response.status_code == 422
    assert details(response)[0][:2] == ("settings.rules[0].pattern", "rule_pattern_invalid")
    # rule kinds follow the type (listed with the field types)
    types = {t["type"]: t for t in api.ok(api.get("/field-types"))["items"]}
    assert types["text"]["rule_kinds"] == ["regex", "length"]
    assert types["date"]["rule_kinds"] == ["range"] and types["formula"]["rule_kinds"] == []
    response = api.post(
        f"/forms/{fid}/fields",
        {"label": "y", "type": "text", "settings": {"rules": [{"kind": "range", "min": 1}]}},
    )
    assert details(response)[0][:2] == ("settings.rules[0].kind", "rule_kind_unsupported")


def test_form_rule_end_after_start(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "start_date", "label": "开始日期", "type": "date"},
            {"key": "end_date", "label": "结束日期", "type": "date"},
        ],
        "合同",
    )
    rule = {
        "id": "r1",
        "expression": "{结束日期} >= {开始日期}",
        "message": "结束日期不能早于开始日期",
        "fields": ["end_date"],
    }
    published = _publish(api, form, {"rules": [rule]})
    assert published["settings"]["rules"][0]["expression"] == "{结束日期} >= {开始日期}"
    fid = form["id"]
    bad = api.post(
        f"/forms/{fid}/records", {"data": {"start_date": "2024-03-10", "end_date": "2024-03-01"}}
    )
    assert details(bad) == [("end_date", "form_rule_failed", "结束日期不能早于开始日期")]
    # with no end date yet, the rule has nothing to judge
    record = api.create(fid, {"start_date": "2024-03-10"})
    upd = api.patch(
        f"/forms/{fid}/records/{record['id']}",
        {"data": {"end_date": "2024-03-09"}, "version": record["version"]},
    )
    assert details(upd) == [("end_date", "form_rule_failed", "结束日期不能早于开始日期")]
    api.ok(
        api.patch(
            f"/forms/{fid}/records/{record['id']}",
            {"data": {"end_date": "2024-03-10"}, "version": record["version"]},
        )
    )
    bulk = api.post(
        f"/forms/{fid}/records/bulk",
        {
            "items": [
                {"data": {"start_date": "2024-01-01", "end_date": "2024-02-01"}},
                {"data": {"start_date": "2024-01-01", "end_date": "2023-02-01"}},
                {"data": {"start_date": "2024-05-01", "end_date": "2024-04-01"}},
            ]
        },
    )
    assert [(f, c) for f, c, _ in details(bulk)] == [
        ("items[1].end_date", "form_rule_failed"),
        ("items[2].end_date", "form_rule_failed"),
    ]
    # bulk update of a start date past an end date is refused whole
    bulk_update = api.post(
        f"/forms/{fid}/records/bulk-update",
        {"ids": [record["id"]], "data": {"start_date": "2025-01-01"}},
    )
    assert bulk_update.status_code == 422
    # a broken rule is refused at publish, at the rule
    response = api.post(
        f"/forms/{fid}/publish",
        {
            "fields": [{k: f[k] for k in ("id", "key", "label", "type")} for f in form["fields"]],
            "layout": [],
            "rules": [{**rule, "expression": "end_date >= nope"}],
        },
    )
    assert response.status_code == 422
    assert details(response)[0][:2] == ("rules[0]", "formula_unknown_field")
    # rules are written by publishing only
    response = api.patch(f"/forms/{fid}", {"settings": {"rules": []}})
    assert response.status_code == 422


def test_required_when_visible_when_and_default_formula(api: Api) -> None:
    form = api.make_form(
        [
            {
                "key": "kind",
                "label": "类型",
                "type": "select",
                "settings": {"choices": ["个人", "企业"]},
            },
            {
                "key": "company",
                "label": "公司",
                "type": "text",
                "required": True,
                "settings": {"visible_when": 'kind = "企业"'},
            },
            {
                "key": "reason",
                "label": "原因",
                "type": "text",
                "settings": {"required_when": "amount > 1000"},
            },
            {"key": "amount", "label": "金额", "type": "money"},
            {
                "key": "due",
                "label": "到期日",
                "type": "date",
                "required": True,
                "settings": {"default_formula": "DATE(2024, 1, 1) + 30"},
            },
            {
                "key": "code",
                "label": "编号",
                "type": "text",
                "settings": {"default_formula": 'kind & "-" & amount'},
            },
        ],
        "申请",
    )
    fid = form["id"]
    # a hidden field is not required; defaults fill what the input left out
    record = api.create(fid, {"kind": "个人", "amount": 10})
    assert record["data"]["due"] == "2024-01-31"
    assert record["data"]["code"] == "个人-10"
    given = api.create(fid, {"kind": "个人", "amount": 10, "due": "2024-06-01", "code": ""})
    assert given["data"]["due"] == "2024-06-01" and given["data"]["code"] is None
    bad = api.post(f"/forms/{fid}/records", {"data": {"kind": "企业", "amount": 5000}})
    assert sorted((f, c) for f, c, _ in details(bad)) == [
        ("company", "required"),
        ("reason", "required"),
    ]
    ok = api.create(fid, {"kind": "企业", "amount": 5000, "company": "Acme", "reason": "大客户"})
    upd = api.patch(
        f"/forms/{fid}/records/{ok['id']}", {"data": {"reason": ""}, "version": ok["version"]}
    )
    assert [(f, c) for f, c, _ in details(upd)] == [("reason", "required")]


def test_hidden_section_and_cascading_options(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "invoice", "label": "开票", "type": "boolean"},
            {"key": "title", "label": "抬头", "type": "text", "required": True},
            {
                "key": "province",
                "label": "省",
                "type": "select",
                "settings": {"choices": ["广东", "浙江"]},
            },
            {
                "key": "city",
                "label": "市",
                "type": "select",
                "settings": {
                    "depends_on": "province",
                    "choices": [
                        {"label": "深圳", "parents": ["广东"]},
                        {"label": "杭州", "parents": ["浙江"]},
                    ],
                },
            },
        ],
        "订单",
    )
    fid = form["id"]
    ids = {f["key"]: f["id"] for f in form["fields"]}
    fields = [
        {"ref": k, **{x: f[x] for x in ("id", "key", "label", "type", "settings", "required")}}
        for k, f in zip(ids, form["fields"], strict=True)
    ]
    layout = [
        {"items": [{"kind": "field", "ref": "invoice"}]},
        {"items": [{"kind": "section", "title": "发票", "id": "inv", "visible_when": "invoice"}]},
        {"items": [{"kind": "field", "ref": "title"}]},
        {"items": [{"kind": "section", "title": "地址"}]},
        {
            "items": [
                {"kind": "field", "ref": "province", "span": 12},
                {"kind": "field", "ref": "city", "span": 12},
            ]
        },
    ]
    api.ok(api.post(f"/forms/{fid}/publish", {"fields": fields, "layout": layout}))
    # the invoice section is hidden: its required title is not required
    api.create(fid, {"invoice": False})
    bad = api.post(f"/forms/{fid}/records", {"data": {"invoice": True}})
    assert [(f, c) for f, c, _ in details(bad)] == [("title", "required")]
    body = api.ok(api.post(f"/forms/{fid}/records/evaluate", {"data": {"invoice": False}}))
    assert body["visible"]["inv"] is False and body["visible"]["title"] is False
    assert body["required"]["title"] is False
    # cascading options: a city of another province is refused
    api.create(fid, {"invoice": False, "province": "广东", "city": "深圳"})
    bad = api.post(
        f"/forms/{fid}/records", {"data": {"invoice": False, "province": "广东", "city": "杭州"}}
    )
    assert details(bad) == [
        ("city", "choice_not_under_parent", "「市」的选项「杭州」不属于所选的「省」")
    ]


def test_relation_option_filter_is_enforced(api: Api) -> None:
    app_id = api.make_app()["id"]
    categories = {"choices": ["电子", "图书"]}
    products = api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text"},
            {"key": "category", "label": "类别", "type": "select", "settings": categories},
        ],
        "产品",
        app_id,
    )
    pid = products["id"]
    phone = api.create(pid, {"name": "手机", "category": "电子"})
    book = api.create(pid, {"name": "小说", "category": "图书"})
    orders = api.make_form(
        [
            {"key": "category", "label": "类别", "type": "select", "settings": categories},
            {
                "key": "product",
                "label": "产品",
                "type": "relation",
                "settings": {
                    "target_form_id": pid,
                    "option_filter": {"field": "category", "op": "eq", "value": "$field:category"},
                },
            },
            {"key": "note", "label": "备注", "type": "text"},
        ],
        "订单",
        app_id,
    )
    oid = orders["id"]
    order = api.create(oid, {"category": "电子", "product": phone["id"]})
    bad = api.post(f"/forms/{oid}/records", {"data": {"category": "电子", "product": book["id"]}})
    assert [(f, c) for f, c, _ in details(bad)] == [("product", "relation_option_filtered")]
    # changing the category under the chosen product is refused too; other edits are not
    response = api.patch(
        f"/forms/{oid}/records/{order['id']}",
        {"data": {"category": "图书"}, "version": order["version"]},
    )
    assert [(f, c) for f, c, _ in details(response)] == [("product", "relation_option_filtered")]
    api.ok(
        api.patch(
            f"/forms/{oid}/records/{order['id']}",
            {"data": {"note": "x"}, "version": order["version"]},
        )
    )
