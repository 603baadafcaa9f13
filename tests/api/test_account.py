"""My account on both engines: changing the password (other sessions end), the password
policy, sessions (list, end one, end the others, idle and absolute expiry, an
administrator ending them all), the must-change-password flow and the login history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qiao.context import utcnow
from qiao.db import schema
from qiao.org import auth, users
from qiao.runtime import Runtime
from tests.conftest import Api

LOGIN = "/api/v1/auth/login"
ACCOUNT = "/api/v1/account"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


class Browser:
    """One browser: its own cookie jar and CSRF token."""

    def __init__(self, app: Any, username: str, password: str, agent: str = FIREFOX) -> None:
        self.client = TestClient(app, headers={"User-Agent": agent, "Accept-Language": "en"})
        response = self.client.post(LOGIN, json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        self.login_body = response.json()
        self.csrf = self.login_body["csrf_token"]

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def send(self, method: str, path: str, json: Any = None) -> Any:
        return self.client.request(method, path, json=json, headers={"X-CSRF-Token": self.csrf})


def code_of(response: Any) -> str:
    return str(response.json()["error"]["code"])


def fields_of(response: Any) -> list[tuple[str, str]]:
    return [(d["field"], d["code"]) for d in response.json()["error"]["details"]]


@pytest.fixture
def member(rt: Runtime) -> users.User:
    return rt.db.write(lambda c: users.create_user(c, "li.lei", "user-pass-1"))


# ----- change my password ------------------------------------------------------------------
def test_changing_my_password_ends_my_other_sessions(
    app: Any, member: users.User, rt: Runtime
) -> None:
    laptop = Browser(app, "li.lei", "user-pass-1")
    phone = Browser(app, "li.lei", "user-pass-1", IPHONE)
    response = laptop.send(
        "POST",
        f"{ACCOUNT}/password",
        {"current_password": "user-pass-1", "new_password": "new-pass-22"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"sessions_ended": 1}
    assert laptop.get("/api/v1/auth/me").status_code == 200
    assert phone.get("/api/v1/auth/me").status_code == 401

    old = laptop.client.post(LOGIN, json={"username": "li.lei", "password": "user-pass-1"})
    assert old.status_code == 401
    new = laptop.client.post(LOGIN, json={"username": "li.lei", "password": "new-pass-22"})
    assert new.status_code == 200
    with rt.db.read() as conn:
        actions = conn.execute(
            sa.select(schema.audit_log.c.action).order_by(schema.audit_log.c.seq)
        ).scalars()
        assert "password_changed" in list(actions)


def test_change_password_errors_name_the_field(app: Any, member: users.User) -> None:
    browser = Browser(app, "li.lei", "user-pass-1")
    url = f"{ACCOUNT}/password"
    wrong = browser.send("POST", url, {"current_password": "nope", "new_password": "x-pass-99"})
    assert wrong.status_code == 422
    assert fields_of(wrong) == [("current_password", "current_password_wrong")]
    assert wrong.json()["error"]["details"][0]["message"] == "The current password is not correct"

    weak = browser.send("POST", url, {"current_password": "user-pass-1", "new_password": "short"})
    assert fields_of(weak) == [
        ("new_password", "password_too_short"),
        ("new_password", "password_needs_letters_and_digits"),
    ]
    assert "at least 8 characters" in weak.json()["error"]["details"][0]["message"]

    same = browser.send(
        "POST", url, {"current_password": "user-pass-1", "new_password": "user-pass-1"}
    )
    assert fields_of(same) == [("new_password", "password_unchanged")]
    missing = browser.send("POST", url, {"new_password": "x-pass-99"})
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["field"] == "current_password"


# ----- password policy ----------------------------------------------------------------------
def test_admin_sets_the_password_policy_and_it_applies_everywhere(
    api: Api, make_user: Any, app: Any, member: users.User
) -> None:
    policy = api.ok(api.get("/account/password-policy"))
    assert policy == {
        "min_length": 8,
        "require_letters_and_digits": True,
        "require_symbol": False,
        "forbid_username": True,
        "max_age_days": 0,
    }
    strict = {**policy, "min_length": 10, "require_symbol": True}
    assert api.ok(api.put("/account/password-policy", strict)) == strict
    # every user may read it (to choose a password); only administrators change it
    clerk = make_user("clerk")
    assert clerk.ok(clerk.get("/account/password-policy")) == strict
    refused = clerk.put("/account/password-policy", policy)
    assert (refused.status_code, code_of(refused)) == (403, "admin_required")

    created = api.post("/users", {"username": "wang.wu", "password": "plainpass12"})
    assert created.status_code == 422
    assert {d["code"] for d in created.json()["error"]["details"]} == {"password_needs_symbol"}
    ok = api.post("/users", {"username": "wang.wu", "password": "plain-pass-1!"})
    assert ok.status_code == 201, ok.text

    browser = Browser(app, "li.lei", "user-pass-1")
    weak = browser.send(
        "POST",
        f"{ACCOUNT}/password",
        {"current_password": "user-pass-1", "new_password": "anotherpass2"},
    )
    assert fields_of(weak) == [("new_password", "password_needs_symbol")]


def test_policy_input_is_validated(api: Api) -> None:
    base = api.ok(api.get("/account/password-policy"))
    for bad in ({"min_length": 3}, {"min_length": 500}, {"max_age_days": -1}, {"extra": 1}):
        response = api.put("/account/password-policy", {**base, **bad})
        assert response.status_code == 422, bad
        field = next(iter(bad))
        assert response.json()["error"]["details"][0]["field"] == field


def test_an_expired_password_must_be_changed_before_anything_else(
    api: Api, app: Any, member: users.User, rt: Runtime
) -> None:
    policy = api.ok(api.get("/account/password-policy"))
    api.ok(api.put("/account/password-policy", {**policy, "max_age_days": 30}))
    u = schema.users
    rt.db.write(
        lambda c: c.execute(
            sa.update(u)
            .where(u.c.id == member.id)
            .values(password_changed_at=utcnow() - timedelta(days=31))
        )
    )
    browser = Browser(app, "li.lei", "user-pass-1")
    assert browser.login_body["must_change_password"] is True
    me = browser.get("/api/v1/auth/me").json()
    assert me["must_change_password"] is True
    blocked = browser.get("/api/v1/apps")
    assert (blocked.status_code, code_of(blocked)) == (403, "password_change_required")
    assert browser.get(f"{ACCOUNT}/password-policy").status_code == 200
    changed = browser.send(
        "POST",
        f"{ACCOUNT}/password",
        {"current_password": "user-pass-1", "new_password": "fresh-pass-3"},
    )
    assert changed.status_code == 200, changed.text
    assert browser.get("/api/v1/apps").status_code == 200
    assert browser.get("/api/v1/auth/me").json()["must_change_password"] is False


# ----- sessions --------------------------------------------------------------------------------
def test_i_see_my_sessions_and_end_them(app: Any, member: users.User, admin: users.User) -> None:
    laptop = Browser(app, "li.lei", "user-pass-1")
    phone = Browser(app, "li.lei", "user-pass-1", IPHONE)
    tablet = Browser(app, "li.lei", "user-pass-1")
    Browser(app, "admin", "admin-pass-1")  # someone else's session is not listed

    items = laptop.get(f"{ACCOUNT}/sessions").json()["items"]
    assert len(items) == 3
    assert items[0]["current"] is True and [i["current"] for i in items[1:]] == [False, False]
    assert items[0]["user_agent"] == FIREFOX
    assert IPHONE in {i["user_agent"] for i in items}
    assert set(items[0]) == {
        "id", "created_at", "last_seen_at", "expires_at", "ip", "user_agent", "current"
    }  # fmt: skip

    phone_id = next(i["id"] for i in items if i["user_agent"] == IPHONE)
    assert laptop.send("DELETE", f"{ACCOUNT}/sessions/{phone_id}").status_code == 204
    assert phone.get("/api/v1/auth/me").status_code == 401
    again = laptop.send("DELETE", f"{ACCOUNT}/sessions/{phone_id}")
    assert (again.status_code, code_of(again)) == (404, "session_not_found")

    ended = laptop.send("POST", f"{ACCOUNT}/sessions/revoke-others")
    assert ended.json() == {"sessions_ended": 1}
    assert tablet.get("/api/v1/auth/me").status_code == 401
    assert laptop.get("/api/v1/auth/me").status_code == 200
    assert [i["current"] for i in laptop.get(f"{ACCOUNT}/sessions").json()["items"]] == [True]


def test_i_cannot_end_someone_elses_session(
    app: Any, member: users.User, admin: users.User
) -> None:
    admins = Browser(app, "admin", "admin-pass-1")
    admin_session = admins.get(f"{ACCOUNT}/sessions").json()["items"][0]["id"]
    mine = Browser(app, "li.lei", "user-pass-1")
    response = mine.send("DELETE", f"{ACCOUNT}/sessions/{admin_session}")
    assert (response.status_code, code_of(response)) == (404, "session_not_found")
    assert admins.get("/api/v1/auth/me").status_code == 200


def test_admin_ends_all_sessions_of_a_user(
    app: Any, api: Api, member: users.User, make_user: Any
) -> None:
    one = Browser(app, "li.lei", "user-pass-1")
    two = Browser(app, "li.lei", "user-pass-1", IPHONE)
    clerk = make_user("clerk")
    url = f"/account/admin/users/{member.id}/revoke-sessions"
    refused = clerk.post(url)
    assert (refused.status_code, code_of(refused)) == (403, "admin_required")
    assert api.ok(api.post(url)) == {"sessions_ended": 2}
    assert one.get("/api/v1/auth/me").status_code == 401
    assert two.get("/api/v1/auth/me").status_code == 401
    assert api.post("/account/admin/users/999999/revoke-sessions").status_code == 404


def test_idle_and_absolute_expiry(rt: Runtime, member: users.User) -> None:
    settings = rt.settings.model_copy(update={"session_idle_minutes": 30, "session_days": 2})
    t0 = utcnow()
    result = auth.login(rt.db, settings, "li.lei", "user-pass-1", t0)
    assert isinstance(result, auth.LoginResult)
    token = result.token
    # active every 20 minutes: the idle limit never hits...
    now = t0
    for _ in range(5):
        now += timedelta(minutes=20)
        assert auth.resolve_session(rt.db, settings, token, now) is not None
    # ...31 minutes of silence ends it
    assert auth.resolve_session(rt.db, settings, token, now + timedelta(minutes=31)) is None

    second = auth.login(rt.db, settings, "li.lei", "user-pass-1", t0)
    assert isinstance(second, auth.LoginResult)
    now = t0
    while now < t0 + timedelta(days=2) - timedelta(minutes=20):
        now += timedelta(minutes=20)
        assert auth.resolve_session(rt.db, settings, second.token, now) is not None
    # however active, a session ends session_days after the login
    assert auth.resolve_session(rt.db, settings, second.token, t0 + timedelta(days=2)) is None


def test_session_list_leaves_out_idle_sessions(rt: Runtime, app: Any, member: users.User) -> None:
    browser = Browser(app, "li.lei", "user-pass-1")
    s = schema.sessions
    stale = auth.login(rt.db, rt.settings, "li.lei", "user-pass-1", utcnow() - timedelta(days=1))
    assert isinstance(stale, auth.LoginResult)
    items = browser.get(f"{ACCOUNT}/sessions").json()["items"]
    assert [i["current"] for i in items] == [True]  # the idle one is not live any more
    with rt.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s)).scalar_one() == 2


# ----- login history ---------------------------------------------------------------------------
def test_login_history_shows_my_logins_and_failures(
    app: Any, member: users.User, client: TestClient, rt: Runtime
) -> None:
    client.post(LOGIN, json={"username": "li.lei", "password": "wrong"})
    client.post(LOGIN, json={"username": "nobody", "password": "wrong"})
    browser = Browser(app, "li.lei", "user-pass-1", IPHONE)
    items = browser.get(f"{ACCOUNT}/logins").json()["items"]
    assert [(i["action"], i["method"], i["reason"]) for i in items] == [
        ("login", "password", None),
        ("login_failed", None, "password"),
    ]
    assert items[0]["user_agent"] == IPHONE
    with rt.db.read() as conn:
        log = schema.audit_log
        unknown = conn.execute(
            sa.select(log.c.user_id, log.c.username).where(log.c.action == "login_failed")
        ).all()
    assert sorted(unknown, key=lambda r: r.username) == [
        (member.id, "li.lei"),
        (None, "nobody"),
    ]
    browser.send("POST", "/api/v1/auth/logout")
    again = Browser(app, "li.lei", "user-pass-1")
    page = again.get(f"{ACCOUNT}/logins", params={"limit": 2}).json()
    assert [i["action"] for i in page["items"]] == ["login", "logout"]
    rest = again.get(f"{ACCOUNT}/logins", params={"before": page["next_before"]}).json()
    assert [i["action"] for i in rest["items"]] == ["login", "login_failed"]
    assert rest["next_before"] is None


def test_account_summary(app: Any, member: users.User) -> None:
    browser = Browser(app, "li.lei", "user-pass-1")
    body = browser.get(ACCOUNT).json()
    assert body["user"]["username"] == "li.lei"
    assert body["totp_enabled"] is False
    assert body["must_change_password"] is False
    assert body["password_expires_at"] is None
