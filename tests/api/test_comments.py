"""Comments on records with @mentions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from qiao.db import schema
from qiao.runtime import Runtime
from tests.conftest import Api


def me(api: Api) -> int:
    body = api.ok(api.get("/auth/me"))
    return int(body["user"]["id"] if "user" in body else body["id"])


def test_comment_lifecycle(api: Api, make_user: Any, rt: Runtime) -> None:
    fid = api.make_form([{"key": "name", "label": "名称", "type": "text"}])["id"]
    api.open_to_everyone(fid)
    rid = api.create(fid, {"name": "甲"})["id"]
    bob, eve = make_user("bob"), make_user("eve")
    bob_id, eve_id, admin_id = me(bob), me(eve), me(api)
    first = bob.ok(
        bob.post(
            f"/forms/{fid}/records/{rid}/comments", {"body": "请看 @eve", "mentions": [eve_id]}
        ),
        201,
    )
    assert first["author"] == {"id": bob_id, "display_name": "bob"}
    assert first["mentions"] == [eve_id] and first["body"] == "请看 @eve"
    second = api.ok(api.post(f"/forms/{fid}/records/{rid}/comments", {"body": "好的"}), 201)
    listed = eve.ok(eve.get(f"/forms/{fid}/records/{rid}/comments"))["items"]
    assert [c["id"] for c in listed] == [first["id"], second["id"]]
    assert listed[1]["author"] == {"id": admin_id, "display_name": "管理员"}
    # only the author or an admin deletes
    assert eve.delete(f"/comments/{first['id']}").status_code == 403
    bob.ok(bob.delete(f"/comments/{first['id']}"), 204)
    api.ok(api.delete(f"/comments/{second['id']}"), 204)
    assert bob.delete(f"/comments/{first['id']}").status_code == 404
    assert bob.ok(bob.get(f"/forms/{fid}/records/{rid}/comments"))["items"] == []
    with rt.db.engine.connect() as conn:
        kept = conn.execute(sa.select(sa.func.count()).select_from(schema.comments)).scalar()
    assert kept == 2  # soft deleted


def test_comment_validation(api: Api, make_user: Any, rt: Runtime) -> None:
    fid = api.make_form([{"key": "name", "label": "名称", "type": "text"}])["id"]
    rid = api.create(fid, {"name": "甲"})["id"]
    gone = api.create(fid, {"name": "乙"})["id"]
    api.ok(api.delete(f"/forms/{fid}/records/{gone}"), 204)
    bob = make_user("bob")
    bob_id = me(bob)
    with rt.db.engine.begin() as conn:
        conn.execute(
            sa.update(schema.users).where(schema.users.c.id == bob_id).values(is_active=False)
        )
    path = f"/forms/{fid}/records/{rid}/comments"
    bad = api.post(path, {"body": "hi", "mentions": [me(api), bob_id, 99999]})
    assert bad.status_code == 400
    assert {d["field"]: d["code"] for d in bad.json()["error"]["details"]} == {
        "mentions[1]": "mention_unknown_user",
        "mentions[2]": "mention_unknown_user",
    }
    assert api.post(f"/forms/{fid}/records/{gone}/comments", {"body": "x"}).status_code == 404
    assert api.post(f"/forms/{fid}/records/99999/comments", {"body": "x"}).status_code == 404
    too_long = api.post(path, {"body": "字" * 10001})
    assert too_long.status_code == 422
    assert too_long.json()["error"]["details"][0]["field"] == "body"
    assert api.post(path, {"body": "   "}).status_code == 400
    assert api.get(f"/forms/{fid}/records/99999/comments").status_code == 404
