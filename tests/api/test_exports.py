"""XLSX/CSV export: typed cells, sub-forms, file links, views, templates, permissions."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import openpyxl
from openpyxl.workbook.workbook import Workbook

from tests.api.test_files import PDF, upload
from tests.conftest import Api

LINES = {
    "key": "lines",
    "label": "明细",
    "type": "subform",
    "settings": {
        "columns": [
            {"key": "product", "label": "产品", "type": "text"},
            {"key": "qty", "label": "数量", "type": "number", "settings": {"precision": 0}},
            {"key": "price", "label": "单价", "type": "money"},
        ]
    },
}
FIELDS: list[dict[str, Any]] = [
    {"key": "name", "label": "客户名称", "type": "text"},
    {"key": "phone", "label": "电话", "type": "phone"},
    {"key": "amount", "label": "金额", "type": "money"},
    {"key": "rate", "label": "折扣", "type": "percent"},
    {"key": "score", "label": "评分", "type": "number", "settings": {"precision": 1}},
    {"key": "signed", "label": "签约日期", "type": "date"},
    {"key": "visited", "label": "最近拜访", "type": "datetime"},
    {"key": "contract", "label": "合同", "type": "attachment"},
    LINES,
]


def workbook(response: Any) -> Workbook:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content))


def values(ws: Any) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def header(ws: Any) -> list[Any]:
    return values(ws)[0]


def column(ws: Any, label: str) -> list[Any]:
    rows = values(ws)
    index = rows[0].index(label)
    return [row[index] for row in rows[1:]]


def crm(api: Api) -> dict[str, Any]:
    return api.make_form(FIELDS, name="客户")


def test_xlsx_cells_are_typed_and_sub_forms_get_their_own_sheet(api: Api) -> None:
    fid = crm(api)["id"]
    pdf = api.ok(upload(api, fid, "contract", ("合同 2026.pdf", PDF)), 201)["items"][0]
    first = api.create(
        fid,
        {
            "name": "星辰科技",
            "phone": "13800138000",
            "amount": 1234.5,
            "rate": "15.5%",
            "score": 4.5,
            "signed": "2024-03-05",
            "visited": "2024-03-05T14:30:00+08:00",
            "contract": [pdf["id"]],
            "lines": [
                {"product": "空调", "qty": 2, "price": 3999},
                {"product": "=cmd|' /C calc'!A0", "qty": 1, "price": 10},
            ],
        },
    )
    second = api.create(fid, {"name": '=HYPERLINK("http://x")', "amount": 7})

    response = api.get(f"/forms/{fid}/export", params={"sort": "id"})
    disposition = response.headers["content-disposition"]
    today = datetime.now().strftime("%Y%m%d")  # the organisation's day; close enough
    assert f"filename*=UTF-8''{quote('客户')}-" in disposition
    assert disposition.endswith(".xlsx") and today[:6] in disposition
    book = workbook(response)
    assert book.sheetnames == ["客户", "明细"]
    ws = book["客户"]
    assert header(ws) == [
        "记录ID", "负责人", "创建时间", "客户名称", "电话", "金额", "折扣", "评分", "签约日期",
        "最近拜访", "合同", "明细",
    ]  # fmt: skip
    assert ws["A1"].font.b and ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:L3"
    rows = values(ws)
    assert rows[1][0] == first["id"] and rows[2][0] == second["id"]
    assert rows[1][1] == "管理员" and isinstance(rows[1][2], datetime)
    name, phone, amount, rate, score, signed, visited, contract, lines = rows[1][3:]
    assert (name, phone, amount, rate, score) == ("星辰科技", "13800138000", 1234.5, 0.155, 4.5)
    assert ws["F2"].number_format == "#,##0.00" and ws["G2"].number_format == "0.00%"
    assert signed == datetime(2024, 3, 5) and ws["I2"].is_date
    assert visited == datetime(2024, 3, 5, 14, 30) and ws["J2"].is_date
    assert contract == "合同 2026.pdf"
    assert ws["K2"].hyperlink.target == f"http://testserver/api/v1/files/{pdf['id']}"
    assert lines == "2 行"
    assert rows[2][3] == '\'=HYPERLINK("http://x")'  # neutralised, a plain string
    assert ws["D3"].data_type == "s" and rows[2][5] == 7
    assert all(v is None for v in rows[2][6:11])

    sub = book["明细"]
    assert values(sub) == [
        ["记录ID", "所属记录", "产品", "数量", "单价"],
        [first["id"], "星辰科技", "空调", 2, 3999],
        [first["id"], "星辰科技", "'=cmd|' /C calc'!A0", 1, 10],
    ]
    assert sub["E2"].number_format == "#,##0.00" and sub.freeze_panes == "A2"

    log = api.ok(api.get("/audit", params={"action": "export"}))["items"][0]
    assert log["form_id"] == fid and log["details"]["format"] == "xlsx"


def test_sub_forms_as_repeated_rows_or_counts_and_csv(api: Api) -> None:
    fid = crm(api)["id"]
    api.create(
        fid,
        {
            "name": "甲",
            "amount": 5,
            "lines": [{"product": "A", "qty": 1}, {"product": "B", "qty": 3}],
        },
    )
    api.create(fid, {"name": "乙"})
    params = {"sort": "name", "fields": "name,amount,lines", "subforms": "rows"}
    book = workbook(api.get(f"/forms/{fid}/export", params=params))
    assert book.sheetnames == ["客户"]
    ws = book["客户"]
    assert header(ws)[3:] == ["客户名称", "金额", "明细-产品", "明细-数量", "明细-单价"]
    assert [r[3:] for r in values(ws)[1:]] == [
        ["乙", None, None, None, None],
        ["甲", 5, "A", 1, None],
        ["甲", 5, "B", 3, None],
    ]
    counted = workbook(api.get(f"/forms/{fid}/export", params={**params, "subforms": "count"}))
    assert column(counted.active, "明细") == [None, "2 行"]

    # CSV: BOM, no sheets (sub-forms counted), dates as text an Excel reads
    api.create(fid, {"name": "-丙", "signed": "2024-01-02", "visited": "2024-01-02T08:00:00Z"})
    response = api.get(
        f"/forms/{fid}/export",
        params={"format": "csv", "sort": "name", "fields": "name,signed,visited,lines"},
    )
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith(".csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][3:] == ["客户名称", "签约日期", "最近拜访", "明细"]
    assert [r[3:] for r in rows[1:]] == [
        ["'-丙", "2024-01-02", "2024-01-02 16:00:00", ""],
        ["乙", "", "", ""],
        ["甲", "", "", "2 行"],
    ]


def test_export_obeys_scope_hidden_fields_and_masking(api: Api, make_user: Any) -> None:
    fid = crm(api)["id"]
    api.create(fid, {"name": "管理员的客户", "phone": "13800000000", "amount": 1})
    bob = make_user("bob")
    assert bob.get(f"/forms/{fid}/export").status_code == 403  # no "export" operation
    groups = api.ok(api.get(f"/forms/{fid}/permission-groups"))["items"]
    api.ok(
        api.patch(
            f"/permission-groups/{groups[0]['id']}",
            {
                "operations": ["view", "create", "edit", "export"],
                "fields": {
                    "phone": {"access": "edit", "mask": True},
                    "amount": {"access": "hidden"},
                },
            },
        )
    )
    bob.create(fid, {"name": "鲍勃的客户", "phone": "13912345678"})
    ws = workbook(bob.get(f"/forms/{fid}/export")).active
    assert "金额" not in header(ws) and "电话" in header(ws)
    assert column(ws, "客户名称") == ["鲍勃的客户"]  # own records only
    assert column(ws, "电话") == ["139****5678"]
    # asking for the hidden field by name is refused like an unknown one
    response = bob.get(f"/forms/{fid}/export", params={"fields": "name,amount"})
    assert response.status_code == 400


def test_views_and_templates_choose_columns_and_order(api: Api, make_user: Any) -> None:
    fid = crm(api)["id"]
    for name, amount in (("甲", 30), ("乙", 10), ("丙", 20)):
        api.create(fid, {"name": name, "amount": amount, "phone": "13800138000"})
    view = api.ok(
        api.post(
            f"/forms/{fid}/views",
            {
                "name": "大单",
                "kind": "table",
                "shared": True,
                "config": {
                    "filter": {"field": "amount", "op": "gte", "value": 15},
                    "sort": "-amount",
                    "columns": [
                        {"key": "amount"},
                        {"key": "phone", "hidden": True},
                        {"key": "name"},
                    ],
                },
            },
        ),
        201,
    )
    ws = workbook(api.get(f"/forms/{fid}/export", params={"view": view["id"]})).active
    assert header(ws) == ["记录ID", "负责人", "创建时间", "金额", "客户名称"]
    assert [r[3:] for r in values(ws)[1:]] == [[30, "甲"], [20, "丙"]]
    # a request filter narrows the view's
    narrowed = api.get(
        f"/forms/{fid}/export",
        params={"view": view["id"], "filter": '{"field":"name","op":"eq","value":"丙"}'},
    )
    assert column(workbook(narrowed).active, "客户名称") == ["丙"]

    url = f"/forms/{fid}/export-templates"
    body = {"name": "对账", "fields": ["name", "id", "amount"], "options": {"subforms": "count"}}
    template = api.ok(api.post(url, body), 201)
    assert template["fields"] == ["name", "id", "amount"]
    ws = workbook(
        api.get(f"/forms/{fid}/export", params={"template": template["id"], "sort": "name"})
    ).active
    assert header(ws) == ["客户名称", "记录ID", "金额"]
    assert [r[0] for r in values(ws)[1:]] == ["丙", "乙", "甲"]
    csv_text = api.get(
        f"/forms/{fid}/export", params={"template": template["id"], "format": "csv"}
    ).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "客户名称,记录ID,金额"

    # validation: unknown keys named, duplicate names refused
    bad = api.post(url, {"name": "x", "fields": ["name", "nosuch"]})
    assert bad.status_code == 422
    assert [(d["field"], d["code"]) for d in bad.json()["error"]["details"]] == [
        ("fields[1]", "export_field_unknown")
    ]
    assert "nosuch" in bad.json()["error"]["details"][0]["message"]
    assert api.post(url, {"name": "对账", "fields": ["name"]}).status_code == 409
    changed = api.ok(api.patch(f"/export-templates/{template['id']}", {"fields": ["amount"]}))
    assert changed["fields"] == ["amount"] and changed["name"] == "对账"
    assert api.patch(f"/export-templates/{template['id']}", {"fields": ["x"]}).status_code == 422

    # members with "export" list and use templates; only managers change them
    bob = make_user("bob")
    assert bob.get(url).status_code == 403
    api.open_to_everyone(fid, ["view", "export"])
    assert [t["name"] for t in bob.ok(bob.get(url))["items"]] == ["对账"]
    used = bob.get(f"/forms/{fid}/export", params={"template": template["id"]})
    assert header(workbook(used).active) == ["金额"]
    assert bob.post(url, {"name": "mine", "fields": ["name"]}).status_code == 403
    assert bob.patch(f"/export-templates/{template['id']}", {"name": "y"}).status_code == 403
    assert bob.delete(f"/export-templates/{template['id']}").status_code == 403
    assert api.delete(f"/export-templates/{template['id']}").status_code == 204
    assert api.ok(api.get(url))["items"] == []
    missing = api.get(f"/forms/{fid}/export", params={"template": template["id"]})
    assert missing.status_code == 404


def test_dates_in_the_sheet_are_real_dates(api: Api) -> None:
    """A masked or odd value in a date column stays text, the others are dates."""
    fid = api.make_form([{"key": "d", "label": "日期", "type": "date"}])["id"]
    api.create(fid, {"d": "2020-02-29"})
    ws = workbook(api.get(f"/forms/{fid}/export", params={"fields": "d"})).active
    assert column(ws, "日期") == [datetime(2020, 2, 29)]
    assert column(ws, "日期")[0].date() == date(2020, 2, 29)
