"""Sub-forms (子表单) through the HTTP API, on SQLite and on PostgreSQL: a quote with
lines kept in a child table, validated per cell, updated row by row, listed without a
query per record, audited, hidden with its field and purged with it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from qiao.context import utcnow
from qiao.db import schema
from qiao.forms.fields.subform import child_fields
from qiao.forms.purge import purge_expired
from qiao.records.children import child_rows
from qiao.runtime import Runtime
from tests.conftest import Api

LINES = {
    "key": "lines",
    "label": "明细",
    "type": "subform",
    "settings": {
        "columns": [
            {"key": "product", "label": "产品", "type": "text", "required": True},
            {"key": "qty", "label": "数量", "type": "number", "settings": {"precision": 0}},
            {"key": "price", "label": "单价", "type": "money"},
            {"key": "discount", "label": "折扣", "type": "percent"},
        ],
        "max_rows": 5,
    },
}
QUOTE = [{"key": "title", "label": "报价单", "type": "text"}, LINES]


def details(response: Any) -> list[tuple[str, str]]:
    return [(d["field"], d["code"]) for d in response.json()["error"]["details"]]


def quote(api: Api, **line_settings: Any) -> dict[str, Any]:
    lines = {**LINES, "settings": {**LINES["settings"], **line_settings}}
    return api.make_form([QUOTE[0], lines], name="报价单")


def cells(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["product"], r["qty"]) for r in rows]


def line(product: str, qty: int, **more: Any) -> dict[str, Any]:
    return {"product": product, "qty": qty, "price": "10.50", **more}


@contextmanager
def counting(rt: Runtime) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(rt.db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(rt.db.engine, "before_cursor_execute", count)


def child_count(rt: Runtime, field_id: int) -> int:
    with rt.db.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM qs_{field_id}")).scalar_one())


def table_names(rt: Runtime) -> set[str]:
    with rt.db.engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


# ----- definition ----------------------------------------------------------------------
def test_columns_get_stable_numbers_and_bad_definitions_are_refused(api: Api, rt: Runtime) -> None:
    form = quote(api)
    field = next(f for f in form["fields"] if f["key"] == "lines")
    cols = field["settings"]["columns"]
    assert [c["id"] for c in cols] == [1, 2, 3, 4]
    assert field["settings"]["next_column_id"] == 5
    assert f"qs_{field['id']}" in table_names(rt)
    fm = rt.catalog().form(form["id"]).by_key["lines"]
    assert child_fields(fm) is child_fields(fm)  # built once per metadata load
    assert [c.column_name for c in child_fields(fm)] == ["c1", "c2", "c3", "c4"]

    app_id = api.make_app("其他")["id"]
    bad_columns: list[list[dict[str, Any]]] = [
        [{"key": "a", "label": "A", "type": "subform"}],  # no sub-form in a sub-form
        [{"key": "a", "label": "A", "type": "multiselect", "settings": {"choices": ["x"]}}],
        [{"key": "a", "label": "A", "type": "autonumber"}],
        [{"key": "a", "label": "A", "type": "text"}, {"key": "a", "label": "B", "type": "text"}],
        [{"key": "1a", "label": "A", "type": "text"}],
        [{"key": "id", "label": "A", "type": "text"}],
        [{"key": "a", "label": "A", "type": "number", "settings": {"precision": 99}}],
    ]
    for columns in bad_columns:
        sub = {"key": "s", "label": "S", "type": "subform", "settings": {"columns": columns}}
        response = api.post(f"/apps/{app_id}/forms", {"name": "x", "fields": [sub]})
        assert response.status_code == 422, (columns, response.text)
        assert details(response)[0][0].startswith("fields[0].settings"), response.text
    # a relation column must name a live form
    rel = {"key": "p", "label": "P", "type": "relation", "settings": {"target_form_id": 999999}}
    sub = {"key": "s", "label": "S", "type": "subform", "settings": {"columns": [rel]}}
    response = api.post(f"/apps/{app_id}/forms", {"name": "x", "fields": [sub]})
    assert response.status_code == 422
    assert details(response) == [
        ("fields[0].settings.columns[0].settings.target_form_id", "relation_target_invalid")
    ]


# ----- create and validation -----------------------------------------------------------
def test_create_reads_rows_back_in_order(api: Api) -> None:
    fid = quote(api)["id"]
    rec = api.create(fid, {"title": "Q1", "lines": [line("螺丝", 3), line("螺母", 5)]})
    rows = rec["data"]["lines"]
    assert cells(rows) == [("螺丝", 3), ("螺母", 5)]
    assert rows[0]["price"] == "10.50" or str(rows[0]["price"]) == "10.5"
    assert all(isinstance(r["id"], int) for r in rows)
    again = api.ok(api.get(f"/forms/{fid}/records/{rec['id']}"))
    assert again["data"]["lines"] == rows
    empty = api.create(fid, {"title": "Q2"})
    assert empty["data"]["lines"] == []


def test_cell_errors_name_row_and_column(api: Api) -> None:
    fid = quote(api)["id"]
    response = api.post(
        f"/forms/{fid}/records",
        {"data": {"lines": [line("a", 1), {"qty": "many"}, line("c", 1, colour="red")]}},
    )
    assert response.status_code == 422
    found = details(response)
    assert ("lines[1].product", "required") in found
    assert ("lines[1].qty", "not_number") in found or any(f == "lines[1].qty" for f, _ in found), (
        found
    )
    assert ("lines[2].colour", "unknown_field") in found
    message = next(
        d["message"]
        for d in response.json()["error"]["details"]
        if d["field"] == "lines[1].product"
    )
    assert "明细 #2 产品" in message
    assert api.list(fid)["total"] == 0
    response = api.post(f"/forms/{fid}/records", {"data": {"lines": "x"}})
    assert details(response) == [("lines", "not_list")]


def test_min_and_max_rows(api: Api) -> None:
    fid = quote(api, min_rows=1, max_rows=2)["id"]
    response = api.post(f"/forms/{fid}/records", {"data": {"lines": []}})
    assert details(response) == [("lines", "subform_too_few_rows")]
    error = response.json()["error"]["details"][0]
    assert error["message"] == "「明细」至少需要 1 行"
    response = api.post(f"/forms/{fid}/records", {"data": {"lines": [line("a", 1)] * 3}})
    assert details(response) == [("lines", "subform_too_many_rows")]
    assert response.json()["error"]["details"][0]["message"] == "「明细」最多 2 行"
    api.create(fid, {"lines": [line("a", 1), line("b", 2)]})


def test_bulk_create_is_all_or_nothing(api: Api, rt: Runtime) -> None:
    form = quote(api)
    fid = form["id"]
    field_id = next(f["id"] for f in form["fields"] if f["key"] == "lines")
    items = [
        {"data": {"title": "ok", "lines": [line("a", 1)]}},
        {"data": {"title": "bad", "lines": [line("a", 1), {"qty": 2}]}},
    ]
    response = api.post(f"/forms/{fid}/records/bulk", {"items": items})
    assert response.status_code == 422
    assert details(response) == [("items[1].lines[1].product", "required")]
    assert child_count(rt, field_id) == 0
    items[1]["data"]["lines"] = [line("b", 2), line("c", 3)]
    ids = api.ok(api.post(f"/forms/{fid}/records/bulk", {"items": items}), 201)["ids"]
    assert child_count(rt, field_id) == 3
    got = api.ok(api.get(f"/forms/{fid}/records/{ids[1]}"))["data"]["lines"]
    assert cells(got) == [("b", 2), ("c", 3)]


# ----- update --------------------------------------------------------------------------
def test_update_in_place_insert_delete_and_reorder(api: Api) -> None:
    fid = quote(api)["id"]
    rec = api.create(fid, {"lines": [line("a", 1), line("b", 2), line("c", 3)]})
    a, b, c = rec["data"]["lines"]
    new_lines = [
        {**c, "qty": 30},  # moved first, changed
        {"product": "d", "qty": 4},  # new
        a,  # unchanged, moved
    ]  # b left out: deleted
    updated = api.ok(
        api.patch(
            f"/forms/{fid}/records/{rec['id']}",
            {"data": {"lines": new_lines}, "version": rec["version"]},
        )
    )
    rows = updated["data"]["lines"]
    assert cells(rows) == [("c", 30), ("d", 4), ("a", 1)]
    assert rows[0]["id"] == c["id"] and rows[2]["id"] == a["id"]
    assert rows[1]["id"] not in {a["id"], b["id"], c["id"]}
    # leaving the sub-form out of an update keeps its rows
    later = api.ok(
        api.patch(
            f"/forms/{fid}/records/{rec['id']}",
            {"data": {"title": "t"}, "version": updated["version"]},
        )
    )
    assert later["data"]["lines"] == rows


def test_row_ids_of_another_record_are_refused(api: Api) -> None:
    fid = quote(api)["id"]
    mine = api.create(fid, {"lines": [line("a", 1)]})
    other = api.create(fid, {"lines": [line("x", 9)]})
    foreign = other["data"]["lines"][0]
    response = api.patch(
        f"/forms/{fid}/records/{mine['id']}",
        {"data": {"lines": [{**foreign, "qty": 1}]}, "version": mine["version"]},
    )
    assert response.status_code == 422
    assert details(response) == [("lines[0].id", "subform_row_not_found")]
    # nothing moved
    assert api.ok(api.get(f"/forms/{fid}/records/{other['id']}"))["data"]["lines"] == [foreign]
    response = api.post(f"/forms/{fid}/records", {"data": {"lines": [foreign]}})
    assert details(response) == [("lines[0].id", "subform_row_not_found")]
    response = api.patch(
        f"/forms/{fid}/records/{mine['id']}",
        {"data": {"lines": [{"id": 1, **line("a", 1)}, {"id": 1}]}, "version": mine["version"]},
    )
    assert ("lines[1].id", "subform_row_repeated") in details(response)


def test_bulk_update_replaces_rows(api: Api, rt: Runtime) -> None:
    form = quote(api)
    fid = form["id"]
    field_id = next(f["id"] for f in form["fields"] if f["key"] == "lines")
    ids = [api.create(fid, {"lines": [line(f"p{i}", i)] * 2})["id"] for i in range(3)]
    api.ok(
        api.post(
            f"/forms/{fid}/records/bulk-update",
            {"ids": ids[:2], "data": {"lines": [line("new", 7)]}},
        )
    )
    for rid in ids[:2]:
        rows = api.ok(api.get(f"/forms/{fid}/records/{rid}"))["data"]["lines"]
        assert cells(rows) == [("new", 7)]
    assert child_count(rt, field_id) == 4


# ----- reads ---------------------------------------------------------------------------
def test_list_reads_rows_with_a_constant_number_of_queries(api: Api, rt: Runtime) -> None:
    fid = quote(api)["id"]
    items = [{"data": {"title": f"q{i}", "lines": [line("a", i), line("b", i)]}} for i in range(30)]
    api.ok(api.post(f"/forms/{fid}/records/bulk", {"items": items}), 201)

    def cost(limit: int) -> int:
        api.list(fid, limit=limit)  # warm
        with counting(rt) as statements:
            page = api.list(fid, limit=limit)
        assert len(page["items"]) == limit
        assert all(len(item["data"]["lines"]) == 2 for item in page["items"])
        return len(statements)

    assert cost(2) == cost(30)
    only = api.list(fid, fields="title")
    assert "lines" not in only["items"][0]["data"]
    chosen = api.list(fid, fields="lines")
    assert set(chosen["items"][0]["data"]) == {"lines"}


def test_filter_by_emptiness(api: Api) -> None:
    fid = quote(api)["id"]
    api.create(fid, {"title": "with", "lines": [line("a", 1)]})
    api.create(fid, {"title": "without"})
    for op, title in (("is_empty", "without"), ("is_not_empty", "with")):
        flt = f'{{"field": "lines", "op": "{op}"}}'
        page = api.list(fid, filter=flt)
        assert [i["data"]["title"] for i in page["items"]] == [title]
    # a condition on a column: some row matches
    api.create(fid, {"title": "big", "lines": [line("a", 1), line("b", 50)]})
    cases = [
        ({"field": "lines.qty", "op": "gt", "value": 10}, ["big"]),
        ({"field": "lines.product", "op": "eq", "value": "a"}, ["with", "big"]),
        (
            {
                "and": [
                    {"field": "lines.product", "op": "eq", "value": "b"},
                    {"field": "title", "op": "eq", "value": "big"},
                ]
            },
            ["big"],
        ),
        ({"not": {"field": "lines.qty", "op": "gt", "value": 10}}, ["with", "without"]),
    ]
    for flt, titles in cases:
        page = api.list(fid, filter=json.dumps(flt), sort="created_at")
        assert [i["data"]["title"] for i in page["items"]] == titles, flt
    response = api.get(
        f"/forms/{fid}/records",
        params={"filter": '{"field": "lines.nope", "op": "eq", "value": 1}'},
    )
    assert response.status_code == 400
    assert ("filter.field", "filter_unknown_field") in details(response)
    response = api.get(f"/forms/{fid}/records", params={"sort": "lines"})
    assert response.status_code == 400 or response.status_code == 422


def test_export_shows_a_row_count(api: Api) -> None:
    fid = quote(api)["id"]
    api.create(fid, {"title": "q", "lines": [line("a", 1), line("b", 2), line("c", 3)]})
    text = api.get(f"/forms/{fid}/records/export.csv").content.decode("utf-8-sig")
    assert "3 行" in text


# ----- audit, permissions, delete, purge -----------------------------------------------
def test_audit_has_rows_before_and_after(api: Api) -> None:
    fid = quote(api)["id"]
    rec = api.create(fid, {"lines": [line("a", 1)]})
    updated = api.ok(
        api.patch(
            f"/forms/{fid}/records/{rec['id']}",
            {"data": {"lines": [{**rec["data"]["lines"][0], "qty": 2}]}, "version": rec["version"]},
        )
    )
    entries = api.ok(
        api.get("/audit", params={"form_id": fid, "action": "record_create,record_update"})
    )["items"]
    by_action = {e["action"]: e for e in entries}
    created = by_action["record_create"]["details"]["values"]["lines"]
    assert cells(created) == [("a", 1)]
    change = by_action["record_update"]["details"]["changes"]["lines"]
    assert cells(change["before"]) == [("a", 1)]
    assert cells(change["after"]) == cells(updated["data"]["lines"]) == [("a", 2)]
    assert change["after"][0]["id"] == updated["data"]["lines"][0]["id"]


def test_hidden_subform_hides_its_rows(api: Api, rt: Runtime, make_user: Any) -> None:
    form = quote(api)
    fid = form["id"]
    rec = api.create(fid, {"title": "q", "lines": [line("secret", 1)]})
    api.open_to_everyone(fid)
    groups = api.ok(api.get(f"/forms/{fid}/permission-groups"))["items"]
    api.ok(
        api.patch(
            f"/permission-groups/{groups[0]['id']}",
            {"fields": {"lines": {"access": "hidden"}}},
        )
    )
    member = make_user("sales")
    got = member.ok(member.get(f"/forms/{fid}/records/{rec['id']}"))
    assert "lines" not in got["data"]
    assert "lines" not in member.list(fid)["items"][0]["data"]
    response = member.post(f"/forms/{fid}/records", {"data": {"lines": [line("x", 1)]}})
    assert ("lines", "unknown_field") in details(response)
    response = member.get(
        f"/forms/{fid}/records", params={"filter": '{"field": "lines", "op": "is_empty"}'}
    )
    assert response.status_code in (400, 422)


def test_rows_stay_with_a_deleted_record_and_go_with_the_purged_field(
    api: Api, rt: Runtime
) -> None:
    form = quote(api)
    fid = form["id"]
    field_id = next(f["id"] for f in form["fields"] if f["key"] == "lines")
    rec = api.create(fid, {"lines": [line("a", 1), line("b", 2)]})
    api.ok(api.delete(f"/forms/{fid}/records/{rec['id']}"), 204)
    assert child_count(rt, field_id) == 2
    restored = api.ok(api.post(f"/forms/{fid}/records/{rec['id']}/restore"))
    assert cells(restored["data"]["lines"]) == [("a", 1), ("b", 2)]

    # converting a sub-form to another type (or back) is refused
    response = api.patch(f"/forms/{fid}/fields/{field_id}", {"type": "text"})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "type_change_unsupported"
    title_id = next(f["id"] for f in form["fields"] if f["key"] == "title")
    response = api.patch(f"/forms/{fid}/fields/{title_id}", {"type": "subform"})
    assert response.status_code == 400, response.text

    api.ok(api.delete(f"/forms/{fid}/fields/{field_id}"), 204)
    assert "lines" not in api.ok(api.get(f"/forms/{fid}/records/{rec['id']}"))["data"]
    with rt.db.engine.begin() as conn:
        conn.execute(
            sa.update(schema.fields)
            .where(schema.fields.c.id == field_id)
            .values(deleted_at=utcnow() - timedelta(days=400))
        )
    assert purge_expired(rt, utcnow())["fields"] == 1
    assert f"qs_{field_id}" not in table_names(rt)


def test_purged_form_takes_its_child_tables(api: Api, rt: Runtime) -> None:
    form = quote(api)
    field_id = next(f["id"] for f in form["fields"] if f["key"] == "lines")
    api.create(form["id"], {"lines": [line("a", 1)]})
    api.ok(api.delete(f"/forms/{form['id']}"), 204)
    with rt.db.engine.begin() as conn:
        conn.execute(
            sa.update(schema.forms)
            .where(schema.forms.c.id == form["id"])
            .values(deleted_at=utcnow() - timedelta(days=400))
        )
    assert purge_expired(rt, utcnow())["forms"] == 1
    assert not {f"qs_{field_id}", f"qf_{form['id']}"} & table_names(rt)


# ----- schema evolution ----------------------------------------------------------------
def test_adding_and_removing_columns_on_a_form_with_data(api: Api, rt: Runtime) -> None:
    form = quote(api)
    fid = form["id"]
    field = next(f for f in form["fields"] if f["key"] == "lines")
    rec = api.create(fid, {"lines": [line("a", 1)]})
    columns = field["settings"]["columns"]
    # remove "discount", add "note": the new column gets a new number (5), never 4
    patched = api.ok(
        api.patch(
            f"/forms/{fid}/fields/{field['id']}",
            {
                "settings": {
                    "columns": [
                        *columns[:3],
                        {"key": "note", "label": "备注", "type": "text"},
                    ]
                }
            },
        )
    )
    assert [c["id"] for c in patched["settings"]["columns"]] == [1, 2, 3, 5]
    got = api.ok(api.get(f"/forms/{fid}/records/{rec['id']}"))["data"]["lines"][0]
    assert got["note"] is None and "discount" not in got
    row = {**got, "note": "加急"}
    updated = api.ok(
        api.patch(
            f"/forms/{fid}/records/{rec['id']}",
            {"data": {"lines": [row]}, "version": rec["version"]},
        )
    )
    assert updated["data"]["lines"][0]["note"] == "加急"
    # a re-keyed column keeps its number and data
    renamed = [dict(c) for c in patched["settings"]["columns"]]
    renamed[0]["key"] = "item"
    api.ok(api.patch(f"/forms/{fid}/fields/{field['id']}", {"settings": {"columns": renamed}}))
    got = api.ok(api.get(f"/forms/{fid}/records/{rec['id']}"))["data"]["lines"][0]
    assert got["item"] == "a"
    # changing a column's type is refused
    retyped = [dict(c) for c in renamed]
    retyped[1] = {**retyped[1], "type": "text", "settings": {}}
    response = api.patch(f"/forms/{fid}/fields/{field['id']}", {"settings": {"columns": retyped}})
    assert response.status_code == 422
    assert details(response)[0][0] == "settings.columns[1].type"
    with rt.db.read() as conn:
        meta = rt.form(conn, fid)
        rows = child_rows(conn, meta, meta.live_fields, [rec["id"]])
    assert next(iter(rows.values()))[rec["id"]][0]["c5"] == "加急"


@pytest.mark.parametrize("locale", ["en"])
def test_messages_in_english(api: Api, make_user: Any, locale: str) -> None:
    fid = quote(api, min_rows=2)["id"]
    api.open_to_everyone(fid)
    member = make_user("en_user", locale=locale)
    response = member.post(f"/forms/{fid}/records", {"data": {"lines": [{"qty": 1}]}})
    messages = [d["message"] for d in response.json()["error"]["details"]]
    assert any("at least 2 rows" in m for m in messages), messages


# ----- relation cells ------------------------------------------------------------------
def product_quote(api: Api, on_delete: str = "restrict") -> tuple[int, int]:
    app_id = api.make_app("销售")["id"]
    products = api.make_form(
        [{"key": "name", "label": "名称", "type": "text"}], name="产品", app_id=app_id
    )["id"]
    product = {
        "key": "product",
        "label": "产品",
        "type": "relation",
        "settings": {"target_form_id": products, "on_delete": on_delete},
    }
    lines = {
        "key": "lines",
        "label": "明细",
        "type": "subform",
        "settings": {"columns": [product, {"key": "qty", "label": "数量", "type": "number"}]},
    }
    quotes = api.make_form([lines], name="报价单", app_id=app_id)["id"]
    return products, quotes


def test_relation_cells_are_checked_and_kept_on_delete(api: Api, make_user: Any) -> None:
    products, quotes = product_quote(api)
    p1 = api.create(products, {"name": "螺丝"})["id"]
    response = api.post(f"/forms/{quotes}/records", {"data": {"lines": [{"product": 999999}]}})
    assert ("lines[0].product", "related_record_not_found") in details(response)
    # a member who cannot see the product cannot link it by its id
    api.open_to_everyone(quotes)
    member = make_user("sales")
    response = member.post(f"/forms/{quotes}/records", {"data": {"lines": [{"product": p1}]}})
    assert response.status_code == 422
    assert ("lines[0].product", "related_record_not_found") in details(response)
    # a link the record already has stays when the member edits the row
    quote_id = api.create(quotes, {"lines": [{"product": p1, "qty": 1}]})["id"]
    rec = member.ok(member.get(f"/forms/{quotes}/records/{quote_id}"))
    row = rec["data"]["lines"][0]
    member.ok(
        member.patch(
            f"/forms/{quotes}/records/{quote_id}",
            {"data": {"lines": [{**row, "qty": 2}]}, "version": rec["version"]},
        )
    )
    # restrict: the product cannot be deleted while a row links to it
    response = api.delete(f"/forms/{products}/records/{p1}")
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "record_referenced"


def test_nullify_empties_the_cells(api: Api) -> None:
    products, quotes = product_quote(api, "nullify")
    p1 = api.create(products, {"name": "螺丝"})["id"]
    quote = api.create(quotes, {"lines": [{"product": p1, "qty": 1}, {"qty": 2}]})
    api.ok(api.delete(f"/forms/{products}/records/{p1}"), 204)
    after = api.ok(api.get(f"/forms/{quotes}/records/{quote['id']}"))
    assert [(r["product"], r["qty"]) for r in after["data"]["lines"]] == [(None, 1), (None, 2)]
    assert after["version"] == quote["version"] + 1
