"""A record's history: field-level changes newest first, only as far as the reader may
see the record and its fields (hidden changes dropped, masked values masked)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from qiao.db import schema
from qiao.runtime import Runtime
from tests.conftest import Api

FIELDS = [
    {"key": "name", "label": "客户名称", "type": "text"},
    {"key": "phone", "label": "电话", "type": "phone"},
    {"key": "secret", "label": "底价", "type": "text"},
]


def history(api: Api, fid: int, rid: int, **params: Any) -> dict[str, Any]:
    return api.ok(api.get(f"/forms/{fid}/records/{rid}/history", params=params))


def only_group(rt: Runtime, form: dict[str, Any], user_id: int, **rules: dict[str, Any]) -> None:
    """Replace the form's groups by one: the user views and edits all records, with
    field rules by key (``{"access": "hidden"}``, ``{"access": "read", "mask": True}``)."""
    ids = {f["key"]: f["id"] for f in form["fields"]}
    g, m = schema.permission_groups, schema.permission_members

    def run(conn: Any) -> None:
        conn.execute(sa.delete(g).where(g.c.form_id == form["id"]))
        now = sa.func.now()
        group_id = conn.execute(
            sa.insert(g)
            .values(
                form_id=form["id"],
                name="销售",
                description="",
                operations=["view", "create", "edit"],
                scope="all",
                scope_filter=None,
                field_access={str(ids[k]): v for k, v in rules.items()},
                position=0,
                created_at=now,
                updated_at=now,
            )
            .returning(g.c.id)
        ).scalar_one()
        conn.execute(sa.insert(m).values(group_id=group_id, member_type="user", member_id=user_id))

    rt.db.write(run)


def make(api: Api) -> tuple[dict[str, Any], int]:
    form = api.make_form(FIELDS)
    rec = api.create(form["id"], {"name": "甲公司", "phone": "13812345678", "secret": "100"})
    rid = rec["id"]
    version = rec["version"]
    for data in (
        {"name": "乙公司", "phone": "13987654321"},
        {"secret": "90"},
        {"name": "丙公司"},
    ):
        version = api.ok(
            api.patch(f"/forms/{form['id']}/records/{rid}", {"data": data, "version": version})
        )["version"]
    return form, rid


def test_admin_sees_every_change(api: Api) -> None:
    form, rid = make(api)
    items = history(api, form["id"], rid)["items"]
    assert [i["action"] for i in items] == [
        "record_update",
        "record_update",
        "record_update",
        "record_create",
    ]
    latest, secret, first, created = items
    assert latest["changes"] == [
        {"key": "name", "label": "客户名称", "before": "乙公司", "after": "丙公司", "masked": False}
    ]
    assert {c["key"] for c in first["changes"]} == {"name", "phone"}
    assert secret["changes"][0]["before"] == "100"
    assert {c["key"]: c["after"] for c in created["changes"]} == {
        "name": "甲公司",
        "phone": "13812345678",
        "secret": "100",
    }
    assert {c["key"]: c["label"] for c in created["changes"]}["name"] == "客户名称"
    assert latest["summary"] == f"修改记录 #{rid}：客户名称"
    assert latest["user_display_name"] == "管理员" and latest["action_label"] == "修改记录"
    assert "ip" not in latest and "user_agent" not in latest


def test_hidden_changes_are_dropped_and_masked_values_masked(
    api: Api, rt: Runtime, make_user: Any
) -> None:
    form, rid = make(api)
    sales = make_user("sales")
    user_id = sales.ok(sales.get("/auth/me"))["user"]["id"]
    only_group(
        rt, form, user_id, phone={"access": "read", "mask": True}, secret={"access": "hidden"}
    )
    items = history(sales, form["id"], rid)["items"]
    # the update of the hidden field alone is not there at all
    assert [i["action"] for i in items] == ["record_update", "record_update", "record_create"]
    first = items[1]
    phone = next(c for c in first["changes"] if c["key"] == "phone")
    assert phone["masked"] is True
    assert phone["before"] == "138****5678" and phone["after"] == "139****4321"
    created = items[2]
    assert {c["key"] for c in created["changes"]} == {"name", "phone"}
    assert all("100" not in str(c) for i in items for c in i["changes"])
    body = str(items)
    assert "13812345678" not in body and "13987654321" not in body


def test_out_of_scope_and_unknown_records_are_404(api: Api, rt: Runtime, make_user: Any) -> None:
    form, rid = make(api)
    other = api.create(form["id"], {"name": "丁公司"})
    sales = make_user("sales")
    user_id = sales.ok(sales.get("/auth/me"))["user"]["id"]
    only_group(rt, form, user_id)
    g = schema.permission_groups
    rt.db.write(
        lambda c: c.execute(sa.update(g).where(g.c.form_id == form["id"]).values(scope="own"))
    )
    for record_id in (rid, other["id"], 999999):
        response = sales.get(f"/forms/{form['id']}/records/{record_id}/history")
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "record_not_found"
    assert api.get(f"/forms/{form['id']}/records/999999/history").status_code == 404
    assert api.get(f"/forms/999999/records/{rid}/history").status_code == 404


def test_a_deleted_record_keeps_its_history(api: Api) -> None:
    form, rid = make(api)
    api.ok(api.delete(f"/forms/{form['id']}/records/{rid}"), 204)
    items = history(api, form["id"], rid)["items"]
    assert items[0]["action"] == "record_delete"
    assert items[0]["summary"] == f"删除记录 #{rid}"
    api.ok(api.post(f"/forms/{form['id']}/records/{rid}/restore"))
    assert history(api, form["id"], rid)["items"][0]["action"] == "record_restore"


def test_pages(api: Api) -> None:
    form, rid = make(api)
    first = history(api, form["id"], rid, limit=3)
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = history(api, form["id"], rid, limit=3, cursor=first["next_cursor"])
    assert [i["action"] for i in rest["items"]] == ["record_create"]
    assert rest["next_cursor"] is None
    seqs = [i["seq"] for i in first["items"] + rest["items"]]
    assert seqs == sorted(set(seqs), reverse=True)
    bad = api.get(f"/forms/{form['id']}/records/{rid}/history", params={"cursor": "x1"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "cursor"


def test_transfer_names_the_owners(api: Api, make_user: Any) -> None:
    form, rid = make(api)
    sales = make_user("sales")
    user_id = sales.ok(sales.get("/auth/me"))["user"]["id"]
    api.ok(api.post(f"/forms/{form['id']}/records/transfer", {"ids": [rid], "owner": user_id}))
    item = history(api, form["id"], rid)["items"][0]
    assert item["action"] == "record_transfer"
    assert item["details"]["after_name"] == "sales"
    assert item["summary"].endswith("→ sales")


def test_unmasked_views_are_in_the_history(api: Api, rt: Runtime, make_user: Any) -> None:
    form, rid = make(api)
    sales = make_user("sales")
    user_id = sales.ok(sales.get("/auth/me"))["user"]["id"]
    only_group(rt, form, user_id, phone={"access": "read", "mask": True, "unmask": True})
    shown = sales.ok(sales.get(f"/forms/{form['id']}/records/{rid}/unmasked?fields=phone"))
    assert "13987654321" in str(shown)
    item = history(api, form["id"], rid)["items"][0]
    assert item["action"] == "record_unmask"
    assert item["summary"] == f"查看记录 #{rid} 的「电话」明文"
    assert item["details"] == {"fields": ["phone"]}
