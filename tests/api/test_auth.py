"""Authentication end to end, on SQLite and PostgreSQL: the session cookie and its CSRF
token, API tokens, password storage, and the throttling of failed logins."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qiao.context import utcnow
from qiao.db import schema
from qiao.org import users
from qiao.runtime import Runtime
from tests.conftest import Api, token_for

ADMIN_PASSWORD = "admin-pass-1"
LOGIN = "/api/v1/auth/login"
COOKIE = "qiao_session"


def login(client: TestClient, username: str = "admin", password: str = ADMIN_PASSWORD) -> Any:
    return client.post(LOGIN, json={"username": username, "password": password})


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def app_names(rt: Runtime) -> list[str]:
    with rt.db.read() as conn:
        return list(conn.execute(sa.select(schema.apps.c.name)).scalars())


def throttle_row(rt: Runtime, key: str) -> Any:
    t = schema.login_throttle
    with rt.db.read() as conn:
        return conn.execute(sa.select(t).where(t.c.username_key == key)).first()


@pytest.fixture
def cookie_client(client: TestClient, admin: users.User) -> tuple[TestClient, str]:
    """The test client logged in as the administrator, with the session's CSRF token."""
    response = login(client)
    assert response.status_code == 200, response.text
    return client, response.json()["csrf_token"]


# ----- login and the session cookie -------------------------------------------------------
def test_login_sets_an_http_only_same_site_cookie(client: TestClient, admin: users.User) -> None:
    response = login(client)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["id"] == admin.id
    assert body["user"]["username"] == "admin"
    assert body["user"]["is_admin"] is True
    assert "password_hash" not in body["user"]
    assert len(body["csrf_token"]) >= 32

    cookies = response.headers.get_list("set-cookie")
    assert len(cookies) == 1
    attributes = [part.strip() for part in cookies[0].split(";")]
    name, _, value = attributes[0].partition("=")
    assert name == COOKIE and len(value) >= 32
    lowered = {a.lower() for a in attributes[1:]}
    assert "httponly" in lowered
    assert "samesite=lax" in lowered
    assert "path=/" in lowered
    assert "secure" not in lowered  # cookie_secure is off in the test settings
    assert f"max-age={7 * 86400}" in lowered


def test_session_is_stored_hashed_and_username_is_case_insensitive(
    client: TestClient, rt: Runtime, admin: users.User
) -> None:
    response = login(client, "  ADMIN ")
    assert response.status_code == 200, response.text
    cookie = client.cookies[COOKIE]
    with rt.db.read() as conn:
        rows = conn.execute(sa.select(schema.sessions)).all()
    assert len(rows) == 1
    assert rows[0].token_hash == hashlib.sha256(cookie.encode()).hexdigest()
    assert rows[0].user_id == admin.id
    assert rows[0].csrf_token == response.json()["csrf_token"]
    assert all(cookie not in str(value) for value in rows[0])


def test_wrong_credentials_are_refused_alike(
    client: TestClient, rt: Runtime, admin: users.User
) -> None:
    cases = [("admin", "wrong-password"), ("nobody", ADMIN_PASSWORD), ("admin", "ADMIN-PASS-1")]
    for username, password in cases:
        response = login(client, username, password)
        assert response.status_code == 401, (username, password)
        assert response.json()["error"]["code"] == "login_failed"
        assert "set-cookie" not in response.headers
    assert COOKIE not in client.cookies
    with rt.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.sessions)).scalar() == 0


def test_login_body_is_validated(client: TestClient, admin: users.User) -> None:
    for body in ({"username": "admin"}, {"username": "admin", "password": ""}, [1, 2]):
        response = client.post(LOGIN, json=body)
        assert response.status_code == 422, body
        assert error_code(response) == "request_invalid"
    extra = {"username": "admin", "password": ADMIN_PASSWORD, "remember": True}
    assert client.post(LOGIN, json=extra).status_code == 422


