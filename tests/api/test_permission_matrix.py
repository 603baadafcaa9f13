"""The permission matrix: who sees and changes which records and fields, through the API.

One organisation for every test (both engines): 销售部 with 华东区 and 华北区 below it,

    director  销售部            e1, e2   华东区 (e1 and n1 hold the role 销售)
    east_mgr  华东区            n1       华北区
    outsider  no department

and a form 客户 whose records belong to each of them (plus the admin). Each test gives
users permission groups through the API and checks exactly the records and the fields
that come back: data scopes (own, department, department_tree, all, custom with "$me" /
"$my_department"), field rules (hidden, read-only, editable, masked, masked + unmask),
every operation (list, get, create, edit, delete, bulk, transfer, titles, related,
comments, views), narrowed tokens, the union of groups, app and system administrators,
and the audit entries of unmasking, transfers and permission changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qiao.db import schema
from qiao.org import users as users_mod
from qiao.runtime import Runtime
from tests.conftest import Api, token_for

PHONE = "13812345678"
FIELDS: list[dict[str, Any]] = [
    {"key": "name", "label": "客户名称", "type": "text"},
    {"key": "phone", "label": "电话", "type": "phone"},
    {"key": "level", "label": "等级", "type": "select", "settings": {"choices": ["A", "B"]}},
    {"key": "amount", "label": "金额", "type": "money"},
    {"key": "note", "label": "内部备注", "type": "text"},
    {"key": "rep", "label": "跟进人", "type": "user"},
]
USERS = ("director", "east_mgr", "e1", "e2", "n1", "outsider")


# ----- helpers -----------------------------------------------------------------------------
def me(api: Api) -> int:
    return int(api.ok(api.get("/auth/me"))["user"]["id"])


def error(response: Any) -> tuple[int, str, dict[str, str]]:
    """Status, error code and {field: code} of the details."""
    body = response.json()
    assert "error" in body, body
    details = {d["field"]: d["code"] for d in body["error"].get("details") or []}
    return response.status_code, body["error"]["code"], details


def ids(page: dict[str, Any]) -> set[int]:
    return {item["id"] for item in page["items"]}


@dataclass
class World:
    rt: Runtime
    admin: Api
    users: dict[str, Api]
    uid: dict[str, int]
    depts: dict[str, int]
    role: int
    app: int
    form: int
    #: record name -> id; names say whose record it is
    rec: dict[str, int] = field(default_factory=dict)

    def grant(
        self,
        members: list[dict[str, Any]] | str,
        ops: list[str],
        scope: str,
        scope_filter: Any = None,
        fields: dict[str, Any] | None = None,
        form: int | None = None,
    ) -> dict[str, Any]:
        """A permission group on the form; ``members`` may name one user."""
        if isinstance(members, str):
            members = [{"type": "user", "id": self.uid[members]}]
        body = {
            "name": f"g-{len(self.rec)}-{scope}-{ops}",
            "operations": ops,
            "scope": scope,
            "scope_filter": scope_filter,
            "fields": fields or {},
            "members": members,
        }
        return dict(
            self.admin.ok(
                self.admin.post(f"/forms/{form or self.form}/permission-groups", body), 201
            )
        )

    def list_ids(self, who: str, **params: Any) -> set[int]:
        return ids(self.users[who].list(self.form, limit=500, **params))

    def names(self, *names: str) -> set[int]:
        return {self.rec[n] for n in names}

    def row(self, record_id: int) -> dict[str, Any]:
        """A record as stored (admin's view), to check that refused writes changed nothing."""
        return dict(self.admin.ok(self.admin.get(f"/forms/{self.form}/records/{record_id}")))

    def path(self, record_id: int, suffix: str = "") -> str:
        return f"/forms/{self.form}/records/{record_id}{suffix}"


def audit_rows(rt: Runtime, action: str) -> list[Any]:
    a = schema.audit_log
    with rt.db.engine.connect() as conn:
        return list(conn.execute(sa.select(a).where(a.c.action == action).order_by(a.c.seq)))


def quick_user(rt: Runtime, client: TestClient, name: str) -> Api:
    """A user acting through an API token; without a password (as if invited), which
    saves the deliberately slow password hashing for a dozen users per test."""
    user = rt.db.write(lambda c: users_mod.create_user(c, name, None))
    return Api(client, token_for(rt, user))


@pytest.fixture
def world(api: Api, client: TestClient, rt: Runtime) -> World:
    sales = api.ok(api.post("/departments", {"name": "销售部"}), 201)["id"]
    east = api.ok(api.post("/departments", {"name": "华东区", "parent_id": sales}), 201)["id"]
    north = api.ok(api.post("/departments", {"name": "华北区", "parent_id": sales}), 201)["id"]
    users = {name: quick_user(rt, client, name) for name in USERS}
    uid = {name: me(u) for name, u in users.items()}
    uid["admin"] = me(api)
    home = {"director": sales, "east_mgr": east, "e1": east, "e2": east, "n1": north}
    for name, dept in home.items():
        api.ok(api.patch(f"/users/{uid[name]}", {"department_ids": [dept]}))
    role = api.ok(api.post("/roles", {"name": "销售", "member_ids": [uid["e1"], uid["n1"]]}), 201)
    app = api.make_app()["id"]
    form = api.make_form(FIELDS, app_id=app)["id"]
    # start from no access at all: each test grants what it checks
    for group in api.ok(api.get(f"/forms/{form}/permission-groups"))["items"]:
        api.ok(api.delete(f"/permission-groups/{group['id']}"), 204)
    w = World(
        rt,
        api,
        users,
        uid,
        {"销售部": sales, "华东区": east, "华北区": north},
        role["id"],
        app,
        form,
    )
    specs = [
        ("e1-a", "e1", "A", "e1"),
        ("e1-b", "e1", "B", None),
        ("e2", "e2", "A", "e2"),
        ("east_mgr", "east_mgr", "B", "e2"),
        ("n1", "n1", "A", "n1"),
        ("director", "director", "B", None),
        ("admin", "admin", "A", "e2"),
    ]
    for name, owner, level, rep in specs:
        data = {
            "name": f"客户-{name}",
            "phone": PHONE,
            "level": level,
            "amount": 100,
            "note": f"备注-{name}",
            "rep": uid[rep] if rep else None,
        }
        created = api.ok(
            api.post(f"/forms/{form}/records", {"data": data, "owner": uid[owner]}), 201
        )
        w.rec[name] = created["id"]
    return w


EVERYONE = ("e1-a", "e1-b", "e2", "east_mgr", "n1", "director", "admin")
EAST = ("e1-a", "e1-b", "e2", "east_mgr")
SALES_TREE = ("e1-a", "e1-b", "e2", "east_mgr", "n1", "director")


# ----- data scopes ---------------------------------------------------------------------
SCOPE_CASES: list[tuple[str, str, str, Any, tuple[str, ...]]] = [
    # (case, user, scope, scope_filter, the records they see)
    ("own", "e1", "own", None, ("e1-a", "e1-b")),
    ("department", "e1", "department", None, EAST),
    ("department-of-parent-only", "director", "department", None, ("director",)),
    ("department-tree-from-root", "director", "department_tree", None, SALES_TREE),
    ("department-tree-from-leaf", "east_mgr", "department_tree", None, EAST),
    ("department-without-one", "outsider", "department", None, ()),
    ("all", "n1", "all", None, EVERYONE),
    (
        "custom-me",
        "e2",
        "custom",
        {"field": "rep", "op": "eq", "value": "$me"},
        ("e2", "east_mgr", "admin"),
    ),
    (
        "custom-my-department",
        "n1",
        "custom",
        {"field": "owner", "op": "in", "value": ["$my_department"]},
        ("n1",),
    ),
    (
        "custom-my-department-tree",
        "director",
        "custom",
        {
            "and": [
                {"field": "owner", "op": "in", "value": ["$my_department_tree"]},
                {"field": "level", "op": "eq", "value": "A"},
            ]
        },
        ("e1-a", "e2", "n1"),
    ),
]


@pytest.mark.parametrize(
    ("user", "scope", "scope_filter", "expected"),
    [c[1:] for c in SCOPE_CASES],
    ids=[c[0] for c in SCOPE_CASES],
)
def test_data_scope_decides_every_read(
    world: World, user: str, scope: str, scope_filter: Any, expected: tuple[str, ...]
) -> None:
    w = world
    w.grant(user, ["view", "edit", "delete"], scope, scope_filter)
    who = w.users[user]
    inside, outside = w.names(*expected), w.names(*EVERYONE) - w.names(*expected)
    page = who.list(w.form, limit=500)
    assert ids(page) == inside
    assert page["total"] == len(inside)
    # the first page of a sorted list pages through the same set
    first = who.list(w.form, limit=2, sort="-id")
    assert [r["id"] for r in first["items"]] == sorted(inside, reverse=True)[:2]
    # a filter only narrows the scope, never widens it
    assert w.list_ids(user, filter=json.dumps({"field": "level", "op": "eq", "value": "A"})) == {
        i for i in inside if w.row(i)["data"]["level"] == "A"
    }
    for rid in inside:
        assert who.ok(who.get(w.path(rid)))["id"] == rid
        assert who.get(w.path(rid, "/comments")).status_code == 200
    # outside the scope a record does not exist: 404 for every way in, never 403
    for rid in outside:
        before = w.row(rid)
        assert error(who.get(w.path(rid)))[:2] == (404, "record_not_found")
        assert who.patch(w.path(rid), {"data": {"name": "x"}, "version": 1}).status_code == 404
        assert who.delete(w.path(rid)).status_code == 404
        assert who.get(w.path(rid, "/comments")).status_code == 404
        assert who.post(w.path(rid, "/comments"), {"body": "hi"}).status_code == 404
        assert who.get(w.path(rid, "/unmasked"), params={"fields": "phone"}).status_code == 404
        assert w.row(rid) == before
    # a record id that exists nowhere answers the same as one outside the scope
    assert error(who.get(w.path(999_999)))[:2] == (404, "record_not_found")
    every = ",".join(str(i) for i in sorted(w.names(*EVERYONE)))
    titles = who.ok(who.get(f"/forms/{w.form}/records/titles", params={"ids": every}))
    assert {t["id"] for t in titles["items"]} == inside
    # a filter-chosen bulk update touches only the records in scope
    everything = {"field": "id", "op": "gte", "value": 1}
    changed = who.ok(
        who.post(
            f"/forms/{w.form}/records/bulk-update", {"filter": everything, "data": {"amount": 7}}
        )
    )
    assert changed["count"] == len(inside)
    amounts = {rid: w.row(rid)["data"]["amount"] for rid in w.names(*EVERYONE)}
    assert {rid for rid, a in amounts.items() if a == 7} == inside


def test_own_scope_covers_records_i_created_for_someone_else(world: World) -> None:
    w = world
    w.grant("e1", ["view", "create", "edit"], "own")
    e1 = w.users["e1"]
    handed = e1.ok(
        e1.post(f"/forms/{w.form}/records", {"data": {"name": "转交"}, "owner": w.uid["n1"]}), 201
    )
    assert handed["owner"] == w.uid["n1"]
    assert w.list_ids("e1") == w.names("e1-a", "e1-b") | {handed["id"]}


def test_department_scope_follows_membership_changes(world: World) -> None:
    w = world
    w.grant("e2", ["view"], "department")
    assert w.list_ids("e2") == w.names(*EAST)
    # e2 moves to 华北区: the scope is computed at query time, not cached
    w.admin.ok(w.admin.patch(f"/users/{w.uid['e2']}", {"department_ids": [w.depts["华北区"]]}))
    assert w.list_ids("e2") == w.names("e2", "n1")


def test_department_and_role_members_of_a_group(world: World) -> None:
    w = world
    # a department member includes its sub-departments
    w.grant([{"type": "department", "id": w.depts["销售部"]}], ["view"], "own")
    for user in ("director", "e1", "n1"):
        assert w.users[user].get(f"/forms/{w.form}/records").status_code == 200
    assert error(w.users["outsider"].get(f"/forms/{w.form}/records"))[:2] == (
        403,
        "form_forbidden",
    )
    w.grant([{"type": "role", "id": w.role}], ["view"], "all")
    assert w.list_ids("n1") == w.names(*EVERYONE)  # 销售 role: all
    assert w.list_ids("e2") == w.names("e2")  # 华东区 member only: own


# ----- operations ----------------------------------------------------------------------
def test_a_user_without_any_group_cannot_open_the_form(world: World) -> None:
    w = world
    x = w.users["outsider"]
    for response in (
        x.get(f"/forms/{w.form}"),
        x.get(f"/forms/{w.form}/records"),
        x.get(f"/forms/{w.form}/views"),
        x.get(f"/forms/{w.form}/records/titles", params={"ids": str(w.rec["admin"])}),
        x.post(f"/forms/{w.form}/records", {"data": {"name": "x"}}),
    ):
        assert error(response)[:2] == (403, "form_forbidden"), response.text
    assert w.app not in {a["id"] for a in x.ok(x.get("/apps"))["items"]}
    assert x.get(f"/apps/{w.app}").status_code == 404
    assert x.get(w.path(w.rec["admin"])).status_code == 403


def test_operations_are_checked_one_by_one(world: World) -> None:
    w = world
    w.grant("e1", ["view"], "all")
    e1 = w.users["e1"]
    access = e1.ok(e1.get(f"/forms/{w.form}"))["access"]
    assert access["operations"] == ["view"] and access["full"] is False
    rid = w.rec["e1-a"]
    assert error(e1.post(f"/forms/{w.form}/records", {"data": {"name": "x"}}))[:2] == (
        403,
        "operation_forbidden",
    )
    # visible but not editable: 403 (it exists for them), and nothing changes
    before = w.row(rid)
    assert error(e1.patch(w.path(rid), {"data": {"name": "x"}, "version": 1}))[:2] == (
        403,
        "operation_forbidden",
    )
    assert error(e1.delete(w.path(rid)))[0] == 403
    assert (
        error(
            e1.post(f"/forms/{w.form}/records/bulk-update", {"ids": [rid], "data": {"name": "x"}})
        )[0]
        == 403
    )
    assert (
        error(e1.post(f"/forms/{w.form}/records/transfer", {"ids": [rid], "owner": w.uid["e2"]}))[0]
        == 403
    )
    assert w.row(rid) == before
    # create-only (a form to submit to, like a web form)
    w.grant("e2", ["create"], "own")
    e2 = w.users["e2"]
    created = e2.ok(e2.post(f"/forms/{w.form}/records", {"data": {"name": "新"}}), 201)
    assert error(e2.get(f"/forms/{w.form}/records"))[:2] == (403, "operation_forbidden")
    assert e2.get(w.path(created["id"])).status_code == 404


def test_edit_and_delete_scopes_narrower_than_view(world: World) -> None:
    """Everyone's records visible, only own ones changeable: 403 for the others."""
    w = world
    w.grant("e1", ["view"], "all")
    w.grant("e1", ["edit", "delete"], "own")
    e1 = w.users["e1"]
    assert w.list_ids("e1") == w.names(*EVERYONE)
    mine, theirs = w.rec["e1-a"], w.rec["e2"]
    assert (
        e1.ok(e1.patch(w.path(mine), {"data": {"name": "改"}, "version": 1}))["data"]["name"]
        == "改"
    )
    code = error(e1.patch(w.path(theirs), {"data": {"name": "改"}, "version": 1}))
    assert code[:2] == (403, "record_forbidden")
    assert error(e1.delete(w.path(theirs)))[:2] == (403, "record_forbidden")
    assert w.row(theirs)["data"]["name"] == "客户-e2"


# ----- bulk operations: all or nothing --------------------------------------------------
BULK = [
    ("bulk-update", lambda ids_, w: {"ids": ids_, "data": {"amount": 1}}),
    ("bulk-delete", lambda ids_, w: {"ids": ids_}),
    ("transfer", lambda ids_, w: {"ids": ids_, "owner": w.uid["east_mgr"]}),
]


@pytest.mark.parametrize(("endpoint", "body"), BULK, ids=[b[0] for b in BULK])
def test_bulk_mixing_allowed_and_forbidden_ids_is_refused_whole(
    world: World, endpoint: str, body: Any
) -> None:
    w = world
    w.grant("e1", ["view"], "department")
    w.grant("e1", ["edit", "delete"], "own")
    e1 = w.users["e1"]
    url = f"/forms/{w.form}/records/{endpoint}"
    snapshot = {rid: w.row(rid) for rid in w.names(*EVERYONE)}
    mine = [w.rec["e1-a"], w.rec["e1-b"]]
    # a record outside the view scope: 404 naming no more than "not found"
    status, code, _ = error(e1.post(url, body([*mine, w.rec["n1"]], w)))
    assert (status, code) == (404, "record_not_found")
    # a visible record outside the edit/delete scope: 403 for the whole batch
    status, code, _ = error(e1.post(url, body([*mine, w.rec["e2"]], w)))
    assert (status, code) == (403, "record_forbidden")
    assert {rid: w.row(rid) for rid in snapshot} == snapshot
    # only allowed ids: done
    assert e1.ok(e1.post(url, body(mine, w)))["count"] == 2


def test_bulk_by_filter_acts_within_the_operation_scope(world: World) -> None:
    w = world
    w.grant("e1", ["view"], "all")
    w.grant("e1", ["delete"], "own")
    e1 = w.users["e1"]
    result = e1.ok(
        e1.post(
            f"/forms/{w.form}/records/bulk-delete",
            {"filter": {"field": "level", "op": "in", "value": ["A", "B"]}},
        )
    )
    assert result["count"] == 2
    assert w.list_ids("e1") == w.names(*EVERYONE) - w.names("e1-a", "e1-b")


def test_transfer_is_audited_with_the_previous_owner(world: World) -> None:
    w = world
    w.grant("e1", ["view", "edit"], "department")
    e1 = w.users["e1"]
    rid = w.rec["e2"]
    assert e1.ok(
        e1.post(f"/forms/{w.form}/records/transfer", {"ids": [rid], "owner": w.uid["e1"]})
    ) == {"count": 1}
    assert w.row(rid)["owner"] == w.uid["e1"]
    (entry,) = audit_rows(w.rt, "record_transfer")
    assert entry.record_id == rid and entry.user_id == w.uid["e1"]
    assert entry.details == {"before": w.uid["e2"], "after": w.uid["e1"]}
    # handing a record out of my scope: it is gone for me
    e1.ok(e1.post(f"/forms/{w.form}/records/transfer", {"ids": [rid], "owner": w.uid["n1"]}))
    assert rid not in w.list_ids("e1")
    bad = e1.post(f"/forms/{w.form}/records/transfer", {"ids": [w.rec["e1-a"]], "owner": 999_999})
    assert error(bad)[0] == 422 and "owner" in error(bad)[2]


# ----- field rules ---------------------------------------------------------------------
FIELD_RULES = {
    "note": {"access": "hidden"},
    "level": {"access": "read"},
    "phone": {"access": "read", "mask": True},
    "name": {"access": "edit"},
    "amount": {"access": "edit"},
    "rep": {"access": "read"},
}


def test_hidden_field_does_not_exist_for_the_user(world: World) -> None:
    w = world
    w.grant("e1", ["view", "create", "edit"], "own", fields=FIELD_RULES)
    e1 = w.users["e1"]
    form = e1.ok(e1.get(f"/forms/{w.form}"))
    assert "note" not in {f["key"] for f in form["fields"]}
    assert form["access"]["fields"]["note"]["access"] == "hidden"
    record = e1.ok(e1.get(w.path(w.rec["e1-a"])))
    assert "note" not in record["data"]
    assert all("note" not in r["data"] for r in e1.list(w.form)["items"])
    # filtering or sorting on it is refused exactly like a field that does not exist
    answers = {
        key: error(
            e1.get(
                f"/forms/{w.form}/records",
                params={"filter": json.dumps({"field": key, "op": "contains", "value": "备注"})},
            )
        )
        for key in ("note", "nosuch")
    }
    assert answers["note"] == answers["nosuch"]
    assert answers["note"][:2] == (400, "invalid_filter")
    sorts = {
        key: error(e1.get(f"/forms/{w.form}/records", params={"sort": f"-{key}"}))
        for key in ("note", "nosuch")
    }
    assert sorts["note"][:2] == sorts["nosuch"][:2] == (400, "invalid_sort")
    assert error(e1.get(f"/forms/{w.form}/records", params={"fields": "name,note"}))[0] == 400
    # quick search does not look into it
    assert e1.list(w.form, q="备注-e1-a")["items"] == []
    assert w.admin.list(w.form, q="备注-e1-a")["total"] == 1
    # nor can it be written (create, update, bulk): "unknown field"
    assert error(e1.post(f"/forms/{w.form}/records", {"data": {"name": "x", "note": "n"}}))[2] == {
        "note": "unknown_field"
    }
    assert error(e1.patch(w.path(w.rec["e1-a"]), {"data": {"note": "n"}, "version": 1}))[2] == {
        "note": "unknown_field"
    }
    assert error(
        e1.post(
            f"/forms/{w.form}/records/bulk-update", {"ids": [w.rec["e1-a"]], "data": {"note": "n"}}
        )
    )[2] == {"note": "unknown_field"}
    assert w.row(w.rec["e1-a"])["data"]["note"] == "备注-e1-a"
    # a filter-chosen bulk write cannot probe it either
    probe = e1.post(
        f"/forms/{w.form}/records/bulk-update",
        {"filter": {"field": "note", "op": "eq", "value": "备注-e1-a"}, "data": {"amount": 1}},
    )
    assert error(probe)[:2] == (400, "invalid_filter")


def test_read_only_fields_are_shown_but_not_written(world: World) -> None:
    w = world
    w.grant("e1", ["view", "create", "edit"], "own", fields=FIELD_RULES)
    e1 = w.users["e1"]
    rid = w.rec["e1-a"]
    assert e1.ok(e1.get(w.path(rid)))["data"]["level"] == "A"
    refused = e1.patch(w.path(rid), {"data": {"level": "B", "name": "改"}, "version": 1})
    assert error(refused)[0] == 422 and error(refused)[2] == {"level": "field_read_only"}
    assert w.row(rid)["data"]["name"] == "客户-e1-a"  # refused whole
    assert error(e1.post(f"/forms/{w.form}/records", {"data": {"name": "n", "level": "A"}}))[2] == {
        "level": "field_read_only"
    }
    bulk = e1.post(f"/forms/{w.form}/records/bulk-update", {"ids": [rid], "data": {"level": "B"}})
    assert error(bulk)[2] == {"level": "field_read_only"}
    ok = e1.ok(e1.patch(w.path(rid), {"data": {"name": "改", "amount": 5}, "version": 1}))
    assert ok["data"]["name"] == "改" and ok["data"]["level"] == "A"
    # filters and sorts on read-only fields are fine
    page = e1.list(
        w.form, filter=json.dumps({"field": "level", "op": "eq", "value": "B"}), sort="level"
    )
    assert ids(page) == w.names("e1-b")


def test_masked_field_without_unmask_right(world: World) -> None:
    w = world
    w.grant("e1", ["view", "edit"], "own", fields=FIELD_RULES)
    e1 = w.users["e1"]
    rid = w.rec["e1-a"]
    assert e1.ok(e1.get(w.path(rid)))["data"]["phone"] == "138****5678"
    assert {r["data"]["phone"] for r in e1.list(w.form)["items"]} == {"138****5678"}
    access = e1.ok(e1.get(f"/forms/{w.form}"))["access"]["fields"]["phone"]
    assert access == {"access": "read", "masked": True, "unmask": False}

    # only exact matches: "contains 5678" would reveal the hidden digits
    def listing(tree: Any) -> Any:
        return e1.get(f"/forms/{w.form}/records", params={"filter": json.dumps(tree)})

    for op, value in (("contains", "1234"), ("starts_with", "1381"), ("ne", PHONE)):
        status, code, details = error(listing({"field": "phone", "op": op, "value": value}))
        assert (status, code) == (
            400,
            "invalid_filter",
        ) and "filter_masked_field" in details.values()
    assert ids(e1.ok(listing({"field": "phone", "op": "eq", "value": PHONE}))) == w.names(
        "e1-a", "e1-b"
    )
    assert ids(e1.ok(listing({"field": "phone", "op": "eq", "value": "13900000000"}))) == set()
    assert error(e1.get(f"/forms/{w.form}/records", params={"sort": "phone"}))[:2] == (
        400,
        "invalid_sort",
    )
    # quick search does not match on it
    assert e1.list(w.form, q="1234")["items"] == []
    assert e1.list(w.form, q="客户-e1-a")["total"] == 1
    # and the unmasked values are refused
    refused = e1.get(w.path(rid, "/unmasked"), params={"fields": "phone"})
    assert error(refused)[:2] == (403, "unmask_forbidden")
    assert e1.get(w.path(rid, "/unmasked"), params={"fields": "note"}).status_code == 422
    assert audit_rows(w.rt, "record_unmask") == []


def test_masked_field_with_unmask_right_is_audited(world: World) -> None:
    w = world
    rules = {**FIELD_RULES, "phone": {"access": "edit", "mask": True, "unmask": True}}
    w.grant("e1", ["view", "edit"], "own", fields=rules)
    e1 = w.users["e1"]
    rid = w.rec["e1-a"]
    assert e1.ok(e1.get(w.path(rid)))["data"]["phone"] == "138****5678"
    got = e1.ok(e1.get(w.path(rid, "/unmasked"), params={"fields": "phone"}))
    assert got == {"values": {"phone": PHONE}}
    (entry,) = audit_rows(w.rt, "record_unmask")
    assert (entry.user_id, entry.form_id, entry.record_id) == (w.uid["e1"], w.form, rid)
    assert entry.details == {"fields": ["phone"]}
    # editable although masked: a new value can be written, and is masked when read back
    saved = e1.ok(e1.patch(w.path(rid), {"data": {"phone": "13900001111"}, "version": 1}))
    assert saved["data"]["phone"] == "139****1111"
    assert w.row(rid)["data"]["phone"] == "13900001111"


def test_titles_respect_hidden_and_masked_title_fields(world: World) -> None:
    w = world
    rid = w.rec["e1-a"]
    w.grant("e1", ["view"], "own", fields={"name": {"access": "hidden"}})
    w.grant("e2", ["view"], "all", fields={"name": {"access": "read", "mask": True}})
    params = {"ids": str(rid)}
    e1, e2 = w.users["e1"], w.users["e2"]
    assert e1.ok(e1.get(f"/forms/{w.form}/records/titles", params=params))["items"] == [
        {"id": rid, "title": f"#{rid}"}
    ]
    (masked,) = e2.ok(e2.get(f"/forms/{w.form}/records/titles", params=params))["items"]
    assert masked["title"] != "客户-e1-a" and "*" in masked["title"]


# ----- union of groups -----------------------------------------------------------------
def test_two_groups_combine_as_a_union(world: World) -> None:
    w = world
    # group A: own records, editable, note hidden, phone masked
    w.grant("e1", ["view", "edit"], "own", fields={**FIELD_RULES, "level": {"access": "edit"}})
    # group B (through the 销售 role): 华东区's records to read, note readable, phone plain
    w.grant(
        [{"type": "role", "id": w.role}],
        ["view"],
        "department",
        fields={
            "name": {"access": "read"},
            "note": {"access": "read"},
            "phone": {"access": "read"},
            "amount": {"access": "hidden"},
        },
    )
    e1 = w.users["e1"]
    assert w.list_ids("e1") == w.names(*EAST)
    rules = e1.ok(e1.get(f"/forms/{w.form}"))["access"]["fields"]
    assert rules["note"]["access"] == "read"  # the most open of hidden and read
    assert rules["phone"] == {"access": "read", "masked": False, "unmask": False}
    assert rules["level"]["access"] == "edit"
    assert rules["amount"]["access"] == "edit"  # from A; B keeps it hidden
    record = e1.ok(e1.get(w.path(w.rec["e2"])))
    assert record["data"]["phone"] == PHONE and record["data"]["note"] == "备注-e2"
    # edit comes from group A only: own records
    assert (
        e1.patch(w.path(w.rec["e1-a"]), {"data": {"level": "B"}, "version": 1}).status_code == 200
    )
    assert error(e1.patch(w.path(w.rec["e2"]), {"data": {"level": "B"}, "version": 1}))[:2] == (
        403,
        "record_forbidden",
    )
    # n1 (华北区, 销售 role) sees only B's share: 华北区, with amount hidden
    n1 = w.users["n1"]
    assert w.list_ids("n1") == w.names("n1")
    assert "amount" not in n1.ok(n1.get(w.path(w.rec["n1"])))["data"]


def test_everyone_member_and_the_default_group(world: World) -> None:
    w = world
    w.grant([{"type": "all", "id": 0}], ["view"], "own")
    for user in USERS:
        expected = {
            "e1": ("e1-a", "e1-b"),
            "e2": ("e2",),
            "n1": ("n1",),
            "east_mgr": ("east_mgr",),
            "director": ("director",),
        }.get(user, ())
        assert w.list_ids(user) == w.names(*expected), user


# ----- administrators ------------------------------------------------------------------
def test_system_and_app_admins_see_and_do_everything(world: World) -> None:
    w = world
    w.grant("e1", ["view"], "own", fields=FIELD_RULES)
    assert ids(w.admin.list(w.form, limit=500)) == w.names(*EVERYONE)
    w.admin.ok(w.admin.put(f"/apps/{w.app}/admins", {"user_ids": [w.uid["outsider"]]}))
    x = w.users["outsider"]
    assert w.list_ids("outsider") == w.names(*EVERYONE)
    record = x.ok(x.get(w.path(w.rec["e1-a"])))
    assert record["data"]["phone"] == PHONE and record["data"]["note"] == "备注-e1-a"
    assert x.ok(x.get(f"/forms/{w.form}"))["access"]["full"] is True
    # an app admin manages the groups of the app's forms, and does not appear in the
    # unmask audit (they see plain values anyway)
    assert x.get(f"/forms/{w.form}/permission-groups").status_code == 200
    x.ok(x.get(w.path(w.rec["e1-a"], "/unmasked"), params={"fields": "phone"}))
    assert audit_rows(w.rt, "record_unmask") == []
    # but only system admins name app admins
    assert x.put(f"/apps/{w.app}/admins", {"user_ids": []}).status_code == 403
    assert w.users["e1"].get(f"/forms/{w.form}/permission-groups").status_code == 403


def test_manage_operation_makes_a_form_manager(world: World) -> None:
    w = world
    w.grant("east_mgr", ["manage"], "own")
    m = w.users["east_mgr"]
    assert w.list_ids("east_mgr") == w.names(*EVERYONE)
    assert m.ok(m.get(f"/forms/{w.form}"))["access"]["full"] is True
    assert m.get(f"/forms/{w.form}/permission-groups").status_code == 200
    shared = m.post(f"/forms/{w.form}/views", {"name": "共享", "kind": "table", "shared": True})
    assert shared.status_code == 201


# ----- tokens --------------------------------------------------------------------------
def test_read_only_token_reads_but_never_writes(world: World) -> None:
    w = world
    w.grant("e1", ["view", "create", "edit", "delete"], "own")
    e1 = w.users["e1"]
    made = e1.ok(e1.post("/auth/tokens", {"name": "报表", "read_only": True}), 201)
    ro = Api(e1.client, made["token"])
    rid = w.rec["e1-a"]
    assert ids(ro.list(w.form)) == w.names("e1-a", "e1-b")
    assert ro.ok(ro.get(w.path(rid)))["id"] == rid
    assert ro.ok(ro.get(f"/forms/{w.form}"))["access"]["operations"] == ["view"]
    before = w.row(rid)
    for response in (
        ro.post(f"/forms/{w.form}/records", {"data": {"name": "x"}}),
        ro.patch(w.path(rid), {"data": {"name": "x"}, "version": 1}),
        ro.delete(w.path(rid)),
        ro.post(f"/forms/{w.form}/records/bulk-update", {"ids": [rid], "data": {"name": "x"}}),
        ro.post(f"/forms/{w.form}/records/bulk-delete", {"ids": [rid]}),
        ro.post(f"/forms/{w.form}/records/transfer", {"ids": [rid], "owner": w.uid["e2"]}),
        ro.post("/auth/tokens", {"name": "wider"}),
    ):
        assert error(response)[:2] == (403, "token_read_only"), response.text
    assert w.row(rid) == before
    # a read-only admin token cannot write either
    admin_ro = Api(
        w.admin.client,
        w.admin.ok(w.admin.post("/auth/tokens", {"name": "ro", "read_only": True}), 201)["token"],
    )
    assert error(admin_ro.patch(w.path(rid), {"data": {"name": "x"}, "version": 1}))[:2] == (
        403,
        "token_read_only",
    )
    assert error(admin_ro.post(f"/forms/{w.form}/permission-groups", {"name": "g"}))[0] == 403


def test_token_narrowed_to_apps_sees_only_those(world: World) -> None:
    w = world
    w.grant("e1", ["view"], "all")
    other_app = w.admin.make_app("服务")["id"]
    other_form = w.admin.make_form(
        [{"key": "t", "label": "工单", "type": "text"}], "工单", other_app
    )
    e1 = w.users["e1"]
    made = e1.ok(e1.post("/auth/tokens", {"name": "服务", "app_ids": [other_app]}), 201)
    narrow = Api(e1.client, made["token"])
    assert error(narrow.get(f"/forms/{w.form}/records"))[:2] == (403, "token_app_forbidden")
    assert error(narrow.get(w.path(w.rec["e1-a"])))[:2] == (403, "token_app_forbidden")
    assert narrow.get(f"/apps/{w.app}").status_code == 404
    assert w.app not in {a["id"] for a in narrow.ok(narrow.get("/apps"))["items"]}
    # within the app it is the user: the default group of the new form applies
    assert narrow.get(f"/forms/{other_form['id']}/records").status_code == 200


# ----- relations, related lists, comments, views ---------------------------------------
def test_relation_values_must_be_records_the_user_can_see(world: World) -> None:
    w = world
    contracts = w.admin.make_form(
        [
            {"key": "title", "label": "合同", "type": "text"},
            {
                "key": "customer",
                "label": "客户",
                "type": "relation",
                "settings": {"target_form_id": w.form},
            },
        ],
        "合同",
        w.app,
    )["id"]
    for group in w.admin.ok(w.admin.get(f"/forms/{contracts}/permission-groups"))["items"]:
        w.admin.ok(w.admin.delete(f"/permission-groups/{group['id']}"), 204)
    w.grant("e1", ["view"], "own")
    w.grant("e1", ["view", "create", "edit"], "all", form=contracts)
    e1 = w.users["e1"]
    url = f"/forms/{contracts}/records"
    refused = e1.post(url, {"data": {"title": "c", "customer": w.rec["n1"]}})
    assert error(refused)[0] == 422 and set(error(refused)[2]) == {"customer"}
    missing = e1.post(url, {"data": {"title": "c", "customer": 999_999}})
    assert error(missing)[2] == error(refused)[2]  # out of scope looks like missing
    ok = e1.ok(e1.post(url, {"data": {"title": "c", "customer": w.rec["e1-a"]}}), 201)
    bulk = e1.post(f"{url}/bulk", {"items": [{"data": {"title": "d", "customer": w.rec["e2"]}}]})
    assert error(bulk)[0] == 422
    patch = e1.patch(f"{url}/{ok['id']}", {"data": {"customer": w.rec["n1"]}, "version": 1})
    assert error(patch)[0] == 422
    # a link set by someone else to a record I cannot see stays when I edit other fields
    theirs = w.admin.create(contracts, {"title": "e", "customer": w.rec["n1"]})
    kept = e1.ok(e1.patch(f"{url}/{theirs['id']}", {"data": {"title": "e2"}, "version": 1}))
    assert kept["data"]["customer"] == w.rec["n1"]
    # related list: 合同 linking to my customer
    related = e1.ok(e1.get(f"/forms/{w.form}/related"))
    assert [r["form_id"] for r in (related.get("items", related))] == [contracts]
    linked = e1.list(
        contracts, filter=json.dumps({"field": "customer", "op": "eq", "value": w.rec["e1-a"]})
    )
    assert ids(linked) == {ok["id"]}
    # no view on 合同: the related list leaves it out
    w2 = w.users["e2"]
    w.grant("e2", ["view"], "own")
    related2 = w2.ok(w2.get(f"/forms/{w.form}/related"))
    assert related2.get("items", related2) == []


def test_comments_follow_the_record_scope(world: World) -> None:
    w = world
    w.grant("e1", ["view"], "own")
    w.grant("e2", ["view"], "department")
    e1, e2 = w.users["e1"], w.users["e2"]
    rid = w.rec["e1-a"]
    e2.ok(e2.post(w.path(rid, "/comments"), {"body": "跟进了"}), 201)
    assert [c["body"] for c in e1.ok(e1.get(w.path(rid, "/comments")))["items"]] == ["跟进了"]
    assert w.users["n1"].get(w.path(rid, "/comments")).status_code == 403  # no group at all
    w.grant("n1", ["view"], "own")
    assert w.users["n1"].get(w.path(rid, "/comments")).status_code == 404


def test_views_personal_for_users_shared_for_managers(world: World) -> None:
    w = world
    w.grant("e1", ["view"], "own")
    e1 = w.users["e1"]
    assert e1.post(f"/forms/{w.form}/views", {"name": "我的", "kind": "table"}).status_code == 201
    shared = e1.post(f"/forms/{w.form}/views", {"name": "共享", "kind": "table", "shared": True})
    assert error(shared)[:2] == (403, "operation_forbidden")


# ----- audit of permission changes -------------------------------------------------------
def test_permission_changes_are_audited(world: World) -> None:
    w = world
    group = w.grant("e1", ["view"], "own")
    w.admin.ok(w.admin.patch(f"/permission-groups/{group['id']}", {"scope": "all"}))
    w.admin.ok(w.admin.delete(f"/permission-groups/{group['id']}"), 204)
    w.admin.ok(w.admin.put(f"/apps/{w.app}/admins", {"user_ids": [w.uid["e2"]]}))
    entries = [r for r in audit_rows(w.rt, "permission_change")]
    mine = [
        (r.object_type, r.details["op"])
        for r in entries
        if r.object_id == str(group["id"]) or r.object_type == "app_admins"
    ]
    assert mine[-4:] == [
        ("permission_group", "create"),
        ("permission_group", "update"),
        ("permission_group", "delete"),
        ("app_admins", "update"),
    ]
    update = next(
        r for r in entries if r.object_id == str(group["id"]) and r.details["op"] == "update"
    )
    assert update.details["before"]["scope"] == "own" and update.details["after"]["scope"] == "all"
    assert update.user_id == w.uid["admin"] and update.form_id == w.form
