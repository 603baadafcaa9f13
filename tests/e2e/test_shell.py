"""The web app's shell in a real browser: log in, create an app, create a form from the
app's navigation, switch the language, and the phone layout."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import PHONE, Site, field, log_in, shot

pytestmark = pytest.mark.e2e


def test_login_app_and_form_navigation(new_page: Any, site: Site) -> None:
    page = new_page()
    page.goto(site.url)
    page.wait_for_url("**/login?next=/")
    page.locator("input[name=username]").fill("admin")
    page.locator("input[type=password]").fill("wrong password")
    page.locator("input[type=password]").press("Enter")
    page.get_by_text("用户名或密码错误").wait_for()
    shot(page, "shell-login-error-zh")
    log_in(page, site)
    page.get_by_role("button", name="新建应用").click()
    page.get_by_role("dialog").locator("input").first.fill("客户中心")
    page.get_by_test_id("app-icon-briefcase").click()
    page.get_by_test_id("save-app").click()
    page.get_by_text("客户中心").click()
    page.get_by_test_id("empty-new-form").click()
    field(page, "new-form-name").fill("客户")
    page.get_by_test_id("new-form-save").click()
    page.wait_for_url("**/design")
    nav = page.get_by_test_id("app-nav")
    nav.get_by_text("客户", exact=True).wait_for()
    shot(page, "shell-app-nav-zh")
    # logging out ends the session and starts over at the login page
    page.locator(".topbar .user").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/login")
    page.goto(f"{site.url}/")
    page.wait_for_url("**/login?next=/")


def test_language_switch_and_phone_layout(new_page: Any, site: Site) -> None:
    app = site.call("POST", "/apps", {"name": "Phone CRM"})
    site.call("POST", f"/apps/{app['id']}/forms", {"name": "Leads"})
    page = new_page(locale="en", viewport=PHONE)
    log_in(page, site)
    page.get_by_text("My apps").wait_for()
    page.get_by_text("Phone CRM").click()
    page.wait_for_url("**/forms/*")  # the app opens its first form
    page.get_by_test_id("open-nav").click()
    page.get_by_test_id("app-nav").get_by_text("Leads").wait_for()
    page.wait_for_timeout(400)  # the drawer slides in
    shot(page, "shell-phone-nav-en")


def test_forms_reordered_and_grouped_in_the_navigation(new_page: Any, site: Site) -> None:
    app = site.call("POST", "/apps", {"name": "排序测试"})
    ids = [
        site.call("POST", f"/apps/{app['id']}/forms", {"name": n})["id"]
        for n in ("客户", "联系人", "跟进记录")
    ]
    page = new_page()
    log_in(page, site)
    page.goto(f"{site.url}/apps/{app['id']}")
    nav = page.get_by_test_id("app-nav")
    nav.locator(f"[data-form-id='{ids[2]}']").drag_to(nav.locator(f"[data-form-id='{ids[0]}']"))
    page.wait_for_timeout(300)
    order = nav.locator("[data-form-id]").evaluate_all(
        "els => els.map(e => Number(e.dataset.formId))"
    )
    assert order == [ids[2], ids[0], ids[1]]
    # the order is saved: a reload (and the API) show it
    saved = [f["id"] for f in site.call("GET", f"/apps/{app['id']}")["forms"]]
    assert saved == order
    # a group set from the form's menu appears as a heading
    nav.locator(f"[data-form-id='{ids[1]}']").hover()
    nav.locator(f"[data-form-id='{ids[1]}'] .more").click()
    page.get_by_role("menuitem", name="设置分组").click()
    page.get_by_role("dialog").locator("input").fill("服务")
    page.get_by_role("dialog").get_by_role("button", name="保存").click()
    nav.get_by_text("服务", exact=True).wait_for()
    assert site.call("GET", f"/apps/{app['id']}")["forms"][-1]["group"] == "服务"
    page.get_by_role("dialog").wait_for(state="hidden")
    shot(page, "shell-nav-groups-zh")
