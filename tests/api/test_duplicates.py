"""De-duplicating existing data over the API: find exact and fuzzy groups, merge a group
choosing the surviving values (links from other forms and sub-form cells follow the
survivor), audit, undo, permissions and all-or-nothing.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from qiao.db import schema
from qiao.runtime import Runtime
from tests.conftest import Api

FIELDS: list[dict[str, Any]] = [
    {"key": "name", "label": "客户名称", "type": "text"},
    {"key": "phone", "label": "电话", "type": "phone"},
    {"key": "note", "label": "备注", "type": "text"},
]


def _make(api: Api) -> dict[str, Any]:
    """Customers with duplicates, and orders / contracts linking to them."""
    app_id = api.make_app()["id"]
    customers = api.make_form(FIELDS, "客户", app_id)
    cid = customers["id"]
    rows = [
        {"name": "深圳市腾讯计算机系统有限公司", "phone": "13800138000", "note": "老客户"},
        {"name": "深圳市腾讯计算机系统", "phone": "+86 138 0013 8000"},
        {"name": "深圳市滕讯计算机系统股份有限公司", "phone": "13900139000"},
        {"name": "百度在线网络技术", "phone": "13700137000"},
    ]
    ids = api.ok(
        api.post(f"/forms/{cid}/records/bulk", {"items": [{"data": r} for r in rows]}), 201
    )["ids"]
    orders = api.make_form(
        [
            {"key": "title", "label": "标题", "type": "text"},
            {
                "key": "customer",
                "label": "客户",
                "type": "relation",
                "settings": {"target_form_id": cid},
            },
            {
                "key": "partners",
                "label": "伙伴",
                "type": "relation",
                "settings": {"target_form_id": cid, "multiple": True},
            },
        ],
        "订单",
        app_id,
    )
    contracts = api.make_form(
        [
            {
                "key": "lines",
                "label": "明细",
                "type": "subform",
                "settings": {
                    "columns": [
                        {"key": "item", "label": "品名", "type": "text"},
                        {
                            "key": "buyer",
                            "label": "买方",
                            "type": "relation",
                            "settings": {"target_form_id": cid},
                        },
                    ]
                },
            }
        ],
        "合同",
        app_id,
    )
    a, b = ids[0], ids[1]
    order_ids = api.ok(
        api.post(
            f"/forms/{orders['id']}/records/bulk",
            {
                "items": [
                    {"data": {"title": "o1", "customer": b}},
                    {"data": {"title": "o2", "customer": a, "partners": [a, b]}},
                    {"data": {"title": "o3", "partners": [b, ids[3]]}},
                ]
            },
        ),
        201,
    )["ids"]
    contract = api.ok(
        api.post(
            f"/forms/{contracts['id']}/records",
            {"data": {"lines": [{"item": "服务器", "buyer": b}, {"item": "带宽", "buyer": a}]}},
        ),
        201,
    )
    return {
        "cid": cid,
        "ids": ids,
        "orders": orders["id"],
        "order_ids": order_ids,
        "contracts": contracts["id"],
        "contract": contract["id"],
    }


def _find(api: Api, form_id: int, **body: Any) -> Any:
    return api.post(f"/forms/{form_id}/duplicates/find", body)


def _groups(api: Api, form_id: int, **body: Any) -> list[list[int]]:
    found = api.ok(_find(api, form_id, **body))
    return [[r["id"] for r in g["records"]] for g in found["groups"]]


def _record(api: Api, form_id: int, rid: int) -> dict[str, Any]:
    return dict(api.ok(api.get(f"/forms/{form_id}/records/{rid}")))


def _audit(rt: Runtime, action: str) -> list[Any]:
    a = schema.audit_log
    with rt.db.engine.connect() as conn:
        return list(conn.execute(sa.select(a).where(a.c.action == action).order_by(a.c.seq)))


def test_find_exact_and_fuzzy_groups(api: Api) -> None:
    s = _make(api)
    cid, ids = s["cid"], s["ids"]
    # phone numbers written two ways are the same number
    found = api.ok(_find(api, cid, fields=["phone"]))
    assert found["truncated"] is False
    assert len(found["groups"]) == 1
    group = found["groups"][0]
    assert [r["id"] for r in group["records"]] == ids[:2]
    # records in the list API's shape
    assert group["records"][0]["data"]["name"] == "深圳市腾讯计算机系统有限公司"
    assert {"id", "version", "data", "owner"} <= set(group["records"][0])
    assert group["score"] == 1.0
    # names: exact after normalisation finds nothing, fuzzy finds the three spellings
    assert _groups(api, cid, fields=["name"]) == []
    fuzzy = api.ok(_find(api, cid, fields=["name"], fuzzy=True, threshold=0.85))
    assert [[r["id"] for r in g["records"]] for g in fuzzy["groups"]] == [ids[:3]]
    assert 0.85 <= fuzzy["groups"][0]["score"] <= 1.0
    # two fields: both must agree
    assert _groups(api, cid, fields=["name", "phone"], fuzzy=True, threshold=0.85) == [ids[:2]]
    assert _groups(api, cid, fields=["name"], fuzzy=True, limit=1) == [ids[:3]]
    bad = _find(api, cid, fields=["nope"])
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "dedupe_field_invalid"
    assert _find(api, cid, fields=[]).status_code == 422


def test_merge_repoints_links_and_undo_restores_everything(api: Api, rt: Runtime) -> None:
    s = _make(api)
    cid, ids, orders = s["cid"], s["ids"], s["orders"]
    a, b = ids[0], ids[1]
    before_b = _record(api, cid, b)
    result = api.ok(
        api.post(
            f"/forms/{cid}/merges",
            {"survivor": a, "others": [b], "values": {"name": "深圳市腾讯计算机系统"}},
        )
    )
    merge = result["merge"]
    assert merge["survivor_id"] == a and merge["merged_ids"] == [b]
    assert merge["values"] == {"name": "深圳市腾讯计算机系统"}
    assert merge["created_by"]["name"] == "管理员" and merge["undone_at"] is None
    survivor = result["record"]
    assert survivor["data"]["name"] == "深圳市腾讯计算机系统"
    assert survivor["data"]["note"] == "老客户"  # not given: the survivor's own value
    # the other one is in the recycle bin
    assert api.get(f"/forms/{cid}/records/{b}").status_code == 404
    trashed = api.list(cid, trashed="true")["items"]
    assert [r["id"] for r in trashed] == [b]
    # links follow the survivor: a relation column, junction rows (no duplicate when the
    # record linked to both), a sub-form cell
    o1, o2, o3 = (_record(api, orders, i)["data"] for i in s["order_ids"])
    assert o1["customer"] == a
    assert o2["partners"] == [a]
    assert o3["partners"] == [a, ids[3]]
    lines = _record(api, s["contracts"], s["contract"])["data"]["lines"]
    assert [row["buyer"] for row in lines] == [a, a]
    # audited: the merge, the change of the survivor, the deletion
    entries = _audit(rt, "record_merge")
    assert len(entries) == 1 and entries[0].record_id == a
    assert entries[0].details["merged_ids"] == [b] and entries[0].details["relinked"] == 4
    assert any(e.record_id == b for e in _audit(rt, "record_delete"))
    listed = api.ok(api.get(f"/forms/{cid}/merges"))["items"]
    assert [m["id"] for m in listed] == [merge["id"]]

    undone = api.ok(api.post(f"/merges/{merge['id']}/undo"))
    assert undone["undone_at"] is not None
    assert _record(api, cid, a)["data"]["name"] == "深圳市腾讯计算机系统有限公司"
    assert _record(api, cid, b)["data"] == before_b["data"]
    o1, o2, o3 = (_record(api, orders, i)["data"] for i in s["order_ids"])
    assert o1["customer"] == b
    assert sorted(o2["partners"]) == sorted([a, b])
    assert o3["partners"] == [b, ids[3]]
    lines = _record(api, s["contracts"], s["contract"])["data"]["lines"]
    assert [row["buyer"] for row in lines] == [b, a]
    assert len(_audit(rt, "record_merge_undo")) == 1
    again = api.post(f"/merges/{merge['id']}/undo")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "merge_already_undone"


def test_undo_refused_when_the_survivor_changed_a_merged_field(api: Api) -> None:
    s = _make(api)
    cid, ids = s["cid"], s["ids"]
    a, b = ids[0], ids[1]
    merge = api.ok(
        api.post(f"/forms/{cid}/merges", {"survivor": a, "others": [b], "values": {"name": "新名"}})
    )["merge"]
    current = _record(api, cid, a)
    # a change in a field the merge did not set does not stand in the way ...
    api.ok(
        api.patch(
            f"/forms/{cid}/records/{a}", {"data": {"note": "改"}, "version": current["version"]}
        )
    )
    # ... one in a field it set does
    current = _record(api, cid, a)
    api.ok(
        api.patch(
            f"/forms/{cid}/records/{a}", {"data": {"name": "又改"}, "version": current["version"]}
        )
    )
    refused = api.post(f"/merges/{merge['id']}/undo")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "merge_undo_changed" and "客户名称" in error["message"]
    assert api.get(f"/forms/{cid}/records/{b}").status_code == 404  # nothing undone
    current = _record(api, cid, a)
    api.ok(
        api.patch(
            f"/forms/{cid}/records/{a}", {"data": {"name": "新名"}, "version": current["version"]}
        )
    )
    api.ok(api.post(f"/merges/{merge['id']}/undo"))
    assert _record(api, cid, a)["data"]["note"] == "改"
    assert _record(api, cid, a)["data"]["name"] == "深圳市腾讯计算机系统有限公司"


def test_a_failed_merge_leaves_nothing_half_written(api: Api, rt: Runtime) -> None:
    s = _make(api)
    cid, ids = s["cid"], s["ids"]
    a, b = ids[0], ids[1]
    bad = api.post(
        f"/forms/{cid}/merges", {"survivor": a, "others": [b], "values": {"phone": "12345"}}
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "phone"
    assert _record(api, cid, b)["data"]["name"] == "深圳市腾讯计算机系统"
    assert _record(api, s["orders"], s["order_ids"][0])["data"]["customer"] == b
    lines = _record(api, s["contracts"], s["contract"])["data"]["lines"]
    assert lines[0]["buyer"] == b
    assert api.ok(api.get(f"/forms/{cid}/merges"))["items"] == []
    assert _audit(rt, "record_merge") == []
    same = api.post(f"/forms/{cid}/merges", {"survivor": a, "others": [a]})
    assert same.status_code == 400
    assert same.json()["error"]["code"] == "merge_survivor_in_others"
    gone = api.post(f"/forms/{cid}/merges", {"survivor": a, "others": [999999]})
    assert gone.status_code == 404


def test_permissions_and_scope(api: Api, make_user: Any) -> None:
    s = _make(api)
    cid, ids = s["cid"], s["ids"]
    bob = make_user("bob")
    # new forms: everyone works on their own records only — bob's duplicates are his
    mine = bob.ok(
        bob.post(
            f"/forms/{cid}/records/bulk",
            {"items": [{"data": {"phone": "13800138000"}}, {"data": {"phone": "138-0013-8000"}}]},
        ),
        201,
    )["ids"]
    assert _groups(bob, cid, fields=["phone"]) == [mine]
    # the admin's records are never grouped or merged by bob
    assert _groups(api, cid, fields=["phone"]) == [[*ids[:2], *mine]]
    theirs = bob.post(f"/forms/{cid}/merges", {"survivor": mine[0], "others": [ids[0]]})
    assert theirs.status_code == 404
    assert _record(api, cid, ids[0])["data"]["phone"] == "13800138000"
    # without edit and delete: 403
    api.open_to_everyone(cid, ["view", "create"])
    refused = bob.post(f"/forms/{cid}/merges", {"survivor": mine[0], "others": [mine[1]]})
    assert refused.status_code == 403
    assert bob.get(f"/forms/{cid}/merges").status_code == 403
    api.open_to_everyone(cid, ["view", "create", "edit"])
    assert (
        bob.post(f"/forms/{cid}/merges", {"survivor": mine[0], "others": [mine[1]]}).status_code
        == 403
    )
    api.open_to_everyone(cid)
    merged = bob.ok(bob.post(f"/forms/{cid}/merges", {"survivor": mine[0], "others": [mine[1]]}))
    assert bob.get(f"/forms/{cid}/records/{mine[1]}").status_code == 404
    bob.ok(bob.post(f"/merges/{merged['merge']['id']}/undo"))
    assert bob.get(f"/forms/{cid}/records/{mine[1]}").status_code == 200
