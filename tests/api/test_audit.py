"""The audit log over the API: who may search it, what schema changes write to it,
filters and pages, the CSV export, and the list of actions."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from qiao.audit import log
from qiao.context import Ctx
from qiao.db import schema
from qiao.org.users import User, create_user
from qiao.runtime import Runtime
from tests.conftest import Api

TEXT = [{"key": "name", "label": "名称", "type": "text"}]


def entries(api: Api, **params: Any) -> list[dict[str, Any]]:
    return api.ok(api.get("/audit", params={"limit": 200, **params}))["items"]


def actions_of(items: list[dict[str, Any]]) -> list[str]:
    return [e["action"] for e in items]


def at(rt: Runtime, admin: User, when: datetime, action: str, **kw: Any) -> None:
    ctx = Ctx(user=admin, clock=lambda: when, ip="10.0.0.7", user_agent="pytest")
    rt.db.write(lambda c: log.append(c, ctx, action, **kw))


# ----- who may read it ---------------------------------------------------------------------
def test_only_administrators_search_and_export(api: Api, make_user: Any, client: Any) -> None:
    sales = make_user("sales")
    for path in ("/audit", "/audit/export", "/audit/actions", "/audit?action=nope"):
        refused = sales.get(path)
        assert refused.status_code == 403, path
        assert refused.json()["error"]["code"] == "admin_required"
    assert client.get("/api/v1/audit").status_code == 401
    assert api.get("/audit").status_code == 200


# ----- what schema changes write -----------------------------------------------------------
def test_schema_changes_are_audited(api: Api, rt: Runtime, admin: User) -> None:
    app_id = api.make_app("销售")["id"]
    api.ok(api.patch(f"/apps/{app_id}", {"name": "销售管理"}))
    form = api.make_form(TEXT, "客户", app_id)
    fid = form["id"]
    name_id = form["fields"][0]["id"]
    api.ok(api.patch(f"/forms/{fid}", {"name": "客户表"}))
    added = api.ok(
        api.post(f"/forms/{fid}/fields", {"key": "phone", "label": "电话", "type": "phone"}), 201
    )
    api.ok(api.patch(f"/forms/{fid}/fields/{added['id']}", {"label": "手机", "required": True}))
    api.ok(api.delete(f"/forms/{fid}/fields/{added['id']}"), 204)
    api.ok(api.post(f"/forms/{fid}/fields/{added['id']}/restore"))
    body = {
        "fields": [
            {"id": name_id, "key": "name", "label": "客户名称", "type": "text"},
            {"key": "city", "label": "城市", "type": "text"},
        ],
        "layout": [],
    }
    api.ok(api.post(f"/forms/{fid}/publish", body))
    api.ok(api.delete(f"/forms/{fid}"), 204)
    api.ok(api.post(f"/forms/{fid}/restore"))
    api.ok(api.delete(f"/apps/{app_id}"), 204)
    api.ok(api.post(f"/apps/{app_id}/restore"))

    items = entries(api, app_id=app_id)
    assert actions_of(items)[::-1] == [
        "app_create",
        "app_update",
        "form_create",
        "form_update",
        "field_create",
        "field_update",
        "field_delete",
        "field_restore",
        "form_publish",
        "form_delete",
        "form_restore",
        "app_delete",
        "app_restore",
    ]
    by = {e["action"]: e for e in items}
    assert all(e["user_id"] == admin.id and e["username"] == "admin" for e in items)
    assert by["app_update"]["details"]["changes"] == {
        "name": {"before": "销售", "after": "销售管理"}
    }
    assert by["form_update"]["details"]["changes"]["name"] == {"before": "客户", "after": "客户表"}
    assert by["field_update"]["details"]["changes"] == {
        "label": {"before": "电话", "after": "手机"},
        "required": {"before": False, "after": True},
    }
    publish = by["form_publish"]
    ops = {(c["op"], c["key"]) for c in publish["details"]["fields"]}
    assert ops == {("update", "name"), ("add", "city"), ("delete", "phone")}
    renamed = next(c for c in publish["details"]["fields"] if c["op"] == "update")
    assert renamed["changes"] == {"label": {"before": "名称", "after": "客户名称"}}
    assert publish["summary"] == "发布表单「客户表」：新增 1 个、修改 1 个、删除 1 个字段"
    assert by["form_create"]["form_id"] == fid and by["form_create"]["form_name"] == "客户表"
    assert by["app_delete"]["details"]["form_ids"] == [fid]
    assert by["app_create"]["app_name"] == "销售管理"  # today's name
    assert by["app_create"]["details"]["name"] == "销售"  # the name of that moment
    with rt.db.read() as conn:
        assert log.verify(conn)[1] == []


def test_a_refused_change_leaves_no_entry(api: Api) -> None:
    fid = api.make_form(TEXT)["id"]
    before = len(entries(api))
    bad = api.post(f"/forms/{fid}/fields", {"key": "name", "label": "重复", "type": "text"})
    assert bad.status_code == 422
    assert len(entries(api)) == before


# ----- filters and pages -------------------------------------------------------------------
@pytest.fixture
def sample(rt: Runtime, admin: User) -> dict[str, Any]:
    other = rt.db.write(lambda c: create_user(c, "zhangsan", "user-pass-1", display_name="张三"))
    jan = [datetime(2025, 1, d, 4, 0, tzinfo=UTC) for d in range(1, 8)]
    at(rt, admin, jan[0], "record_create", form_id=7, record_id=1, details={"values": {"n": "甲"}})
    change = {"name": {"label": "名称", "before": "甲", "after": "乙方科技"}}
    at(rt, admin, jan[1], "record_update", form_id=7, record_id=1, details={"changes": change})
    at(rt, admin, jan[2], "record_delete", form_id=7, record_id=2)
    ctx = Ctx(user=other, clock=lambda: jan[3], ip="192.168.1.9")
    rt.db.write(lambda c: log.append(c, ctx, "login", object_type="user", object_id=other.id))
    at(rt, admin, jan[4], "record_update", form_id=8, record_id=1, details={"changes": {}})
    failed = Ctx(user=None, clock=lambda: jan[5])
    rt.db.write(
        lambda c: log.append(
            c, failed, "login_failed", details={"reason": "password"}, username="ghost"
        )
    )
    at(rt, admin, jan[6], "logout")
    return {"other": other}


def test_filters(api: Api, sample: dict[str, Any]) -> None:
    other = sample["other"]
    all_items = entries(api, until="2025-01-31")
    assert [e["seq"] for e in all_items] == sorted((e["seq"] for e in all_items), reverse=True)
    assert len(all_items) == 7
    assert actions_of(entries(api, form_id=7)) == [
        "record_delete",
        "record_update",
        "record_create",
    ]
    assert actions_of(entries(api, form_id=7, record_id=1)) == ["record_update", "record_create"]
    assert actions_of(entries(api, user_id=other.id)) == ["login"]
    assert actions_of(entries(api, action="login,login_failed")) == ["login_failed", "login"]
    # a whole day in the organisation's zone (UTC+8): 2 Jan 04:00 UTC is 2 Jan 12:00
    assert actions_of(entries(api, since="2025-01-02", until="2025-01-03")) == [
        "record_delete",
        "record_update",
    ]
    assert actions_of(entries(api, since="2025-01-06T12:00:01", until="2025-01-31")) == ["logout"]
    # free text: the details (Chinese), today's display name, the IP, a username as typed
    assert actions_of(entries(api, q="乙方")) == ["record_update"]
    assert actions_of(entries(api, q="张三")) == ["login"]
    assert actions_of(entries(api, q="192.168")) == ["login"]
    assert actions_of(entries(api, q="ghost")) == ["login_failed"]
    assert entries(api, q="100%_") == []


def test_entries_carry_names_and_summaries(api: Api, sample: dict[str, Any], admin: User) -> None:
    items = entries(api, until="2025-01-31")
    by = {e["action"]: e for e in items}
    login = by["login"]
    assert login["user_display_name"] == "张三" and login["ip"] == "192.168.1.9"
    assert login["action_label"] == "登录"
    assert login["at"].startswith("2025-01-04T12:00:00+08:00")
    assert by["record_update"]["summary"] == "修改记录 #1：名称"
    assert by["login_failed"]["summary"] == "登录失败：用户不存在"
    assert by["login_failed"]["user_id"] is None and by["login_failed"]["username"] == "ghost"
    en = Api(api.client, None, "en")
    en.headers["Authorization"] = api.headers["Authorization"]
    items = en.ok(en.get("/audit", params={"action": "record_update,login_failed"}))["items"]
    assert [e["summary"] for e in items] == [
        "Login failed: unknown user",
        "Changed record #1: ",
        "Changed record #1: 名称",
    ]
    assert items[0]["action_label"] == "Failed login"


def test_keyset_pages(api: Api, sample: dict[str, Any]) -> None:
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3, "until": "2025-01-31"}
        if cursor:
            params["cursor"] = cursor
        page = api.ok(api.get("/audit", params=params))
        seen += [e["seq"] for e in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(set(seen), reverse=True) and len(seen) == 7


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"action": "record_update,hack"}, "action", "audit_action_unknown"),
        ({"since": "yesterday"}, "since", "audit_time_invalid"),
        ({"until": "2025-13-01"}, "until", "audit_time_invalid"),
        ({"since": "2025-02-01", "until": "2025-01-01"}, "until", "audit_range_invalid"),
        ({"cursor": "abc"}, "cursor", "audit_cursor_invalid"),
        ({"q": "x" * 101}, "q", "audit_query_too_long"),
    ],
)
def test_bad_parameters_are_named(api: Api, params: dict[str, str], field: str, code: str) -> None:
    response = api.get("/audit", params=params, headers={"Accept-Language": "en"})
    assert response.status_code == 422, response.text
    details = response.json()["error"]["details"]
    assert [(d["field"], d["code"]) for d in details] == [(field, code)]
    assert details[0]["message"] and "audit" not in details[0]["message"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"user_id": "x"}, {"form_id": 0}])
def test_out_of_range_numbers_are_422(api: Api, params: dict[str, Any]) -> None:
    assert api.get("/audit", params=params).status_code == 422


# ----- export --------------------------------------------------------------------------------
def test_export_is_csv_for_excel_and_is_audited(
    api: Api, rt: Runtime, admin: User, sample: dict[str, Any]
) -> None:
    at(
        rt,
        admin,
        datetime(2025, 1, 9, tzinfo=UTC),
        "app_create",
        app_id=99,
        details={"name": "=1+2"},
    )
    at(rt, admin, datetime(2025, 1, 9, tzinfo=UTC), "app_update", app_id=99, details={"name": "@x"})
    response = api.get("/audit/export", params={"until": "2025-01-31"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "时间", "用户名"]
    assert len(rows) == 1 + 9
    summaries = [r[11] for r in rows[1:]]
    assert "修改记录 #1：名称" in summaries
    # cells that would start a formula in Excel are neutralised
    assert "'=1+2" not in summaries  # the summary does not start with it
    details = [r[12] for r in rows[1:]]
    assert any("乙方科技" in d for d in details)  # Chinese as such, not \\u escapes
    names = {r[6] for r in rows[1:]}
    assert "新建应用" in names
    with rt.db.read() as conn:
        cells = [c for r in rows for c in r]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
        exports = conn.execute(
            sa.select(schema.audit_log).where(schema.audit_log.c.action == "audit_export")
        ).all()
    assert len(exports) == 1
    assert exports[0].details == {"filters": {"until": "2025-02-01T00:00:00+08:00"}}
    assert exports[0].user_id == admin.id


def test_neutralise() -> None:
    from qiao.audit.export import neutralise

    assert neutralise("=SUM(A1)") == "'=SUM(A1)"
    assert neutralise("+86 138") == "'+86 138"
    assert neutralise("-1") == "'-1"
    assert neutralise("@cmd") == "'@cmd"
    assert neutralise("\t=x") == "'\t=x"
    assert neutralise("张三") == "张三"
    assert neutralise(None) == ""
    assert neutralise(12) == "12"


def test_export_in_english_with_a_filter(api: Api, sample: dict[str, Any]) -> None:
    response = api.get(
        "/audit/export", params={"action": "login"}, headers={"Accept-Language": "en"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Seq", "Time", "Username"]
    assert [r[6] for r in rows[1:]] == ["Log in"]


# ----- the actions -------------------------------------------------------------------------
def test_actions_for_the_ui(api: Api) -> None:
    items = api.ok(api.get("/audit/actions"))["items"]
    by = {i["action"]: i for i in items}
    assert by["record_update"]["label"] == "修改记录"
    assert by["record_update"]["category"] == "record"
    assert by["login_failed"]["category_label"] == "登录与令牌"
    en = api.ok(api.get("/audit/actions", headers={"Accept-Language": "en"}))["items"]
    assert {i["action"]: i["label"] for i in en}["form_publish"] == "Publish form"
    assert len(items) == len(en) >= 25
