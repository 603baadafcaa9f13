"""Sub-forms in the browser: the designer adds a sub-form with three columns; a user adds
rows, reorders and deletes one, pastes two rows copied from Excel, saves, and reads the
rows on the record page (zh-CN and en, and as cards on a phone)."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import PHONE, Site, field, log_in, shot

COLUMNS = [("产品", "product", "单行文本"), ("数量", "qty", "数字"), ("单价", "price", "金额")]


def choose(page: Any, select: Any, option: str) -> None:
    """Pick an option of an Element Plus select (its dropdown lives in <body>)."""
    select.locator(".el-select__wrapper").first.click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


def cell(page: Any, row: int, key: str) -> Any:
    return page.locator(f'[data-test="cell-{row}-{key}"] input').first


def design(page: Any, site: Site, app_id: int, form_id: int) -> None:
    page.goto(f"{site.url}/apps/{app_id}/forms/{form_id}/design")
    page.get_by_test_id("palette-subform").drag_to(page.get_by_test_id("canvas-end"))
    field(page, "prop-label").fill("明细")
    field(page, "prop-key").fill("lines")
    page.get_by_test_id("canvas-field-lines").wait_for()
    for index, (label, key, type_label) in enumerate(COLUMNS):
        page.get_by_test_id("subform-add-column").click()
        column = page.get_by_test_id(f"subform-column-{index}")
        column.locator('input[data-test="column-label"]').fill(label)
        column.locator('input[data-test="column-key"]').fill(key)
        if type_label != "单行文本":
            choose(page, column.get_by_test_id("column-type"), type_label)
        if key == "product":
            column.get_by_test_id("column-required").click()
    shot(page, "subform-01-designer")
    page.get_by_test_id("designer-publish").click()
    page.get_by_text("表单已发布").first.wait_for()
    published = site.call("GET", f"/forms/{form_id}")
    lines = next(f for f in published["fields"] if f["key"] == "lines")
    columns = lines["settings"]["columns"]
    assert [(c["key"], c["type"], c["id"]) for c in columns] == [
        ("product", "text", 1),
        ("qty", "number", 2),
        ("price", "money", 3),
    ]
    assert columns[0]["required"] is True


def fill_rows(page: Any, site: Site, app_id: int, form_id: int) -> int:
    page.goto(f"{site.url}/apps/{app_id}/forms/{form_id}/records/new")
    field(page, "field-title").fill("华东区报价")
    editor = page.get_by_test_id("subform-lines")
    for _ in range(3):
        editor.get_by_test_id("subform-add").click()
    for row, (product, qty, price) in enumerate(
        [("螺丝", "100", "0.5"), ("螺母", "200", "0.3"), ("扳手", "2", "35")]
    ):
        cell(page, row, "product").fill(product)
        cell(page, row, "qty").fill(qty)
        cell(page, row, "price").fill(price)
        cell(page, row, "price").press("Tab")
    # 扳手 to the top, then 螺母 (now third) goes
    editor.get_by_test_id("row-up").nth(2).click()
    editor.get_by_test_id("row-up").nth(1).click()
    assert cell(page, 0, "product").input_value() == "扳手"
    editor.get_by_test_id("row-remove").nth(2).click()
    assert editor.get_by_test_id("subform-row").count() == 2
    # two rows copied from Excel (with its header line)
    editor.get_by_test_id("subform-paste").click()
    page.locator('textarea[data-test="subform-paste-text"]').fill(
        "产品\t数量\t单价\n垫圈\t500\t0.05\n螺栓\t1,000\t0.8\n"
    )
    page.get_by_test_id("subform-paste-apply").click()
    assert editor.get_by_test_id("subform-row").count() == 4
    assert cell(page, 3, "product").input_value() == "螺栓"
    shot(page, "subform-02-rows")
    # a row without its required product is refused at its cell
    editor.get_by_test_id("subform-add").click()
    cell(page, 4, "qty").fill("1")
    page.get_by_test_id("record-save").click()
    error = page.get_by_test_id("cell-error-4-product")
    error.wait_for()
    assert "产品" in error.inner_text()
    shot(page, "subform-03-cell-error")
    editor.get_by_test_id("row-remove").nth(4).click()
    page.get_by_test_id("record-save").click()
    page.wait_for_url(re.compile(rf"/forms/{form_id}/records/\d+$"))
    return int(page.url.rstrip("/").split("/")[-1])


def test_subform_rows_from_designer_to_record_page(new_page: Any, site: Site) -> None:
    app = site.call("POST", "/apps", {"name": "报价管理"})
    form = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {"name": "报价单", "fields": [{"key": "title", "label": "标题", "type": "text"}]},
    )
    page = new_page()
    log_in(page, site)
    design(page, site, app["id"], form["id"])
    record_id = fill_rows(page, site, app["id"], form["id"])

    saved = site.call("GET", f"/forms/{form['id']}/records/{record_id}")
    rows = saved["data"]["lines"]
    assert [(r["product"], r["qty"]) for r in rows] == [
        ("扳手", 2),
        ("螺丝", 100),
        ("垫圈", 500),
        ("螺栓", 1000),
    ]
    view = page.get_by_test_id("subform-lines")
    view.get_by_test_id("subform-row").first.wait_for()
    assert view.get_by_test_id("subform-row").count() == 4
    assert view.get_by_test_id("subform-row").nth(0).inner_text().startswith("1")
    assert "扳手" in view.get_by_test_id("subform-row").nth(0).inner_text()
    assert view.get_by_test_id("subform-add").count() == 0  # reading: no inputs
    shot(page, "subform-04-record-view")

    # the data table shows a row count
    page.goto(f"{site.url}/apps/{app['id']}/forms/{form['id']}")
    page.get_by_text("4 行").first.wait_for()
    shot(page, "subform-05-table")

    english = new_page(locale="en")
    log_in(english, site)
    english.goto(f"{site.url}/apps/{app['id']}/forms/{form['id']}/records/{record_id}")
    english.get_by_test_id("subform-lines").get_by_test_id("subform-row").first.wait_for()
    english.get_by_test_id("record-edit").click()
    english.get_by_text("Add row").first.wait_for()
    shot(english, "subform-06-edit-en")

    phone = new_page(viewport=PHONE)
    log_in(phone, site)
    phone.goto(f"{site.url}/apps/{app['id']}/forms/{form['id']}/records/{record_id}")
    phone.get_by_test_id("record-edit").click()
    cards = phone.get_by_test_id("subform-lines").locator(".card")
    cards.first.wait_for()
    assert cards.count() == 4
    assert "第 1 行" in cards.first.inner_text()
    shot(phone, "subform-07-phone")
