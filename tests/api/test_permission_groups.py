"""Permission groups API (权限组) and app administrators: defaults of a new form,
validation naming the field, who may manage them, and the audit entry of every change.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qiao.db import schema
from qiao.org import users as users_mod
from qiao.runtime import Runtime
from tests.conftest import Api, token_for

FIELDS: list[dict[str, Any]] = [
    {"key": "name", "label": "客户名称", "type": "text"},
    {"key": "phone", "label": "电话", "type": "phone"},
]


def user(rt: Runtime, client: TestClient, name: str, locale: str = "zh-CN") -> tuple[Api, int]:
    """A user without a password (as if invited) acting through an API token."""
    created = rt.db.write(lambda c: users_mod.create_user(c, name, None))
    return Api(client, token_for(rt, created), locale), created.id


def error(response: Any) -> tuple[int, dict[str, str]]:
    body = response.json()
    assert "error" in body, body
    return response.status_code, {d["field"]: d["code"] for d in body["error"]["details"]}


def audit(rt: Runtime) -> list[Any]:
    a = schema.audit_log
    with rt.db.engine.connect() as conn:
        return list(
            conn.execute(sa.select(a).where(a.c.action == "permission_change").order_by(a.c.seq))
        )


@pytest.fixture
def form(api: Api) -> dict[str, Any]:
    return api.make_form(FIELDS)


def groups_of(api: Api, form_id: int) -> list[dict[str, Any]]:
    return list(api.ok(api.get(f"/forms/{form_id}/permission-groups"))["items"])


def test_a_new_form_lets_everyone_work_on_their_own_records(
    api: Api, form: dict[str, Any], rt: Runtime, client: TestClient
) -> None:
    listing = api.ok(api.get(f"/forms/{form['id']}/permission-groups"))
    assert listing["operations"] == [
        "view",
        "create",
        "edit",
        "delete",
        "import",
        "export",
        "manage",
    ]
    assert listing["scopes"] == ["own", "department", "department_tree", "all", "custom"]
    (group,) = listing["items"]
    assert group["name"] == "全体成员：本人数据"
    assert group["operations"] == ["view", "create", "edit", "delete"]
    assert group["scope"] == "own" and group["scope_filter"] is None
    assert group["fields"] == {}
    assert group["members"] == [{"type": "all", "id": 0, "name": ""}]
    # and it works: a new user creates, sees and edits their own record only
    bob, _ = user(rt, client, "bob")
    api.create(form["id"], {"name": "管理员的"})
    mine = bob.create(form["id"], {"name": "bob 的"})
    assert [r["id"] for r in bob.list(form["id"])["items"]] == [mine["id"]]
    # an English-speaking creator gets the group named in English
    en = Api(api.client, api.headers["Authorization"].split()[1], "en")
    other = en.make_form(FIELDS, "Leads", form["app_id"])
    assert groups_of(api, other["id"])[0]["name"] == "Everyone: own records"


def test_validation_names_every_bad_field(api: Api, form: dict[str, Any]) -> None:
    url = f"/forms/{form['id']}/permission-groups"
    body = {
        "name": "坏",
        "operations": ["view", "fly"],
        "scope": "galaxy",
        "fields": {"nosuch": {"access": "edit"}, "phone": {"access": "write"}},
        "members": [{"type": "user", "id": 99999}, {"type": "alien", "id": 1}],
    }
    assert error(api.post(url, body)) == (
        422,
        {
            "operations[1]": "permission_op_invalid",
            "scope": "permission_scope_invalid",
            "fields.nosuch": "permission_field_invalid",
            "fields.phone.access": "permission_access_invalid",
            "members[0]": "permission_member_invalid",
            "members[1].type": "permission_member_type_invalid",
        },
    )
    assert error(api.post(url, {"name": "c", "scope": "custom"})) == (
        422,
        {"scope_filter": "permission_scope_filter_required"},
    )
    bad_filter = {"field": "nosuch", "op": "eq", "value": 1}
    status, details = error(
        api.post(url, {"name": "c", "scope": "custom", "scope_filter": bad_filter})
    )
    assert status == 422
    # the filter compiler's own path follows the prefix ("scope_filter.filter.field")
    ((where, code),) = details.items()
    assert where.startswith("scope_filter.") and where.endswith(".field")
    assert code == "filter_unknown_field"
    for member in ({"type": "department", "id": 5}, {"type": "role", "id": 5}):
        assert error(api.post(url, {"name": "m", "members": [member]})) == (
            422,
            {"members[0]": "permission_member_invalid"},
        )
    assert api.post(url, {"name": ""}).status_code == 422
    assert api.post(url, {"name": "x", "surprise": 1}).status_code == 422
    assert len(groups_of(api, form["id"])) == 1  # nothing was created


def test_messages_are_localised(api: Api, form: dict[str, Any]) -> None:
    url = f"/forms/{form['id']}/permission-groups"
    body = {"name": "x", "scope": "galaxy", "fields": {"phone": {"access": "write"}}}
    zh = api.post(url, body).json()["error"]["details"]
    en = api.post(url, body, headers={"Accept-Language": "en"}).json()["error"]["details"]
    for zh_detail, en_detail in zip(zh, en, strict=True):
        assert zh_detail["field"] == en_detail["field"]
        assert zh_detail["message"] != en_detail["message"]
        assert en_detail["message"].isascii() or "电话" in en_detail["message"]
    assert any("电话" in d["message"] for d in zh)


def test_create_update_delete_round_trip_with_audit(
    api: Api, form: dict[str, Any], rt: Runtime, client: TestClient
) -> None:
    _bob, bob_id = user(rt, client, "bob")
    dept = api.ok(api.post("/departments", {"name": "销售部"}), 201)["id"]
    role = api.ok(api.post("/roles", {"name": "销售"}), 201)["id"]
    url = f"/forms/{form['id']}/permission-groups"
    created = api.ok(
        api.post(
            url,
            {
                "name": " 销售：本部门 ",
                "operations": ["view", "edit", "view"],
                "scope": "custom",
                "scope_filter": {"field": "owner", "op": "in", "value": ["$my_department"]},
                "fields": {"phone": {"access": "read", "mask": True, "unmask": True}},
                "members": [
                    {"type": "user", "id": bob_id},
                    {"type": "department", "id": dept},
                    {"type": "role", "id": role},
                    {"type": "user", "id": bob_id},
                ],
            },
        ),
        201,
    )
    assert created["name"] == "销售：本部门"
    assert created["operations"] == ["view", "edit"]
    assert created["fields"] == {"phone": {"access": "read", "mask": True, "unmask": True}}
    assert {(m["type"], m["id"], m["name"]) for m in created["members"]} == {
        ("user", bob_id, "bob"),
        ("department", dept, "销售部"),
        ("role", role, "销售"),
    }
    # a hidden field cannot be masked; unmask without mask means nothing
    patched = api.ok(
        api.patch(
            f"/permission-groups/{created['id']}",
            {
                "fields": {"phone": {"access": "hidden", "mask": True, "unmask": True}},
                "scope": "all",
            },
        )
    )
    assert patched["fields"] == {"phone": {"access": "hidden", "mask": False, "unmask": False}}
    assert patched["scope"] == "all" and patched["scope_filter"] is None
    assert patched["members"] == created["members"]  # untouched when not sent
    bad = api.patch(f"/permission-groups/{created['id']}", {"operations": ["nope"]})
    assert error(bad) == (422, {"operations[0]": "permission_op_invalid"})
    assert groups_of(api, form["id"])[1] == patched
    api.ok(api.delete(f"/permission-groups/{created['id']}"), 204)
    assert api.delete(f"/permission-groups/{created['id']}").status_code == 404
    assert api.patch(f"/permission-groups/{created['id']}", {"name": "x"}).status_code == 404
    entries = [e for e in audit(rt) if e.object_id == str(created["id"])]
    assert [e.details["op"] for e in entries] == ["create", "update", "delete"]
    assert entries[0].details["before"] is None and entries[0].details["after"] == created
    assert entries[1].details["before"] == created and entries[1].details["after"] == patched
    assert entries[2].details["after"] is None
    assert {e.form_id for e in entries} == {form["id"]}
    assert {e.app_id for e in entries} == {form["app_id"]}


def test_only_managers_manage_groups(
    api: Api, form: dict[str, Any], rt: Runtime, client: TestClient
) -> None:
    bob, bob_id = user(rt, client, "bob")
    carol, carol_id = user(rt, client, "carol")
    url = f"/forms/{form['id']}/permission-groups"
    (default,) = groups_of(api, form["id"])
    for response in (
        bob.get(url),
        bob.post(url, {"name": "我的"}),
        bob.patch(f"/permission-groups/{default['id']}", {"scope": "all"}),
        bob.delete(f"/permission-groups/{default['id']}"),
    ):
        assert response.status_code == 403, response.text
    assert groups_of(api, form["id"]) == [default]
    # the form's "manage" operation makes bob a manager of its groups
    api.ok(
        api.post(
            url,
            {"name": "管理", "operations": ["manage"], "members": [{"type": "user", "id": bob_id}]},
        ),
        201,
    )
    assert bob.ok(bob.get(url))["items"][1]["name"] == "管理"
    bob.ok(bob.post(url, {"name": "bob 建的"}), 201)
    # an app administrator too
    api.ok(api.put(f"/apps/{form['app_id']}/admins", {"user_ids": [carol_id]}))
    carol.ok(carol.patch(f"/permission-groups/{default['id']}", {"scope": "department"}))
    actors = {e.user_id for e in audit(rt) if e.object_type == "permission_group"}
    assert {bob_id, carol_id} <= actors


def test_app_admins_are_named_by_system_admins_only(
    api: Api, form: dict[str, Any], rt: Runtime, client: TestClient
) -> None:
    app_id = form["app_id"]
    bob, bob_id = user(rt, client, "bob")
    _carol, carol_id = user(rt, client, "carol")
    assert api.ok(api.get(f"/apps/{app_id}/admins")) == {"items": []}
    assert bob.get(f"/apps/{app_id}/admins").status_code == 403
    assert bob.put(f"/apps/{app_id}/admins", {"user_ids": [bob_id]}).status_code == 403
    named = api.ok(api.put(f"/apps/{app_id}/admins", {"user_ids": [bob_id, bob_id]}))
    assert [(u["id"], u["username"]) for u in named["items"]] == [(bob_id, "bob")]
    # an app admin sees the list but cannot name others (nor remove themselves)
    assert [u["id"] for u in bob.ok(bob.get(f"/apps/{app_id}/admins"))["items"]] == [bob_id]
    assert bob.put(f"/apps/{app_id}/admins", {"user_ids": [carol_id]}).status_code == 403
    assert error(api.put(f"/apps/{app_id}/admins", {"user_ids": [carol_id, 99999]})) == (
        422,
        {"user_ids[1]": "permission_member_invalid"},
    )
    assert api.put("/apps/99999/admins", {"user_ids": []}).status_code == 404
    api.ok(api.put(f"/apps/{app_id}/admins", {"user_ids": []}))
    assert bob.get(f"/apps/{app_id}/admins").status_code == 403
    changes = [e.details for e in audit(rt) if e.object_type == "app_admins"]
    assert changes == [
        {"op": "update", "before": [], "after": [bob_id]},
        {"op": "update", "before": [bob_id], "after": []},
    ]
