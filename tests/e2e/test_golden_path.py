"""The admin's golden path through the web app, in Debian's Chromium against a real
``qiao serve``: log in → create an app → design a 客户 form by drag and drop with nine
field types → publish → add records (one with a validation error shown next to the
field and corrected) → filter with the filter builder → kanban, drag a card → open a
record and add a related record in place → switch to English.

Screenshots of every step land in ``test-artifacts/screenshots/golden-*.png``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import Site, field, log_in, shot

pytestmark = pytest.mark.e2e

# (palette type, label, key, beside the previous field?) — two fields per row mostly
CUSTOMER_FIELDS = [
    ("text", "客户名称", "name", False),
    ("phone", "电话", "phone", True),
    ("select", "级别", "level", False),
    ("money", "预计金额", "amount", True),
    ("date", "签约日期", "signed_on", False),
    ("user", "负责人", "manager", True),
    ("email", "邮箱", "email", False),
    ("autonumber", "客户编号", "code", True),
    ("textarea", "备注", "notes", False),
]


def add_field(page: Any, kind: str, label: str, key: str, beside: str | None) -> None:
    palette = page.get_by_test_id(f"palette-{kind}")
    if kind == CUSTOMER_FIELDS[0][0] and key == CUSTOMER_FIELDS[0][2]:
        palette.drag_to(page.get_by_test_id("canvas-empty"))
    elif beside:
        target = page.get_by_test_id(f"canvas-field-{beside}")
        box = target.bounding_box()
        palette.drag_to(target, target_position={"x": box["width"] * 0.85, "y": box["height"] / 2})
    else:
        palette.drag_to(page.get_by_test_id("canvas-end"))
    page.get_by_test_id("prop-label").fill(label)
    page.get_by_test_id("prop-key").fill(key)
    page.get_by_test_id(f"canvas-field-{key}").wait_for()


def design_customer_form(page: Any, site: Site) -> int:
    page.get_by_role("button", name="新建应用").click()
    page.locator("input[name=app-name]").fill("销售管理")
    page.get_by_test_id("save-app").click()
    page.get_by_test_id("app-card").filter(has_text="销售管理").click()
    page.get_by_test_id("empty-new-form").click()
    field(page, "new-form-name").fill("客户")
    page.get_by_test_id("new-form-save").click()
    page.wait_for_url("**/design")
    previous = None
    for kind, label, key, beside in CUSTOMER_FIELDS:
        add_field(page, kind, label, key, previous if beside else None)
        previous = key
        if key == "name":
            page.get_by_test_id("prop-required").click()
        if key == "level":
            for i, option in enumerate(["重要", "普通", "潜在"]):
                page.get_by_test_id(f"prop-choice-label-{i}").fill(option)
    page.get_by_test_id("canvas-field-level").click()
    shot(page, "golden-01-designer")
    page.get_by_test_id("designer-publish").click()
    page.get_by_text("表单已发布").first.wait_for()
    form_id = int(page.url.split("/forms/")[1].split("/")[0])
    published = site.call("GET", f"/forms/{form_id}")
    assert [f["key"] for f in published["fields"]] == [k for _, _, k, _ in CUSTOMER_FIELDS]
    assert [f["type"] for f in published["fields"]] == [t for t, _, _, _ in CUSTOMER_FIELDS]
    rows = [[i.get("field_id") for i in row["items"]] for row in published["settings"]["layout"]]
    assert [len(r) for r in rows] == [2, 2, 2, 2, 1]
    level = next(f for f in published["fields"] if f["key"] == "level")
    assert [c["label"] for c in level["settings"]["choices"]] == ["重要", "普通", "潜在"]
    return form_id


def choose(page: Any, select: Any, option: str) -> None:
    """Pick an option of an Element Plus select (its dropdown lives in <body>)."""
    select.locator(".el-select__wrapper").first.click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


def add_customer_with_a_correction(page: Any, form_id: int) -> int:
    page.get_by_test_id("designer-back").click()
    page.wait_for_url(f"**/forms/{form_id}")
    page.get_by_test_id("new-record").first.click()
    page.wait_for_url("**/records/new")
    field(page, "field-name").fill("杭州云栖科技有限公司")
    field(page, "field-phone").fill("13812345678")
    choose(page, page.get_by_test_id("field-level"), "重要")
    field(page, "field-amount").fill("120000")
    field(page, "field-signed_on").fill("2026-03-05")
    field(page, "field-signed_on").press("Enter")
    choose(page, page.get_by_test_id("field-manager"), "管理员")
    field(page, "field-email").fill("not-an-email")
    field(page, "field-notes").fill("年度框架合同，三月签约")
    page.get_by_test_id("record-save").click()
    error = page.get_by_test_id("error-email")
    error.wait_for()
    assert "邮箱" in error.inner_text()
    shot(page, "golden-02-validation-error")
    field(page, "field-email").fill("it@yunqi.example.com")
    page.get_by_test_id("record-save").click()
    page.wait_for_url(re.compile(rf"/forms/{form_id}/records/\d+$"))
    return int(page.url.rstrip("/").split("/")[-1])


MORE_CUSTOMERS = [
    {"name": "北京星河贸易有限公司", "level": "普通", "amount": 56000},
    {"name": "上海海纳物流有限公司", "level": "潜在", "amount": 8000},
    {"name": "深圳前海数据服务有限公司", "level": "重要", "amount": 230000},
]


def filter_by_level(page: Any, form_id: int, level: str) -> None:
    page.get_by_test_id("app-nav").get_by_text("客户").click()
    page.wait_for_url(re.compile(rf"/forms/{form_id}(\?.*)?$"))
    page.get_by_test_id("filter-button").click()
    page.get_by_test_id("filter-add-condition").click()
    choose(page, page.get_by_test_id("filter-field").last, "级别")
    choose(page, page.get_by_test_id("filter-op").last, "等于")
    choose(page, page.get_by_test_id("filter-value").last, level)
    page.get_by_test_id("filter-apply").click()


def drag_card_on_kanban(page: Any, card_id: int, to_level: str) -> None:
    page.get_by_test_id("view-add").click()
    page.get_by_test_id("view-add-kanban").click()
    page.get_by_test_id("view-save").click()
    # the new view starts from the table's filter; show every customer on the board
    page.get_by_test_id("filter-button").click()
    page.get_by_test_id("filter-clear").click()
    page.get_by_test_id("total-count").filter(has_text="共 4 条").wait_for()
    card = page.get_by_test_id(f"kanban-card-{card_id}")
    card.drag_to(page.get_by_test_id(f"kanban-column-{to_level}"))
    page.get_by_test_id(f"kanban-column-{to_level}").get_by_test_id(
        f"kanban-card-{card_id}"
    ).wait_for()


def add_contact_in_place(page: Any, site: Site, form_id: int, customer_id: int) -> int:
    app_id = site.call("GET", f"/forms/{form_id}")["app_id"]
    contacts = site.call(
        "POST",
        f"/apps/{app_id}/forms",
        {
            "name": "联系人",
            "fields": [
                {"key": "name", "label": "姓名", "type": "text", "required": True},
                {"key": "mobile", "label": "手机", "type": "phone"},
                {
                    "key": "customer",
                    "label": "所属客户",
                    "type": "relation",
                    "settings": {"target_form_id": form_id},
                },
            ],
        },
    )
    page.goto(f"{site.url}/apps/{app_id}/forms/{form_id}/records/{customer_id}")
    page.get_by_role("tab", name=re.compile("相关记录")).click()
    block = page.get_by_test_id(f"related-{contacts['id']}-customer")
    block.get_by_test_id(f"related-add-{contacts['id']}-customer").click()
    dialog = page.get_by_role("dialog")
    field(dialog, "field-name").fill("王经理")
    field(dialog, "field-mobile").fill("13900001111")
    dialog.get_by_test_id("related-save").click()
    block.get_by_text("王经理").wait_for()
    shot(page, "golden-05-related-records")
    [contact] = site.call("GET", f"/forms/{contacts['id']}/records")["items"]
    assert contact["data"]["customer"] == customer_id
    # "view all" of a related list opens that form narrowed to this customer
    other = site.call("GET", f"/forms/{form_id}/records?limit=2")["items"]
    other_id = next(r["id"] for r in other if r["id"] != customer_id)
    site.call(
        "POST",
        f"/forms/{contacts['id']}/records",
        {"data": {"name": "李助理", "customer": other_id}},
    )
    page.goto(f"{site.url}/apps/{app_id}/forms/{contacts['id']}?linked=customer:{customer_id}")
    page.get_by_test_id("linked-filter").filter(has_text="杭州云栖科技有限公司").wait_for()
    page.get_by_test_id("total-count").filter(has_text="共 1 条").wait_for()
    page.get_by_test_id("linked-filter").locator(".el-tag__close").click()
    page.get_by_test_id("total-count").filter(has_text="共 2 条").wait_for()
    page.goto(f"{site.url}/apps/{app_id}/forms/{form_id}/records/{customer_id}")
    return int(contacts["id"])


def switch_to_english(page: Any) -> None:
    page.locator(".topbar .lang").click()
    page.locator(".el-select-dropdown__item:visible", has_text="English").click()
    page.get_by_role("button", name="Edit").wait_for()
    page.get_by_role("tab", name=re.compile("Related")).wait_for()
    page.locator(".el-select-dropdown:visible").wait_for(state="hidden")
    shot(page, "golden-06-english")


def test_golden_path(new_page: Any, site: Site) -> None:
    page = new_page()
    log_in(page, site)
    form_id = design_customer_form(page, site)
    first_id = add_customer_with_a_correction(page, form_id)
    saved = site.call("GET", f"/forms/{form_id}/records/{first_id}")["data"]
    assert saved["name"] == "杭州云栖科技有限公司"
    assert saved["level"] == "重要"
    assert saved["amount"] == 120000
    assert saved["signed_on"] == "2026-03-05"
    assert saved["email"] == "it@yunqi.example.com"
    assert saved["code"]  # generated by the server
    ids = {
        c["name"]: site.call("POST", f"/forms/{form_id}/records", {"data": c})["id"]
        for c in MORE_CUSTOMERS
    }

    filter_by_level(page, form_id, "重要")
    page.get_by_test_id("total-count").filter(has_text="共 2 条").wait_for()
    rows = page.locator("[data-test=table] [data-test^=row-]")
    assert sorted(
        rows.evaluate_all("rs => rs.map(r => Number(r.dataset.test.slice(4)))")
    ) == sorted([first_id, ids["深圳前海数据服务有限公司"]])
    shot(page, "golden-03-table-filtered")

    moved = ids["北京星河贸易有限公司"]
    drag_card_on_kanban(page, moved, "重要")
    shot(page, "golden-04-kanban")
    assert site.call("GET", f"/forms/{form_id}/records/{moved}")["data"]["level"] == "重要"

    add_contact_in_place(page, site, form_id, first_id)
    switch_to_english(page)
