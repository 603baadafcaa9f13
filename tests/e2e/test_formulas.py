"""Formulas, validation rules and linkage in the browser, against a real ``qiao serve``.

The admin designs a quote form in the designer — a total over the sub-form's row
subtotals written in the formula editor (a field picked from the list, a function from
the library, an inline error seen and fixed), the RMB upper-case amount, a form rule
``{结束日期} >= {开始日期}`` with its own message, and a fill from the chosen customer —
then fills a quote in: the row subtotals, the total and the RMB amount follow the typing,
choosing a customer fills the address, and an invalid date range shows the rule's
message live and on save. Screenshots: ``test-artifacts/screenshots/formula-*.png``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import PHONE, Site, field, log_in, shot

pytestmark = pytest.mark.e2e

RULE_MESSAGE = "结束日期不能早于开始日期"


def make_forms(site: Site) -> tuple[int, int, int]:
    """A 客户 form with two customers, and a 报价单 whose row subtotal is a formula column
    (the sub-form's columns are set up through the API: their panel belongs to the sub-form)."""
    app = site.call("POST", "/apps", {"name": "报价管理"})
    customers = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {
            "name": "客户",
            "fields": [
                {"key": "name", "label": "名称", "type": "text"},
                {"key": "address", "label": "地址", "type": "text"},
            ],
        },
    )
    for name, address in [
        ("华东贸易", "上海市浦东新区世纪大道 100 号"),
        ("北方机械", "北京市海淀区中关村大街 1 号"),
    ]:
        site.call(
            "POST",
            f"/forms/{customers['id']}/records",
            {"data": {"name": name, "address": address}},
        )
    lines = {
        "columns": [
            {"key": "product", "label": "产品", "type": "text"},
            {"key": "qty", "label": "数量", "type": "number"},
            {"key": "price", "label": "单价", "type": "money"},
            {"key": "discount", "label": "折扣", "type": "percent"},
            {
                "key": "subtotal",
                "label": "小计",
                "type": "formula",
                "settings": {
                    "expression": "qty * price * (1 - discount)",
                    "format": "money",
                    "precision": 2,
                },
            },
        ]
    }
    quote = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {
            "name": "报价单",
            "fields": [
                {
                    "key": "customer",
                    "label": "客户",
                    "type": "relation",
                    "settings": {"target_form_id": customers["id"]},
                },
                {"key": "address", "label": "送货地址", "type": "text"},
                {"key": "start_date", "label": "开始日期", "type": "date"},
                {"key": "end_date", "label": "结束日期", "type": "date"},
                {"key": "lines", "label": "明细", "type": "subform", "settings": lines},
            ],
        },
    )
    return app["id"], customers["id"], quote["id"]


def choose(page: Any, select: Any, option: str) -> None:
    """Pick an option of an Element Plus select (its dropdown lives in <body>)."""
    select.locator(".el-select__wrapper").first.click()
    exact = re.compile(rf"^\s*{re.escape(option)}\s*$")
    page.locator(".el-select-dropdown__item:visible", has_text=exact).first.click()


def publish(page: Any) -> None:
    page.get_by_test_id("designer-publish").click()
    page.get_by_text("表单已发布").first.wait_for()
    page.get_by_text("表单已发布").first.wait_for(state="hidden")


def add_formula_field(page: Any, label: str, key: str) -> Any:
    page.get_by_test_id("palette-formula").click()
    page.get_by_test_id("prop-label").fill(label)
    page.get_by_test_id("prop-key").fill(key)
    page.get_by_test_id(f"canvas-field-{key}").wait_for()
    page.get_by_test_id("formula-expression").click()
    dialog = page.get_by_test_id("formula-dialog")
    dialog.wait_for()
    return dialog


def design_total(page: Any) -> None:
    dialog = add_formula_field(page, "合计", "total")
    # a function from the library: searched, documented, inserted as SUM() with the caret inside
    dialog.get_by_test_id("formula-function-search").fill("SUM")
    dialog.get_by_test_id("formula-fn-SUM").hover()
    assert "SUM(" in dialog.get_by_test_id("formula-doc").inner_text()
    dialog.get_by_test_id("formula-fn-SUM").click()
    # a sub-form column from the field list, written with labels
    dialog.get_by_test_id("formula-field-lines").locator(".caret").click()
    dialog.get_by_test_id("formula-field-lines.subtotal").click()
    code = dialog.get_by_test_id("formula-input")
    assert code.input_value() == "SUM({明细}.{小计})"
    # break it: an inline error underlines the spot, with the checker's message
    code.press("End")
    code.type(" *")
    error = dialog.get_by_test_id("formula-error")
    error.wait_for()
    assert error.inner_text()
    assert dialog.locator(".backdrop .bad").count() >= 1
    shot(page, "formula-01-editor-error")
    # fix it
    for _ in range(2):
        code.press("Backspace")
    dialog.get_by_test_id("formula-ok").wait_for()
    dialog.get_by_test_id("formula-kind").wait_for()
    shot(page, "formula-02-editor-ok")
    dialog.get_by_test_id("formula-confirm").click()
    assert page.get_by_test_id("formula-expression").inner_text().endswith("SUM({明细}.{小计})")
    page.get_by_test_id("formula-format").get_by_text("金额").click()


