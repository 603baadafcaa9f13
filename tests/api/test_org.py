"""Organization API: the department tree, users (create, invite, disable, reset, edit,
departments, supervisor, roles), roles, the directory, and the audit trail of it all."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from qiao.db import schema
from qiao.runtime import Runtime
from tests.conftest import Api


def dept(api: Api, name: str, parent: int | None = None, **extra: Any) -> dict[str, Any]:
    return api.ok(api.post("/departments", {"name": name, "parent_id": parent, **extra}), 201)


def tree(api: Api) -> list[dict[str, Any]]:
    return api.ok(api.get("/departments"))["items"]


def shape(nodes: list[dict[str, Any]]) -> list[Any]:
    """The tree as nested [name, [children]] for readable assertions."""
    return [[n["name"], shape(n["children"])] if n["children"] else n["name"] for n in nodes]


def paths(rt: Runtime) -> dict[str, str]:
    d = schema.departments
    with rt.db.read() as conn:
        return {r.name: r.path for r in conn.execute(sa.select(d.c.name, d.c.path))}


def error(response: Any) -> tuple[int, str, list[tuple[str, str]]]:
    body = response.json()["error"]
    return response.status_code, body["code"], [(d["field"], d["code"]) for d in body["details"]]


def audit_ops(rt: Runtime, object_type: str) -> list[tuple[str, str]]:
    log = schema.audit_log
    with rt.db.read() as conn:
        rows = conn.execute(
            sa.select(log.c.object_id, log.c.details)
            .where(log.c.action == "org_change", log.c.object_type == object_type)
            .order_by(log.c.seq)
        ).all()
    return [(r.object_id, r.details["op"]) for r in rows]


# ----- departments -------------------------------------------------------------------------
def test_tree_create_rename_reorder_and_counts(api: Api, rt: Runtime) -> None:
    company = dept(api, "总公司")
    sales = dept(api, "销售部", company["id"])
    east = dept(api, "华东区", sales["id"])
    dept(api, "华南区", sales["id"])
    market = dept(api, "市场部", company["id"])
    assert shape(tree(api)) == [["总公司", [["销售部", ["华东区", "华南区"]], "市场部"]]]
    assert paths(rt)["华东区"] == f"/{company['id']}/{sales['id']}/{east['id']}/"

    # reorder: 市场部 first; rename 华南区
    api.ok(api.patch(f"/departments/{market['id']}", {"position": 0}))
    south = tree(api)[0]["children"][1]["children"][1]
    api.ok(api.patch(f"/departments/{south['id']}", {"name": "华南大区"}))
    assert shape(tree(api)) == [["总公司", ["市场部", ["销售部", ["华东区", "华南大区"]]]]]

    api.ok(
        api.post(
            "/users", {"username": "zs", "password": "pass-word-1", "department_ids": [east["id"]]}
        ),
        201,
    )
    api.ok(
        api.post(
            "/users",
            {
                "username": "ls",
                "password": "pass-word-1",
                "department_ids": [sales["id"], east["id"]],
            },
        ),
        201,
    )
    root = tree(api)[0]
    sales_node = root["children"][1]
    assert (sales_node["member_count"], sales_node["total_member_count"]) == (1, 2)
    assert sales_node["children"][0]["member_count"] == 2
    assert root["total_member_count"] == 2


def test_move_rewrites_the_subtree_paths_and_refuses_cycles(api: Api, rt: Runtime) -> None:
    a = dept(api, "A")
    b = dept(api, "B", a["id"])
    c = dept(api, "C", b["id"])
    x = dept(api, "X")
    api.ok(api.patch(f"/departments/{b['id']}", {"parent_id": x["id"]}))
    assert paths(rt) == {
        "A": f"/{a['id']}/",
        "X": f"/{x['id']}/",
        "B": f"/{x['id']}/{b['id']}/",
        "C": f"/{x['id']}/{b['id']}/{c['id']}/",
    }
    assert shape(tree(api)) == ["A", ["X", [["B", ["C"]]]]]
    # below itself or its own child: refused, nothing changes
    for target in (b["id"], c["id"]):
        response = api.patch(f"/departments/{b['id']}", {"parent_id": target})
        assert error(response) == (422, "validation_failed", [("parent_id", "department_cycle")])
    # to the top level
    api.ok(api.patch(f"/departments/{b['id']}", {"parent_id": None}))
    assert paths(rt)["C"] == f"/{b['id']}/{c['id']}/"
    assert [n["name"] for n in tree(api)] == ["A", "X", "B"]


def test_department_bad_input(api: Api) -> None:
    a = dept(api, "A")
    dept(api, "B", a["id"])
    assert error(api.post("/departments", {"name": "B", "parent_id": a["id"]})) == (
        422,
        "validation_failed",
        [("name", "department_name_taken")],
    )
    assert error(api.post("/departments", {"name": "a/b"})) == (
        422,
        "validation_failed",
        [("name", "department_name_invalid")],
    )
    assert error(api.post("/departments", {"name": "  "})) == (
        422,
        "validation_failed",
        [("name", "name_required")],
    )
    assert error(api.post("/departments", {"name": "Z", "parent_id": 999}))[2] == [
        ("parent_id", "department_not_found")
    ]
    assert api.post("/departments", {"name": ""}).status_code == 422
    assert api.patch("/departments/999", {"name": "Q"}).status_code == 404
    # the message names the problem in the request's language
    en = api.post(
        "/departments", {"name": "B", "parent_id": a["id"]}, headers={"Accept-Language": "en"}
    )
    assert "already" in en.json()["error"]["details"][0]["message"]


def test_delete_refused_with_children_or_members(api: Api, rt: Runtime) -> None:
    a = dept(api, "销售部")
    b = dept(api, "华东区", a["id"])
    response = api.delete(f"/departments/{a['id']}")
    assert error(response)[:2] == (409, "department_has_children")
    assert "华东区" not in response.json()["error"]["message"]
    assert "子部门" in response.json()["error"]["message"]
    user = api.ok(
        api.post(
            "/users", {"username": "zs", "password": "pass-word-1", "department_ids": [b["id"]]}
        ),
        201,
    )
    response = api.delete(f"/departments/{b['id']}")
    assert error(response)[:2] == (409, "department_has_members")
    assert "1" in response.json()["error"]["message"]
    api.ok(api.patch(f"/users/{user['id']}", {"department_ids": []}))
    assert api.delete(f"/departments/{b['id']}").status_code == 204
    assert api.delete(f"/departments/{a['id']}").status_code == 204
    assert tree(api) == []
    ops = [op for _, op in audit_ops(rt, "department")]
    assert ops == ["create", "create", "delete", "delete"]


def test_managers(api: Api) -> None:
    a = dept(api, "销售部")
    u1 = api.ok(api.post("/users", {"username": "boss", "password": "pass-word-1"}), 201)
    api.ok(api.patch(f"/departments/{a['id']}", {"manager_ids": [u1["id"]]}))
    assert tree(api)[0]["manager_ids"] == [u1["id"]]
    # a manager who was not a member becomes one (main department: their first)
    detail = api.ok(api.get(f"/users/{u1['id']}"))
    assert detail["departments"] == [
        {"id": a["id"], "name": "销售部", "is_main": True, "is_manager": True}
    ]
    api.ok(api.patch(f"/departments/{a['id']}", {"manager_ids": []}))
    assert tree(api)[0]["manager_ids"] == []
    assert api.ok(api.get(f"/users/{u1['id']}"))["departments"][0]["is_manager"] is False
    assert error(api.patch(f"/departments/{a['id']}", {"manager_ids": [9999]}))[2] == [
        ("manager_ids", "org_user_not_found")
    ]


# ----- users -------------------------------------------------------------------------------
def test_create_user_with_departments_supervisor_and_roles(api: Api, rt: Runtime) -> None:
    a = dept(api, "销售部")
    b = dept(api, "市场部")
    role = api.ok(api.post("/roles", {"name": "销售"}), 201)
    boss = api.ok(api.post("/users", {"username": "boss", "password": "pass-word-1"}), 201)
    body = {
        "username": "Zhang.San",
        "password": "pass-word-1",
        "display_name": "张三",
        "email": "ZS@Example.com",
        "phone": "138 0013 8000",
        "department_ids": [a["id"], b["id"]],
        "main_department_id": b["id"],
        "supervisor_id": boss["id"],
        "role_ids": [role["id"]],
    }
    user = api.ok(api.post("/users", body), 201)
    assert user["username"] == "zhang.san"
    assert user["email"] == "ZS@example.com"
    assert user["main_department_id"] == b["id"]
    assert {d["id"]: d["is_main"] for d in user["departments"]} == {a["id"]: False, b["id"]: True}
    assert (user["supervisor_id"], user["role_ids"]) == (boss["id"], [role["id"]])
    assert "password_hash" not in user and user["has_password"] is True
    # the audit entry has the after-state and no secret
    log = schema.audit_log
    with rt.db.read() as conn:
        details = conn.execute(
            sa.select(log.c.details).where(
                log.c.object_id == str(user["id"]), log.c.object_type == "user"
            )
        ).scalar_one()
    assert details["op"] == "create" and details["after"]["department_ids"] == [b["id"], a["id"]]
    assert "pass-word-1" not in str(details) and "argon2" not in str(details)


def test_user_bad_input_names_the_field(api: Api) -> None:
    a = dept(api, "A")
    cases = [
        ({"username": "x y", "password": "pass-word-1"}, "username", "invalid_username"),
        ({"username": "ok1", "password": "short1"}, "password", "password_too_short"),
        (
            {"username": "ok2", "password": "pass-word-1", "email": "nope"},
            "email",
            "org_invalid_email",
        ),
        (
            {"username": "ok3", "password": "pass-word-1", "phone": "abc"},
            "phone",
            "org_invalid_phone",
        ),
        (
            {"username": "ok4", "password": "pass-word-1", "department_ids": [999]},
            "department_ids",
            "department_not_found",
        ),
        (
            {
                "username": "ok5",
                "password": "pass-word-1",
                "department_ids": [a["id"]],
                "main_department_id": 999,
            },
            "main_department_id",
            "main_department_not_member",
        ),
        (
            {"username": "ok6", "password": "pass-word-1", "role_ids": [999]},
            "role_ids",
            "role_not_found",
        ),
        (
            {"username": "ok7", "password": "pass-word-1", "supervisor_id": 999},
            "supervisor_id",
            "org_user_not_found",
        ),
        (
            {"username": "ok8", "password": "pass-word-1", "invite_days": 99},
            "invite_days",
            "less_than_equal",
        ),
        (
            {"username": "ok9", "password": "pass-word-1", "surprise": 1},
            "surprise",
            "extra_forbidden",
        ),
    ]
    for body, field, code in cases:
        response = api.post("/users", body)
        assert response.status_code == 422, body
        details = response.json()["error"]["details"]
        assert any(d["field"] == field for d in details), (body, details)
        if code != "less_than_equal":
            assert any(d["code"] == code for d in details), (body, details)
        assert all(d["message"] for d in details)
    # nothing half-created
    names = [u["username"] for u in api.ok(api.get("/users"))["items"]]
    assert names == ["admin"]


def test_supervisor_cycles_are_refused(api: Api) -> None:
    ids = [
        api.ok(api.post("/users", {"username": f"u{i}", "password": "pass-word-1"}), 201)["id"]
        for i in range(3)
    ]
    api.ok(api.patch(f"/users/{ids[1]}", {"supervisor_id": ids[0]}))
    api.ok(api.patch(f"/users/{ids[2]}", {"supervisor_id": ids[1]}))
    for user, boss in ((ids[0], ids[2]), (ids[0], ids[0])):
        assert error(api.patch(f"/users/{user}", {"supervisor_id": boss}))[2] == [
            ("supervisor_id", "supervisor_cycle")
        ]
    api.ok(api.patch(f"/users/{ids[2]}", {"supervisor_id": None}))
    assert api.ok(api.get(f"/users/{ids[2]}"))["supervisor_id"] is None


def test_disable_revokes_sessions_and_tokens_and_enable(
    api: Api, make_user: Any, rt: Runtime
) -> None:
    worker = make_user("worker")
    assert worker.get("/apps").status_code == 200
    uid = next(u["id"] for u in api.ok(api.get("/users"))["items"] if u["username"] == "worker")
    login = api.client.post(
        "/api/v1/auth/login", json={"username": "worker", "password": "user-pass-1"}
    )
    assert login.status_code == 200
    assert api.ok(api.post(f"/users/{uid}/disable"))["is_active"] is False
    assert worker.get("/apps").status_code == 401
    t, s = schema.api_tokens, schema.sessions
    with rt.db.read() as conn:
        assert (
            conn.execute(sa.select(t.c.revoked_at).where(t.c.user_id == uid)).scalar() is not None
        )
        assert (
            conn.execute(sa.select(s.c.revoked_at).where(s.c.user_id == uid)).scalar() is not None
        )
    api.client.cookies.clear()
    assert api.ok(api.post(f"/users/{uid}/enable"))["is_active"] is True
    # the old token stays revoked; a new login works
    assert worker.get("/apps").status_code == 401
    assert (
        api.client.post(
            "/api/v1/auth/login", json={"username": "worker", "password": "user-pass-1"}
        ).status_code
        == 200
    )
    ops = [op for _, op in audit_ops(rt, "user")]
    assert ops[-2:] == ["disable", "enable"]


def test_admin_cannot_lock_themself_out(api: Api) -> None:
    me = next(u for u in api.ok(api.get("/users"))["items"] if u["username"] == "admin")
    assert error(api.post(f"/users/{me['id']}/disable"))[:2] == (409, "cannot_disable_self")
    assert error(api.patch(f"/users/{me['id']}", {"is_admin": False}))[2] == [
        ("is_admin", "cannot_demote_self")
    ]


def test_reset_password(api: Api, make_user: Any, rt: Runtime) -> None:
    make_user("worker")
    uid = next(u["id"] for u in api.ok(api.get("/users"))["items"] if u["username"] == "worker")
    assert error(api.post(f"/users/{uid}/reset-password", {"password": "x"}))[2][0][0] == "password"
    user = api.ok(api.post(f"/users/{uid}/reset-password", {"password": "new-pass-42"}))
    assert user["must_change_password"] is True
    login = api.client.post(
        "/api/v1/auth/login", json={"username": "worker", "password": "new-pass-42"}
    )
    assert login.status_code == 200
    with rt.db.read() as conn:
        row = conn.execute(sa.select(schema.users).where(schema.users.c.id == uid)).one()
    assert row.password_changed_at is not None
    assert api.post("/users/9999/reset-password", {"password": "new-pass-42"}).status_code == 404


def test_invite_link_sets_the_password_once(api: Api, rt: Runtime) -> None:
    created = api.ok(
        api.post("/users", {"username": "newbie", "display_name": "新人", "invite_days": 3}), 201
    )
    token = created["invite_token"]
    assert created["invite_path"] == f"/invite/{token}"
    assert created["invite_pending"] is True and created["has_password"] is False
    with rt.db.read() as conn:
        row = conn.execute(sa.select(schema.users).where(schema.users.c.username == "newbie")).one()
    assert (
        row.password_hash is None
        and row.invite_token_hash != token
        and len(row.invite_token_hash) == 64
    )
    # nobody can log in before the invitation is accepted
    assert (
        api.client.post(
            "/api/v1/auth/login", json={"username": "newbie", "password": ""}
        ).status_code
        == 422
    )
    public = api.client  # no credentials needed
    assert public.get(f"/api/v1/auth/invite/{token}").json() == {
        "username": "newbie",
        "display_name": "新人",
    }
    bad = public.post(f"/api/v1/auth/invite/{token}", json={"password": "short"})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "password"
    assert (
        public.post(f"/api/v1/auth/invite/{token}", json={"password": "my-pass-word-1"}).status_code
        == 200
    )
    # used up
    again = public.post(f"/api/v1/auth/invite/{token}", json={"password": "other-pass-2"})
    assert error(again)[:2] == (404, "invite_invalid")
    assert public.get(f"/api/v1/auth/invite/{token}").status_code == 404
    login = public.post(
        "/api/v1/auth/login", json={"username": "newbie", "password": "my-pass-word-1"}
    )
    assert login.status_code == 200
    # a user with a password is not re-invited
    assert error(api.post(f"/users/{created['id']}/invite"))[:2] == (409, "user_has_password")


def test_expired_and_reissued_invites(api: Api, rt: Runtime) -> None:
    created = api.ok(api.post("/users", {"username": "late"}), 201)
    old = created["invite_token"]
    fresh = api.ok(api.post(f"/users/{created['id']}/invite", {"invite_days": 1}))["invite_token"]
    assert api.client.get(f"/api/v1/auth/invite/{old}").status_code == 404
    u = schema.users
    rt.db.write(
        lambda c: c.execute(
            sa.update(u).where(u.c.id == created["id"]).values(invite_expires_at=u.c.created_at)
        )
    )
    assert api.client.get(f"/api/v1/auth/invite/{fresh}").status_code == 404
    assert api.client.get("/api/v1/auth/invite/garbage").status_code == 404


def test_list_search_department_filter_and_pages(api: Api) -> None:
    sales = dept(api, "销售部")
    east = dept(api, "华东区", sales["id"])
    api.ok(
        api.post(
            "/users",
            {
                "username": "zhang",
                "display_name": "张三",
                "password": "pass-word-1",
                "department_ids": [sales["id"]],
            },
        ),
        201,
    )
    api.ok(
        api.post(
            "/users",
            {
                "username": "li",
                "display_name": "李四",
                "password": "pass-word-1",
                "department_ids": [east["id"]],
            },
        ),
        201,
    )
    api.ok(
        api.post(
            "/users",
            {
                "username": "wang",
                "display_name": "王五",
                "password": "pass-word-1",
                "phone": "13900001111",
            },
        ),
        201,
    )

    def names(**params: Any) -> list[str]:
        return [u["username"] for u in api.ok(api.get("/users", params=params))["items"]]

    assert names(q="李") == ["li"]
    assert names(q="1390000") == ["wang"]
    assert names(department_id=sales["id"]) == ["zhang"]
    assert names(department_id=sales["id"], include_sub=True) == ["zhang", "li"]
    page = api.ok(api.get("/users", params={"limit": 2, "offset": 2}))
    assert (page["total"], [u["username"] for u in page["items"]]) == (4, ["li", "wang"])
    assert api.get("/users", params={"limit": 0}).status_code == 422


def test_directory_for_users_and_admin_only_writes(api: Api, make_user: Any) -> None:
    sales = dept(api, "销售部")
    api.ok(
        api.post(
            "/users",
            {
                "username": "zhang",
                "password": "pass-word-1",
                "phone": "13900001111",
                "department_ids": [sales["id"]],
            },
        ),
        201,
    )
    worker = make_user("worker")
    items = worker.ok(worker.get("/users"))["items"]
    zhang = next(u for u in items if u["username"] == "zhang")
    assert zhang["main_department"] == "销售部"
    assert "phone" not in zhang and "email" not in zhang
    assert worker.ok(worker.get("/departments"))["items"][0]["name"] == "销售部"
    assert worker.get("/users", params={"q": "1390000"}).json()["items"] == []
    denied = [
        worker.post("/departments", {"name": "X"}),
        worker.patch(f"/departments/{sales['id']}", {"name": "X"}),
        worker.delete(f"/departments/{sales['id']}"),
        worker.post("/users", {"username": "x1", "password": "pass-word-1"}),
        worker.patch(f"/users/{zhang['id']}", {"display_name": "X"}),
        worker.post(f"/users/{zhang['id']}/disable"),
        worker.post(f"/users/{zhang['id']}/reset-password", {"password": "pass-word-9"}),
        worker.get(f"/users/{zhang['id']}"),
        worker.post("/roles", {"name": "R"}),
        worker.get("/org/import/template"),
    ]
    assert [r.status_code for r in denied] == [403] * len(denied)


# ----- roles -------------------------------------------------------------------------------
def test_roles_crud_with_members(api: Api, rt: Runtime) -> None:
    u1 = api.ok(api.post("/users", {"username": "u1", "password": "pass-word-1"}), 201)
    role = api.ok(
        api.post("/roles", {"name": "销售", "description": "一线销售", "member_ids": [u1["id"]]}),
        201,
    )
    assert (role["member_ids"], role["member_count"]) == ([u1["id"]], 1)
    assert error(api.post("/roles", {"name": "销售"}))[2] == [("name", "role_name_taken")]
    assert error(api.patch(f"/roles/{role['id']}", {"member_ids": [999]}))[2] == [
        ("member_ids", "org_user_not_found")
    ]
    api.ok(api.patch(f"/roles/{role['id']}", {"name": "大客户销售", "member_ids": []}))
    assert api.ok(api.get("/roles"))["items"][0]["name"] == "大客户销售"
    assert api.ok(api.get(f"/users/{u1['id']}"))["role_ids"] == []
    assert api.delete(f"/roles/{role['id']}").status_code == 204
    assert api.delete(f"/roles/{role['id']}").status_code == 404
    assert [op for _, op in audit_ops(rt, "role")] == ["create", "update", "delete"]


@pytest.mark.parametrize("path", ["/departments/0", "/roles/99999999999999999999"])
def test_ids_out_of_range(api: Api, path: str) -> None:
    assert api.patch(path, {"name": "x"}).status_code == 422
