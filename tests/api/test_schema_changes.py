"""Schema evolution with data in the tables, on SQLite and on PostgreSQL.

Physical effects are checked with ``sqlalchemy.inspect`` on the real database: a form's
table is ``qf_<form id>``, a field's column (or junction table) is the ``column_name``
recorded in ``qiao_fields``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from qiao.context import Ctx, utcnow
from qiao.db import schema
from qiao.forms import service as forms_service
from qiao.forms.purge import purge_expired
from qiao.runtime import Runtime
from tests.conftest import Api

# ----- helpers -------------------------------------------------------------------------


def physical(rt: Runtime, field_id: int) -> str:
    """The column (or junction table) name stored for a field."""
    with rt.db.engine.connect() as conn:
        name = conn.execute(
            sa.select(schema.fields.c.column_name).where(schema.fields.c.id == field_id)
        ).scalar()
    assert name is not None, f"field {field_id} has no metadata row"
    return str(name)


def field_row_exists(rt: Runtime, field_id: int) -> bool:
    with rt.db.engine.connect() as conn:
        return (
            conn.execute(
                sa.select(schema.fields.c.id).where(schema.fields.c.id == field_id)
            ).first()
            is not None
        )


def columns(rt: Runtime, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(rt.db.engine).get_columns(table)}


def tables(rt: Runtime) -> set[str]:
    return set(sa.inspect(rt.db.engine).get_table_names())


def indexes(rt: Runtime, table: str) -> dict[str, dict[str, Any]]:
    return {str(i["name"]): dict(i) for i in sa.inspect(rt.db.engine).get_indexes(table)}


def details(response: Any) -> dict[str, str]:
    body = response.json()
    assert "error" in body, body
    return {d["field"]: d["code"] for d in body["error"]["details"]}


def field_by_key(form: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in form["fields"] if f["key"] == key)


def data_by_id(api: Api, form_id: int, **params: Any) -> dict[int, dict[str, Any]]:
    page = api.list(form_id, limit=500, **params)
    return {item["id"]: item["data"] for item in page["items"]}


def make_records(api: Api, form_id: int, rows: list[dict[str, Any]]) -> list[int]:
    items = [{"data": row} for row in rows]
    return list(api.ok(api.post(f"/forms/{form_id}/records/bulk", {"items": items}), 201)["ids"])


# ----- add -----------------------------------------------------------------------------
def test_add_fields_to_form_with_records(api: Api, rt: Runtime) -> None:
    form = api.make_form([{"key": "name", "label": "名称", "type": "text"}])
    fid = form["id"]
    ids = make_records(api, fid, [{"name": "a"}, {"name": "b"}, {"name": "c"}])
    table = f"qf_{fid}"
    before = columns(rt, table)

    added = {}
    for spec in (
        {"key": "city", "label": "城市", "type": "text", "indexed": True},
        {"key": "score", "label": "分数", "type": "number", "unique": True},
        {"key": "vip", "label": "VIP", "type": "boolean"},
        {"key": "tags", "label": "标签", "type": "multiselect", "settings": {"choices": ["x"]}},
        {"key": "due", "label": "截止", "type": "date", "required": True},
        {"key": "no", "label": "编号", "type": "autonumber", "settings": {"pattern": "N{000}"}},
    ):
        added[spec["key"]] = api.ok(api.post(f"/forms/{fid}/fields", spec), 201)

    # physically there: columns on the table, a junction table for the multiselect
    after = columns(rt, table)
    for key in ("city", "score", "vip", "due", "no"):
        assert physical(rt, added[key]["id"]) in after - before
    assert physical(rt, added["tags"]["id"]) in tables(rt)
    idx = indexes(rt, table)
    assert f"ix_{table}_{physical(rt, added['city']['id'])}" in idx
    assert idx[f"ux_{table}_{physical(rt, added['score']['id'])}"]["unique"]

    # existing rows read as empty; the autonumber is backfilled in creation order
    rows = data_by_id(api, fid)
    for n, rid in enumerate(ids):
        assert rows[rid] == {
            "name": "abc"[n],
            "city": None,
            "score": None,
            "vip": None,
            "tags": [],
            "due": None,
            "no": f"N{n + 1:03d}",
        }
    empty = api.list(fid, filter=json.dumps({"field": "city", "op": "is_empty"}))
    assert empty["total"] == 3
    # old records can still be edited without touching the new required field
    edited = api.ok(
        api.patch(f"/forms/{fid}/records/{ids[0]}", {"data": {"city": "深圳"}, "version": 1})
    )
    assert edited["data"]["city"] == "深圳"
    # new records must fill it, and get the next number
    r = api.post(f"/forms/{fid}/records", {"data": {"name": "d"}})
    assert r.status_code == 422
    assert details(r) == {"due": "required"}
    new = api.create(fid, {"name": "d", "due": "2024-05-01", "score": 3, "tags": ["x"]})
    assert new["data"]["no"] == "N004"
    assert new["data"]["tags"] == ["x"]
    # the unique index works on the new column
    r = api.post(f"/forms/{fid}/records", {"data": {"name": "e", "due": "2024-05-01", "score": 3}})
    assert r.status_code == 422
    assert details(r) == {"score": "unique"}


def test_add_field_refusals(api: Api, rt: Runtime) -> None:
    form = api.make_form([{"key": "name", "label": "名称", "type": "text"}])
    fid = form["id"]
    cols = columns(rt, f"qf_{fid}")
    bad = [
        ({"key": "name", "label": "again", "type": "text"}, {"key": "field_key_taken"}),
        ({"key": "owner", "label": "o", "type": "text"}, {"key": "field_key_reserved"}),
        ({"key": "1abc", "label": "x", "type": "text"}, {"key": "field_key_invalid"}),
        ({"key": "x", "label": "x", "type": "nope"}, {"type": "field_type_unknown"}),
        (
            {"key": "x", "label": "x", "type": "boolean", "unique": True},
            {"unique": "field_unique_unsupported"},
        ),
        (
            {"key": "x", "label": "x", "type": "relation", "settings": {"target_form_id": 99999}},
            {"settings.target_form_id": "relation_target_invalid"},
        ),
    ]
    for spec, expected in bad:
        r = api.post(f"/forms/{fid}/fields", spec)
        assert r.status_code == 422, r.text
        assert details(r) == expected
    assert columns(rt, f"qf_{fid}") == cols
    assert [f["key"] for f in api.ok(api.get(f"/forms/{fid}"))["fields"]] == ["name"]


# ----- rename --------------------------------------------------------------------------
def test_rename_label_and_key_is_metadata_only(api: Api, rt: Runtime) -> None:
    form = api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text", "indexed": True},
            {"key": "tags", "label": "标签", "type": "multiselect", "settings": {"choices": ["x"]}},
        ]
    )
    fid = form["id"]
    name_f, tags_f = field_by_key(form, "name"), field_by_key(form, "tags")
    ids = make_records(api, fid, [{"name": "b", "tags": ["x"]}, {"name": "a"}])
    name_col, tags_tbl = physical(rt, name_f["id"]), physical(rt, tags_f["id"])
    cols, idx = columns(rt, f"qf_{fid}"), set(indexes(rt, f"qf_{fid}"))

    r = api.ok(api.patch(f"/forms/{fid}/fields/{name_f['id']}", {"key": "title", "label": "标题"}))
    assert (r["key"], r["label"], r["type"], r["indexed"]) == ("title", "标题", "text", True)
    api.ok(api.patch(f"/forms/{fid}/fields/{tags_f['id']}", {"key": "labels"}))

    # nothing physical moved
    assert physical(rt, name_f["id"]) == name_col
    assert physical(rt, tags_f["id"]) == tags_tbl
    assert columns(rt, f"qf_{fid}") == cols
    assert set(indexes(rt, f"qf_{fid}")) == idx
    # reads and writes use the new keys
    rows = data_by_id(api, fid)
    assert rows[ids[0]] == {"title": "b", "labels": ["x"]}
    assert rows[ids[1]] == {"title": "a", "labels": []}
    page = api.list(fid, sort="title", filter=json.dumps({"field": "title", "op": "is_not_empty"}))
    assert [i["id"] for i in page["items"]] == [ids[1], ids[0]]
    assert api.list(fid, fields="title")["items"][0]["data"].keys() == {"title"}
    r = api.post(f"/forms/{fid}/records", {"data": {"name": "old key"}})
    assert r.status_code == 422
    assert details(r) == {"name": "unknown_field"}
    assert (
        api.get(
            f"/forms/{fid}/records",
            params={"filter": json.dumps({"field": "name", "op": "is_empty"})},
        ).status_code
        == 400
    )
    assert api.create(fid, {"title": "c", "labels": ["x"]})["data"] == {
        "title": "c",
        "labels": ["x"],
    }
    # the old key is free again; a taken or invalid key is refused
    api.ok(
        api.post(f"/forms/{fid}/fields", {"key": "name", "label": "新名称", "type": "text"}), 201
    )
    r = api.patch(f"/forms/{fid}/fields/{name_f['id']}", {"key": "labels"})
    assert r.status_code == 422
    assert details(r) == {"key": "field_key_taken"}
    r = api.patch(f"/forms/{fid}/fields/{name_f['id']}", {"key": "has space"})
    assert r.status_code == 422
    assert api.ok(api.get(f"/forms/{fid}"))["fields"][0]["key"] == "title"


# ----- delete and restore --------------------------------------------------------------
@pytest.fixture
def crm(api: Api) -> dict[str, Any]:
    return api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text"},
            {"key": "code", "label": "编码", "type": "text", "unique": True},
            {
                "key": "tags",
                "label": "标签",
                "type": "multiselect",
                "settings": {"choices": ["x", "y"]},
            },
            {"key": "note", "label": "备注", "type": "textarea"},
        ]
    )


def test_delete_and_restore_field(api: Api, rt: Runtime, crm: dict[str, Any]) -> None:
    fid = crm["id"]
    code_f, tags_f = field_by_key(crm, "code"), field_by_key(crm, "tags")
    ids = make_records(
        api, fid, [{"name": "a", "code": "A", "tags": ["x", "y"]}, {"name": "b", "code": "B"}]
    )
    code_col, tags_tbl = physical(rt, code_f["id"]), physical(rt, tags_f["id"])

    for f in (code_f, tags_f):
        assert api.delete(f"/forms/{fid}/fields/{f['id']}").status_code == 204
    shown = api.ok(api.get(f"/forms/{fid}"))
    assert [f["key"] for f in shown["fields"]] == ["name", "note"]
    with_deleted = api.ok(api.get(f"/forms/{fid}", params={"include_deleted_fields": "true"}))
    deleted = {f["key"]: f for f in with_deleted["fields"] if f.get("deleted_at")}
    assert set(deleted) == {"code", "tags"}
    # gone from records, reads, writes and filters — but the data is still stored
    assert data_by_id(api, fid)[ids[0]] == {"name": "a", "note": None}
    assert api.ok(api.get(f"/forms/{fid}/records/{ids[0]}"))["data"] == {"name": "a", "note": None}
    r = api.post(f"/forms/{fid}/records", {"data": {"name": "c", "code": "A"}})
    assert r.status_code == 422
    assert details(r) == {"code": "unknown_field"}
    r = api.get(
        f"/forms/{fid}/records", params={"filter": json.dumps({"field": "tags", "op": "is_empty"})}
    )
    assert r.status_code == 400
    assert code_col in columns(rt, f"qf_{fid}")
    assert tags_tbl in tables(rt)
    # a record created meanwhile, and an edit that does not know the field
    later = api.create(fid, {"name": "c"})
    api.ok(api.patch(f"/forms/{fid}/records/{ids[1]}", {"data": {"name": "b2"}, "version": 1}))
    # deleting twice or restoring a live field: not found
    assert api.delete(f"/forms/{fid}/fields/{code_f['id']}").status_code == 404
    assert api.post(f"/forms/{fid}/fields/{crm['fields'][0]['id']}/restore").status_code == 404

    for f in (code_f, tags_f):
        restored = api.ok(api.post(f"/forms/{fid}/fields/{f['id']}/restore"))
        assert restored["id"] == f["id"]
        assert "deleted_at" not in restored
    rows = data_by_id(api, fid)
    assert rows[ids[0]] == {"name": "a", "code": "A", "tags": ["x", "y"], "note": None}
    assert rows[ids[1]] == {"name": "b2", "code": "B", "tags": [], "note": None}
    assert rows[later["id"]] == {"name": "c", "code": None, "tags": [], "note": None}
    # restored fields go last, and still enforce uniqueness
    assert [f["key"] for f in api.ok(api.get(f"/forms/{fid}"))["fields"]] == [
        "name",
        "note",
        "code",
        "tags",
    ]
    r = api.post(f"/forms/{fid}/records", {"data": {"code": "A"}})
    assert r.status_code == 422
    assert details(r) == {"code": "unique"}


def test_restore_field_refused_when_key_reused(api: Api, crm: dict[str, Any]) -> None:
    fid = crm["id"]
    note_f = field_by_key(crm, "note")
    rid = api.create(fid, {"name": "a", "note": "old"})["id"]
    api.delete(f"/forms/{fid}/fields/{note_f['id']}")
    new_note = api.ok(
        api.post(f"/forms/{fid}/fields", {"key": "note", "label": "新备注", "type": "text"}), 201
    )
    assert api.ok(api.get(f"/forms/{fid}/records/{rid}"))["data"]["note"] is None
    r = api.post(f"/forms/{fid}/fields/{note_f['id']}/restore")
    assert r.status_code == 422
    assert details(r) == {"key": "field_key_taken"}
    # rename the newcomer, then the old field comes back with its data
    api.ok(api.patch(f"/forms/{fid}/fields/{new_note['id']}", {"key": "note2"}))
    api.ok(api.post(f"/forms/{fid}/fields/{note_f['id']}/restore"))
    assert api.ok(api.get(f"/forms/{fid}/records/{rid}"))["data"]["note"] == "old"


# ----- purge ---------------------------------------------------------------------------
def test_purge_after_retention(api: Api, rt: Runtime, crm: dict[str, Any], admin: Any) -> None:
    fid = crm["id"]
    table = f"qf_{fid}"
    code_f, tags_f, note_f = (field_by_key(crm, k) for k in ("code", "tags", "note"))
    ids = make_records(
        api, fid, [{"name": "a", "code": "A", "tags": ["x"], "note": "n1"}, {"name": "b"}]
    )
    code_col, tags_tbl, note_col = (physical(rt, f["id"]) for f in (code_f, tags_f, note_f))
    assert f"ux_{table}_{code_col}" in indexes(rt, table)

    now = utcnow()
    api.delete(f"/forms/{fid}/fields/{code_f['id']}")
    api.delete(f"/forms/{fid}/fields/{tags_f['id']}")
    # deleted one day before the purge runs: 30 days from now
    later = Ctx(user=admin, tz=rt.tz, clock=lambda: now + timedelta(days=30))
    forms_service.delete_field(rt, later, fid, note_f["id"])

    # inside the retention period nothing is dropped
    assert purge_expired(rt, now + timedelta(days=29)) == {"fields": 0, "forms": 0, "apps": 0}
    assert code_col in columns(rt, table) and tags_tbl in tables(rt)

    counts = purge_expired(rt, now + timedelta(days=31))
    assert counts == {"fields": 2, "forms": 0, "apps": 0}
    # physically gone: the column, its unique index, the junction table, the metadata
    assert code_col not in columns(rt, table)
    assert f"ux_{table}_{code_col}" not in indexes(rt, table)
    assert tags_tbl not in tables(rt)
    assert not field_row_exists(rt, code_f["id"])
    assert not field_row_exists(rt, tags_f["id"])
    for f in (code_f, tags_f):
        r = api.post(f"/forms/{fid}/fields/{f['id']}/restore")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "field_not_found"
    # the field deleted a day before is kept, still restorable with its data
    assert note_col in columns(rt, table)
    api.ok(api.post(f"/forms/{fid}/fields/{note_f['id']}/restore"))
    rows = data_by_id(api, fid)
    assert rows[ids[0]] == {"name": "a", "note": "n1"}
    assert rows[ids[1]] == {"name": "b", "note": None}
    # the table still works, and a key of a purged field can be reused
    api.ok(api.post(f"/forms/{fid}/fields", {"key": "code", "label": "编码", "type": "text"}), 201)
    assert api.create(fid, {"name": "c", "code": "A"})["data"]["code"] == "A"
    assert purge_expired(rt, now + timedelta(days=31)) == {"fields": 0, "forms": 0, "apps": 0}


# ----- reorder -------------------------------------------------------------------------
def test_reorder_fields(api: Api, crm: dict[str, Any]) -> None:
    fid = crm["id"]
    rid = api.create(fid, {"name": "a", "code": "A", "tags": ["x"], "note": "n"})["id"]
    original = [f["id"] for f in crm["fields"]]
    wanted = list(reversed(original))
    r = api.ok(api.put(f"/forms/{fid}/fields/order", {"field_ids": wanted}))
    assert [f["id"] for f in r["fields"]] == wanted
    assert [f["position"] for f in r["fields"]] == [0, 1, 2, 3]
    form = api.ok(api.get(f"/forms/{fid}"))
    assert [f["id"] for f in form["fields"]] == wanted
    assert list(api.ok(api.get(f"/forms/{fid}/records/{rid}"))["data"]) == [
        "note",
        "tags",
        "code",
        "name",
    ]
    assert api.ok(api.get(f"/forms/{fid}/records/{rid}"))["data"]["code"] == "A"

    api.delete(f"/forms/{fid}/fields/{original[3]}")
    live = [i for i in wanted if i != original[3]]
    bad_orders = [
        wanted,  # includes a deleted field
        live[:-1],  # one missing
        [*live, live[0]],  # a duplicate
        [*live[:-1], 999999],  # unknown id
        [],
    ]
    for order in bad_orders:
        r = api.put(f"/forms/{fid}/fields/order", {"field_ids": order})
        assert r.status_code == 422, order
        assert details(r) == {"field_ids": "field_order_mismatch"}
    assert api.put(f"/forms/{fid}/fields/order", {"field_ids": "x"}).status_code == 422
    assert [f["id"] for f in api.ok(api.get(f"/forms/{fid}"))["fields"]] == live
    api.ok(api.put(f"/forms/{fid}/fields/order", {"field_ids": sorted(live)}))
    assert [f["id"] for f in api.ok(api.get(f"/forms/{fid}"))["fields"]] == sorted(live)


# ----- type changes --------------------------------------------------------------------
def single_field_form(
    api: Api, spec: dict[str, Any], values: list[Any]
) -> tuple[int, int, list[int]]:
    form = api.make_form([spec, {"key": "label", "label": "说明", "type": "text"}])
    fid = form["id"]
    key = spec["key"]
    ids = make_records(api, fid, [{key: v, "label": f"r{i}"} for i, v in enumerate(values)])
    return fid, form["fields"][0]["id"], ids


def backup_fields(api: Api, fid: int) -> list[dict[str, Any]]:
    form = api.ok(api.get(f"/forms/{fid}", params={"include_deleted_fields": "true"}))
    return [f for f in form["fields"] if f.get("deleted_at")]


def test_text_to_number(api: Api, rt: Runtime) -> None:
    values = ["12", "3.5", "abc", None, "1,000", "x1"]
    fid, field_id, ids = single_field_form(api, {"key": "v", "label": "值", "type": "text"}, values)
    url = f"/forms/{fid}/fields/{field_id}/type-change"
    col = physical(rt, field_id)
    cols = columns(rt, f"qf_{fid}")

    preview = api.ok(api.post(f"{url}/preview", {"type": "number"}))
    assert {k: preview[k] for k in ("total", "converted", "empty", "failed")} == {
        "total": 6,
        "converted": 3,
        "empty": 1,
        "failed": 2,
    }
    assert [(f["id"], f["value"], f["code"]) for f in preview["failures"]] == [
        (ids[2], "abc", "not_number"),
        (ids[5], "x1", "not_number"),
    ]
    assert all(f["message"] for f in preview["failures"])
    # preview changes nothing
    assert api.ok(api.get(f"/forms/{fid}"))["fields"][0]["type"] == "text"
    assert columns(rt, f"qf_{fid}") == cols

    # values would fail: refused without accept_loss, nothing changed
    r = api.post(url, {"type": "number"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "type_change_loses_data"
    assert details(r) == {"accept_loss": "type_change_loses_data"}
    assert physical(rt, field_id) == col
    assert columns(rt, f"qf_{fid}") == cols
    assert backup_fields(api, fid) == []
    rows = data_by_id(api, fid)
    assert [rows[i]["v"] for i in ids] == values

    result = api.ok(api.post(url, {"type": "number", "accept_loss": True}))
    assert result["field"]["id"] == field_id
    assert result["field"]["key"] == "v"
    assert result["field"]["type"] == "number"
    assert result["conversion"]["converted"] == 3
    assert result["conversion"]["failed"] == 2
    new_col = physical(rt, field_id)
    assert new_col != col
    assert {col, new_col} <= columns(rt, f"qf_{fid}")
    rows = data_by_id(api, fid)
    assert [rows[i]["v"] for i in ids] == [12, 3.5, None, None, 1000, None]
    assert [rows[i]["label"] for i in ids] == [f"r{i}" for i in range(6)]
    # numbers work in filters and sorts now
    page = api.list(fid, filter=json.dumps({"field": "v", "op": "gt", "value": 5}), sort="-v")
    assert [i["id"] for i in page["items"]] == [ids[4], ids[0]]
    r = api.post(f"/forms/{fid}/records", {"data": {"v": "abc"}})
    assert r.status_code == 422

    # the old values are kept as a deleted backup field, restorable
    (backup,) = backup_fields(api, fid)
    assert backup["type"] == "text"
    assert backup["key"].startswith("v_")
    assert physical(rt, backup["id"]) == col
    api.ok(api.post(f"/forms/{fid}/fields/{backup['id']}/restore"))
    rows = data_by_id(api, fid)
    assert [rows[i][backup["key"]] for i in ids] == values
    assert [rows[i]["v"] for i in ids] == [12, 3.5, None, None, 1000, None]


def test_text_to_date(api: Api) -> None:
    values = ["2024/3/5", "2024-03-06", "2024年3月7日", "2024.12.31", "not a date", "2024/13/1", ""]
    fid, field_id, ids = single_field_form(
        api, {"key": "d", "label": "日期", "type": "text"}, values
    )
    url = f"/forms/{fid}/fields/{field_id}/type-change"
    preview = api.ok(api.post(f"{url}/preview", {"type": "date"}))
    assert (preview["total"], preview["converted"], preview["empty"], preview["failed"]) == (
        7,
        4,
        1,
        2,
    )
    assert [(f["id"], f["value"]) for f in preview["failures"]] == [
        (ids[4], "not a date"),
        (ids[5], "2024/13/1"),
    ]
    assert {f["code"] for f in preview["failures"]} == {"invalid_date"}
    assert api.post(url, {"type": "date"}).status_code == 409
    assert data_by_id(api, fid)[ids[0]]["d"] == "2024/3/5"
    api.ok(api.post(url, {"type": "date", "accept_loss": True}))
    rows = data_by_id(api, fid)
    assert [rows[i]["d"] for i in ids] == [
        "2024-03-05",
        "2024-03-06",
        "2024-03-07",
        "2024-12-31",
        None,
        None,
        None,
    ]
    page = api.list(
        fid,
        filter=json.dumps({"field": "d", "op": "between", "value": ["2024-03-05", "2024-03-06"]}),
    )
    assert sorted(i["id"] for i in page["items"]) == [ids[0], ids[1]]


def test_select_to_multiselect_and_back(api: Api, rt: Runtime) -> None:
    spec = {"key": "s", "label": "等级", "type": "select", "settings": {"choices": ["A", "B", "C"]}}
    fid, field_id, ids = single_field_form(api, spec, ["A", "B", None, "A"])
    url = f"/forms/{fid}/fields/{field_id}/type-change"
    settings = {"choices": ["A", "B"]}
    preview = api.ok(api.post(f"{url}/preview", {"type": "multiselect", "settings": settings}))
    assert (preview["total"], preview["converted"], preview["empty"], preview["failed"]) == (
        4,
        3,
        1,
        0,
    )
    # no loss: no confirmation needed
    result = api.ok(api.post(url, {"type": "multiselect", "settings": settings}))
    assert result["field"]["type"] == "multiselect"
    assert [c["label"] for c in result["field"]["settings"]["choices"]] == ["A", "B"]
    junction = physical(rt, field_id)
    assert junction.startswith("qj_")
    assert junction in tables(rt)
    rows = data_by_id(api, fid)
    assert [rows[i]["s"] for i in ids] == [["A"], ["B"], [], ["A"]]
    page = api.list(fid, filter=json.dumps({"field": "s", "op": "contains", "value": "A"}))
    assert sorted(i["id"] for i in page["items"]) == [ids[0], ids[3]]
    # a record with two choices cannot go back to a single choice without loss
    api.ok(api.patch(f"/forms/{fid}/records/{ids[2]}", {"data": {"s": ["A", "B"]}, "version": 1}))
    back = api.ok(api.post(f"{url}/preview", {"type": "select", "settings": settings}))
    assert (back["converted"], back["empty"], back["failed"]) == (3, 0, 1)
    assert back["failures"][0]["id"] == ids[2]
    assert back["failures"][0]["value"] == "A、B"
    assert api.post(url, {"type": "select", "settings": settings}).status_code == 409
    assert data_by_id(api, fid)[ids[2]]["s"] == ["A", "B"]


def test_select_to_multiselect_without_choices_fails_every_value(api: Api) -> None:
    spec = {"key": "s", "label": "等级", "type": "select", "settings": {"choices": ["A"]}}
    fid, field_id, _ = single_field_form(api, spec, ["A", "A"])
    preview = api.ok(
        api.post(f"/forms/{fid}/fields/{field_id}/type-change/preview", {"type": "multiselect"})
    )
    assert (preview["converted"], preview["failed"]) == (0, 2)
    assert {f["code"] for f in preview["failures"]} == {"invalid_choice"}


def test_number_to_text(api: Api, rt: Runtime) -> None:
    spec = {"key": "n", "label": "数量", "type": "number", "settings": {"precision": 2}}
    fid, field_id, ids = single_field_form(api, spec, [12, "3.5", None, "-0.25", 1234567])
    url = f"/forms/{fid}/fields/{field_id}/type-change"
    preview = api.ok(api.post(f"{url}/preview", {"type": "text"}))
    assert (preview["total"], preview["converted"], preview["empty"], preview["failed"]) == (
        5,
        4,
        1,
        0,
    )
    api.ok(api.post(url, {"type": "text"}))
    rows = data_by_id(api, fid)
    assert [rows[i]["n"] for i in ids] == ["12", "3.5", None, "-0.25", "1234567"]
    page = api.list(fid, filter=json.dumps({"field": "n", "op": "starts_with", "value": "12"}))
    assert sorted(i["id"] for i in page["items"]) == [ids[0], ids[4]]
    (backup,) = backup_fields(api, fid)
    assert backup["type"] == "number"


def test_type_change_refusals(api: Api) -> None:
    fid, field_id, _ = single_field_form(api, {"key": "v", "label": "值", "type": "text"}, ["a"])
    url = f"/forms/{fid}/fields/{field_id}/type-change"
    r = api.post(url, {"type": "text"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "type_change_same"
    r = api.post(url, {"type": "nope"})
    assert r.status_code == 422
    assert details(r) == {"type": "field_type_unknown"}
    assert (
        api.post(f"/forms/{fid}/fields/999999/type-change", {"type": "number"}).status_code == 404
    )
    r = api.post(f"{url}/preview", {"type": "number", "settings": {"precision": 99}})
    assert r.status_code == 422
    assert api.ok(api.get(f"/forms/{fid}"))["fields"][0]["type"] == "text"


def test_patch_type_goes_through_conversion(api: Api, rt: Runtime) -> None:
    fid, field_id, ids = single_field_form(
        api, {"key": "v", "label": "值", "type": "text"}, ["7", "seven", None]
    )
    url = f"/forms/{fid}/fields/{field_id}"
    col = physical(rt, field_id)
    r = api.patch(url, {"type": "number", "label": "数值"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "type_change_loses_data"
    form = api.ok(api.get(f"/forms/{fid}"))
    assert (form["fields"][0]["type"], form["fields"][0]["label"]) == ("text", "值")
    assert physical(rt, field_id) == col
    assert data_by_id(api, fid)[ids[1]]["v"] == "seven"

    # a conversion that would succeed is undone when another part of the PATCH fails
    for refused in ({"key": "label"}, {"key": "bad key"}, {"unique": True}):
        body = {"type": "number", "accept_loss": True, **refused}
        if "unique" in refused:
            api.ok(
                api.patch(f"/forms/{fid}/records/{ids[2]}", {"data": {"v": "7.0"}, "version": 1})
            )
        r = api.patch(url, body)
        assert r.status_code == 422, (refused, r.text)
        assert physical(rt, field_id) == col
        assert backup_fields(api, fid) == []
        assert api.ok(api.get(f"/forms/{fid}"))["fields"][0]["type"] == "text"
    api.ok(api.patch(f"/forms/{fid}/records/{ids[2]}", {"data": {"v": None}, "version": 2}))

    changed = api.ok(
        api.patch(
            url,
            {"type": "number", "label": "数值", "settings": {"precision": 1}, "accept_loss": True},
        )
    )
    assert (changed["type"], changed["label"], changed["key"]) == ("number", "数值", "v")
    assert changed["settings"]["precision"] == 1
    assert physical(rt, field_id) != col
    rows = data_by_id(api, fid)
    assert [rows[i]["v"] for i in ids] == [7, None, None]
    (backup,) = backup_fields(api, fid)
    api.ok(api.post(f"/forms/{fid}/fields/{backup['id']}/restore"))
    assert data_by_id(api, fid)[ids[1]][backup["key"]] == "seven"
    # PATCH with the same type only updates metadata
    same = api.ok(api.patch(url, {"type": "number", "label": "数"}))
    assert same["label"] == "数"
    assert len(backup_fields(api, fid)) == 0  # the restored backup is live now


# ----- unique and indexed flags --------------------------------------------------------
def test_toggle_unique(api: Api, rt: Runtime) -> None:
    fid, field_id, ids = single_field_form(
        api, {"key": "v", "label": "值", "type": "text"}, ["a", "a", "b", None, None]
    )
    table = f"qf_{fid}"
    ux = f"ux_{table}_{physical(rt, field_id)}"
    url = f"/forms/{fid}/fields/{field_id}"
    r = api.patch(url, {"unique": True})
    assert r.status_code == 422
    assert details(r) == {"unique": "field_unique_has_duplicates"}
    assert ux not in indexes(rt, table)
    assert api.ok(api.get(f"/forms/{fid}"))["fields"][0]["unique"] is False

    # a trashed duplicate does not count; empty values never do
    api.delete(f"/forms/{fid}/records/{ids[1]}")
    assert api.ok(api.patch(url, {"unique": True}))["unique"] is True
    idx = indexes(rt, table)
    assert ux in idx
    assert idx[ux]["unique"]
    assert idx[ux]["column_names"] == [physical(rt, field_id)]
    r = api.post(f"/forms/{fid}/records", {"data": {"v": "a"}})
    assert r.status_code == 422
    assert details(r) == {"v": "unique"}
    r = api.post(f"/forms/{fid}/records/{ids[1]}/restore")
    assert r.status_code == 422

    assert api.ok(api.patch(url, {"unique": False}))["unique"] is False
    assert ux not in indexes(rt, table)
    api.create(fid, {"v": "a"})
    api.ok(api.post(f"/forms/{fid}/records/{ids[1]}/restore"))
    assert api.list(fid, filter=json.dumps({"field": "v", "op": "eq", "value": "a"}))["total"] == 3


def test_toggle_indexed(api: Api, rt: Runtime) -> None:
    fid, field_id, _ = single_field_form(
        api, {"key": "v", "label": "值", "type": "number"}, [3, 1, 2]
    )
    table = f"qf_{fid}"
    ix = f"ix_{table}_{physical(rt, field_id)}"
    url = f"/forms/{fid}/fields/{field_id}"
    assert ix not in indexes(rt, table)
    assert api.ok(api.patch(url, {"indexed": True}))["indexed"] is True
    idx = indexes(rt, table)
    assert ix in idx
    assert not idx[ix]["unique"]
    assert physical(rt, field_id) in idx[ix]["column_names"]
    assert [i["data"]["v"] for i in api.list(fid, sort="v")["items"]] == [1, 2, 3]
    assert api.ok(api.patch(url, {"indexed": False}))["indexed"] is False
    assert ix not in indexes(rt, table)
    assert [i["data"]["v"] for i in api.list(fid, sort="-v")["items"]] == [3, 2, 1]


# ----- relations -----------------------------------------------------------------------
@pytest.fixture
def linked(api: Api) -> dict[str, Any]:
    app_id = api.make_app()["id"]
    customers = api.make_form(
        [{"key": "name", "label": "名称", "type": "text"}], name="客户", app_id=app_id
    )
    orders = api.make_form(
        [
            {"key": "title", "label": "标题", "type": "text"},
            {
                "key": "customer",
                "label": "客户",
                "type": "relation",
                "settings": {"target_form_id": customers["id"]},
            },
        ],
        name="订单",
        app_id=app_id,
    )
    return {"app_id": app_id, "customers": customers, "orders": orders}


def test_relation_settings_needing_conversion_refused(
    api: Api, rt: Runtime, linked: dict[str, Any]
) -> None:
    cid, oid = linked["customers"]["id"], linked["orders"]["id"]
    rel = field_by_key(linked["orders"], "customer")
    customer = api.create(cid, {"name": "c"})
    order = api.create(oid, {"title": "o", "customer": customer["id"]})
    col = physical(rt, rel["id"])
    url = f"/forms/{oid}/fields/{rel['id']}"

    r = api.patch(url, {"settings": {"multiple": True}})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "type_change_unsupported"
    assert details(r) == {"settings": "settings_need_conversion"}
    other = api.make_form([{"key": "x", "label": "x", "type": "text"}], app_id=linked["app_id"])
    r = api.patch(url, {"settings": {"target_form_id": other["id"]}})
    assert r.status_code == 400
    field = field_by_key(api.ok(api.get(f"/forms/{oid}")), "customer")
    assert field["settings"]["multiple"] is False
    assert field["settings"]["target_form_id"] == cid
    assert physical(rt, rel["id"]) == col
    assert (
        api.ok(api.get(f"/forms/{oid}/records/{order['id']}"))["data"]["customer"] == customer["id"]
    )
    # settings that keep the storage are fine
    changed = api.ok(api.patch(url, {"settings": {"on_delete": "nullify"}, "label": "客户2"}))
    assert changed["settings"]["on_delete"] == "nullify"
    assert changed["settings"]["multiple"] is False


def test_delete_referenced_form_refused(api: Api, rt: Runtime, linked: dict[str, Any]) -> None:
    cid, oid = linked["customers"]["id"], linked["orders"]["id"]
    api.create(cid, {"name": "c"})
    r = api.delete(f"/forms/{cid}")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "form_referenced"
    assert api.ok(api.get(f"/forms/{cid}"))["id"] == cid
    assert api.list(cid)["total"] == 1
    # the linking form itself can go; the app cannot while another app links in
    other_app = api.make_app("其他")["id"]
    api.make_form(
        [
            {
                "key": "c",
                "label": "客户",
                "type": "relation",
                "settings": {"target_form_id": cid, "multiple": True},
            }
        ],
        name="外部",
        app_id=other_app,
    )
    r = api.delete(f"/apps/{linked['app_id']}")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "form_referenced"
    assert api.ok(api.get(f"/apps/{linked['app_id']}"))["id"] == linked["app_id"]
    assert api.delete(f"/forms/{oid}").status_code == 204
    assert api.delete(f"/forms/{cid}").status_code == 409


def test_delete_and_restore_form(api: Api, rt: Runtime, admin: Any) -> None:
    form = api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text"},
            {"key": "tags", "label": "标签", "type": "multiselect", "settings": {"choices": ["x"]}},
        ]
    )
    fid, app_id = form["id"], form["app_id"]
    rid = api.create(fid, {"name": "a", "tags": ["x"]})["id"]
    junction = physical(rt, field_by_key(form, "tags")["id"])

    assert api.delete(f"/forms/{fid}").status_code == 204
    assert api.get(f"/forms/{fid}").status_code == 404
    assert api.get(f"/forms/{fid}/records").status_code == 404
    assert api.get(f"/forms/{fid}/records/{rid}").status_code == 404
    assert api.post(f"/forms/{fid}/records", {"data": {"name": "b"}}).status_code == 404
    assert (
        api.post(f"/forms/{fid}/fields", {"key": "z", "label": "z", "type": "text"}).status_code
        == 404
    )
    assert api.delete(f"/forms/{fid}").status_code == 404
    assert api.ok(api.get(f"/apps/{app_id}"))["forms"] == []
    assert api.ok(api.get(f"/apps/{app_id}/forms"))["items"] == []
    # the data is still there physically
    assert {f"qf_{fid}", junction} <= tables(rt)

    restored = api.ok(api.post(f"/forms/{fid}/restore"))
    assert restored["deleted_at"] is None
    assert [f["key"] for f in restored["fields"]] == ["name", "tags"]
    assert api.ok(api.get(f"/forms/{fid}/records/{rid}"))["data"] == {"name": "a", "tags": ["x"]}
    assert [f["id"] for f in api.ok(api.get(f"/apps/{app_id}"))["forms"]] == [fid]

    # after the retention period a deleted form's tables are dropped for good
    now = utcnow()
    api.delete(f"/forms/{fid}")
    assert purge_expired(rt, now + timedelta(days=29))["forms"] == 0
    assert f"qf_{fid}" in tables(rt)
    assert purge_expired(rt, now + timedelta(days=31))["forms"] == 1
    assert not ({f"qf_{fid}", junction} & tables(rt))
    assert api.post(f"/forms/{fid}/restore").status_code == 404


def test_delete_app(api: Api, rt: Runtime) -> None:
    app_id = api.make_app("销售")["id"]
    keep_app = api.make_app("保留")["id"]
    f1 = api.make_form([{"key": "a", "label": "a", "type": "text"}], name="一", app_id=app_id)
    f2 = api.make_form([{"key": "b", "label": "b", "type": "text"}], name="二", app_id=app_id)
    f3 = api.make_form([{"key": "c", "label": "c", "type": "text"}], name="三", app_id=keep_app)
    api.create(f1["id"], {"a": "x"})
    api.create(f3["id"], {"c": "y"})

    assert api.delete(f"/apps/{app_id}").status_code == 204
    assert api.get(f"/apps/{app_id}").status_code == 404
    assert api.delete(f"/apps/{app_id}").status_code == 404
    assert api.post(f"/apps/{app_id}/forms", {"name": "n", "fields": []}).status_code == 404
    assert [a["id"] for a in api.ok(api.get("/apps"))["items"]] == [keep_app]
    for f in (f1, f2):
        assert api.get(f"/forms/{f['id']}").status_code == 404
        assert api.get(f"/forms/{f['id']}/records").status_code == 404
    # a form of a deleted app cannot be restored on its own
    assert api.post(f"/forms/{f1['id']}/restore").status_code == 404
    # the other app is untouched
    assert api.list(f3["id"])["total"] == 1

    now = utcnow()
    counts = purge_expired(rt, now + timedelta(days=31))
    assert counts == {"fields": 0, "forms": 2, "apps": 1}
    names = tables(rt)
    assert f"qf_{f1['id']}" not in names and f"qf_{f2['id']}" not in names
    assert f"qf_{f3['id']}" in names
    with rt.db.engine.connect() as conn:
        assert conn.execute(sa.select(schema.apps.c.id)).scalars().all() == [keep_app]


def test_type_change_that_makes_unique_values_collide_is_refused(api: Api, rt: Runtime) -> None:
    spec = {"key": "v", "label": "值", "type": "text", "unique": True}
    fid, field_id, ids = single_field_form(api, spec, ["1", "1.0", "2", None])
    table = f"qf_{fid}"
    col = physical(rt, field_id)
    cols = columns(rt, table)
    url = f"/forms/{fid}/fields/{field_id}/type-change"
    r = api.post(url, {"type": "number", "accept_loss": True})
    assert r.status_code == 422, r.text
    assert details(r) == {"unique": "field_unique_has_duplicates"}
    assert physical(rt, field_id) == col
    assert columns(rt, table) == cols  # the new column was rolled back
    assert backup_fields(api, fid) == []
    assert api.ok(api.get(f"/forms/{fid}"))["fields"][0]["type"] == "text"
    # a trashed record does not count; the new column gets the unique index
    api.delete(f"/forms/{fid}/records/{ids[1]}")
    result = api.ok(api.post(url, {"type": "number"}))
    assert result["field"]["unique"] is True
    new_col = physical(rt, field_id)
    assert indexes(rt, table)[f"ux_{table}_{new_col}"]["unique"]
    rows = data_by_id(api, fid)
    assert [rows[i]["v"] for i in (ids[0], ids[2], ids[3])] == [1, 2, None]
    r = api.post(f"/forms/{fid}/records", {"data": {"v": "1.00"}})
    assert r.status_code == 422
    assert details(r) == {"v": "unique"}
    r = api.post(f"/forms/{fid}/records/{ids[1]}/restore")
    assert r.status_code == 422
    assert details(r) == {"v": "unique"}


def test_restoring_a_relation_to_a_deleted_form_is_refused(
    api: Api, linked: dict[str, Any]
) -> None:
    cid, oid = linked["customers"]["id"], linked["orders"]["id"]
    rel = field_by_key(linked["orders"], "customer")
    # a deleted relation field no longer holds its target form
    api.delete(f"/forms/{oid}/fields/{rel['id']}")
    assert api.delete(f"/forms/{cid}").status_code == 204
    r = api.post(f"/forms/{oid}/fields/{rel['id']}/restore")
    assert r.status_code == 422
    assert details(r) == {"settings.target_form_id": "relation_target_invalid"}
    assert "customer" not in [f["key"] for f in api.ok(api.get(f"/forms/{oid}"))["fields"]]
    api.ok(api.post(f"/forms/{cid}/restore"))
    api.ok(api.post(f"/forms/{oid}/fields/{rel['id']}/restore"))

    # the same for a whole form whose target went away after it was deleted
    assert api.delete(f"/forms/{oid}").status_code == 204
    assert api.delete(f"/forms/{cid}").status_code == 204
    r = api.post(f"/forms/{oid}/restore")
    assert r.status_code == 422
    assert details(r) == {"settings.target_form_id": "relation_target_invalid"}
    assert api.get(f"/forms/{oid}").status_code == 404
    api.ok(api.post(f"/forms/{cid}/restore"))
    api.ok(api.post(f"/forms/{oid}/restore"))


def test_restore_form_with_a_relation_to_itself(api: Api) -> None:
    form = api.make_form([{"key": "name", "label": "名称", "type": "text"}])
    fid = form["id"]
    api.ok(
        api.post(
            f"/forms/{fid}/fields",
            {
                "key": "parent",
                "label": "上级",
                "type": "relation",
                "settings": {"target_form_id": fid},
            },
        ),
        201,
    )
    top = api.create(fid, {"name": "top"})
    child = api.create(fid, {"name": "child", "parent": top["id"]})
    assert api.delete(f"/forms/{fid}").status_code == 204
    api.ok(api.post(f"/forms/{fid}/restore"))
    got = api.ok(api.get(f"/forms/{fid}/records/{child['id']}"))
    assert got["data"]["parent"] == top["id"]
