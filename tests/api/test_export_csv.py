"""CSV export: the user's scope and masking, formula neutralisation, audit, permission."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.conftest import Api


def _rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel opens UTF-8 CSV with a BOM right
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_streams_every_record_with_neutralised_formulas(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "name", "label": "客户名称", "type": "text"},
            {"key": "phone", "label": "电话", "type": "phone"},
        ]
    )
    fid = form["id"]
    items = [{"data": {"name": f"公司{i}", "phone": "13812341234"}} for i in range(2500)]
    api.ok(api.post(f"/forms/{fid}/records/bulk", {"items": items}), 201)
    api.create(fid, {"name": '=HYPERLINK("http://x")'})
    rows = _rows(api.get(f"/forms/{fid}/records/export.csv", params={"sort": "id"}))
    assert rows[0][-2:] == ["客户名称", "电话"]
    assert len(rows) == 1 + 2501  # several pages, all of them
    assert rows[-1][-2] == '\'=HYPERLINK("http://x")'
    filtered = _rows(
        api.get(
            f"/forms/{fid}/records/export.csv",
            params={"filter": '{"field":"name","op":"eq","value":"公司7"}', "fields": "name"},
        )
    )
    assert filtered[1:] == [[filtered[1][0], "管理员", filtered[1][2], "公司7"]]
    log = api.ok(api.get("/audit", params={"action": "export"}))
    assert log["items"] and log["items"][0]["form_id"] == fid


def test_export_obeys_scope_masking_and_the_export_operation(api: Api, make_user: Any) -> None:
    form = api.make_form(
        [
            {"key": "name", "label": "客户名称", "type": "text"},
            {"key": "phone", "label": "电话", "type": "phone"},
        ]
    )
    fid = form["id"]
    api.create(fid, {"name": "管理员的客户", "phone": "13800000000"})
    bob = make_user("bob")
    # the default group: own records, no export
    assert bob.get(f"/forms/{fid}/records/export.csv").status_code == 403
    groups = api.ok(api.get(f"/forms/{fid}/permission-groups"))["items"]
    api.ok(
        api.patch(
            f"/permission-groups/{groups[0]['id']}",
            {
                "operations": ["view", "create", "edit", "export"],
                "fields": {"phone": {"access": "edit", "mask": True}},
            },
        )
    )
    bob.create(fid, {"name": "鲍勃的客户", "phone": "13912345678"})
    rows = _rows(bob.get(f"/forms/{fid}/records/export.csv"))
    assert [r[-2:] for r in rows[1:]] == [["鲍勃的客户", "139****5678"]]


def test_rich_values_export_as_readable_text(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "addr", "label": "地址", "type": "address"},
            {"key": "spot", "label": "拜访地点", "type": "location"},
            {"key": "notes", "label": "备注", "type": "richtext"},
        ]
    )
    fid = form["id"]
    api.create(
        fid,
        {
            "addr": {
                "province": "广东省",
                "city": "深圳市",
                "district": "南山区",
                "street": "科技园",
            },
            "spot": {"lat": 22.5431, "lng": 113.9298, "address": "深圳湾"},
            "notes": "<p><strong>-重要</strong> 客户</p>",
        },
    )
    rows = _rows(api.get(f"/forms/{fid}/records/export.csv"))
    assert rows[1][-3:] == [
        "广东省深圳市南山区 科技园",
        "深圳湾 (22.543100,113.929800)",
        "'-重要 客户",  # plain text, still neutralised against formula injection
    ]
