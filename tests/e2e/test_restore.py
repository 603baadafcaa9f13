"""Recently deleted in a real browser: delete an app from its card and restore it from
最近删除; delete a form from the navigation and restore it from 已删除的表单."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Site, log_in, shot

pytestmark = pytest.mark.e2e


def test_restore_app_and_form(new_page: Any, site: Site) -> None:
    app = site.call("POST", "/apps", {"name": "回收测试"})
    app_id = app["id"]
    fields = [{"key": "name", "label": "名称", "type": "text"}]
    customers = site.call("POST", f"/apps/{app_id}/forms", {"name": "客户", "fields": fields})["id"]
    contracts = site.call("POST", f"/apps/{app_id}/forms", {"name": "合同"})["id"]
    site.call("POST", f"/forms/{customers}/records", {"data": {"name": "甲公司"}})

    page = new_page()
    log_in(page, site)

    # delete the app from its card
    card = page.get_by_test_id("app-card").filter(has_text="回收测试")
    card.get_by_role("button", name="更多操作").click()
    page.get_by_role("menuitem", name="删除").click()
    confirm = page.get_by_role("dialog", name="删除应用")
    confirm.get_by_text("30 天内可恢复").wait_for()
    confirm.get_by_role("button", name="删除").click()
    card.wait_for(state="detached")

    # restore it from 最近删除
    page.get_by_test_id("apps-trash").click()
    trash = page.get_by_role("dialog", name="最近删除的应用")
    row = trash.locator(f"[data-app-id='{app_id}']")
    row.get_by_text("回收测试").wait_for()
    row.get_by_text("2 个表单").wait_for()
    row.get_by_text("剩余 30 天").wait_for()
    page.wait_for_timeout(300)  # the dialog fades in
    shot(page, "restore-apps-trash-zh")
    page.get_by_test_id(f"apps-trash-restore-{app_id}").click()
    page.get_by_text("已恢复「回收测试」").wait_for()
    row.wait_for(state="detached")
    trash.get_by_text("没有最近删除的应用").wait_for()
    trash.get_by_role("button", name="关闭", exact=True).click()
    trash.wait_for(state="hidden")
    card.get_by_text("2 个表单").wait_for()
    assert [f["id"] for f in site.call("GET", f"/apps/{app_id}")["forms"]] == [
        customers,
        contracts,
    ]
    shot(page, "restore-app-back-zh")

    # delete a form from the navigation
    card.click()
    page.wait_for_url(f"**/apps/{app_id}/**")
    nav = page.get_by_test_id("app-nav")
    item = nav.locator(f"[data-form-id='{contracts}']")
    item.hover()
    item.locator(".more").click()
    page.get_by_role("menuitem", name="删除表单").click()
    page.get_by_role("dialog", name="删除表单").get_by_role("button", name="删除").click()
    item.wait_for(state="detached")

    # restore it from 已删除的表单
    nav.get_by_test_id("forms-trash").click()
    deleted = page.get_by_role("dialog", name="已删除的表单")
    deleted.locator(f"[data-form-id='{contracts}']").get_by_text("合同").wait_for()
    page.wait_for_timeout(300)
    shot(page, "restore-forms-trash-zh")
    page.get_by_test_id(f"forms-trash-restore-{contracts}").click()
    page.get_by_text("已恢复表单「合同」").wait_for()
    deleted.get_by_text("没有已删除的表单").wait_for()
    item.wait_for()  # the navigation reloaded
    deleted.get_by_role("button", name="关闭", exact=True).click()
    deleted.wait_for(state="hidden")
    shot(page, "restore-form-back-zh")
    assert site.call("GET", f"/apps/{app_id}/forms/trash")["items"] == []
    records = site.call("GET", f"/forms/{customers}/records")
    assert [r["data"]["name"] for r in records["items"]] == ["甲公司"]
