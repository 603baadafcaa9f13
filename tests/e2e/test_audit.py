"""The audit log in the browser: an admin finds changes in 操作日志 by action, opens an
entry to see before → after, exports CSV, and reads a record's history on the record
page — in Chinese, English and on a phone. Screenshots: ``audit-*.png``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import PHONE, Site, log_in, shot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def changed(site: Site) -> dict[str, int]:
    app = site.call("POST", "/apps", {"name": "审计演示"})
    fields = [
        {"key": "name", "label": "客户名称", "type": "text"},
        {"key": "phone", "label": "电话", "type": "phone"},
    ]
    form = site.call("POST", f"/apps/{app['id']}/forms", {"name": "客户", "fields": fields})
    rec = site.call(
        "POST", f"/forms/{form['id']}/records", {"data": {"name": "甲公司", "phone": "13812345678"}}
    )
    version = rec["version"]
    for data in ({"name": "乙公司"}, {"phone": "13987654321", "name": "丙公司"}):
        version = site.call(
            "PATCH", f"/forms/{form['id']}/records/{rec['id']}", {"data": data, "version": version}
        )["version"]
    return {"app": app["id"], "form": form["id"], "record": rec["id"]}


def rows_of(page: Any) -> Any:
    """Entries of the log: table rows on a desktop, cards on a phone."""
    return page.locator("[data-test=audit-list] .audit-row, [data-test=audit-row]")


def open_audit(page: Any, site: Site) -> None:
    log_in(page, site)
    page.get_by_test_id("admin-menu").click()
    page.get_by_test_id("admin-audit").click()
    page.wait_for_url("**/admin/audit")
    rows_of(page).first.wait_for()


def test_admin_searches_the_log_and_sees_before_and_after(
    new_page: Any, site: Site, changed: dict[str, int]
) -> None:
    page = new_page()
    open_audit(page, site)
    assert rows_of(page).filter(has_text="修改记录").count() >= 2
    shot(page, "audit-list-zh")
    # only record updates
    page.get_by_test_id("audit-filter-action").click()
    page.get_by_role("option", name="修改记录").click()
    page.keyboard.press("Escape")
    page.get_by_test_id("audit-search").click()
    rows = rows_of(page)
    rows.first.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.audit-row')].every(r => r.textContent.includes('修改记录'))"
    )
    assert rows.count() == 2
    rows.first.click()
    drawer = page.get_by_test_id("audit-changes")
    drawer.wait_for()
    assert "乙公司" in drawer.inner_text() and "丙公司" in drawer.inner_text()
    assert "13987654321" in drawer.inner_text()
    page.wait_for_timeout(500)  # the drawer slides in
    shot(page, "audit-detail-zh")
    page.keyboard.press("Escape")
    with page.expect_download() as info:
        page.get_by_test_id("audit-export").click()
    content = info.value.path().read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert "修改记录" in content.decode("utf-8-sig")


def test_record_page_shows_the_field_history(
    new_page: Any, site: Site, changed: dict[str, int]
) -> None:
    page = new_page()
    log_in(page, site)
    page.goto(
        f"{site.url}/apps/{changed['app']}/forms/{changed['form']}/records/{changed['record']}"
    )
    page.get_by_role("tab", name="历史").click()
    entries = page.get_by_test_id("audit-history-entry")
    entries.first.wait_for()
    assert entries.count() == 3
    first = entries.first.inner_text()
    assert "乙公司" in first and "丙公司" in first and "电话" in first
    assert "客户名称" in entries.last.inner_text()  # created values carry the field labels
    page.get_by_test_id("audit-history").scroll_into_view_if_needed()
    shot(page, "audit-record-history-zh")


def test_english_and_phone(new_page: Any, site: Site, changed: dict[str, int]) -> None:
    page = new_page(locale="en")
    open_audit(page, site)
    assert page.get_by_text("Audit log").first.is_visible()
    assert rows_of(page).filter(has_text="Update record").count() >= 2
    shot(page, "audit-list-en")
    rows_of(page).filter(has_text="Update record").first.click()
    page.get_by_test_id("audit-changes").wait_for()
    page.wait_for_timeout(500)
    shot(page, "audit-detail-en")

    phone = new_page(viewport=PHONE)
    open_audit(phone, site)
    shot(phone, "audit-list-phone")
    rows_of(phone).filter(has_text="修改记录").first.click()
    phone.get_by_test_id("audit-changes").wait_for()
    phone.wait_for_timeout(500)
    shot(phone, "audit-detail-phone")
    phone.goto(
        f"{site.url}/apps/{changed['app']}/forms/{changed['form']}/records/{changed['record']}"
    )
    phone.get_by_role("tab", name="历史").click()
    phone.get_by_test_id("audit-history-entry").first.wait_for()
    phone.get_by_test_id("audit-history").scroll_into_view_if_needed()
    shot(phone, "audit-record-history-phone")
