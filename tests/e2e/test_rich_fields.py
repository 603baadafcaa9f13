"""The rich field types in the browser: a visit record with an ID number (birthday and
gender shown while typing), a rating, rich text, a location from the browser's
geolocation (a fake position granted to the context) and an address picked in the
cascader; the record page shows what was saved (zh-CN, en, and a phone)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, Site, field, log_in, shot

SHENZHEN = {"latitude": 22.5431, "longitude": 114.0579, "accuracy": 25}
FIELDS = [
    {"key": "name", "label": "客户", "type": "text"},
    {"key": "idno", "label": "身份证号", "type": "idcard"},
    {"key": "stars", "label": "满意度", "type": "rating"},
    {"key": "notes", "label": "拜访纪要", "type": "richtext"},
    {"key": "spot", "label": "拜访位置", "type": "location"},
    {"key": "addr", "label": "客户地址", "type": "address"},
]


@pytest.fixture
def located(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``located(locale, viewport)``: a page whose browser knows it is in Shenzhen."""
    contexts: list[Any] = []

    def make(locale: str = "zh-CN", viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(
            viewport=viewport or DESKTOP,
            locale=locale,
            geolocation=SHENZHEN,
            permissions=["geolocation"],
        )
        context.add_init_script(f"localStorage.setItem('qiao.locale', '{locale}')")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None)
    for index, context in enumerate(contexts):
        if failed is not None and failed.failed:
            for page in context.pages:
                shot(page, f"FAILED-{request.node.name}-{index}")
        context.close()


def make_form(site: Site) -> tuple[int, int]:
    app = site.call("POST", "/apps", {"name": "拜访管理"})
    form = site.call("POST", f"/apps/{app['id']}/forms", {"name": "拜访记录", "fields": FIELDS})
    return int(app["id"]), int(form["id"])


def fill(page: Any) -> None:
    field(page, "field-name").fill("华南贸易")
    field(page, "idcard-input").fill("11010519491231002x")
    derived = page.get_by_test_id("idcard-derived")
    derived.wait_for()
    assert "1949-12-31" in derived.inner_text() and "女" in derived.inner_text()
    page.get_by_test_id("rating-input").locator(".el-rate__item").nth(3).click()
    area = page.get_by_test_id("richtext-area")
    area.click()
    page.keyboard.type("重点客户")
    page.keyboard.press("Control+A")
    page.get_by_test_id("richtext-bold").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("下周报价")
    page.get_by_test_id("location-locate").click()
    page.get_by_test_id("location-accuracy").wait_for()
    assert field(page, "location-lat").input_value() == "22.543100"
    field(page, "location-address").fill("深圳市民中心")
    page.get_by_test_id("address-editor").locator(".el-cascader").first.click()
    for name in ("广东省", "深圳市", "南山区"):
        page.locator(".el-cascader-node:visible", has_text=name).first.click()
    field(page, "address-street").fill("科技园科苑路 15 号")


def test_rich_fields_from_input_to_record_page(located: Any, site: Site) -> None:
    app_id, form_id = make_form(site)
    page = located()
    log_in(page, site)
    page.goto(f"{site.url}/apps/{app_id}/forms/{form_id}/records/new")
    page.get_by_test_id("richtext-area").wait_for()
    fill(page)
    shot(page, "rich-01-filled")
    page.get_by_test_id("record-save").click()
    page.wait_for_url(re.compile(rf"/forms/{form_id}/records/\d+$"))
    record_id = int(page.url.rstrip("/").split("/")[-1])

    data = site.call("GET", f"/forms/{form_id}/records/{record_id}")["data"]
    assert data["idno"] == "11010519491231002X"
    assert data["stars"] == 4
    assert "重点客户" in data["notes"] and ("<b>" in data["notes"] or "<strong>" in data["notes"])
    assert re.search(r"<p><b>重点客户</b></p><p>.*下周报价", data["notes"]), data["notes"]
    assert data["spot"] == {"lat": 22.5431, "lng": 114.0579, "address": "深圳市民中心",
                            "accuracy": 25.0}  # fmt: skip
    assert (data["addr"]["district_code"], data["addr"]["street"]) == (
        "440305",
        "科技园科苑路 15 号",
    )

    body = page.locator("body")
    page.get_by_test_id("richtext-value").first.wait_for()
    text = body.inner_text()
    assert "★★★★☆" in text
    assert "广东省深圳市南山区 科技园科苑路 15 号" in text
    assert "深圳市民中心 (22.543100, 114.057900)" in text
    rich = page.get_by_test_id("richtext-value").first
    assert rich.locator("b, strong").first.inner_text() == "重点客户"
    shot(page, "rich-02-record-view")

    english = located(locale="en")
    log_in(english, site)
    english.goto(f"{site.url}/apps/{app_id}/forms/{form_id}/records/{record_id}")
    english.get_by_test_id("richtext-value").first.wait_for()
    shot(english, "rich-03-record-view-en")
    english.get_by_test_id("record-edit").click()
    english.get_by_test_id("idcard-derived").wait_for()
    assert "Female" in english.get_by_test_id("idcard-derived").inner_text()
    english.get_by_test_id("location-locate").filter(has_text="Use current location").wait_for()
    shot(english, "rich-04-edit-en")


