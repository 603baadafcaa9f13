"""Account security in the browser: a user switches two-factor login on by scanning
(here: reading) the key and typing a code, then logs in with password + code; their
sessions and login history show the devices. Screenshots in zh-CN, English and phone
width land in ``test-artifacts/screenshots/account-*.png``."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest

from tests.e2e.conftest import PHONE, Site, field, shot

pytestmark = pytest.mark.e2e


def password_step(page: Any, site: Site, username: str, password: str) -> None:
    page.goto(f"{site.url}/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[type=password]").fill(password)
    page.locator("input[type=password]").press("Enter")


def fresh_code(secret: str, used: set[str]) -> str:
    """A code of the current step not used yet (each is accepted once)."""
    totp = pyotp.TOTP(secret)
    while (code := totp.now()) in used:
        time.sleep(1)
    used.add(code)
    return code


def test_enable_two_factor_and_log_in_with_a_code(new_page: Any, site: Site) -> None:
    site.call(
        "POST",
        "/users",
        {"username": "zhao.min", "password": "zhao-pass-1", "display_name": "赵敏"},
    )
    page = new_page("zh-CN")
    password_step(page, site, "zhao.min", "zhao-pass-1")
    page.wait_for_url(f"{site.url}/")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("my-account").click()
    page.wait_for_url(f"{site.url}/account")
    page.get_by_text("资料与密码").wait_for()
    shot(page, "account-profile-zh")

    page.get_by_role("tab", name="两步验证").click()
    page.get_by_test_id("totp-start").click()
    page.get_by_test_id("totp-qr").wait_for()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    assert "otpauth://totp/qiao:zhao.min" in field(page, "totp-uri").input_value()
    shot(page, "account-totp-setup-zh")
    used: set[str] = set()
    field(page, "totp-code").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_test_id("totp-confirm").click()
    page.get_by_test_id("totp-error").wait_for()  # a wrong code is refused, said in place
    field(page, "totp-code").fill(fresh_code(secret, used))
    page.get_by_test_id("totp-confirm").click()
    page.get_by_test_id("totp-state").filter(has_text="已开启").wait_for()

    # a new browser: the password alone is not enough any more
    other = new_page("zh-CN")
    password_step(other, site, "zhao.min", "zhao-pass-1")
    other.get_by_test_id("totp-step").wait_for()
    assert other.url.startswith(f"{site.url}/login")
    shot(other, "account-login-code-zh")
    field(other, "login-code").fill(fresh_code(secret, used))
    other.get_by_test_id("login-code-submit").click()
    other.wait_for_url(f"{site.url}/")

    # the first browser sees both sessions, and the login with a code in the history
    page.get_by_role("tab", name="登录设备").click()
    page.get_by_test_id("session-current").wait_for()
    assert page.get_by_test_id("session").count() == 1
    shot(page, "account-sessions-zh")
    page.get_by_role("tab", name="登录记录").click()
    page.get_by_test_id("logins").get_by_text("密码 + 验证码").wait_for()
    shot(page, "account-logins-zh")


def test_account_pages_in_english_and_on_a_phone(new_page: Any, site: Site) -> None:
    site.call(
        "POST",
        "/users",
        {"username": "sun.li", "password": "sunli-pass-1", "display_name": "Sun Li"},
    )
    page = new_page("en", PHONE)
    password_step(page, site, "sun.li", "sunli-pass-1")
    page.wait_for_url(f"{site.url}/")
    page.goto(f"{site.url}/account?tab=tokens")
    page.get_by_test_id("token-new").click()
    field(page, "token-name").fill("Report sync")
    page.get_by_test_id("token-ro").click()
    shot(page, "account-token-dialog-en-phone")
    page.get_by_test_id("token-create").click()
    secret = page.get_by_test_id("token-secret").inner_text()
    assert secret.startswith("qiao_")
    shot(page, "account-token-created-en-phone")
    page.get_by_test_id("token-done").click()
    page.get_by_test_id("token-secret").wait_for(state="detached")
    page.get_by_test_id("tokens").get_by_text("Read-only").wait_for()
    shot(page, "account-tokens-en-phone")
    page.goto(f"{site.url}/account?tab=totp")
    page.get_by_test_id("totp-start").click()
    page.get_by_test_id("totp-qr").wait_for()
    shot(page, "account-totp-en-phone")
    page.goto(f"{site.url}/account?tab=profile")
    page.get_by_test_id("password-rules").wait_for()
    shot(page, "account-profile-en-phone")

    admin = new_page("en")
    password_step(admin, site, "admin", site.password)
    admin.wait_for_url(f"{site.url}/")
    admin.goto(f"{site.url}/admin/security")
    admin.get_by_test_id("password-policy").wait_for()
    shot(admin, "account-security-en")