# ----- CSRF ----------------------------------------------------------------------------
def test_cookie_write_needs_the_csrf_token(
    cookie_client: tuple[TestClient, str], rt: Runtime
) -> None:
    client, csrf = cookie_client
    for headers in ({}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": csrf + "x"}, {"X-CSRF": csrf}):
        response = client.post("/api/v1/apps", json={"name": "CRM"}, headers=headers)
        assert response.status_code == 403, headers
        assert error_code(response) == "csrf_failed"
    assert app_names(rt) == []

    response = client.post("/api/v1/apps", json={"name": "CRM"}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 201, response.text
    assert app_names(rt) == ["CRM"]


def test_csrf_applies_to_every_unsafe_method(
    cookie_client: tuple[TestClient, str], rt: Runtime
) -> None:
    client, csrf = cookie_client
    good = {"X-CSRF-Token": csrf}
    app_id = client.post("/api/v1/apps", json={"name": "CRM"}, headers=good).json()["id"]

    patch = client.patch(f"/api/v1/apps/{app_id}", json={"name": "Sales"})
    assert (patch.status_code, error_code(patch)) == (403, "csrf_failed")
    delete = client.delete(f"/api/v1/apps/{app_id}")
    assert (delete.status_code, error_code(delete)) == (403, "csrf_failed")
    assert app_names(rt) == ["CRM"]

    assert client.patch(f"/api/v1/apps/{app_id}", json={"name": "Sales"}, headers=good).is_success
    assert app_names(rt) == ["Sales"]
    assert client.delete(f"/api/v1/apps/{app_id}", headers=good).status_code == 204
    assert client.get("/api/v1/apps").json()["items"] == []


def test_csrf_token_of_another_session_is_refused(
    cookie_client: tuple[TestClient, str], app: Any, rt: Runtime
) -> None:
    client, _ = cookie_client
    with TestClient(app) as other:
        other_csrf = login(other).json()["csrf_token"]
    response = client.post(
        "/api/v1/apps", json={"name": "CRM"}, headers={"X-CSRF-Token": other_csrf}
    )
    assert (response.status_code, error_code(response)) == (403, "csrf_failed")
    assert app_names(rt) == []


def test_cookie_reads_need_no_csrf_token(cookie_client: tuple[TestClient, str]) -> None:
    client, _ = cookie_client
    assert client.get("/api/v1/apps").status_code == 200
    assert client.get("/api/v1/users").status_code == 200
    assert client.get("/api/v1/auth/tokens").status_code == 200


def test_bearer_calls_need_no_csrf_token(api: Api, rt: Runtime) -> None:
    response = api.post("/apps", {"name": "CRM"})
    assert response.status_code == 201, response.text
    assert app_names(rt) == ["CRM"]


def test_bearer_wins_over_a_cookie_without_csrf(
    cookie_client: tuple[TestClient, str], api: Api, rt: Runtime
) -> None:
    client, _ = cookie_client  # the same TestClient: the cookie is sent along
    assert COOKIE in client.cookies
    assert api.post("/apps", {"name": "CRM"}).status_code == 201
    assert app_names(rt) == ["CRM"]


# ----- who am I, logout --------------------------------------------------------------------
def test_me_with_cookie_includes_the_csrf_token(
    cookie_client: tuple[TestClient, str], admin: users.User
) -> None:
    client, csrf = cookie_client
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json() == {
        "user": admin.public(),
        "csrf_token": csrf,
        "must_change_password": False,
    }


def test_me_with_bearer_has_no_csrf_token(api: Api, admin: users.User) -> None:
    assert api.ok(api.get("/auth/me")) == {"user": admin.public()}


def test_anonymous_and_unknown_cookie_are_401(client: TestClient, admin: users.User) -> None:
    for path in ("/api/v1/auth/me", "/api/v1/auth/tokens"):
        response = client.get(path)
        assert (response.status_code, error_code(response)) == (401, "not_authenticated")
    assert client.post("/api/v1/auth/tokens", json={"name": "x"}).status_code == 401
    assert client.post("/api/v1/auth/logout").status_code == 401
    client.cookies.set(COOKIE, "forged-session-value")
    assert client.get("/api/v1/auth/me").status_code == 401
    # a write with a forged cookie is unauthenticated, not a CSRF failure
    response = client.post("/api/v1/apps", json={"name": "x"})
    assert (response.status_code, error_code(response)) == (401, "not_authenticated")


def test_logout_revokes_the_session(cookie_client: tuple[TestClient, str], rt: Runtime) -> None:
    client, csrf = cookie_client
    cookie = client.cookies[COOKIE]

    refused = client.post("/api/v1/auth/logout")
    assert (refused.status_code, error_code(refused)) == (403, "csrf_failed")
    assert client.get("/api/v1/auth/me").status_code == 200

    response = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    assert COOKIE in response.headers["set-cookie"]  # the browser is told to drop it
    with rt.db.read() as conn:
        assert conn.execute(sa.select(schema.sessions.c.revoked_at)).scalar_one() is not None

    client.cookies.set(COOKIE, cookie)  # replaying the old cookie
    assert client.get("/api/v1/auth/me").status_code == 401
    write = client.post("/api/v1/apps", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert write.status_code == 401
    assert app_names(rt) == []


def test_logout_with_a_token_is_401(api: Api) -> None:
    response = api.post("/auth/logout")
    assert (response.status_code, error_code(response)) == (401, "not_authenticated")


def test_expired_session_no_longer_works(
    cookie_client: tuple[TestClient, str], rt: Runtime
) -> None:
    client, _ = cookie_client
    rt.db.write(
        lambda c: c.execute(
            sa.update(schema.sessions).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    )
    assert client.get("/api/v1/auth/me").status_code == 401


# ----- API tokens --------------------------------------------------------------------------
def test_token_is_returned_once_and_stored_hashed(api: Api, rt: Runtime, client: Any) -> None:
    created = api.ok(api.post("/auth/tokens", {"name": "CI 集成"}), 201)
    token = created["token"]
    assert token.startswith("qiao_") and len(token) > 40
    assert created["name"] == "CI 集成"
    assert created["prefix"] == token[:12]

    with rt.db.read() as conn:
        row = conn.execute(
            sa.select(schema.api_tokens).where(schema.api_tokens.c.id == created["id"])
        ).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in row)

    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["user"]["username"] == "admin"


def test_token_list_has_no_secrets(api: Api) -> None:
    created = api.ok(api.post("/auth/tokens", {"name": "robot"}), 201)
    response = api.get("/auth/tokens")
    items = api.ok(response)["items"]
    assert [item["name"] for item in items] == ["test", "robot"]
    assert created["token"] not in response.text
    for item in items:
        assert set(item) == {
            "id",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "read_only",
            "app_ids",
        }


def test_revoked_token_is_refused(api: Api, client: TestClient, rt: Runtime) -> None:
    created = api.ok(api.post("/auth/tokens", {"name": "temp"}), 201)
    robot = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/apps", headers=robot).status_code == 200

    assert api.delete(f"/auth/tokens/{created['id']}").status_code == 204
    response = client.post("/api/v1/apps", json={"name": "x"}, headers=robot)
    assert (response.status_code, error_code(response)) == (401, "not_authenticated")
    assert client.get("/api/v1/apps", headers=robot).status_code == 401
    assert app_names(rt) == []
    assert "temp" not in [t["name"] for t in api.ok(api.get("/auth/tokens"))["items"]]
    again = api.delete(f"/auth/tokens/{created['id']}")
    assert (again.status_code, error_code(again)) == (404, "not_found")


def test_cannot_revoke_someone_elses_token(api: Api, make_user: Any) -> None:
    created = api.ok(api.post("/auth/tokens", {"name": "mine"}), 201)
    other = make_user("li.lei")
    response = other.delete(f"/auth/tokens/{created['id']}")
    assert (response.status_code, error_code(response)) == (404, "not_found")
    assert api.get("/apps", headers={"Authorization": f"Bearer {created['token']}"}).is_success


def test_wrong_bearer_token_is_401(client: TestClient, admin: users.User, rt: Runtime) -> None:
    for authorization in (
        "Bearer qiao_not-a-real-token",
        "Bearer not-even-the-prefix",
        "Bearer ",
        "Basic YWRtaW46YWRtaW4tcGFzcy0x",
        "qiao_without_scheme",
    ):
        headers = {"Authorization": authorization}
        assert client.get("/api/v1/apps", headers=headers).status_code == 401, authorization
        response = client.post("/api/v1/apps", json={"name": "x"}, headers=headers)
        assert (response.status_code, error_code(response)) == (401, "not_authenticated")
    assert app_names(rt) == []


def test_token_name_is_required(api: Api) -> None:
    for body in ({"name": ""}, {"name": "   "}, {}):
        response = api.post("/auth/tokens", body)
        assert response.status_code == 422, body
    assert [t["name"] for t in api.ok(api.get("/auth/tokens"))["items"]] == ["test"]


# ----- passwords ---------------------------------------------------------------------------
def test_passwords_are_argon2_hashes(api: Api, rt: Runtime) -> None:
    body = {"username": "han.mei", "password": "secret-pass-9"}
    assert api.post("/users", body).status_code == 201
    with rt.db.read() as conn:
        rows = conn.execute(sa.select(schema.users)).all()
    hashes = {row.username: row.password_hash for row in rows}
    assert set(hashes) == {"admin", "han.mei"}
    for username, password in (("admin", ADMIN_PASSWORD), ("han.mei", "secret-pass-9")):
        assert hashes[username].startswith("$argon2id$")
        assert password not in hashes[username]
    assert hashes["admin"] != hashes["han.mei"]
    assert api.client.post(LOGIN, json=body).status_code == 200

    short = api.post("/users", {"username": "short", "password": "1234567"})
    assert short.status_code == 422
    assert short.json()["error"]["details"][0]["code"] == "password_too_short"


# ----- disabled users ----------------------------------------------------------------------
def set_active(rt: Runtime, username: str, active: bool) -> None:
    u = schema.users
    rt.db.write(
        lambda c: c.execute(sa.update(u).where(u.c.username == username).values(is_active=active))
    )


def test_disabled_user_cannot_log_in(client: TestClient, make_user: Any, rt: Runtime) -> None:
    member = make_user("li.lei")
    assert login(client, "li.lei", "user-pass-1").status_code == 200
    set_active(rt, "li.lei", False)

    client.cookies.clear()
    response = login(client, "li.lei", "user-pass-1")
    assert (response.status_code, error_code(response)) == (403, "account_disabled")
    assert COOKIE not in client.cookies
    # a wrong password still says only that the login failed
    assert error_code(login(client, "li.lei", "wrong-pass-1")) == "login_failed"
    # and the sessions and tokens the user already had stop working
    assert member.get("/auth/me").status_code == 401

    set_active(rt, "li.lei", True)
    assert login(client, "li.lei", "user-pass-1").status_code == 200
    assert member.get("/auth/me").status_code == 200
    # disabling also ends a cookie session
    set_active(rt, "li.lei", False)
    assert client.get("/api/v1/auth/me").status_code == 401


# ----- throttling ------------------------------------------------------------------------
def test_account_locks_after_repeated_failures(
    client_with: Callable[..., TestClient], rt: Runtime, admin: users.User
) -> None:
    client = client_with(login_lock_after=3, login_lock_minutes=15)
    for attempt in range(1, 3):
        response = login(client, password="wrong-password")
        assert (response.status_code, error_code(response)) == (401, "login_failed"), attempt
        assert throttle_row(rt, "admin").failures == attempt
        assert throttle_row(rt, "admin").locked_until is None
    third = login(client, password="wrong-password")
    assert (third.status_code, error_code(third)) == (401, "login_failed")
    assert throttle_row(rt, "admin").locked_until is not None

    for password in ("wrong-password", ADMIN_PASSWORD):
        locked = login(client, password=password)
        assert (locked.status_code, error_code(locked)) == (429, "account_locked")
        assert 14 * 60 < int(locked.headers["retry-after"]) <= 15 * 60 + 1
        assert "15" in locked.json()["error"]["message"]
        assert COOKIE not in client.cookies
    english = client.post(
        LOGIN,
        json={"username": "admin", "password": ADMIN_PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert "locked" in english.json()["error"]["message"]
    assert throttle_row(rt, "admin").failures == 3  # attempts while locked are not counted

    # the lock is on logins only: the locked account's API tokens keep working
    api = Api(client, token_for(rt, admin))
    assert api.get("/auth/me").status_code == 200


def test_lock_expires(
    client_with: Callable[..., TestClient], rt: Runtime, admin: users.User
) -> None:
    client = client_with(login_lock_after=2)
    for _ in range(2):
        login(client, password="wrong-password")
    assert login(client).status_code == 429

    t = schema.login_throttle
    rt.db.write(
        lambda c: c.execute(sa.update(t).values(locked_until=utcnow() - timedelta(seconds=1)))
    )
    # after an expired lock failures count from one again
    assert error_code(login(client, password="wrong-password")) == "login_failed"
    assert throttle_row(rt, "admin").failures == 1
    response = login(client)
    assert response.status_code == 200, response.text
    assert throttle_row(rt, "admin") is None  # a successful login clears the count


def test_success_resets_the_failure_count(
    client_with: Callable[..., TestClient], rt: Runtime, admin: users.User
) -> None:
    client = client_with(login_lock_after=3)
    for _ in range(2):
        login(client, password="wrong-password")
    assert login(client).status_code == 200
    for _ in range(2):
        assert login(client, password="wrong-password").status_code == 401
    assert login(client).status_code == 200


def test_unknown_usernames_are_throttled_the_same_way(
    client_with: Callable[..., TestClient], rt: Runtime, admin: users.User
) -> None:
    client = client_with(login_lock_after=3)
    for _ in range(3):
        response = login(client, "Ghost", "whatever-pass")
        assert (response.status_code, error_code(response)) == (401, "login_failed")
    row = throttle_row(rt, "ghost")
    assert row.failures == 3 and row.locked_until is not None
    locked = login(client, "ghost", "whatever-pass")
    assert (locked.status_code, error_code(locked)) == (429, "account_locked")
    assert "retry-after" in locked.headers
    # the lock is per name: the real account still logs in
    assert login(client).status_code == 200
    assert throttle_row(rt, "ghost").locked_until is not None


def test_failures_past_the_threshold_are_slowed(
    client_with: Callable[..., TestClient], admin: users.User
) -> None:
    delay = 0.5  # wide enough that scheduler noise on a loaded machine cannot hide it
    client = client_with(login_delay_seconds=delay, login_slow_after=2, login_lock_after=10)
    durations = []
    for _ in range(3):
        start = time.perf_counter()
        response = login(client, password="wrong-password")
        durations.append(time.perf_counter() - start)
        assert response.status_code == 401
    _, second, third = durations
    # failure 1 is not delayed; failure 2 waits `delay`, failure 3 twice that
    assert second >= delay
    assert third >= 2 * delay
    # a correct password is never delayed
    start = time.perf_counter()
    assert login(client).status_code == 200
    assert time.perf_counter() - start < second

    # below the threshold nothing waits, however long the configured delay
    patient = client_with(login_delay_seconds=5, login_slow_after=3)
    start = time.perf_counter()
    for _ in range(2):
        assert login(patient, "ghost", "wrong-password").status_code == 401
    assert time.perf_counter() - start < 2.5


def test_a_cookie_session_acts_as_its_own_user_whatever_the_session_number(
    client: TestClient, rt: Runtime, admin: users.User
) -> None:
    """Session ids and user ids are different sequences: after a few logins the session
    with id N must still act as its user, not as the user whose id happens to be N."""
    member = rt.db.write(lambda c: users.create_user(c, "member1", "member-pass-1"))
    for _ in range(3):  # session ids 1..3 belong to the admin
        assert login(client).status_code == 200
    response = login(client, "member1", "member-pass-1")
    assert response.status_code == 200
    csrf = response.json()["csrf_token"]
    me = client.get("/api/v1/auth/me").json()["user"]
    assert me["id"] == member.id and me["username"] == "member1"
    # the member is no admin: schema changes are refused as the member, not allowed as admin
    refused = client.post("/api/v1/apps", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403
    admin_login = login(client)
    created = client.post(
        "/api/v1/apps",
        json={"name": "CRM"},
        headers={"X-CSRF-Token": admin_login.json()["csrf_token"]},
    )
    assert created.status_code == 201, created.text
    with rt.db.read() as conn:
        owner = conn.execute(sa.select(schema.apps.c.created_by)).scalar_one()
    assert owner == admin.id
