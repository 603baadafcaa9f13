"""Linkage (联动) in the browser: cascading options set up in the designer's cascade
editor (province → city), a relation whose options are filtered by another field of the
form (category → product, ``$field:category``), and a field shown and required only when a
switch is on. Screenshots: ``test-artifacts/screenshots/linkage-*.png``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import Site, log_in, shot

pytestmark = pytest.mark.e2e


TAX_MESSAGE = "税号为 15 到 20 位数字或大写字母"


def choice(label: str, parents: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"label": label, "color": ""}
    if parents:
        out["parents"] = parents
    return out


def make_forms(site: Site) -> tuple[int, int]:
    app = site.call("POST", "/apps", {"name": "订货"})
    products = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {
            "name": "产品",
            "fields": [
                {"key": "name", "label": "名称", "type": "text"},
                {
                    "key": "category",
                    "label": "类别",
                    "type": "select",
                    "settings": {"choices": [choice("电脑"), choice("配件")]},
                },
            ],
        },
    )
    for name, category in [("笔记本", "电脑"), ("台式机", "电脑"), ("鼠标", "配件")]:
        site.call(
            "POST",
            f"/forms/{products['id']}/records",
            {"data": {"name": name, "category": category}},
        )
    order = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {
            "name": "订单",
            "fields": [
                {
                    "key": "province",
                    "label": "省份",
                    "type": "select",
                    "settings": {"choices": [choice("浙江"), choice("广东")]},
                },
                {
                    "key": "city",
                    "label": "城市",
                    "type": "select",
                    "settings": {"choices": [choice("杭州"), choice("宁波"), choice("广州")]},
                },
                {
                    "key": "category",
                    "label": "类别",
                    "type": "select",
                    "settings": {"choices": [choice("电脑"), choice("配件")]},
                },
                {
                    "key": "product",
                    "label": "产品",
                    "type": "relation",
                    "settings": {
                        "target_form_id": products["id"],
                        "option_filter": {
                            "field": "category",
                            "op": "eq",
                            "value": "$field:category",
                        },
                    },
                },
                {
                    "key": "ordered_on",
                    "label": "下单日期",
                    "type": "date",
                    "settings": {"default_formula": "TODAY()"},
                },
                {"key": "invoice", "label": "需要发票", "type": "boolean"},
                {
                    "key": "tax_no",
                    "label": "税号",
                    "type": "text",
                    "settings": {
                        "visible_when": "invoice",
                        "required_when": "invoice",
                        "rules": [
                            {
                                "kind": "regex",
                                "pattern": "^[0-9A-Z]{15,20}$",
                                "message": TAX_MESSAGE,
                            }
                        ],
                    },
                },
            ],
        },
    )
    return app["id"], order["id"]


def choose(page: Any, select: Any, option: str) -> None:
    select.locator(".el-select__wrapper").first.click()
    exact = re.compile(rf"^\s*{re.escape(option)}\s*$")
    page.locator(".el-select-dropdown__item:visible", has_text=exact).first.click()


def options_of(page: Any, select: Any) -> list[str]:
    """The options a select offers (opened, read, closed again)."""
    page.locator(".el-select-dropdown__item:visible").first.wait_for(state="hidden")
    select.locator(".el-select__wrapper").first.click()
    items = page.locator(".el-select-dropdown__item:visible")
    items.first.wait_for()
    labels = [t.strip() for t in items.all_inner_texts()]
    page.keyboard.press("Escape")
    page.locator(".el-select-dropdown__item:visible").first.wait_for(state="hidden")
    return labels


def test_cascade_option_filter_and_conditions(new_page: Any, site: Site) -> None:
    app_id, order_id = make_forms(site)
    page = new_page()
    log_in(page, site)
    page.goto(f"{site.url}/apps/{app_id}/forms/{order_id}/design")
    page.get_by_test_id("designer").wait_for()
    # the designer's cascade editor: 城市 depends on 省份, each city names its province
    page.get_by_test_id("canvas-field-city").click()
    choose(page, page.get_by_test_id("cascade-parent"), "省份")
    for i, province in enumerate(["浙江", "浙江", "广东"]):
        row = page.get_by_test_id(f"cascade-choice-{i}")
        choose(page, row, province)
        page.keyboard.press("Escape")
        page.locator(".el-select-dropdown__item:visible").first.wait_for(state="hidden")
    page.get_by_test_id("cascade-editor").scroll_into_view_if_needed()
    shot(page, "linkage-01-cascade-editor")
    # a section shown only with an invoice, and a field under it
    page.get_by_test_id("palette-layout-section").click()
    page.get_by_test_id("prop-section-title").fill("发票信息")
    page.get_by_test_id("section-visible-when").click()
    dialog = page.get_by_test_id("formula-dialog")
    dialog.get_by_test_id("formula-field-invoice").click()
    dialog.get_by_test_id("formula-ok").wait_for()
    dialog.get_by_test_id("formula-confirm").click()
    assert "{需要发票}" in page.get_by_test_id("section-visible-when").inner_text()
    page.get_by_test_id("palette-text").click()
    page.get_by_test_id("prop-label").fill("发票抬头")
    page.get_by_test_id("prop-key").fill("invoice_title")
    page.get_by_test_id("designer-publish").click()
    page.get_by_text("表单已发布").first.wait_for()
    city = next(f for f in site.call("GET", f"/forms/{order_id}")["fields"] if f["key"] == "city")
    assert city["settings"]["depends_on"] == "province"
    assert [c.get("parents") for c in city["settings"]["choices"]] == [["浙江"], ["浙江"], ["广东"]]
    layout = site.call("GET", f"/forms/{order_id}")["settings"]["layout"]
    section = next(i for row in layout for i in row["items"] if i["kind"] == "section")
    assert section["visible_when"] == "invoice" and section["id"]

    page.goto(f"{site.url}/apps/{app_id}/forms/{order_id}/records/new")
    page.get_by_test_id("form-layout").wait_for()
    # a default value from a formula
    page.wait_for_function(
        "() => /^\\d{4}-\\d{2}-\\d{2}$/.test(document.querySelector('[data-test=field-ordered_on] input')?.value ?? '')"
    )
    # cascading: a province offers its cities; changing it clears the city
    choose(page, page.get_by_test_id("field-province"), "浙江")
    assert options_of(page, page.get_by_test_id("field-city")) == ["杭州", "宁波"]
    choose(page, page.get_by_test_id("field-city"), "杭州")
    choose(page, page.get_by_test_id("field-province"), "广东")
    page.wait_for_function(
        "() => !document.querySelector('[data-test=field-city] .el-select__selected-item:not(.is-hidden)')?.innerText.includes('杭州')"
    )
    assert options_of(page, page.get_by_test_id("field-city")) == ["广州"]
    # the option filter takes this form's category
    choose(page, page.get_by_test_id("field-category"), "配件")
    assert options_of(page, page.get_by_test_id("field-product")) == ["鼠标"]
    choose(page, page.get_by_test_id("field-category"), "电脑")
    assert sorted(options_of(page, page.get_by_test_id("field-product"))) == ["台式机", "笔记本"]
    # shown and required only with an invoice; the section with its field likewise
    assert page.get_by_test_id("field-tax_no").count() == 0
    assert page.get_by_test_id("field-invoice_title").count() == 0
    assert page.get_by_text("发票信息").count() == 0
    page.get_by_test_id("field-invoice").locator(".el-switch").click()
    tax = page.get_by_test_id("field-tax_no")
    tax.wait_for()
    page.get_by_test_id("field-invoice_title").wait_for()
    page.get_by_text("发票信息").wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-test=field-tax_no]')?.classList.contains('is-required')"
    )
    shot(page, "linkage-02-live-form")
    # a field rule's own message, live while typing
    tax.locator("input").fill("abc")
    error = page.get_by_test_id("error-tax_no")
    error.wait_for()
    assert error.inner_text() == TAX_MESSAGE
    tax.locator("input").fill("")
    page.get_by_test_id("record-save").click()
    page.get_by_test_id("error-tax_no").wait_for()
    page.get_by_test_id("field-invoice").locator(".el-switch").click()
    tax.wait_for(state="detached")
    page.get_by_test_id("field-invoice_title").wait_for(state="detached")
    page.get_by_test_id("record-save").click()
    page.wait_for_url(re.compile(rf"/forms/{order_id}/records/\d+$"))
    record_id = int(page.url.rstrip("/").split("/")[-1])
    data = site.call("GET", f"/forms/{order_id}/records/{record_id}")["data"]
    assert (data["province"], data["city"], data["category"], data["invoice"]) == (
        "广东",
        None,
        "电脑",
        False,
    )
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["ordered_on"])
