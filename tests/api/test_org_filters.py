"""The dynamic filter values "$me", "$my_department" and "$my_department_tree" on member
fields (incl. owner / created_by) and department fields, on SQLite and PostgreSQL.

Departments: 销售部 (S) > 华东区 (E), and 市场部 (M). The admin (who runs the API
queries) is in S, c1 in S, e1 in E, m1 in M. The same saved filter run by e1 must mean
e1's departments: the values compile to subqueries on the running user's id.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from qiao.context import Ctx
from qiao.org import users
from qiao.query.filters import compile_filter
from qiao.runtime import Runtime
from tests.conftest import Api


@pytest.fixture
def world(api: Api, rt: Runtime) -> dict[str, Any]:
    s = api.ok(api.post("/departments", {"name": "销售部"}), 201)["id"]
    e = api.ok(api.post("/departments", {"name": "华东区", "parent_id": s}), 201)["id"]
    m = api.ok(api.post("/departments", {"name": "市场部"}), 201)["id"]
    admin = next(u for u in api.ok(api.get("/users"))["items"] if u["username"] == "admin")
    api.ok(api.patch(f"/users/{admin['id']}", {"department_ids": [s]}))

    def user(name: str, dept: int) -> int:
        body = {"username": name, "password": "pass-word-1", "department_ids": [dept]}
        return int(api.ok(api.post("/users", body), 201)["id"])

    ids = {"admin": admin["id"], "c1": user("c1", s), "e1": user("e1", e), "m1": user("m1", m)}
    form = api.make_form(
        [
            {"key": "us", "label": "成员", "type": "user"},
            {"key": "dep", "label": "部门", "type": "department"},
        ]
    )
    rows = [
        ("admin", "admin", s),
        ("c1", "c1", e),
        ("e1", "e1", m),
        ("m1", "m1", None),
        ("m1", None, s),
    ]
    records = []
    for owner, member, department in rows:
        data = {"us": ids[member] if member else None, "dep": department}
        created = api.ok(
            api.post(f"/forms/{form['id']}/records", {"data": data, "owner": ids[owner]}), 201
        )
        records.append(created["id"])
    return {"form": form["id"], "records": records, "users": ids, "S": s, "E": e, "M": m}


def matches(api: Api, world: dict[str, Any], tree: Any) -> set[int]:
    page = api.ok(
        api.get(
            f"/forms/{world['form']}/records", params={"filter": json.dumps(tree), "limit": 100}
        )
    )
    index = {rid: i for i, rid in enumerate(world["records"])}
    return {index[r["id"]] for r in page["items"]}


def leaf(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


def test_member_fields_take_me_and_my_departments(api: Api, world: dict[str, Any]) -> None:
    m1 = world["users"]["m1"]
    cases = [
        (leaf("us", "eq", "$me"), {0}),
        (leaf("us", "eq", "$my_department"), {0, 1}),
        (leaf("us", "eq", "$my_department_tree"), {0, 1, 2}),
        (leaf("us", "ne", "$me"), {1, 2, 3, 4}),  # "not me" keeps the empty one
        (leaf("us", "in", ["$me", m1]), {0, 3}),
        (leaf("us", "not_in", ["$my_department"]), {2, 3, 4}),
        (leaf("owner", "eq", "$me"), {0}),
        (leaf("owner", "in", ["$my_department_tree"]), {0, 1, 2}),
        (leaf("created_by", "eq", "$me"), {0, 1, 2, 3, 4}),
        (leaf("updated_by", "ne", "$my_department"), set()),
    ]
    for tree, expected in cases:
        assert matches(api, world, tree) == expected, tree


def test_department_fields_take_my_departments(api: Api, world: dict[str, Any]) -> None:
    cases = [
        (leaf("dep", "eq", "$my_department"), {0, 4}),
        (leaf("dep", "eq", "$my_department_tree"), {0, 1, 4}),
        (leaf("dep", "ne", "$my_department"), {1, 2, 3}),
        (leaf("dep", "in", ["$my_department", world["M"]]), {0, 2, 4}),
        (leaf("dep", "not_in", ["$my_department_tree"]), {2, 3}),
        (leaf("dep", "eq", world["E"]), {1}),
        ({"not": leaf("dep", "eq", "$my_department_tree")}, {2, 3}),
    ]
    for tree, expected in cases:
        assert matches(api, world, tree) == expected, tree


def test_dynamic_values_are_refused_where_they_mean_nothing(
    api: Api, world: dict[str, Any]
) -> None:
    for tree, field, code in [
        (leaf("dep", "eq", "$me"), "dep", "department_value_invalid"),
        (leaf("us", "eq", "$somebody"), "us", "user_not_found"),
        (leaf("dep", "in", ["$my_departments"]), "dep", "department_value_invalid"),
    ]:
        response = api.get(f"/forms/{world['form']}/records", params={"filter": json.dumps(tree)})
        assert response.status_code == 400, tree
        details = response.json()["error"]["details"]
        assert [(d["field"], d["code"]) for d in details] == [(field, code)]
        assert "$" not in details[0]["message"] or "部门" in details[0]["message"]


def test_the_same_filter_means_whoever_runs_it(rt: Runtime, world: dict[str, Any]) -> None:
    """A saved filter compiled for e1 (in 华东区) selects e1's department, with no id list
    in the SQL: the user id is the only parameter the values add."""
    saved = {"or": [leaf("dep", "eq", "$my_department"), leaf("us", "eq", "$my_department_tree")]}
    with rt.db.read() as conn:
        form = rt.form(conn, world["form"])
        e1 = users.get_user(conn, world["users"]["e1"])
        results = {}
        for who in (e1, users.get_user(conn, world["users"]["admin"])):
            ctx = Ctx(user=who, tz=rt.tz)
            condition = compile_filter(form, saved, ctx)
            assert condition is not None
            compiled = condition.compile(conn)
            # the only bound values are the user's id (one per dynamic value) — no id lists
            assert set(compiled.params.values()) == {who.id}, compiled.params
            table = form.table
            ids = conn.execute(
                sa.select(table.c.id).where(condition, table.c.deleted_at.is_(None))
            ).scalars()
            index = {rid: i for i, rid in enumerate(world["records"])}
            results[who.username] = {index[i] for i in ids}
    # e1: dep in {E} -> record 1; users in E or below -> e1 -> record 2
    assert results == {"e1": {1, 2}, "admin": {0, 1, 2, 4}}
