"""Recently deleted apps and forms: listing the trash and restoring from it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from qiao.context import utcnow
from qiao.db import schema
from qiao.forms.catalog import bump_version
from qiao.forms.purge import purge_expired
from qiao.runtime import Runtime
from tests.conftest import Api

TEXT = [{"key": "name", "label": "名称", "type": "text"}]


def table_names(rt: Runtime) -> set[str]:
    with rt.db.engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def age(rt: Runtime, table: sa.Table, ids: list[int], days: int) -> None:
    """Move the deletion of rows ``days`` back in time (keeping equal stamps equal)."""

    def run(conn: Any) -> None:
        for row_id in ids:
            stamp = conn.execute(sa.select(table.c.deleted_at).where(table.c.id == row_id)).scalar()
            conn.execute(
                sa.update(table)
                .where(table.c.deleted_at == stamp, table.c.id.in_(ids))
                .values(deleted_at=stamp - timedelta(days=days))
            )
        bump_version(conn)

    rt.db.write(run)


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def test_restore_app_brings_back_the_forms_deleted_with_it(api: Api, rt: Runtime) -> None:
    app_id = api.make_app("销售")["id"]
    other = api.make_app("保留")["id"]
    f1 = api.make_form(TEXT, "客户", app_id)["id"]
    f2 = api.make_form(TEXT, "商机", app_id)["id"]
    f3 = api.make_form(TEXT, "旧表", app_id)["id"]
    rid = api.create(f1, {"name": "甲"})["id"]
    # deleted on its own before the app: stays deleted when the app comes back
    api.ok(api.delete(f"/forms/{f3}"), 204)
    assert api.ok(api.get("/apps/trash"))["items"] == []

    before = utcnow()
    api.ok(api.delete(f"/apps/{app_id}"), 204)
    items = api.ok(api.get("/apps/trash"))["items"]
    assert [(a["id"], a["name"], a["form_count"]) for a in items] == [(app_id, "销售", 2)]
    deleted_at = parse(items[0]["deleted_at"])
    assert before <= deleted_at <= utcnow()
    assert parse(items[0]["purge_at"]) - deleted_at == timedelta(days=30)
    assert api.get(f"/apps/{app_id}/forms/trash").status_code == 404

    restored = api.ok(api.post(f"/apps/{app_id}/restore"))
    assert restored["id"] == app_id and restored["name"] == "销售"
    assert [f["id"] for f in restored["forms"]] == [f1, f2]
    assert [a["id"] for a in api.ok(api.get("/apps"))["items"]] == [app_id, other]
    assert api.ok(api.get(f"/forms/{f1}/records/{rid}"))["data"] == {"name": "甲"}
    assert api.list(f2)["total"] == 0
    assert api.ok(api.get("/apps/trash"))["items"] == []

    # the form deleted earlier is still in the app's trash and restorable from there
    trash = api.ok(api.get(f"/apps/{app_id}/forms/trash"))["items"]
    assert [(f["id"], f["name"], f["field_count"]) for f in trash] == [(f3, "旧表", 1)]
    assert parse(trash[0]["purge_at"]) - parse(trash[0]["deleted_at"]) == timedelta(days=30)
    assert api.get(f"/forms/{f3}").status_code == 404
    api.ok(api.post(f"/forms/{f3}/restore"))
    assert api.ok(api.get(f"/apps/{app_id}/forms/trash"))["items"] == []
    assert [f["id"] for f in api.ok(api.get(f"/apps/{app_id}"))["forms"]] == [f1, f2, f3]


def test_restore_errors_are_localized(api: Api, make_user: Any) -> None:
    app_id = api.make_app()["id"]
    r = api.post(f"/apps/{app_id}/restore")
    assert r.status_code == 409
    assert r.json()["error"] == {
        "code": "app_not_deleted",
        "message": "应用未被删除",
        "details": [],
    }
    r = api.post(f"/apps/{app_id}/restore", headers={"Accept-Language": "en"})
    assert r.json()["error"]["message"] == "The app is not deleted"

    r = api.post("/apps/999999/restore", headers={"Accept-Language": "en"})
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "App not found"
    assert api.post("/apps/0/restore").status_code == 422
    assert api.get("/apps/999999/forms/trash").status_code == 404


def test_trash_and_restore_are_for_admins(api: Api, make_user: Any, client: Any) -> None:
    app_id = api.make_app()["id"]
    form_id = api.make_form(TEXT, app_id=app_id)["id"]
    api.ok(api.delete(f"/forms/{form_id}"), 204)
    gone = api.make_app("gone")["id"]
    api.ok(api.delete(f"/apps/{gone}"), 204)

    bob = make_user("bob")
    for r in (
        bob.get("/apps/trash"),
        bob.post(f"/apps/{gone}/restore"),
        bob.get(f"/apps/{app_id}/forms/trash"),
    ):
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "admin_required"
    assert client.get("/api/v1/apps/trash").status_code == 401
    # nothing was restored
    assert [a["id"] for a in api.ok(api.get("/apps/trash"))["items"]] == [gone]


def test_trash_lists_only_what_is_within_retention(api: Api, rt: Runtime) -> None:
    old_app = api.make_app("旧")["id"]
    old_form = api.make_form(TEXT, "旧表", old_app)["id"]
    new_app = api.make_app("新")["id"]
    keep = api.make_app("留")["id"]
    forms = [api.make_form(TEXT, name, keep)["id"] for name in ("一", "二", "三")]
    api.ok(api.delete(f"/apps/{old_app}"), 204)
    api.ok(api.delete(f"/apps/{new_app}"), 204)
    for form_id in forms:
        api.ok(api.delete(f"/forms/{form_id}"), 204)
    # latest first
    assert [a["id"] for a in api.ok(api.get("/apps/trash"))["items"]] == [new_app, old_app]
    trash = api.ok(api.get(f"/apps/{keep}/forms/trash"))["items"]
    assert [f["id"] for f in trash] == forms[::-1]

    age(rt, schema.apps, [old_app], 31)
    age(rt, schema.forms, [old_form], 31)
    age(rt, schema.forms, [forms[0]], 31)
    assert [a["id"] for a in api.ok(api.get("/apps/trash"))["items"]] == [new_app]
    trash = api.ok(api.get(f"/apps/{keep}/forms/trash"))["items"]
    assert [f["id"] for f in trash] == [forms[2], forms[1]]

    # purging removes the expired app with its forms' tables; restoring it is then a 404
    assert f"qf_{old_form}" in table_names(rt)
    counts = purge_expired(rt, utcnow())
    assert counts == {"fields": 0, "forms": 2, "apps": 1}
    assert not {f"qf_{old_form}", f"qf_{forms[0]}"} & table_names(rt)
    assert api.post(f"/apps/{old_app}/restore").status_code == 404
    assert [a["id"] for a in api.ok(api.get("/apps/trash"))["items"]] == [new_app]
    api.ok(api.post(f"/apps/{new_app}/restore"))


def test_purge_takes_every_form_of_an_expired_app(api: Api, rt: Runtime) -> None:
    app_id = api.make_app()["id"]
    form_id = api.make_form(TEXT, app_id=app_id)["id"]
    api.ok(api.delete(f"/apps/{app_id}"), 204)
    # a form whose own deletion is younger than its app's (not reachable through the
    # API, but the app must not linger in the database because of it)
    age(rt, schema.apps, [app_id], 31)
    assert purge_expired(rt, utcnow()) == {"fields": 0, "forms": 1, "apps": 1}
    assert f"qf_{form_id}" not in table_names(rt)
    with rt.db.engine.connect() as conn:
        assert conn.execute(sa.select(schema.apps.c.id)).scalars().all() == []


def test_restore_app_keeps_relations_and_is_all_or_nothing(api: Api) -> None:
    app_id = api.make_app("销售")["id"]
    other = api.make_app("外部")["id"]
    target = api.make_form(TEXT, "外部客户", other)["id"]
    customers = api.make_form(TEXT, "客户", app_id)["id"]
    rel = {"key": "c", "label": "客户", "type": "relation"}
    deals = api.make_form([{**rel, "settings": {"target_form_id": customers}}], "商机", app_id)[
        "id"
    ]
    outside = api.make_form(
        [{**rel, "key": "o", "settings": {"target_form_id": target}}], "合同", app_id
    )["id"]
    cid = api.create(customers, {"name": "甲"})["id"]
    api.create(deals, {"c": cid})
    api.ok(api.delete(f"/apps/{app_id}"), 204)
    # the external target goes away while the app is in the trash
    api.ok(api.delete(f"/forms/{target}"), 204)

    r = api.post(f"/apps/{app_id}/restore")
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["code"] == "relation_target_invalid"
    # nothing changed
    assert api.get(f"/apps/{app_id}").status_code == 404
    assert api.get(f"/forms/{customers}").status_code == 404
    assert [a["form_count"] for a in api.ok(api.get("/apps/trash"))["items"]] == [3]

    api.ok(api.post(f"/forms/{target}/restore"))
    app = api.ok(api.post(f"/apps/{app_id}/restore"))
    assert [f["id"] for f in app["forms"]] == [customers, deals, outside]
    assert api.list(deals)["items"][0]["data"]["c"] == cid
