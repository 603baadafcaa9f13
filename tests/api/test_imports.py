"""The import wizard's API: upload, mapping, cleansing preview, error report, the job in
batches, de-duplication strategies, cancel, undo, permissions (both engines)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa

from qiao import jobs
from qiao.db import schema
from qiao.runtime import Runtime
from tests.conftest import Api
from tests.io.sheets import csv_bytes, messy_customers, xlsx_openpyxl, xlsx_xlsxwriter

FIELDS = [
    {"key": "company", "label": "公司名称", "type": "text", "required": True},
    {"key": "contact", "label": "联系人", "type": "text"},
    {"key": "phone", "label": "电话", "type": "phone"},
    {"key": "email", "label": "邮箱", "type": "email"},
    {"key": "signed", "label": "签约日期", "type": "date"},
    {"key": "amount", "label": "金额", "type": "money"},
    {"key": "province", "label": "省份", "type": "text"},
    {"key": "city", "label": "城市", "type": "text"},
    {
        "key": "level",
        "label": "客户等级",
        "type": "select",
        "settings": {"choices": ["A类", "B类", "C类"]},
    },
    {
        "key": "tags",
        "label": "标签",
        "type": "multiselect",
        "settings": {"choices": ["重点", "老客户", "待跟进", "已回款"]},
    },
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(api: Api, form_id: int, content: bytes, name: str = "客户.xlsx") -> Any:
    return api.post(f"/forms/{form_id}/imports", files={"file": (name, content, XLSX)})


def start_and_run(api: Api, rt: Runtime, import_id: int) -> dict[str, Any]:
    api.ok(api.post(f"/imports/{import_id}/start"))
    jobs.run_pending(rt)
    return api.ok(api.get(f"/imports/{import_id}"))


def records(api: Api, form_id: int) -> list[dict[str, Any]]:
    return api.list(form_id, limit=500)["items"]  # type: ignore[no-any-return]


@pytest.fixture
def form(api: Api) -> dict[str, Any]:
    return api.make_form(FIELDS)


SIMPLE = [
    ["公司名称", "联系人", "电话", "签约日期", "金额"],
    ["华信科技有限公司", "王伟", "+86 138 0013 8000", "2024年3月5日", "¥1,234.50"],
    ["恒泰贸易", "李娜", "010 1234 5678", "2024/3/6", "1.2万"],
    ["鼎盛电子", "张敏", "138001380", "2024-02-30", "面议"],
]


def test_upload_proposes_mapping_and_previews_cleansed_rows(api: Api, form: dict[str, Any]) -> None:
    body = api.ok(upload(api, form["id"], xlsx_openpyxl(SIMPLE)), 201)
    assert body["state"] == "draft"
    assert body["mapping"] == {"0": "company", "1": "contact", "2": "phone", "3": "signed", "4": "amount"}
    assert [c["label"] for c in body["columns"]] == SIMPLE[0]
    assert body["sheets"][0]["row_count"] == 4
    assert body["summary"]["rows"] == 3
    assert body["summary"]["errors"] == 1
    assert body["summary"]["create"] == 2
    page = api.ok(api.get(f"/imports/{body['id']}/preview"))
    assert page["total"] == 3
    first = page["items"][0]
    assert first["row_no"] == 2
    assert first["cells"]["phone"] == {
        "raw": "+86 138 0013 8000",
        "text": "13800138000",
        "changed": True,
        "issue": None,
    }
    assert first["action"] == "create"
    bad = page["items"][2]
    assert bad["action"] == "error"
    assert {e["field"] for e in bad["errors"]} >= {"phone", "signed", "amount"}
    assert all(e["message"] and e["column"] for e in bad["errors"])
    only = api.ok(api.get(f"/imports/{body['id']}/preview", params={"only": "errors"}))
    assert [r["row_no"] for r in only["items"]] == [4]


def test_import_creates_the_good_rows_and_reports_the_bad(
    api: Api, rt: Runtime, form: dict[str, Any]
) -> None:
    body = api.ok(upload(api, form["id"], xlsx_openpyxl(SIMPLE)), 201)
    done = start_and_run(api, rt, body["id"])
    assert done["state"] == "done"
    assert done["counts"] == {"total": 3, "created": 2, "updated": 0, "skipped": 0, "failed": 1}
    items = sorted(records(api, form["id"]), key=lambda r: r["id"])
    assert [r["data"]["company"] for r in items] == ["华信科技有限公司", "恒泰贸易"]
    assert items[0]["data"]["phone"] == "13800138000"
    assert items[0]["data"]["signed"] == "2024-03-05"
    assert Decimal(str(items[1]["data"]["amount"])) == Decimal("12000")
    history = api.ok(api.get(f"/forms/{form['id']}/imports"))["items"]
    assert [h["id"] for h in history] == [body["id"]]
    assert "sheets" not in history[0]
