"""Formula, lookup and rollup fields: computed on save, kept current when what they read
changes (related records, sub-form rows), checked at design time (unknown fields,
cycles), refused as input, and recomputed in the background over large forms."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from qiao import jobs
from qiao.runtime import Runtime
from tests.conftest import Api


def _num(name: str, label: str | None = None, **settings: Any) -> dict[str, Any]:
    return {"key": name, "label": label or name, "type": "number", "settings": settings}


def _formula(key: str, expression: str, **settings: Any) -> dict[str, Any]:
    return {
        "key": key,
        "label": key,
        "type": "formula",
        "settings": {"expression": expression, **settings},
    }


def test_formula_computed_on_create_and_update(api: Api) -> None:
    app_id = api.make_app()["id"]
    form = api.make_form(
        [
            _num("qty", "数量"),
            _num("price", "单价"),
            _formula("amount", "{数量} * {单价}"),
            _formula("label", 'IF(amount > 100, "大单", "小单")'),
            _formula("ratio", "qty / price"),
            _formula("due", "DATE(2024, 1, 1) + qty + 0.5", result="datetime"),
            _formula("big", "qty > 2"),
            _formula("day", "DATE(2024, 1, qty)"),
        ],
        "订单",
        app_id,
    )
    by_key = {f["key"]: f for f in form["fields"]}
    assert by_key["amount"]["settings"]["kind"] == "number"
    assert by_key["amount"]["settings"]["expression"] == "{数量} * {单价}"
    assert by_key["label"]["settings"]["kind"] == "text"
    record = api.create(form["id"], {"qty": 3, "price": 50})
    assert record["data"]["amount"] == 150
    assert record["data"]["label"] == "大单"
    assert record["data"]["ratio"] == pytest.approx(0.06)
    updated = api.ok(
        api.patch(
            f"/forms/{form['id']}/records/{record['id']}",
            {"data": {"price": 0}, "version": record["version"]},
        )
    )
    assert updated["data"]["amount"] == 0
    assert updated["data"]["label"] == "小单"
    assert updated["data"]["ratio"] is None  # #DIV/0! is stored as empty
    assert by_key["due"]["settings"]["kind"] == "datetime"
    assert by_key["big"]["settings"]["kind"] == "bool"
    assert by_key["day"]["settings"]["kind"] == "date"
    assert record["data"]["due"].startswith("2024-01-04T12:00:00")
    assert record["data"]["big"] is True and record["data"]["day"] == "2024-01-03"
    again = api.ok(
        api.patch(
            f"/forms/{form['id']}/records/{record['id']}",
            {"data": {"qty": 1}, "version": updated["version"]},
        )
    )
    assert again["data"]["due"].startswith("2024-01-02T12:00:00")
    assert again["data"]["big"] is False and again["data"]["day"] == "2024-01-01"
    listed = api.list(form["id"], filter='{"field":"amount","op":"gte","value":0}')
    assert listed["total"] == 1


def test_computed_values_are_read_only(api: Api) -> None:
    app_id = api.make_app()["id"]
    form = api.make_form([_num("a"), _formula("b", "a + 1")], "F", app_id)
    response = api.post(f"/forms/{form['id']}/records", {"data": {"a": 1, "b": 5}})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "b"
    assert response.json()["error"]["details"][0]["code"] == "read_only"


def test_formula_errors_at_design_time(api: Api) -> None:
    app_id = api.make_app()["id"]
    form = api.make_form([_num("a")], "F", app_id)
    response = api.post(
        f"/forms/{form['id']}/fields",
        {"label": "x", "type": "formula", "settings": {"expression": "a + nope"}},
    )
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["field"] == "settings.expression"
    assert detail["params"]["start"] == 4
    response = api.post(
        f"/forms/{form['id']}/fields",
        {"label": "x", "type": "formula", "settings": {"expression": "TODAY()"}},
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["code"] == "formula_volatile_stored"


def test_cycle_refused_at_publish(api: Api) -> None:
    app_id = api.make_app()["id"]
    form = api.make_form([_num("a"), _formula("b", "a + 1")], "F", app_id)
    fields = form["fields"]
    body = {
        "fields": [
            {**_formula("a2", "b * 2"), "ref": "n1"},
            {"id": fields[0]["id"], **_num("a")},
            {"id": fields[1]["id"], **_formula("b", "a2 + 1")},
        ],
        "layout": [],
    }
    response = api.post(f"/forms/{form['id']}/publish", body)
    assert response.status_code == 422, response.json()
    detail = response.json()["error"]["details"][0]
    assert detail["code"] == "formula_cycle"
    assert detail["field"] in ("fields[0].settings.expression", "fields[2].settings.expression")
    assert "a2 → b → a2" in detail["message"] or "b → a2 → b" in detail["message"]


def _relation(key: str, target: int, **settings: Any) -> dict[str, Any]:
    return {
        "key": key,
        "label": key,
        "type": "relation",
        "settings": {"target_form_id": target, **settings},
    }


def test_lookup_and_rollup_follow_related_records(api: Api) -> None:
    app_id = api.make_app()["id"]
    customers = api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text"},
            {"key": "city", "label": "城市", "type": "text"},
        ],
        "客户",
        app_id,
    )
    cid = customers["id"]
    orders = api.make_form(
        [
            _relation("customer", cid),
            {"key": "amount", "label": "金额", "type": "money"},
            {
                "key": "city",
                "label": "城市",
                "type": "lookup",
                "settings": {"relation": "customer", "field": "city"},
            },
            _formula("tag", 'customer.name & "-" & amount'),
        ],
        "订单",
        app_id,
    )
    oid = orders["id"]
    fields = [
        {
            "key": f["key"],
            "label": f["label"],
            "type": f["type"],
            "settings": f["settings"],
            "id": f["id"],
        }
        for f in customers["fields"]
    ]
    rollups = [
        {
            "key": "total",
            "label": "总额",
            "type": "rollup",
            "settings": {"relation": f"form:{oid}.customer", "aggregate": "sum", "field": "amount"},
        },
        {
            "key": "orders",
            "label": "订单数",
            "type": "rollup",
            "settings": {
                "relation": f"form:{oid}.customer",
                "aggregate": "count",
                "filter": {"field": "amount", "op": "gt", "value": 10},
            },
        },
        _formula("level", 'IF(total >= 1000, "A", "B")'),
    ]
    api.ok(api.post(f"/forms/{cid}/publish", {"fields": fields + rollups, "layout": []}))
    acme = api.create(cid, {"name": "Acme", "city": "北京"})
    other = api.create(cid, {"name": "Other", "city": "上海"})
    assert acme["data"]["total"] is None and acme["data"]["orders"] == 0
    first = api.create(oid, {"customer": acme["id"], "amount": "600.50"})
    assert first["data"]["city"] == "北京"
    assert first["data"]["tag"] == "Acme-600.5"
    api.ok(
        api.post(
            f"/forms/{oid}/records/bulk",
            {
                "items": [
                    {"data": {"customer": acme["id"], "amount": 500}},
                    {"data": {"customer": acme["id"], "amount": 5}},
                ]
            },
        ),
        201,
    )
    acme = api.ok(api.get(f"/forms/{cid}/records/{acme['id']}"))
    assert acme["data"]["total"] == pytest.approx(1105.5)
    assert acme["data"]["orders"] == 2  # the filter leaves out the 5
    assert acme["data"]["level"] == "A"  # a formula over the rollup
    # the customer moves city: lookups and formulas of its orders follow
    api.ok(
        api.patch(
            f"/forms/{cid}/records/{acme['id']}",
            {"data": {"city": "深圳", "name": "ACME"}, "version": acme["version"]},
        )
    )
    first = api.ok(api.get(f"/forms/{oid}/records/{first['id']}"))
    assert first["data"]["city"] == "深圳"
    assert first["data"]["tag"] == "ACME-600.5"
    # an order moves to another customer: both rollups change
    api.ok(
        api.patch(
            f"/forms/{oid}/records/{first['id']}",
            {"data": {"customer": other["id"]}, "version": first["version"]},
        )
    )
    acme = api.ok(api.get(f"/forms/{cid}/records/{acme['id']}"))
    other = api.ok(api.get(f"/forms/{cid}/records/{other['id']}"))
    assert acme["data"]["total"] == pytest.approx(505)
    assert acme["data"]["level"] == "B"
    assert other["data"]["total"] == pytest.approx(600.5)
    # deleting an order leaves the rollup
    api.ok(api.post(f"/forms/{oid}/records/bulk-delete", {"ids": [first["id"]]}))
    other = api.ok(api.get(f"/forms/{cid}/records/{other['id']}"))
    assert other["data"]["total"] is None
    listed = api.list(cid, sort="-total")
    assert [r["data"]["name"] for r in listed["items"]] == ["ACME", "Other"]


def test_cycle_across_forms_refused(api: Api) -> None:
    app_id = api.make_app()["id"]
    customers = api.make_form([_num("score")], "客户", app_id)
    cid = customers["id"]
    orders = api.make_form(
        [
            _relation("customer", cid),
            {
                "key": "cs",
                "label": "cs",
                "type": "lookup",
                "settings": {"relation": "customer", "field": "score"},
            },
        ],
        "订单",
        app_id,
    )
    # the customer's score becomes a rollup of its orders' lookup of that score
    score = customers["fields"][0]
    response = api.post(
        f"/forms/{cid}/publish",
        {
            "fields": [
                {
                    "id": score["id"],
                    "key": "score",
                    "label": "score",
                    "type": "rollup",
                    "settings": {
                        "relation": f"form:{orders['id']}.customer",
                        "aggregate": "sum",
                        "field": "cs",
                    },
                }
            ],
            "layout": [],
        },
    )
    assert response.status_code == 422, response.json()
    detail = response.json()["error"]["details"][0]
    assert detail["code"] == "formula_cycle"


def test_subform_row_formulas_and_totals(api: Api) -> None:
    lines = {
        "key": "lines",
        "label": "明细",
        "type": "subform",
        "settings": {
            "columns": [
                {"key": "qty", "label": "数量", "type": "number"},
                {"key": "price", "label": "单价", "type": "money"},
                {
                    "key": "subtotal",
                    "label": "小计",
                    "type": "formula",
                    "settings": {"expression": "qty * price"},
                },
            ]
        },
    }
    form = api.make_form(
        [lines, _formula("total", "SUM(lines.subtotal)"), _formula("upper", "RMB(total)")],
        "报价单",
    )
    record = api.create(
        form["id"], {"lines": [{"qty": 2, "price": "10.5"}, {"qty": 3, "price": 1}]}
    )
    assert [r["subtotal"] for r in record["data"]["lines"]] == [21, 3]
    assert record["data"]["total"] == 24
    assert record["data"]["upper"] == "贰拾肆元整"
    rows = record["data"]["lines"]
    updated = api.ok(
        api.patch(
            f"/forms/{form['id']}/records/{record['id']}",
            {
                "data": {"lines": [{"id": rows[0]["id"], "qty": 4, "price": "10.5"}]},
                "version": record["version"],
            },
        )
    )
    assert [r["subtotal"] for r in updated["data"]["lines"]] == [42]
    assert updated["data"]["total"] == 42


def test_batch_recompute_job_resumes(api: Api, rt: Runtime) -> None:
    form = api.make_form([_num("n"), _formula("double", "n * 2")], "大表")
    fid = form["id"]
    count = 5000
    for start in range(0, count, 1000):
        api.ok(
            api.post(
                f"/forms/{fid}/records/bulk",
                {"items": [{"data": {"n": i}} for i in range(start, start + 1000)]},
            ),
            201,
        )
    fields = form["fields"]
    body = {
        "fields": [
            {"id": fields[0]["id"], **_num("n")},
            {"id": fields[1]["id"], **_formula("double", "n * 3 + 1")},
        ],
        "layout": [],
    }
    published = api.ok(api.post(f"/forms/{fid}/publish", body))
    assert len(published["jobs"]) == 1
    job_id = published["jobs"][0]
    state = api.ok(api.get(f"/jobs/{job_id}"))
    assert state["state"] == "queued" and state["total"] == count and state["done"] == 0
    # a worker runs one batch and dies: progress and values of that batch are committed
    job = rt.db.write(jobs._claim)
    assert job is not None
    from qiao.jobs.recompute import recompute_batch

    rt.db.write(lambda conn: jobs._batch(rt, conn, job, recompute_batch))
    state = api.ok(api.get(f"/jobs/{job_id}"))
    assert state["state"] == "running" and state["done"] == 2000
    table = rt.catalog().forms[fid].table
    # its lease runs out; another worker takes the job over from where it stopped
    rt.db.write(
        lambda conn: conn.execute(
            sa.update(jobs.jobs_t).values(locked_until=jobs.utcnow() - jobs.LEASE)
        )
    )
    assert jobs.run_pending(rt) == 1
    state = api.ok(api.get(f"/jobs/{job_id}"))
    assert state["state"] == "done" and state["done"] == count and state["progress"] == 1
    listed = api.list(fid, sort="-n", limit=1)
    assert listed["items"][0]["data"]["double"] == (count - 1) * 3 + 1
    with rt.db.read() as conn:
        col = table.c[
            next(f for f in rt.catalog().forms[fid].live_fields if f.key == "double").column_name
        ]
        wrong = conn.execute(
            sa.select(sa.func.count()).where(
                col
                != (
                    table.c[
                        next(
                            f for f in rt.catalog().forms[fid].live_fields if f.key == "n"
                        ).column_name
                    ]
                    * 3
                    + 1_000_000
                )
            )
        ).scalar()
    assert wrong == 0


def test_system_fields_in_formulas_follow_a_transfer(api: Api, make_user: Any) -> None:
    form = api.make_form(
        [_num("n"), _formula("mine", 'IF(owner = created_by, "自己的", "转来的")')], "线索"
    )
    record = api.create(form["id"], {"n": 1})
    assert record["data"]["mine"] == "自己的"
    bob = make_user("bob")
    bob_id = bob.ok(bob.get("/auth/me"))["user"]["id"]
    api.ok(
        api.post(f"/forms/{form['id']}/records/transfer", {"ids": [record["id"]], "owner": bob_id})
    )
    again = api.ok(api.get(f"/forms/{form['id']}/records/{record['id']}"))
    assert again["data"]["mine"] == "转来的"


def test_fields_formulas_read_cannot_go_away(api: Api) -> None:
    app_id = api.make_app()["id"]
    customers = api.make_form([{"key": "city", "label": "城市", "type": "text"}], "客户", app_id)
    orders = api.make_form(
        [
            _num("a"),
            _formula("b", "a + 1"),
            _relation("customer", customers["id"]),
            {
                "key": "c",
                "label": "c",
                "type": "lookup",
                "settings": {"relation": "customer", "field": "city"},
            },
        ],
        "订单",
        app_id,
    )
    a = orders["fields"][0]
    response = api.delete(f"/forms/{orders['id']}/fields/{a['id']}")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["code"] == "formula_unknown_field"
    # a field of another form that a lookup shows
    city = customers["fields"][0]
    response = api.delete(f"/forms/{customers['id']}/fields/{city['id']}")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["code"] == "formula_breaks_other_form"
    # a type change that makes the formula invalid is refused too
    response = api.patch(
        f"/forms/{orders['id']}/fields/{a['id']}", {"type": "text", "accept_loss": True}
    )
    # text + 1 is still a number formula (Excel reads numeric text; other text is #VALUE!)
    assert response.status_code == 200, response.json()
    assert api.create(orders["id"], {"a": "5"})["data"]["b"] == 6
    assert api.create(orders["id"], {"a": "五"})["data"]["b"] is None


def test_cancelled_job_stops_before_its_next_batch(api: Api, rt: Runtime) -> None:
    form = api.make_form([_num("n"), _formula("double", "n * 2")], "取消的表")
    fid = form["id"]
    for start in range(0, 5000, 1000):
        api.ok(
            api.post(
                f"/forms/{fid}/records/bulk",
                {"items": [{"data": {"n": i}} for i in range(start, start + 1000)]},
            ),
            201,
        )
    fields = form["fields"]
    body = {
        "fields": [
            {"id": fields[0]["id"], **_num("n")},
            {"id": fields[1]["id"], **_formula("double", "n + 7")},
        ],
        "layout": [],
    }
    job_id = api.ok(api.post(f"/forms/{fid}/publish", body))["jobs"][0]
    job = rt.db.write(jobs._claim)
    assert job is not None
    from qiao.jobs.recompute import recompute_batch

    assert rt.db.write(lambda conn: jobs._batch(rt, conn, job, recompute_batch)) is False
    assert rt.db.write(lambda conn: jobs.cancel(conn, job_id)) is True
    # the worker's next batch sees the cancellation and does no more work
    assert rt.db.write(lambda conn: jobs._batch(rt, conn, job, recompute_batch)) is True
    state = api.ok(api.get(f"/jobs/{job_id}"))
    assert state["state"] == "cancelled" and state["done"] == 2000
    assert rt.db.write(lambda conn: jobs.cancel(conn, job_id)) is False
    assert jobs.run_pending(rt) == 0
