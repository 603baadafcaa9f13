"""Create a form from a spreadsheet: analyse a messy customer sheet (a title row, a
merged group header), get a field proposed per column, create the form, then import the
rows through the ordinary import job."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from qiao import jobs
from qiao.runtime import Runtime
from tests.conftest import Api
from tests.io.sheets import xlsx_openpyxl, xlsx_xlsxwriter

LEVELS = ["A类", "B类", "C类"]
TAGS = ["重点", "老客户", "待跟进", "已回款", "渠道", "大客户"]
PLACES = [
    ("广东省", "深圳市", "南山区", "科技园路{n}号"),
    ("浙江省", "杭州市", "西湖区", "文三路{n}号"),
    ("四川省", "成都市", "武侯区", "天府大道{n}号"),
]
#: the sheet's columns, as the reader names them below the merged group header
COLUMNS = [
    "客户名称",
    "联系人",
    "联系方式-手机",
    "联系方式-邮箱",
    "签约日期",
    "合同金额",
    "客户等级",
    "标签",
    "地址",
]
EXPECTED_TYPES = {
    "客户名称": "text",
    "联系方式-手机": "phone",
    "联系方式-邮箱": "email",
    "签约日期": "date",
    "合同金额": "money",
    "客户等级": "select",
    "标签": "multiselect",
    "地址": "address",
}


def _phone_spelling(phone: str, rng: random.Random) -> str:
    return rng.choice(
        [
            phone,
            f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}",
            f"{phone[:3]}-{phone[3:7]}-{phone[7:]}",
            f"0086{phone}",
            f" {phone[:3]} {phone[3:7]} {phone[7:]} ",
        ]
    )


def _date_spelling(day: date, rng: random.Random) -> Any:
    return rng.choice(
        [
            day.isoformat(),
            f"{day.year}/{day.month}/{day.day}",
            f"{day.year}年{day.month}月{day.day}日",
            day.strftime("%Y%m%d"),
            day,  # a real date cell
        ]
    )


def _amount_spelling(amount: Decimal, rng: random.Random) -> Any:
    if amount % 1000 == 0 and rng.random() < 0.5:
        return f"{amount / 10000}万元"
    return rng.choice([f"¥{amount:,.2f}", f"￥{amount:,.2f}", f"¥{amount:.2f}"])


def messy_sheet(n: int = 40, seed: int = 6) -> tuple[list[list[Any]], list[dict[str, Any]]]:
    """(sheet rows with a title row and a two-row header, the clean values per data row)."""
    rng = random.Random(seed)
    title: list[Any] = ["2024 年客户名单（销售部）"] + [None] * 8
    group: list[Any] = ["客户名称", "联系人", "联系方式", None, "签约日期", "合同金额"]
    group += ["客户等级", "标签", "地址"]
    sub: list[Any] = [None, None, "手机", "邮箱", None, None, None, None, None]
    rows: list[list[Any]] = [title, group, sub]
    truth: list[dict[str, Any]] = []
    for i in range(n):
        phone = rng.choice(["138", "139", "186", "150"]) + f"{rng.randrange(10**8):08d}"
        day = date(2023, 1, 1).fromordinal(date(2023, 1, 1).toordinal() + rng.randrange(600))
        amount = (
            Decimal(rng.randrange(1, 400) * 1000)
            if i % 3 == 0
            else Decimal(rng.randrange(10_000, 9_000_000)) / 100
        )
        province, city, district, street = rng.choice(PLACES)
        tags = rng.sample(TAGS, rng.randrange(1, 4))
        clean = {
            "company": f"客户{i:03d}科技有限公司",
            "contact": "王李张刘陈"[i % 5] + "先生",
            "phone": phone,
            "email": f"user{i}@example.com",
            "date": day,
            "amount": amount,
            "level": LEVELS[i % 3],
            "tags": tags,
            "address": (province, city, district, street.format(n=i + 1)),
        }
        truth.append(clean)
        rows.append(
            [
                f" {clean['company']} " if i % 4 == 0 else clean["company"],
                clean["contact"],
                _phone_spelling(phone, rng),
                clean["email"].upper() if i % 7 == 0 else clean["email"],
                _date_spelling(day, rng),
                _amount_spelling(amount, rng),
                clean["level"],
                "、".join(tags),
                f"{province}{city}{district}{street.format(n=i + 1)}",
            ]
        )
    return rows, truth


def messy_xlsx(n: int = 40) -> tuple[bytes, list[dict[str, Any]]]:
    rows, truth = messy_sheet(n)
    merged = [(0, 0, 0, 8), (1, 2, 1, 3)] + [(1, c, 2, c) for c in (0, 1, 4, 5, 6, 7, 8)]
    dates = [(r, 4) for r in range(3, len(rows)) if isinstance(rows[r][4], date)]
    return xlsx_xlsxwriter(rows, merged=merged, date_cells=dates), truth


def analyze(api: Api, app_id: int, content: bytes, name: str = "客户.xlsx", **form: Any) -> Any:
    files = {"file": (name, content, "application/octet-stream")}
    return api.post(f"/apps/{app_id}/imports/analyze", files=files, data=form)


def fields_from(proposed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {k: p[k] for k in ("column", "label", "type", "settings")} | {"include": True}
        for p in proposed
    ]


# ----- the whole way -------------------------------------------------------------------
def test_messy_sheet_becomes_a_form_and_its_records(api: Api, rt: Runtime) -> None:
    app_id = api.make_app()["id"]
    content, truth = messy_xlsx(40)
    body = api.ok(analyze(api, app_id, content))
    assert body["form_id"] is None and body["app_id"] == app_id
    assert body["state"] == "draft"
    assert body["header_row"] == 2  # below the title and the group row
    assert [c["label"] for c in body["columns"]] == COLUMNS
    proposed = {p["label"]: p for p in body["proposed_fields"]}
    assert list(proposed) == COLUMNS
    assert {k: proposed[k]["type"] for k in EXPECTED_TYPES} == EXPECTED_TYPES
    assert proposed["联系人"]["type"] in ("text", "select")
    assert {c["label"] for c in proposed["客户等级"]["settings"]["choices"]} == set(LEVELS)
    assert {c["label"] for c in proposed["标签"]["settings"]["choices"]} == set(TAGS)
    assert proposed["合同金额"]["settings"]["currency"] == "CNY"
    assert proposed["客户名称"]["samples"][0] == truth[0]["company"]
    assert proposed["客户名称"]["blank_ratio"] == 0

    # the admin renames two columns, leaves the contact out and creates the form
    fields = fields_from(body["proposed_fields"])
    fields[2]["label"] = "手机"
    fields[3]["label"] = "邮箱"
    fields[1]["include"] = False
    created = api.ok(
        api.post(f"/imports/{body['id']}/create-form", {"name": "客户", "fields": fields})
    )
    form_id = created["form_id"]
    assert form_id and created["state"] == "draft" and created["id"] == body["id"]
    form = api.ok(api.get(f"/forms/{form_id}"))
    assert form["name"] == "客户" and form["app_id"] == app_id
    by_label = {f["label"]: f for f in form["fields"] if not f.get("system")}
    labels = ["客户名称", "手机", "邮箱", "签约日期", "合同金额", "客户等级", "标签", "地址"]
    assert [label for label in by_label if label in labels] == labels
    assert "联系人" not in by_label
    assert by_label["手机"]["type"] == "phone" and by_label["标签"]["type"] == "multiselect"
    assert by_label["客户名称"]["key"] == "kehumingcheng"  # keys from the labels' pinyin
    # the mapping: each kept column → its new field; the contact column unmapped
    mapping = created["mapping"]
    assert mapping["1"] is None
    for column, label in enumerate(COLUMNS):
        if column != 1:
            wanted = {"联系方式-手机": "手机", "联系方式-邮箱": "邮箱"}.get(label, label)
            assert mapping[str(column)] == by_label[wanted]["key"], label
    summary = created["summary"]
    assert summary["rows"] == 40 and summary["errors"] == 0, summary
    assert summary["create"] == 40

    # the ordinary import: start, the job runs, the records are there, cleaned
    api.ok(api.post(f"/imports/{body['id']}/start"))
    jobs.run_pending(rt)
    done = api.ok(api.get(f"/imports/{body['id']}"))
    assert done["state"] == "done", done
    assert done["counts"]["created"] == 40 and done["counts"]["failed"] == 0
    listing = api.list(form_id, limit=100, sort="id")
    assert listing["total"] == 40
    key = {label: by_label[label]["key"] for label in labels}
    for record, clean in zip(listing["items"], truth, strict=True):
        data = record["data"]
        assert data[key["客户名称"]] == clean["company"]
        assert data[key["手机"]] == clean["phone"]
        assert data[key["邮箱"]] == clean["email"]
        assert data[key["签约日期"]] == clean["date"].isoformat()
        assert Decimal(str(data[key["合同金额"]])) == clean["amount"]
        assert _labels(data[key["客户等级"]]) == [clean["level"]]
        assert sorted(_labels(data[key["标签"]])) == sorted(clean["tags"])
        address = data[key["地址"]]
        province, city, district, street = clean["address"]
        assert (address["province"], address["city"], address["district"]) == (
            province,
            city,
            district,
        )
        assert street in (address.get("detail") or address.get("street") or "")


def _labels(value: Any) -> list[str]:
    """Option labels of a select/multiselect value as the list API returns it."""
    items = value if isinstance(value, list) else [value]
    return [i["label"] if isinstance(i, dict) else i for i in items]


# ----- sheets and header rows ------------------------------------------------------------
def test_another_sheet_and_header_row(api: Api) -> None:
    app_id = api.make_app()["id"]
    content = xlsx_openpyxl(
        [["说明：本文件由系统导出"], ["姓名", "电话"], ["张三", "13800138000"]],
        more_sheets={"订单": [["订单号", "日期", "金额"], ["A-1", "2024-03-05", "¥1,200.50"]]},
    )
    body = api.ok(analyze(api, app_id, content))
    assert [s["name"] for s in body["sheets"]] == ["Sheet1", "订单"]
    assert [p["label"] for p in body["proposed_fields"]] == ["姓名", "电话"]
    other = api.ok(api.post(f"/imports/{body['id']}/analyze", {"sheet": 1}))
    assert other["sheet"] == 1 and other["header_row"] == 0
    assert [(p["label"], p["type"]) for p in other["proposed_fields"]] == [
        ("订单号", "text"),
        ("日期", "date"),
        ("金额", "money"),
    ]
    # the header row chosen by hand (0-based): the note row becomes the header
    moved = api.ok(api.post(f"/imports/{body['id']}/analyze", {"sheet": 0, "header_row": 0}))
    assert moved["columns"][0]["label"] == "说明：本文件由系统导出"
    # the same when uploading with the choice made up front
    upfront = api.ok(analyze(api, app_id, content, sheet="1"))
    assert [p["label"] for p in upfront["proposed_fields"]] == ["订单号", "日期", "金额"]


# ----- what is refused ---------------------------------------------------------------------
def _analysed(api: Api) -> dict[str, Any]:
    app_id = api.make_app()["id"]
    content = xlsx_openpyxl(
        [["姓名", "电话", "等级"]] + [[f"客户{i}", f"1380013800{i}", "AB"[i % 2]] for i in range(6)]
    )
    return dict(api.ok(analyze(api, app_id, content)))


def _details(response: Any) -> dict[str, tuple[str, str]]:
    error = response.json()["error"]
    return {d["field"]: (d["code"], d["message"]) for d in error["details"]}


def test_create_form_names_the_field_with_the_problem(api: Api, make_user: Any) -> None:
    body = _analysed(api)
    fields = fields_from(body["proposed_fields"])
    url = f"/imports/{body['id']}/create-form"

    same = [dict(fields[0]), dict(fields[1], label=" 姓名 "), dict(fields[2])]
    response = api.post(url, {"name": "客户", "fields": same})
    assert response.status_code == 422
    assert _details(response) == {
        "fields[1].label": (
            "sheet_field_label_repeated",
            "字段名称「姓名」重复了，每个字段的名称要不同",
        )
    }
    en = make_user("boss", is_admin=True, locale="en")
    response = en.post(url, {"name": "Customers", "fields": same})
    assert _details(response)["fields[1].label"][1] == (
        'The field name "姓名" is used twice: each field needs its own name'
    )

    unknown = [dict(fields[0]), dict(fields[1], type="telephone"), dict(fields[2])]
    response = api.post(url, {"name": "客户", "fields": unknown})
    assert _details(response) == {
        "fields[1].type": ("field_type_unknown", "未知的字段类型「telephone」")
    }
    computed = [dict(fields[0], type="formula"), dict(fields[1])]
    assert _details(api.post(url, {"name": "客户", "fields": computed})) == {
        "fields[0].type": (
            "sheet_field_type_unsupported",
            "「formula」类型的字段不能从表格的列创建",
        )
    }

    # a field's settings are checked by its type; the name counts the request's fields,
    # also when an earlier one is left out
    bad_settings = [
        dict(fields[0], include=False),
        dict(fields[1]),
        dict(fields[2], settings={"choices": "A, B"}),
    ]
    response = api.post(url, {"name": "客户", "fields": bad_settings})
    assert response.status_code == 422
    [(field, (code, _))] = _details(response).items()
    assert field.startswith("fields[2].settings") and code == "field_setting_invalid"

    nothing = [dict(f, include=False) for f in fields]
    assert _details(api.post(url, {"name": "客户", "fields": nothing})) == {
        "fields": ("sheet_no_fields", "请至少保留一列作为表单的字段")
    }
    twice = [dict(fields[0]), dict(fields[0], label="名称")]
    assert _details(api.post(url, {"name": "客户", "fields": twice}))["fields[1].column"][0] == (
        "sheet_column_repeated"
    )
    beyond = [dict(fields[0], column=9)]
    assert _details(api.post(url, {"name": "客户", "fields": beyond})) == {
        "fields[0].column": ("sheet_column_unknown", "表格中没有第 10 列")
    }
    # nothing was created by the refused requests
    app = api.ok(api.get(f"/apps/{body['app_id']}"))
    assert app["forms"] == []

    api.ok(api.post(url, {"name": "客户", "fields": fields}))
    again = api.post(url, {"name": "客户 2", "fields": fields})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "sheet_import_has_form"
    assert api.post(f"/imports/{body['id']}/analyze", {"sheet": 0}).status_code == 409


def test_only_app_admins_create_forms_from_sheets(api: Api, make_user: Any) -> None:
    body = _analysed(api)
    member = make_user("li")
    content = xlsx_openpyxl([["姓名"], ["张三"]])
    assert analyze(member, body["app_id"], content).status_code == 403
    fields = fields_from(body["proposed_fields"])
    response = member.post(f"/imports/{body['id']}/create-form", {"name": "X", "fields": fields})
    assert response.status_code == 404
    assert member.post(f"/imports/{body['id']}/analyze", {"sheet": 0}).status_code == 404


@pytest.mark.parametrize("name", ["客户.pdf"])
def test_unreadable_upload_is_refused(api: Api, name: str) -> None:
    app_id = api.make_app()["id"]
    response = analyze(api, app_id, b"%PDF-1.4 not a sheet", name=name)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "import_file_type"
