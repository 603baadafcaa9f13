"""Records API: CRUD, optimistic versions, bulk writes, recycle bin, unique fields, owners.

Every test runs on SQLite and on PostgreSQL (the ``api`` fixture is parametrized).
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
import sqlalchemy as sa

from qiao.runtime import Runtime
from tests.conftest import Api

FIELDS: list[dict[str, Any]] = [
    {"key": "name", "label": "客户名称", "type": "text", "required": True},
    {"key": "code", "label": "客户编码", "type": "text", "unique": True},
    {"key": "amount", "label": "金额", "type": "money"},
    {"key": "level", "label": "等级", "type": "select", "settings": {"choices": ["A", "B"]}},
    {"key": "tags", "label": "标签", "type": "multiselect", "settings": {"choices": ["x", "y"]}},
    {"key": "no", "label": "编号", "type": "autonumber", "settings": {"pattern": "KH-{0000}"}},
]


@pytest.fixture
def form(api: Api) -> dict[str, Any]:
    return api.make_form(FIELDS)


def details(response: Any) -> dict[str, str]:
    """The error details of a response as {field: code}."""
    body = response.json()
    assert "error" in body, body
    return {d["field"]: d["code"] for d in body["error"]["details"]}


def ids_of(page: dict[str, Any]) -> list[int]:
    return sorted(item["id"] for item in page["items"])


def row_count(rt: Runtime, form_id: int, *, deleted: bool | None = None) -> int:
    """Rows physically in the form table (optionally only live or only trashed)."""
    table = sa.table(f"qf_{form_id}", sa.column("deleted_at"))
    query = sa.select(sa.func.count()).select_from(table)
    if deleted is True:
        query = query.where(table.c.deleted_at.is_not(None))
    elif deleted is False:
        query = query.where(table.c.deleted_at.is_(None))
    with rt.db.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


# ----- single record CRUD --------------------------------------------------------------
def test_create_get_patch_delete_restore(api: Api, form: dict[str, Any], admin: Any) -> None:
    fid = form["id"]
    rec = api.create(
        fid, {"name": "华为", "code": "HW", "amount": "10.5", "level": "A", "tags": ["y", "x"]}
    )
    assert rec["version"] == 1
    assert rec["data"]["name"] == "华为"
    assert rec["data"]["amount"] == 10.5
    assert rec["data"]["level"] == "A"
    assert rec["data"]["tags"] == ["y", "x"]  # order kept
    assert rec["data"]["no"] == "KH-0001"
    assert rec["created_by"] == rec["owner"] == rec["updated_by"] == admin.id
    assert rec["created_at"] and rec["updated_at"]

    got = api.ok(api.get(f"/forms/{fid}/records/{rec['id']}"))
    assert got["data"] == rec["data"]
    assert got["version"] == 1

    patched = api.ok(
        api.patch(
            f"/forms/{fid}/records/{rec['id']}",
            {"data": {"amount": 20, "tags": ["x"]}, "version": 1},
        )
    )
    assert patched["version"] == 2
    assert patched["data"]["amount"] == 20
    assert patched["data"]["tags"] == ["x"]
    # fields not sent are untouched
    assert patched["data"]["name"] == "华为"
    assert patched["data"]["level"] == "A"
    assert patched["data"]["no"] == "KH-0001"

    # clearing a value
    cleared = api.ok(
        api.patch(f"/forms/{fid}/records/{rec['id']}", {"data": {"level": None}, "version": 2})
    )
    assert cleared["data"]["level"] is None
    assert cleared["version"] == 3

    assert api.delete(f"/forms/{fid}/records/{rec['id']}").status_code == 204
    missing = api.get(f"/forms/{fid}/records/{rec['id']}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "record_not_found"
    # a trashed record cannot be edited or deleted again
    assert (
        api.patch(
            f"/forms/{fid}/records/{rec['id']}", {"data": {"name": "x"}, "version": 4}
        ).status_code
        == 404
    )
    assert api.delete(f"/forms/{fid}/records/{rec['id']}").status_code == 404
    trashed = api.ok(api.get(f"/forms/{fid}/records/{rec['id']}", params={"trashed": "true"}))
    assert trashed["deleted_at"]

    restored = api.ok(api.post(f"/forms/{fid}/records/{rec['id']}/restore"))
    assert "deleted_at" not in restored
    assert restored["data"]["name"] == "华为"
    assert restored["data"]["tags"] == ["x"]
    assert restored["version"] == 5
    # restoring a live record is a conflict
    again = api.post(f"/forms/{fid}/records/{rec['id']}/restore")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "record_not_deleted"
    assert api.ok(api.get(f"/forms/{fid}/records/{rec['id']}"))["version"] == 5


def test_not_found_ids(api: Api, form: dict[str, Any]) -> None:
    fid = form["id"]
    assert api.get(f"/forms/{fid}/records/999999").status_code == 404
    assert api.delete(f"/forms/{fid}/records/999999").status_code == 404
    assert api.post(f"/forms/{fid}/records/999999/restore").status_code == 404
    r = api.patch(f"/forms/{fid}/records/999999", {"data": {"name": "x"}, "version": 1})
    assert r.status_code == 404
    assert api.get("/forms/999999/records").status_code == 404
    assert api.post("/forms/999999/records", {"data": {"name": "x"}}).status_code == 404


def test_required_and_invalid_values(api: Api, form: dict[str, Any], rt: Runtime) -> None:
    fid = form["id"]
    r = api.post(f"/forms/{fid}/records", {"data": {"amount": "abc", "level": "Z"}})
    assert r.status_code == 422
    assert details(r) == {"name": "required", "amount": "not_number", "level": "invalid_choice"}
    assert r.json()["error"]["code"] == "validation_failed"
    assert row_count(rt, fid) == 0
    # PATCH may omit required fields, but may not blank them
    rec = api.create(fid, {"name": "a"})
    r = api.patch(f"/forms/{fid}/records/{rec['id']}", {"data": {"name": ""}, "version": 1})
    assert r.status_code == 422
    assert details(r) == {"name": "required"}
    assert api.ok(api.get(f"/forms/{fid}/records/{rec['id']}"))["version"] == 1


# ----- optimistic versions -------------------------------------------------------------
def test_patch_needs_version(api: Api, form: dict[str, Any]) -> None:
    fid = form["id"]
    rec = api.create(fid, {"name": "a"})
    r = api.patch(f"/forms/{fid}/records/{rec['id']}", {"data": {"name": "b"}})
    assert r.status_code == 422
    assert details(r) == {"version": "version_required"}
    got = api.ok(api.get(f"/forms/{fid}/records/{rec['id']}"))
    assert got["data"]["name"] == "a"
    assert got["version"] == 1


def test_stale_version_is_conflict_and_changes_nothing(api: Api, form: dict[str, Any]) -> None:
    fid = form["id"]
    rec = api.create(fid, {"name": "a", "tags": ["x"]})
    url = f"/forms/{fid}/records/{rec['id']}"
    api.ok(api.patch(url, {"data": {"name": "b"}, "version": 1}))
    stale = api.patch(url, {"data": {"name": "c", "tags": ["y"]}, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    future = api.patch(url, {"data": {"name": "c"}, "version": 7})
    assert future.status_code == 409
    got = api.ok(api.get(url))
    assert got["version"] == 2
    assert got["data"]["name"] == "b"
    assert got["data"]["tags"] == ["x"]  # the junction was not rewritten either


def test_two_clients_same_version_one_wins(api: Api, form: dict[str, Any], make_user: Any) -> None:
    fid = form["id"]
    api.open_to_everyone(fid)
    rec = api.create(fid, {"name": "start"})
    url = f"/forms/{fid}/records/{rec['id']}"
    alice, bob = make_user("alice"), make_user("bob")
    first = alice.patch(url, {"data": {"name": "alice"}, "version": 1})
    second = bob.patch(url, {"data": {"name": "bob"}, "version": 1})
    assert first.status_code == 200, first.text
    assert second.status_code == 409
    got = api.ok(api.get(url))
    assert got["data"]["name"] == "alice"
    assert got["version"] == 2


def test_concurrent_edits_same_version_exactly_one_wins(
    api: Api, form: dict[str, Any], make_user: Any
) -> None:
    fid = form["id"]
    api.open_to_everyone(fid)
    rec = api.create(fid, {"name": "start"})
    url = f"/forms/{fid}/records/{rec['id']}"
    clients = [make_user(f"user{i}") for i in range(4)]
    barrier = threading.Barrier(len(clients))
    statuses: dict[int, int] = {}

    def edit(index: int) -> None:
        barrier.wait()
        r = clients[index].patch(url, {"data": {"name": f"v{index}"}, "version": 1})
        statuses[index] = r.status_code

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses.values()) == [200, 409, 409, 409], statuses
    winner = next(i for i, s in statuses.items() if s == 200)
    got = api.ok(api.get(url))
    assert got["version"] == 2
    assert got["data"]["name"] == f"v{winner}"


# ----- owner, created_by, updated_by ---------------------------------------------------
def test_owner_created_by_updated_by(
    api: Api, form: dict[str, Any], make_user: Any, admin: Any
) -> None:
    fid = form["id"]
    bob = make_user("bob")
    bob_id = bob.ok(bob.get("/auth/me"))["user"]["id"]
    rec = api.ok(api.post(f"/forms/{fid}/records", {"data": {"name": "a"}, "owner": bob_id}), 201)
    assert rec["owner"] == bob_id
    assert rec["created_by"] == admin.id
    assert rec["updated_by"] == admin.id

    edited = bob.ok(
        bob.patch(f"/forms/{fid}/records/{rec['id']}", {"data": {"name": "b"}, "version": 1})
    )
    assert edited["created_by"] == admin.id
    assert edited["updated_by"] == bob_id
    assert edited["owner"] == bob_id
    assert edited["updated_at"] >= rec["updated_at"]
    assert edited["created_at"] == rec["created_at"]

    # bob's own record: he is the creator and owner
    own = bob.create(fid, {"name": "mine"})
    assert own["created_by"] == own["owner"] == own["updated_by"] == bob_id

    # an owner that is not a user is refused
    r = api.post(f"/forms/{fid}/records", {"data": {"name": "c"}, "owner": 999999})
    assert r.status_code == 422
    assert "owner" in details(r)
    # owner is not writable through data
    r = api.post(f"/forms/{fid}/records", {"data": {"name": "c", "owner": bob_id}})
    assert r.status_code == 422
    assert details(r) == {"owner": "read_only"}
    assert api.list(fid)["total"] == 2


def test_unknown_and_read_only_keys(api: Api, form: dict[str, Any], rt: Runtime) -> None:
    fid = form["id"]
    r = api.post(
        f"/forms/{fid}/records",
        {"data": {"name": "a", "nope": 1, "created_at": "2024-01-01T00:00:00+08:00", "no": "X"}},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 422
    got = details(r)
    assert got == {"nope": "unknown_field", "created_at": "read_only", "no": "read_only"}
    messages = {d["field"]: d["message"] for d in r.json()["error"]["details"]}
    assert "nope" in messages["nope"]
    assert row_count(rt, fid) == 0
    for key in ("id", "created_by", "updated_at", "updated_by"):
        r = api.post(f"/forms/{fid}/records", {"data": {"name": "a", key: 1}})
        assert r.status_code == 422
        assert details(r) == {key: "read_only"}
    # version / deleted_at are not fields at all
    r = api.post(f"/forms/{fid}/records", {"data": {"name": "a", "version": 3}})
    assert r.status_code == 422
    assert details(r) == {"version": "unknown_field"}
    # the same on PATCH, and nothing changes
    rec = api.create(fid, {"name": "a"})
    r = api.patch(
        f"/forms/{fid}/records/{rec['id']}",
        {"data": {"name": "b", "ghost": 1, "no": "KH-9"}, "version": 1},
    )
    assert r.status_code == 422
    assert details(r) == {"ghost": "unknown_field", "no": "read_only"}
    got = api.ok(api.get(f"/forms/{fid}/records/{rec['id']}"))
    assert got["data"]["name"] == "a"
    assert got["version"] == 1
    # top-level keys other than data/owner are refused by the body model
    r = api.post(f"/forms/{fid}/records", {"data": {"name": "a"}, "id": 5})
    assert r.status_code == 422
    assert row_count(rt, fid) == 1


def test_fields_param(api: Api, form: dict[str, Any]) -> None:
    fid = form["id"]
    api.create(fid, {"name": "a", "code": "A1", "tags": ["x"], "amount": 3})
    page = api.list(fid, fields="name,tags")
    assert set(page["items"][0]["data"]) == {"name", "tags"}
    assert page["items"][0]["data"] == {"name": "a", "tags": ["x"]}
    assert page["items"][0]["id"] and page["items"][0]["version"] == 1
    # system keys are always present and may be listed
    page = api.list(fid, fields="amount,id,owner")
    assert page["items"][0]["data"] == {"amount": 3}
    bad = api.get(f"/forms/{fid}/records", params={"fields": "name,bogus"})
    assert bad.status_code == 400
    assert details(bad) == {"fields": "invalid_fields_param"}


# ----- unique --------------------------------------------------------------------------
def test_unique_field(api: Api, form: dict[str, Any], rt: Runtime) -> None:
    fid = form["id"]
    first = api.create(fid, {"name": "a", "code": "C1"})
    dup = api.post(f"/forms/{fid}/records", {"data": {"name": "b", "code": "C1"}})
    assert dup.status_code == 422
    assert details(dup) == {"code": "unique"}
    assert "C1" in dup.json()["error"]["details"][0]["message"]
    # empty values never collide
    api.create(fid, {"name": "c"})
    api.create(fid, {"name": "d", "code": None})
    # updating to a taken value is refused; keeping your own value is fine
    other = api.create(fid, {"name": "e", "code": "C2"})
    r = api.patch(f"/forms/{fid}/records/{other['id']}", {"data": {"code": "C1"}, "version": 1})
    assert r.status_code == 422
    assert details(r) == {"code": "unique"}
    api.ok(api.patch(f"/forms/{fid}/records/{other['id']}", {"data": {"code": "C2"}, "version": 1}))
    # a deleted record does not block its value
    assert api.delete(f"/forms/{fid}/records/{first['id']}").status_code == 204
    reuse = api.create(fid, {"name": "f", "code": "C1"})
    assert reuse["data"]["code"] == "C1"
    # ...but then it cannot come back
    r = api.post(f"/forms/{fid}/records/{first['id']}/restore")
    assert r.status_code == 422
    assert details(r) == {"code": "unique"}
    assert api.get(f"/forms/{fid}/records/{first['id']}").status_code == 404
    assert row_count(rt, fid, deleted=True) == 1
    # once the taker is gone it can
    api.delete(f"/forms/{fid}/records/{reuse['id']}")
    api.ok(api.post(f"/forms/{fid}/records/{first['id']}/restore"))


# ----- bulk create ---------------------------------------------------------------------
def test_bulk_create(api: Api, form: dict[str, Any]) -> None:
    fid = form["id"]
    items = [{"data": {"name": f"n{i}", "code": f"c{i}", "tags": ["x"]}} for i in range(30)]
    result = api.ok(api.post(f"/forms/{fid}/records/bulk", {"items": items}), 201)
    assert result["count"] == 30
    assert len(result["ids"]) == 30
    page = api.list(fid, limit=100, sort="id")
    assert page["total"] == 30
    by_id = {r["id"]: r for r in page["items"]}
    # ids returned in the order of the items, autonumbers gap-free in that order
    for i, rid in enumerate(result["ids"]):
        assert by_id[rid]["data"]["name"] == f"n{i}"
        assert by_id[rid]["data"]["tags"] == ["x"]
        assert by_id[rid]["data"]["no"] == f"KH-{i + 1:04d}"


def test_bulk_create_all_or_nothing(api: Api, form: dict[str, Any], rt: Runtime) -> None:
    fid = form["id"]
    items: list[Any] = [{"data": {"name": f"n{i}"}} for i in range(20)]
    items[7] = {"data": {"name": "bad", "amount": "lots"}}
    items[13] = {"data": {"level": "Q"}}
    r = api.post(f"/forms/{fid}/records/bulk", {"items": items})
    assert r.status_code == 422
    assert details(r) == {
        "items[7].amount": "not_number",
        "items[13].name": "required",
        "items[13].level": "invalid_choice",
    }
    assert row_count(rt, fid) == 0
    # a non-object item is reported at its position
    r = api.post(f"/forms/{fid}/records/bulk", {"items": [{"data": {"name": "a"}}, 5]})
    assert r.status_code == 422
    assert "items[1].data" in details(r)
    # an unknown key in one item
    r = api.post(
        f"/forms/{fid}/records/bulk",
        {"items": [{"data": {"name": "a"}}, {"data": {"name": "b", "zzz": 1}}]},
    )
    assert r.status_code == 422
    assert details(r) == {"items[1].zzz": "unknown_field"}
    assert row_count(rt, fid) == 0
    # the autonumber counter did not move: the next record still gets the first number
    assert api.create(fid, {"name": "ok"})["data"]["no"] == "KH-0001"


def test_bulk_create_unique_inside_batch_and_against_table(
    api: Api, form: dict[str, Any], rt: Runtime
) -> None:
    fid = form["id"]
    items = [{"data": {"name": f"n{i}", "code": f"c{i}"}} for i in range(10)]
    items[6] = {"data": {"name": "dup", "code": "c2"}}
    r = api.post(f"/forms/{fid}/records/bulk", {"items": items})
    assert r.status_code == 422
    assert details(r) == {"items[6].code": "unique"}
    assert row_count(rt, fid) == 0

    api.create(fid, {"name": "existing", "code": "taken"})
    items = [{"data": {"name": "a", "code": "free"}}, {"data": {"name": "b", "code": "taken"}}]
    r = api.post(f"/forms/{fid}/records/bulk", {"items": items})
    assert r.status_code == 422
    assert details(r) == {"items[1].code": "unique"}
    assert row_count(rt, fid) == 1
    # empty codes repeat freely
    empties: list[dict[str, Any]] = [{"data": {"name": "a"}}, {"data": {"name": "b", "code": None}}]
    assert api.ok(api.post(f"/forms/{fid}/records/bulk", {"items": empties}), 201)["count"] == 2


def test_bulk_create_limits(api: Api, form: dict[str, Any], rt: Runtime) -> None:
    fid = form["id"]
    limit = rt.settings.bulk_max_items
    too_many = [{"data": {"name": "x"}}] * (limit + 1)
    r = api.post(f"/forms/{fid}/records/bulk", {"items": too_many})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "bulk_too_many"
    assert row_count(rt, fid) == 0
    empty = api.post(f"/forms/{fid}/records/bulk", {"items": []})
    assert empty.status_code == 422
    # exactly at a (lowered) limit is accepted, one more is not
    rt.settings.bulk_max_items = 5
    assert (
        api.post(f"/forms/{fid}/records/bulk", {"items": [{"data": {"name": "a"}}] * 6}).status_code
        == 400
    )
    assert row_count(rt, fid) == 0
    ok = api.ok(
        api.post(f"/forms/{fid}/records/bulk", {"items": [{"data": {"name": "a"}}] * 5}), 201
    )
    assert ok["count"] == 5


# ----- bulk update and delete ----------------------------------------------------------
@pytest.fixture
def seeded(api: Api, form: dict[str, Any]) -> tuple[int, list[int]]:
    fid = form["id"]
    items = [
        {"data": {"name": f"n{i}", "level": "A" if i < 4 else "B", "amount": i}} for i in range(8)
    ]
    ids = api.ok(api.post(f"/forms/{fid}/records/bulk", {"items": items}), 201)["ids"]
    return fid, ids


def test_bulk_update_by_ids(api: Api, seeded: tuple[int, list[int]], make_user: Any) -> None:
    fid, ids = seeded
    api.open_to_everyone(fid)
    bob = make_user("bob")
    bob_id = bob.ok(bob.get("/auth/me"))["user"]["id"]
    r = bob.ok(
        bob.post(
            f"/forms/{fid}/records/bulk-update",
            {"ids": ids[:3], "data": {"amount": 100, "tags": ["y"]}},
        )
    )
    assert r["count"] == 3
    for rid in ids:
        rec = api.ok(api.get(f"/forms/{fid}/records/{rid}"))
        if rid in ids[:3]:
            assert rec["data"]["amount"] == 100
            assert rec["data"]["tags"] == ["y"]
            assert rec["version"] == 2
            assert rec["updated_by"] == bob_id
        else:
            assert rec["data"]["amount"] == ids.index(rid)
            assert rec["data"]["tags"] == []
            assert rec["version"] == 1


def test_bulk_update_by_filter(api: Api, seeded: tuple[int, list[int]]) -> None:
    fid, ids = seeded
    flt = {
        "and": [
            {"field": "level", "op": "eq", "value": "B"},
            {"field": "amount", "op": "gte", "value": 6},
        ]
    }
    r = api.ok(
        api.post(f"/forms/{fid}/records/bulk-update", {"filter": flt, "data": {"name": "big"}})
    )
    assert r["count"] == 2
    page = api.list(fid, filter=json.dumps({"field": "name", "op": "eq", "value": "big"}))
    assert ids_of(page) == sorted(ids[6:])
    # a filter that matches nothing changes nothing
    none = {"field": "amount", "op": "gt", "value": 1000}
    r = api.ok(
        api.post(f"/forms/{fid}/records/bulk-update", {"filter": none, "data": {"name": "z"}})
    )
    assert r["count"] == 0
    # or / not trees work as well
    either = {
        "or": [
            {"field": "amount", "op": "lt", "value": 1},
            {"not": {"field": "level", "op": "eq", "value": "B"}},
        ]
    }
    r = api.ok(
        api.post(f"/forms/{fid}/records/bulk-update", {"filter": either, "data": {"amount": 1}})
    )
    assert r["count"] == 4


def test_bulk_update_refusals(api: Api, seeded: tuple[int, list[int]], rt: Runtime) -> None:
    fid, ids = seeded
    url = f"/forms/{fid}/records/bulk-update"
    # one id that does not exist: nothing changes
    r = api.post(url, {"ids": [ids[0], 999999, ids[1]], "data": {"name": "zz"}})
    assert r.status_code == 404
    assert r.json()["error"]["details"][0]["field"] == "ids"
    # a trashed id counts as missing
    api.delete(f"/forms/{fid}/records/{ids[5]}")
    r = api.post(url, {"ids": [ids[0], ids[5]], "data": {"name": "zz"}})
    assert r.status_code == 404
    # invalid data
    r = api.post(url, {"ids": ids[:2], "data": {"amount": "x"}})
    assert r.status_code == 422
    assert details(r) == {"amount": "not_number"}
    # blanking a required field
    r = api.post(url, {"ids": ids[:2], "data": {"name": None}})
    assert r.status_code == 422
    assert details(r) == {"name": "required"}
    # the same unique value on several records
    r = api.post(url, {"ids": ids[:2], "data": {"code": "same"}})
    assert r.status_code == 422
    assert details(r) == {"code": "bulk_unique_field"}
    # no target at all
    r = api.post(url, {"data": {"name": "zz"}})
    assert r.status_code == 400
    r = api.post(url, {"ids": [], "data": {"name": "zz"}})
    assert r.status_code == 400
    # a bad filter
    r = api.post(url, {"filter": {"field": "ghost", "op": "eq", "value": 1}, "data": {"name": "z"}})
    assert r.status_code in (400, 422)
    assert (
        api.list(fid, filter=json.dumps({"field": "name", "op": "eq", "value": "zz"}))["total"] == 0
    )
    versions = {r["version"] for r in api.list(fid, limit=100)["items"]}
    assert versions == {1}
    # a unique value on exactly one record is fine
    assert api.ok(api.post(url, {"ids": [ids[0]], "data": {"code": "solo"}}))["count"] == 1


def test_bulk_delete_by_ids_and_filter(
    api: Api, seeded: tuple[int, list[int]], rt: Runtime
) -> None:
    fid, ids = seeded
    url = f"/forms/{fid}/records/bulk-delete"
    r = api.post(url, {"ids": [ids[0], ids[1], 999999]})
    assert r.status_code == 404
    assert row_count(rt, fid, deleted=True) == 0
    assert api.ok(api.post(url, {"ids": [ids[0], ids[1], ids[0]]}))["count"] == 2
    assert row_count(rt, fid, deleted=True) == 2
    # deleting again: they are no longer live
    assert api.post(url, {"ids": [ids[0]]}).status_code == 404
    r = api.ok(api.post(url, {"filter": {"field": "level", "op": "eq", "value": "A"}}))
    assert r["count"] == 2  # ids[2], ids[3]; ids[0..1] already gone
    page = api.list(fid)
    assert ids_of(page) == sorted(ids[4:])
    trash = api.list(fid, trashed="true")
    assert ids_of(trash) == sorted(ids[:4])
    assert all(item["deleted_at"] for item in trash["items"])
    # neither ids nor filter: refused
    assert api.post(url, {}).status_code == 400
    assert api.list(fid)["total"] == 4


# ----- recycle bin ---------------------------------------------------------------------
def test_recycle_bin(api: Api, form: dict[str, Any]) -> None:
    fid = form["id"]
    keep = api.create(fid, {"name": "keep", "tags": ["x", "y"]})
    gone = api.create(fid, {"name": "gone", "tags": ["y"], "code": "G"})
    api.delete(f"/forms/{fid}/records/{gone['id']}")
    assert ids_of(api.list(fid)) == [keep["id"]]
    assert api.list(fid)["total"] == 1
    trash = api.list(fid, trashed="true")
    assert ids_of(trash) == [gone["id"]]
    assert trash["items"][0]["data"]["tags"] == ["y"]
    # searching and filtering do not see the bin
    assert api.list(fid, q="gone")["total"] == 0
    assert api.list(fid, trashed="true", q="gone")["total"] == 1
    restored = api.ok(api.post(f"/forms/{fid}/records/{gone['id']}/restore"))
    assert restored["data"] == {**gone["data"]}
    assert ids_of(api.list(fid)) == sorted([keep["id"], gone["id"]])
    assert api.list(fid, trashed="true")["total"] == 0


def test_delete_refused_while_linked(api: Api) -> None:
    app_id = api.make_app()["id"]
    target = api.make_form([{"key": "name", "label": "名称", "type": "text"}], app_id=app_id)
    tid = target["id"]
    source = api.make_form(
        [
            {
                "key": "customer",
                "label": "客户",
                "type": "relation",
                "settings": {"target_form_id": tid},
            },
        ],
        name="订单",
        app_id=app_id,
    )
    customer = api.create(tid, {"name": "c"})
    order = api.create(source["id"], {"customer": customer["id"]})
    r = api.delete(f"/forms/{tid}/records/{customer['id']}")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "record_referenced"
    assert api.ok(api.get(f"/forms/{tid}/records/{customer['id']}"))["id"] == customer["id"]
    # linking to a trashed record is refused
    api.delete(f"/forms/{source['id']}/records/{order['id']}")
    api.ok(api.delete(f"/forms/{tid}/records/{customer['id']}"), 204)
    r = api.post(f"/forms/{source['id']}/records", {"data": {"customer": customer["id"]}})
    assert r.status_code == 422
    assert details(r) == {"customer": "related_record_not_found"}


# ----- permissions ---------------------------------------------------------------------
def test_members_write_records_but_not_schemas(
    api: Api, form: dict[str, Any], make_user: Any
) -> None:
    fid = form["id"]
    field_id = form["fields"][0]["id"]
    bob = make_user("bob")
    rec = bob.create(fid, {"name": "by bob"})
    bob.ok(bob.patch(f"/forms/{fid}/records/{rec['id']}", {"data": {"name": "b2"}, "version": 1}))
    assert bob.delete(f"/forms/{fid}/records/{rec['id']}").status_code == 204
    bob.ok(bob.post(f"/forms/{fid}/records/{rec['id']}/restore"))
    bob.ok(bob.post(f"/forms/{fid}/records/bulk", {"items": [{"data": {"name": "x"}}]}), 201)
    assert bob.list(fid)["total"] == 2
    assert bob.ok(bob.get(f"/forms/{fid}"))["id"] == fid

    forbidden = [
        bob.post("/apps", {"name": "mine"}),
        bob.patch(f"/apps/{form['app_id']}", {"name": "x"}),
        bob.delete(f"/apps/{form['app_id']}"),
        bob.post(f"/apps/{form['app_id']}/forms", {"name": "f", "fields": []}),
        bob.patch(f"/forms/{fid}", {"name": "x"}),
        bob.delete(f"/forms/{fid}"),
        bob.post(f"/forms/{fid}/fields", {"key": "extra", "label": "extra", "type": "text"}),
        bob.patch(f"/forms/{fid}/fields/{field_id}", {"label": "x"}),
        bob.delete(f"/forms/{fid}/fields/{field_id}"),
        bob.post(f"/forms/{fid}/fields/{field_id}/restore"),
        bob.put(f"/forms/{fid}/fields/order", {"field_ids": []}),
        bob.post(f"/forms/{fid}/fields/{field_id}/type-change/preview", {"type": "textarea"}),
        bob.post(f"/forms/{fid}/fields/{field_id}/type-change", {"type": "textarea"}),
    ]
    for r in forbidden:
        assert r.status_code == 403, (r.request.method, r.request.url, r.text)
        # system admin (apps), app admin (forms of an app), the form's manage operation
        assert r.json()["error"]["code"] in {
            "admin_required",
            "app_admin_required",
            "operation_forbidden",
        }
    form_now = api.ok(api.get(f"/forms/{fid}"))
    assert form_now["name"] == form["name"]
    assert [f["key"] for f in form_now["fields"]] == [f["key"] for f in form["fields"]]
    assert form_now["fields"][0]["label"] == form["fields"][0]["label"]
    assert form_now["fields"][0]["type"] == "text"


def test_anonymous_is_refused(api: Api, form: dict[str, Any], client: Any) -> None:
    anon = Api(client, None)
    fid = form["id"]
    assert anon.get(f"/forms/{fid}/records").status_code == 401
    assert anon.post(f"/forms/{fid}/records", {"data": {"name": "x"}}).status_code == 401
    assert api.list(fid)["total"] == 0
