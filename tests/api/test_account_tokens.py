"""API tokens narrowed to reading and/or to some apps: created, listed, resolved into
the request context, and refused writes and account changes."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from qiao.context import utcnow
from qiao.db import schema
from qiao.org import auth
from qiao.runtime import Runtime
from tests.api.test_account import code_of
from tests.conftest import Api


def as_token(client: TestClient, token: str) -> Api:
    return Api(client, token)


def test_create_and_list_narrowed_tokens(api: Api, client: TestClient, rt: Runtime) -> None:
    crm = api.make_app("CRM")
    other = api.make_app("服务")
    created = api.ok(
        api.post(
            "/auth/tokens",
            {"name": "报表机器人", "read_only": True, "app_ids": [other["id"], crm["id"]]},
        ),
        201,
    )
    assert created["read_only"] is True
    assert created["app_ids"] == sorted([crm["id"], other["id"]])
    listed = {t["name"]: t for t in api.ok(api.get("/auth/tokens"))["items"]}
    assert listed["报表机器人"]["app_ids"] == created["app_ids"]
    assert listed["test"]["read_only"] is False and listed["test"]["app_ids"] is None

    resolved = auth.resolve_api_token(rt.db, created["token"], utcnow())
    assert resolved is not None
    assert resolved.read_only is True
    assert resolved.app_ids == frozenset({crm["id"], other["id"]})


def test_token_apps_are_validated(api: Api) -> None:
    crm = api.make_app("CRM")
    unknown = api.post("/auth/tokens", {"name": "x", "app_ids": [crm["id"], 424242]})
    assert unknown.status_code == 422
    detail = unknown.json()["error"]["details"][0]
    assert (detail["field"], detail["code"]) == ("app_ids[1]", "token_app_unknown")
    assert "424242" in detail["message"]
    empty = api.post("/auth/tokens", {"name": "x", "app_ids": []})
    assert empty.json()["error"]["details"][0]["code"] == "token_apps_empty"
    deleted = api.make_app("旧")
    assert api.delete(f"/apps/{deleted['id']}").status_code in (200, 204)
    gone = api.post("/auth/tokens", {"name": "x", "app_ids": [deleted["id"]]})
    assert gone.status_code == 422
    for bad in ({"read_only": "maybe"}, {"app_ids": [0]}, {"app_ids": "1"}):
        assert api.post("/auth/tokens", {"name": "x", **bad}).status_code == 422, bad


def test_read_only_token_reads_but_cannot_write(api: Api, client: TestClient) -> None:
    app_row = api.make_app("CRM")
    token = api.ok(api.post("/auth/tokens", {"name": "ro", "read_only": True}), 201)["token"]
    reader = as_token(client, token)
    assert reader.get("/apps").status_code == 200
    assert reader.get("/account/sessions").status_code == 200
    for method, path, body in (
        ("POST", "/apps", {"name": "x"}),
        ("PATCH", f"/apps/{app_row['id']}", {"name": "y"}),
        ("DELETE", f"/apps/{app_row['id']}", None),
        ("POST", "/auth/tokens", {"name": "wider"}),
        ("POST", "/account/password", {"current_password": "a", "new_password": "b"}),
    ):
        response = reader.request(method, path, json=body)
        assert (response.status_code, code_of(response)) == (403, "token_read_only"), path
    assert [a["name"] for a in api.ok(api.get("/apps"))["items"]] == ["CRM"]


def test_an_app_narrowed_token_cannot_widen_itself(api: Api, client: TestClient) -> None:
    crm = api.make_app("CRM")
    token = api.ok(api.post("/auth/tokens", {"name": "crm", "app_ids": [crm["id"]]}), 201)
    narrowed = as_token(client, token["token"])
    for method, path, body in (
        ("POST", "/auth/tokens", {"name": "wider"}),
        ("DELETE", f"/auth/tokens/{token['id']}", None),
        ("POST", "/account/totp/setup", None),
        ("POST", "/account/sessions/revoke-others", None),
    ):
        response = narrowed.request(method, path, json=body)
        assert (response.status_code, code_of(response)) == (403, "token_narrowed"), path
    assert narrowed.get("/auth/me").status_code == 200


def test_token_changes_are_audited(api: Api, rt: Runtime) -> None:
    created = api.ok(api.post("/auth/tokens", {"name": "ci", "read_only": True}), 201)
    assert api.delete(f"/auth/tokens/{created['id']}").status_code == 204
    log = schema.audit_log
    with rt.db.read() as conn:
        rows = conn.execute(
            sa.select(log.c.action, log.c.object_id, log.c.details).order_by(log.c.seq)
        ).all()
    mine = [(r.action, r.object_id) for r in rows if r.action.startswith("token_")]
    assert mine == [("token_created", str(created["id"])), ("token_revoked", str(created["id"]))]
    assert created["token"] not in str([r.details for r in rows])