def design_rule_and_fill(page: Any) -> None:
    # form settings: a form rule
    page.get_by_test_id("canvas-end").click()
    page.get_by_test_id("form-rule-add").click()
    page.get_by_test_id("form-rule-expression-0").click()
    dialog = page.get_by_test_id("formula-dialog")
    dialog.get_by_test_id("formula-field-end_date").click()
    dialog.get_by_test_id("formula-input").type(" >= ")
    dialog.get_by_test_id("formula-field-start_date").click()
    dialog.get_by_test_id("formula-ok").wait_for()
    dialog.get_by_test_id("formula-confirm").click()
    field(page, "form-rule-message-0").fill(RULE_MESSAGE)
    choose(page, page.get_by_test_id("form-rule-fields-0"), "结束日期")
    page.keyboard.press("Escape")
    shot(page, "formula-03-form-rule")
    # the customer relation fills the address
    page.get_by_test_id("canvas-field-customer").click()
    page.get_by_test_id("fill-add").click()
    choose(page, page.get_by_test_id("fill-target-0"), "送货地址")
    choose(page, page.get_by_test_id("fill-source-0"), "地址")
    page.get_by_test_id("fill-editor").scroll_into_view_if_needed()
    shot(page, "formula-04-fill")


def fill_quote(page: Any, site: Site, quote_id: int) -> None:
    page.get_by_test_id("designer-back").click()
    page.wait_for_url(f"**/forms/{quote_id}")
    page.get_by_test_id("new-record").first.click()
    page.wait_for_url("**/records/new")
    sub = page.get_by_test_id("subform-lines")
    rows = [("显示器", "2", "1000", "10"), ("键盘", "3", "99.5", "0")]
    for i, (product, qty, price, discount) in enumerate(rows):
        sub.get_by_test_id("subform-add").click()
        sub.get_by_test_id(f"cell-{i}-product").locator("input").fill(product)
        sub.get_by_test_id(f"cell-{i}-qty").locator("input").fill(qty)
        sub.get_by_test_id(f"cell-{i}-price").locator("input").fill(price)
        sub.get_by_test_id(f"cell-{i}-discount").locator("input").fill(discount)
    total = page.get_by_test_id("computed-total")
    rmb = page.get_by_test_id("computed-rmb")
    page.wait_for_function(
        "() => document.querySelector('[data-test=computed-total]')?.innerText.includes('2,098.50')"
    )
    for cell, text in (("cell-0-subtotal", "1,800.00"), ("cell-1-subtotal", "298.50")):
        page.wait_for_function(
            "([cell, text]) => document.querySelector(`[data-test=subform-lines] [data-test=${cell}]`)"
            "?.innerText.includes(text)",
            arg=[cell, text],
        )
    assert "贰仟零玖拾捌元伍角" in rmb.inner_text()
    # typing changes the totals again
    sub.get_by_test_id("cell-1-qty").locator("input").fill("4")
    page.wait_for_function(
        "() => document.querySelector('[data-test=computed-total]')?.innerText.includes('2,198.00')"
    )
    assert "贰仟壹佰玖拾捌元整" in rmb.inner_text()
    assert "¥" in total.inner_text()
    # choosing a customer fills the address
    choose(page, page.get_by_test_id("field-customer"), "华东贸易")
    page.wait_for_function(
        "() => document.querySelector('[data-test=field-address] input')?.value === '上海市浦东新区世纪大道 100 号'"
    )
    # an invalid range: the rule's message, live
    field(page, "field-start_date").fill("2026-12-10")
    field(page, "field-start_date").press("Enter")
    field(page, "field-end_date").fill("2026-12-01")
    field(page, "field-end_date").press("Enter")
    error = page.get_by_test_id("error-end_date")
    error.wait_for()
    assert error.inner_text() == RULE_MESSAGE
    shot(page, "formula-05-live-form")
    # and on save: the server refuses with the same message
    page.get_by_test_id("record-save").click()
    page.get_by_text("请检查标红的字段").first.wait_for()
    assert page.url.endswith("/records/new")
    assert page.get_by_test_id("error-end_date").inner_text() == RULE_MESSAGE
    field(page, "field-end_date").fill("2026-12-31")
    field(page, "field-end_date").press("Enter")
    page.get_by_test_id("error-end_date").wait_for(state="detached")
    page.get_by_test_id("record-save").click()
    page.wait_for_url(re.compile(rf"/forms/{quote_id}/records/\d+$"))
    record_id = int(page.url.rstrip("/").split("/")[-1])
    saved = site.call("GET", f"/forms/{quote_id}/records/{record_id}")["data"]
    assert saved["total"] == 2198
    assert saved["rmb"] == "贰仟壹佰玖拾捌元整"
    assert saved["address"] == "上海市浦东新区世纪大道 100 号"
    assert [row["subtotal"] for row in saved["lines"]] == [1800, 398]


