"""The organization admin page in a real browser: an admin opens 管理后台 → 组织架构,
creates a department and a sub-department, adds a member to the sub-department with an
invitation link, and the invited member sets a password through the link and logs in.
Screenshots in zh-CN and en, desktop and phone: ``test-artifacts/screenshots/org-*.png``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import PHONE, Site, field, log_in, shot

pytestmark = pytest.mark.e2e


def add_department(page: Any, name: str, parent: str | None) -> None:
    if parent is None:
        page.get_by_test_id("dept-add-root").click()
    else:
        page.get_by_test_id(f"dept-menu-{parent}").click()
        page.locator(".el-dropdown-menu:visible [data-test=dept-add-child]").click()
    field(page, "dept-name").fill(name)
    page.get_by_test_id("dept-save").click()
    page.get_by_test_id(f"dept-node-{name}").wait_for()


def test_admin_builds_departments_and_invites_a_member(new_page: Any, site: Site) -> None:
    page = new_page()
    log_in(page, site)
    page.get_by_test_id("admin-menu").click()
    page.get_by_test_id("admin-org").click()
    page.wait_for_url("**/admin/org")
    page.get_by_text("组织架构").first.wait_for()

    add_department(page, "华北销售部", None)
    add_department(page, "北京组", "华北销售部")
    # the sub-department sits under its parent in the tree
    parent_box = page.get_by_test_id("dept-node-华北销售部").bounding_box()
    child_box = page.get_by_test_id("dept-node-北京组").bounding_box()
    assert child_box["x"] > parent_box["x"] and child_box["y"] > parent_box["y"]

    # a member of the sub-department, invited by link
    page.get_by_test_id("dept-node-北京组").click()
    page.get_by_test_id("user-add").click()
    field(page, "user-username").fill("zhao.liu")
    field(page, "user-display-name").fill("赵六")
    field(page, "user-phone").fill("13800138000")
    shot(page, "org-user-dialog-zh")
    page.get_by_test_id("user-save").click()
    link = field(page, "invite-url")
    link.wait_for()
    url = link.input_value()
    assert "/invite/" in url
    shot(page, "org-invite-link-zh")
    page.get_by_test_id("invite-close").click()
    row = page.get_by_test_id("user-row-zhao.liu")
    row.wait_for()
    assert "北京组" in page.get_by_test_id("user-table").inner_text()
    # the tree counts the member in the sub-department and its parent
    assert "1 人" in page.get_by_test_id("dept-node-华北销售部").inner_text()
    shot(page, "org-members-zh")

    # roles and import tabs render
    page.get_by_role("tab", name="角色").click()
    page.get_by_test_id("role-add").wait_for()
    page.get_by_role("tab", name="批量导入").click()
    page.get_by_test_id("import-template").wait_for()
    shot(page, "org-import-zh")

    # the invited member sets a password through the link (no login needed) and logs in
    guest = new_page()
    guest.goto(url)
    guest.get_by_text("赵六").first.wait_for()
    field(guest, "invite-password").fill("Welcome-2024")
    field(guest, "invite-repeat").fill("Welcome-2024")
    shot(guest, "org-invite-page-zh")
    guest.get_by_test_id("invite-submit").click()
    guest.get_by_test_id("invite-done").wait_for()
    log_in(guest, site, "zhao.liu", "Welcome-2024")
    assert guest.get_by_test_id("admin-menu").count() == 0

    # the API agrees: the member is in 北京组, 北京组 under 华北销售部
    tree = site.call("GET", "/departments")["items"]
    north = next(d for d in tree if d["name"] == "华北销售部")
    assert [c["name"] for c in north["children"]] == ["北京组"]
    member = next(u for u in site.call("GET", "/users")["items"] if u["username"] == "zhao.liu")
    assert member["main_department"] == "北京组" and member["has_password"] is True


def test_org_page_in_english_and_on_a_phone(new_page: Any, site: Site) -> None:
    site.call("POST", "/departments", {"name": "Shanghai office"})
    page = new_page(locale="en")
    log_in(page, site)
    page.goto(f"{site.url}/admin/org")
    page.get_by_text("Departments & members").wait_for()
    page.get_by_test_id("dept-node-Shanghai office").wait_for()
    shot(page, "org-members-en")
    phone = new_page(viewport=PHONE)
    log_in(phone, site)
    phone.goto(f"{site.url}/admin/org")
    phone.get_by_test_id("dept-node-Shanghai office").wait_for()
    phone.get_by_test_id("user-add").wait_for()
    # nothing sticks out sideways on a phone
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1
    shot(phone, "org-members-phone-zh")
    phone.get_by_test_id("user-add").click()
    field(phone, "user-username").wait_for()
    shot(phone, "org-user-dialog-phone-zh")