def test_location_on_a_phone(located: Any, site: Site) -> None:
    app_id, form_id = make_form(site)
    phone = located(viewport=PHONE)
    log_in(phone, site)
    phone.goto(f"{site.url}/apps/{app_id}/forms/{form_id}/records/new")
    phone.get_by_test_id("location-locate").scroll_into_view_if_needed()
    phone.get_by_test_id("location-locate").click()
    phone.get_by_test_id("location-accuracy").wait_for()
    assert field(phone, "location-lng").input_value() == "114.057900"
    phone.get_by_test_id("location-editor").scroll_into_view_if_needed()
    shot(phone, "rich-05-phone-location")
    field(phone, "field-name").fill("手机拜访")
    phone.get_by_test_id("record-save").click()
    phone.wait_for_url(re.compile(rf"/forms/{form_id}/records/\d+$"))
    items = site.call("GET", f"/forms/{form_id}/records")["items"]
    assert items[0]["data"]["spot"]["lat"] == 22.5431


def choose(page: Any, select: Any, option: str) -> None:
    """Pick an option of an Element Plus select (its dropdown lives in <body>)."""
    select.locator(".el-select__wrapper").first.click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


def test_distance_and_region_filters_in_the_table(located: Any, site: Site) -> None:
    app_id, form_id = make_form(site)
    rows = [
        ("北京客户", 39.9042, 116.4074, {"province": "北京", "district": "朝阳区"}),
        ("天津客户", 39.0842, 117.2009, {"province": "天津"}),
        ("上海客户", 31.2304, 121.4737, {"province": "上海", "district": "浦东新区"}),
    ]
    for name, lat, lng, addr in rows:
        site.call(
            "POST",
            f"/forms/{form_id}/records",
            {"data": {"name": name, "spot": {"lat": lat, "lng": lng}, "addr": addr}},
        )
    page = located()  # the browser is in Shenzhen: "use my location" fills 22.54, 114.06
    log_in(page, site)
    page.goto(f"{site.url}/apps/{app_id}/forms/{form_id}")
    page.get_by_test_id("total-count").filter(has_text="共 3 条").wait_for()
    page.get_by_test_id("filter-button").click()
    page.get_by_test_id("filter-add-condition").click()
    choose(page, page.get_by_test_id("filter-field").last, "拜访位置")
    choose(page, page.get_by_test_id("filter-op").last, "距离以内")
    page.get_by_test_id("filter-location-mine").click()
    page.wait_for_function(
        "document.querySelector('[data-test=filter-location-lat] input')?.value === '22.543100'"
    )
    field(page, "filter-location-lat").fill("39.9042")
    field(page, "filter-location-lng").fill("116.4074")
    field(page, "filter-location-km").fill("120")
    shot(page, "rich-06-distance-filter")
    page.get_by_test_id("filter-apply").click()
    page.get_by_test_id("total-count").filter(has_text="共 2 条").wait_for()
    assert page.get_by_text("上海客户").count() == 0

    # a region filter instead: 上海市 picked in the cascader at the province level
    page.get_by_test_id("filter-button").click()
    page.get_by_test_id("filter-clear").click()
    page.get_by_test_id("total-count").filter(has_text="共 3 条").wait_for()
    page.get_by_test_id("filter-button").click()
    page.get_by_test_id("filter-add-condition").click()
    choose(page, page.get_by_test_id("filter-field").last, "客户地址")
    choose(page, page.get_by_test_id("filter-op").last, "等于")
    cascader = page.get_by_test_id("filter-value").last.locator(".el-cascader").first
    cascader.click()
    node = page.locator(".el-cascader-node:visible", has_text="上海市").first
    node.locator(".el-radio").first.click()
    shot(page, "rich-07-region-filter")
    # a click elsewhere in the builder closes the cascader's panel, not the builder
    page.get_by_test_id("filter-builder").click(position={"x": 4, "y": 4})
    page.locator(".el-cascader__dropdown:visible").wait_for(state="hidden")
    page.get_by_test_id("filter-apply").click()
    page.get_by_test_id("total-count").filter(has_text="共 1 条").wait_for()
    assert page.get_by_text("上海客户").count() >= 1


def test_type_settings_in_the_designer(located: Any, site: Site) -> None:
    app_id, form_id = make_form(site)
    for locale in ("zh-CN", "en"):
        page = located(locale=locale)
        log_in(page, site)
        page.goto(f"{site.url}/apps/{app_id}/forms/{form_id}/design")
        page.get_by_test_id("canvas-field-stars").click()
        page.get_by_test_id("prop-rating-max").wait_for()
        if locale == "en":
            shot(page, "rich-09-designer-rating-en")
            break
        field(page, "prop-rating-max").fill("10")
        field(page, "prop-rating-max").press("Tab")
        page.get_by_test_id("prop-rating-style").get_by_text("3/5").click()
        page.get_by_test_id("canvas-field-addr").click()
        choose(page, page.get_by_test_id("prop-address-level"), "省 / 市")
        page.get_by_test_id("prop-address-street").click()
        page.get_by_test_id("canvas-field-idno").click()
        page.get_by_test_id("prop-allow-15").click()
        shot(page, "rich-08-designer-idcard")
        page.get_by_test_id("designer-publish").click()
        page.get_by_text("表单已发布").first.wait_for()
        page.get_by_text("有未保存的修改").wait_for(state="hidden")
    settings = {f["key"]: f["settings"] for f in site.call("GET", f"/forms/{form_id}")["fields"]}
    assert (settings["stars"]["max"], settings["stars"]["style"]) == (10, "fraction")
    assert (settings["addr"]["level"], settings["addr"]["show_street"]) == ("city", False)
    assert settings["idno"]["allow_15"] is True