def test_quote_formulas_rules_and_fill(new_page: Any, site: Site) -> None:
    app_id, _, quote_id = make_forms(site)
    page = new_page()
    log_in(page, site)
    page.goto(f"{site.url}/apps/{app_id}/forms/{quote_id}/design")
    page.get_by_test_id("designer").wait_for()
    design_total(page)
    # the RMB amount names the total not yet published (typed by hand, labels)
    dialog = add_formula_field(page, "大写金额", "rmb")
    dialog.get_by_test_id("formula-input").type("RMB({合计})")
    dialog.get_by_test_id("formula-ok").wait_for()
    dialog.get_by_test_id("formula-confirm").click()
    page.get_by_test_id("formula-result").locator(".el-select__wrapper").click()
    page.locator(".el-select-dropdown__item:visible", has_text="文本").first.click()
    design_rule_and_fill(page)
    publish(page)
    form = site.call("GET", f"/forms/{quote_id}")
    by_key = {f["key"]: f for f in form["fields"]}
    assert by_key["total"]["settings"]["expression"] == "SUM(lines.subtotal)"
    assert by_key["total"]["settings"]["format"] == "money"
    assert by_key["rmb"]["settings"]["expression"] == "RMB(total)"
    assert by_key["customer"]["settings"]["fill"] == [{"target": "address", "source": "address"}]
    rule = form["settings"]["rules"][0]
    assert (rule["expression"], rule["message"], rule["fields"]) == (
        "end_date >= start_date",
        RULE_MESSAGE,
        ["end_date"],
    )
    fill_quote(page, site, quote_id)


def test_formula_editor_english_and_phone(new_page: Any, site: Site) -> None:
    """The editor and the rule editors read in English, and fit a phone."""
    app_id, _, quote_id = make_forms(site)
    page = new_page(locale="en", viewport=PHONE)
    log_in(page, site)
    page.goto(f"{site.url}/apps/{app_id}/forms/{quote_id}/design")
    page.get_by_test_id("designer").wait_for()
    page.get_by_test_id("canvas-field-end_date").click()
    page.get_by_test_id("field-rules").scroll_into_view_if_needed()
    page.get_by_test_id("field-rule-add").click()
    page.get_by_test_id("field-rule-add-range").click()
    page.get_by_test_id("field-rules").scroll_into_view_if_needed()
    shot(page, "formula-06-rules-en-phone")
    page.get_by_test_id("visible-when").click()
    dialog = page.get_by_test_id("formula-dialog")
    dialog.wait_for()
    dialog.get_by_test_id("formula-field-start_date").click()
    dialog.get_by_test_id("formula-input").type(" <> ")
    error = dialog.get_by_test_id("formula-error")
    error.wait_for()
    dialog.get_by_test_id("formula-function-search").fill("TODAY")
    dialog.get_by_test_id("formula-fn-TODAY").click()
    dialog.get_by_test_id("formula-ok").wait_for()
    assert "Yes/No" in dialog.get_by_test_id("formula-kind").inner_text()
    shot(page, "formula-07-editor-en-phone")
    dialog.get_by_test_id("formula-confirm").click()
    assert "TODAY()" in page.get_by_test_id("visible-when").inner_text()


def test_changed_formula_is_recomputed_in_the_background_with_progress(
    new_page: Any, site: Site
) -> None:
    """On a form with more records than one publish recomputes in place, a changed formula
    is recomputed by the worker; the designer shows the job's progress until it is done."""
    app = site.call("POST", "/apps", {"name": "订单"})
    orders = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {
            "name": "订单",
            "fields": [
                {"key": "qty", "label": "数量", "type": "number"},
                {"key": "price", "label": "单价", "type": "number"},
                {
                    "key": "amount",
                    "label": "金额",
                    "type": "formula",
                    "settings": {"expression": "qty * price"},
                },
            ],
        },
    )
    for start in range(0, 2500, 500):
        items = [{"data": {"qty": i % 7 + 1, "price": 10}} for i in range(start, start + 500)]
        site.call("POST", f"/forms/{orders['id']}/records/bulk", {"items": items})
    page = new_page()
    log_in(page, site)
    page.goto(f"{site.url}/apps/{app['id']}/forms/{orders['id']}/design")
    page.get_by_test_id("designer").wait_for()
    page.get_by_test_id("canvas-field-amount").click()
    page.get_by_test_id("formula-expression").click()
    dialog = page.get_by_test_id("formula-dialog")
    dialog.wait_for()
    dialog.get_by_test_id("formula-input").fill("{数量} * {单价} * 2")
    dialog.get_by_test_id("formula-ok").wait_for()
    dialog.get_by_test_id("formula-confirm").click()
    publish(page)
    bar = page.get_by_test_id("job-progress-bar")
    bar.wait_for()
    page.get_by_text("公式已重新计算完成（2,500 条记录）").wait_for(timeout=120_000)
    shot(page, "formula-04-recompute-done")
    listed = site.call("GET", f"/forms/{orders['id']}/records?limit=5&sort=id")
    for item in listed["items"]:
        data = item["data"]
        assert float(data["amount"]) == float(data["qty"]) * float(data["price"]) * 2
