"""Two-factor login on both engines: setting it up (scan, confirm), the two-step login,
a code accepted once, an expired or forged challenge, wrong codes throttled like wrong
passwords, switching it off, and an administrator's reset."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qiao.context import utcnow
from qiao.db import schema
from qiao.org import auth, totp, users
from qiao.runtime import Runtime
from tests.api.test_account import Browser, code_of, fields_of
from tests.conftest import Api

LOGIN = "/api/v1/auth/login"
LOGIN_TOTP = "/api/v1/auth/login/totp"
ACCOUNT = "/api/v1/account"


@pytest.fixture
def member(rt: Runtime) -> users.User:
    return rt.db.write(lambda c: users.create_user(c, "li.lei", "user-pass-1"))


def enable(browser: Browser) -> str:
    setup = browser.send("POST", f"{ACCOUNT}/totp/setup")
    assert setup.status_code == 200, setup.text
    body = setup.json()
    assert body["uri"].startswith("otpauth://totp/qiao:li.lei?")
    assert body["qr_svg"].startswith("data:image/svg+xml;base64,")
    secret = str(body["secret"])
    response = browser.send("POST", f"{ACCOUNT}/totp/enable", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.text
    return secret


def step_code(secret: str, offset: int = 0) -> str:
    return totp.code_at(secret, totp.step_of(utcnow()) + offset)


def password_step(client: TestClient, password: str = "user-pass-1") -> Any:
    response = client.post(LOGIN, json={"username": "li.lei", "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def test_setup_needs_a_correct_code_before_it_is_switched_on(app: Any, member: users.User) -> None:
    browser = Browser(app, "li.lei", "user-pass-1")
    secret = browser.send("POST", f"{ACCOUNT}/totp/setup").json()["secret"]
    wrong = browser.send("POST", f"{ACCOUNT}/totp/enable", {"code": "000000"})
    if step_code(secret) != "000000":
        assert wrong.status_code == 422
        assert fields_of(wrong) == [("code", "totp_code_invalid")]
    assert browser.get(ACCOUNT).json()["totp_enabled"] is False
    # not switched on yet: the password alone still logs in
    assert "csrf_token" in password_step(TestClient(app))

    # a new setup replaces the secret: a code of the first one no longer fits
    second = browser.send("POST", f"{ACCOUNT}/totp/setup").json()["secret"]
    assert second != secret
    stale = browser.send("POST", f"{ACCOUNT}/totp/enable", {"code": step_code(secret)})
    assert stale.status_code == 422
    ok = browser.send("POST", f"{ACCOUNT}/totp/enable", {"code": step_code(second)})
    assert ok.status_code == 200
    assert browser.get(ACCOUNT).json()["totp_enabled"] is True
    again = browser.send("POST", f"{ACCOUNT}/totp/setup")
    assert (again.status_code, code_of(again)) == (409, "totp_already_enabled")


def test_login_takes_two_steps_and_a_code_works_once(app: Any, member: users.User) -> None:
    secret = enable(Browser(app, "li.lei", "user-pass-1"))
    client = TestClient(app)
    first = password_step(client)
    assert set(first) == {"totp_required", "challenge", "challenge_expires_at"}
    assert first["totp_required"] is True
    assert "qiao_session" not in client.cookies  # no session before the code
    assert client.get("/api/v1/auth/me").status_code == 401

    code = step_code(secret, 1)  # the next step's code (clock drift allowed)
    done = client.post(LOGIN_TOTP, json={"challenge": first["challenge"], "code": code})
    assert done.status_code == 200, done.text
    assert done.json()["user"]["username"] == "li.lei"
    assert client.get("/api/v1/auth/me").status_code == 200

    # the same code replayed, in a fresh login: refused
    other = TestClient(app)
    challenge = password_step(other)["challenge"]
    replay = other.post(LOGIN_TOTP, json={"challenge": challenge, "code": code})
    assert (replay.status_code, code_of(replay)) == (401, "totp_code_invalid")
    # and an older step's code after a newer one was used: refused too
    older = other.post(LOGIN_TOTP, json={"challenge": challenge, "code": step_code(secret)})
    assert older.status_code == 401
    assert "qiao_session" not in other.cookies


def test_a_used_challenge_cannot_start_a_second_session(app: Any, member: users.User) -> None:
    secret = enable(Browser(app, "li.lei", "user-pass-1"))
    client = TestClient(app)
    challenge = password_step(client)["challenge"]
    body = {"challenge": challenge, "code": step_code(secret, 1)}
    assert client.post(LOGIN_TOTP, json=body).status_code == 200
    # the challenge is bound to the last accepted step: spent with the login
    reused = TestClient(app).post(LOGIN_TOTP, json={**body, "code": step_code(secret, -1)})
    assert (reused.status_code, code_of(reused)) == (401, "totp_challenge_invalid")


def test_expired_and_forged_challenges_are_refused(
    app: Any, member: users.User, rt: Runtime
) -> None:
    secret = enable(Browser(app, "li.lei", "user-pass-1"))
    past = utcnow() - timedelta(seconds=rt.settings.totp_challenge_seconds + 1)
    old = auth.login(rt.db, rt.settings, "li.lei", "user-pass-1", past)
    assert isinstance(old, auth.TotpRequired)
    client = TestClient(app)
    expired = client.post(LOGIN_TOTP, json={"challenge": old.challenge, "code": step_code(secret)})
    assert (expired.status_code, code_of(expired)) == (401, "totp_challenge_invalid")

    fresh = password_step(client)["challenge"]
    user_id, expiry, nonce, mac = fresh.split(".")
    forged = f"{user_id}.{int(expiry) + 3600}.{nonce}.{mac}"
    for challenge in (forged, "1.2.3.4", "garbage", f"{member.id + 1}.{expiry}.{nonce}.{mac}"):
        response = client.post(LOGIN_TOTP, json={"challenge": challenge, "code": "123456"})
        assert (response.status_code, code_of(response)) == (401, "totp_challenge_invalid")
    # a password change makes outstanding challenges worthless
    rt.db.write(lambda c: users.set_password(c, member.id, "changed-pass-4", must_change=False))
    stale = client.post(LOGIN_TOTP, json={"challenge": fresh, "code": step_code(secret)})
    assert code_of(stale) == "totp_challenge_invalid"


def test_challenge_expiry_through_the_service_clock(rt: Runtime, member: users.User) -> None:
    rt.db.write(lambda c: totp.begin_setup(c, member.id))
    with rt.db.read() as conn:
        secret = conn.execute(
            sa.select(schema.users.c.totp_secret).where(schema.users.c.id == member.id)
        ).scalar_one()
    t0 = utcnow()
    rt.db.write(
        lambda c: totp.confirm_setup(c, member.id, totp.code_at(secret, totp.step_of(t0)), t0)
    )
    later = t0 + timedelta(minutes=2)
    step = auth.login(rt.db, rt.settings, "li.lei", "user-pass-1", later)
    assert isinstance(step, auth.TotpRequired)
    too_late = step.expires_at + timedelta(seconds=1)
    with pytest.raises(auth.NotAuthenticated) as caught:
        auth.login_totp(
            rt.db,
            rt.settings,
            step.challenge,
            totp.code_at(secret, totp.step_of(too_late)),
            too_late,
        )
    assert caught.value.code == "totp_challenge_invalid"
    in_time = step.expires_at - timedelta(seconds=1)
    result = auth.login_totp(
        rt.db, rt.settings, step.challenge, totp.code_at(secret, totp.step_of(in_time)), in_time
    )
    assert result.session.user.id == member.id


def test_wrong_codes_count_towards_the_lock(app: Any, member: users.User, rt: Runtime) -> None:
    enable(Browser(app, "li.lei", "user-pass-1"))
    client = TestClient(app)
    challenge = password_step(client)["challenge"]
    for _ in range(rt.settings.login_lock_after):
        response = client.post(LOGIN_TOTP, json={"challenge": challenge, "code": "abcdef"})
        assert code_of(response) == "totp_code_invalid"
    locked = client.post(LOGIN_TOTP, json={"challenge": challenge, "code": "abcdef"})
    assert (locked.status_code, code_of(locked)) == (429, "account_locked")
    # the password step is locked as well
    response = client.post(LOGIN, json={"username": "li.lei", "password": "user-pass-1"})
    assert response.status_code == 429
    with rt.db.read() as conn:
        log = schema.audit_log
        reasons = conn.execute(
            sa.select(log.c.details).where(log.c.action == "login_failed")
        ).scalars()
        assert [d["reason"] for d in reasons] == ["totp"] * rt.settings.login_lock_after


def test_switching_it_off_needs_a_code_or_the_password(app: Any, member: users.User) -> None:
    browser = Browser(app, "li.lei", "user-pass-1")
    secret = enable(browser)
    url = f"{ACCOUNT}/totp/disable"
    nothing = browser.send("POST", url, {})
    assert fields_of(nothing) == [("code", "totp_disable_needs_proof")]
    wrong = browser.send("POST", url, {"password": "not-it-1"})
    assert fields_of(wrong) == [("password", "current_password_wrong")]
    assert browser.send("POST", url, {"code": step_code(secret, 1)}).status_code == 200
    assert browser.get(ACCOUNT).json()["totp_enabled"] is False
    assert "csrf_token" in password_step(TestClient(app))

    secret = enable(browser)
    assert browser.send("POST", url, {"password": "user-pass-1"}).status_code == 200
    assert "csrf_token" in password_step(TestClient(app))


def test_admin_resets_a_users_two_factor_login(
    app: Any, api: Api, member: users.User, make_user: Any
) -> None:
    enable(Browser(app, "li.lei", "user-pass-1"))
    url = f"/account/admin/users/{member.id}/reset-totp"
    clerk = make_user("clerk")
    assert clerk.post(url).status_code == 403
    assert api.ok(api.post(url)) == {"was_enabled": True}
    assert "csrf_token" in password_step(TestClient(app))
    assert api.ok(api.post(url)) == {"was_enabled": False}
    assert api.post("/account/admin/users/999999/reset-totp").status_code == 404


def test_totp_login_is_in_the_login_history(app: Any, member: users.User) -> None:
    browser = Browser(app, "li.lei", "user-pass-1")
    secret = enable(browser)
    client = TestClient(app)
    challenge = password_step(client)["challenge"]
    client.post(LOGIN_TOTP, json={"challenge": challenge, "code": step_code(secret, 1)})
    items = browser.get(f"{ACCOUNT}/logins").json()["items"]
    assert (items[0]["action"], items[0]["method"]) == ("login", "totp")
