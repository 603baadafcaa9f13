"""Duplicates and exports in the browser: an admin finds customers entered twice (fuzzy:
"深圳市腾达科技有限公司" vs "深圳腾达科技"), merges them taking the phone from the other
record, sees a deal of another form follow the merge, undoes it; then exports the view to
.xlsx through the export dialog and through an export template (read back with openpyxl).
Screenshots in zh-CN and en, and the merge dialog at a phone viewport."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Site, field, log_in, shot

CUSTOMERS = [
    # (name, phone, city): the first two are one company entered twice
    ("深圳市腾达科技有限公司", "13900139000", "深圳"),
    ("深圳腾达科技", "13800138000", ""),
    ("北京华信数据有限公司", "13700137000", "北京"),
    ("杭州云帆网络", "13600136000", "杭州"),
]


def setup(site: Site) -> dict[str, Any]:
    app = site.call("POST", "/apps", {"name": "客户去重"})
    customers = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {
            "name": "客户",
            "fields": [
                {"key": "name", "label": "客户名称", "type": "text"},
                {"key": "phone", "label": "电话", "type": "phone"},
                {"key": "city", "label": "城市", "type": "text"},
            ],
        },
    )
    deals = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {
            "name": "商机",
            "fields": [
                {"key": "title", "label": "商机名称", "type": "text"},
                {
                    "key": "customer",
                    "label": "客户",
                    "type": "relation",
                    "settings": {"target_form_id": customers["id"]},
                },
            ],
        },
    )
    ids = []
    for name, phone, city in CUSTOMERS:
        data = {"name": name, "phone": phone, "city": city or None}
        ids.append(site.call("POST", f"/forms/{customers['id']}/records", {"data": data})["id"])
    deal = site.call(
        "POST",
        f"/forms/{deals['id']}/records",
        {"data": {"title": "腾达 年度采购", "customer": ids[1]}},
    )
    return {
        "app": app["id"],
        "form": customers["id"],
        "deals": deals["id"],
        "ids": ids,
        "deal": deal["id"],
    }


def record(site: Site, form_id: int, record_id: int) -> dict[str, Any]:
    found: dict[str, Any] = site.call("GET", f"/forms/{form_id}/records/{record_id}")
    return found


def find_fuzzy(page: Any) -> Any:
    page.get_by_test_id("dedupe-fuzzy").click()
    page.get_by_test_id("dedupe-threshold").wait_for()
    page.get_by_test_id("dedupe-find").click()
    group = page.get_by_test_id("dup-group").filter(has_text="腾达")
    expect(group).to_have_count(1)
    return group


def test_find_merge_undo_duplicates(new_page: Any, site: Site) -> None:
    s = setup(site)
    survivor, other = s["ids"][0], s["ids"][1]
    page = new_page()
    log_in(page, site)
    page.goto(f"{site.url}/apps/{s['app']}/forms/{s['form']}")
    page.get_by_test_id("toolbar-more-button").click()
    page.get_by_test_id("more-duplicates").click()
    page.wait_for_url(re.compile(rf"/forms/{s['form']}/duplicates$"))
    # the title field is the default key; exact matching finds nothing here
    page.get_by_test_id("dedupe-find").click()
    expect(page.get_by_test_id("dedupe-result")).to_have_text("没有找到重复记录")
    group = find_fuzzy(page)
    expect(page.get_by_test_id("dup-group")).to_have_count(1)  # 北京 and 杭州 are unique
    expect(group.get_by_test_id("dup-score")).to_contain_text("相似度")
    expect(group.get_by_test_id(f"dup-cell-phone-{other}")).to_have_text("13800138000")
    shot(page, "dedupe-01-groups")

    group.get_by_test_id("dup-merge").click()
    dialog = page.get_by_test_id("merge-dialog")
    expect(dialog).to_be_visible()
    # the most complete (and older) record is kept; its own phone is chosen by default
    expect(dialog.get_by_test_id(f"merge-survivor-{survivor}").locator("input")).to_be_checked()
    phone_row = dialog.get_by_test_id("merge-row-phone")
    expect(
        phone_row.get_by_test_id(f"merge-choice-phone-{survivor}").locator("input")
    ).to_be_checked()
    # the city only the survivor has is kept without asking
    expect(dialog.get_by_test_id(f"merge-choice-city-{survivor}").locator("input")).to_be_checked()
    phone_row.get_by_test_id(f"merge-choice-phone-{other}").click()
    summary = dialog.get_by_test_id("merge-summary")
    expect(summary).to_contain_text("1 个字段改为所选的值")
    expect(summary).to_contain_text("回收站")
    shot(page, "dedupe-02-merge-dialog")
    dialog.get_by_test_id("merge-confirm").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("dup-group")).to_have_count(0)

    kept = record(site, s["form"], survivor)["data"]
    assert (kept["name"], kept["phone"], kept["city"]) == (
        "深圳市腾达科技有限公司",
        "13800138000",
        "深圳",
    )
    gone = site.http.get(f"/forms/{s['form']}/records/{other}")
    assert gone.status_code == 404 or gone.json().get("deleted_at")
    assert record(site, s["deals"], s["deal"])["data"]["customer"] == survivor

    # merge history: undo puts everything back
    page.get_by_role("tab", name="合并记录").click()
    item = page.get_by_test_id("merge-history").locator("[data-test^=merge-item-]").first
    expect(item).to_contain_text("深圳市腾达科技有限公司")
    expect(item).to_contain_text("电话")
    shot(page, "dedupe-03-history")
    item.locator("[data-test^=merge-undo-]").click()
    page.locator(".el-message-box").get_by_role("button", name="撤销").click()
    expect(item.get_by_test_id("merge-status")).to_contain_text("已撤销")
    assert record(site, s["form"], survivor)["data"]["phone"] == "13900139000"
    restored = record(site, s["form"], other)
    assert not restored.get("deleted_at")
    assert restored["data"]["phone"] == "13800138000"
    assert record(site, s["deals"], s["deal"])["data"]["customer"] == other

    # English, and the merge dialog on a phone (one field per row, choices stacked)
    en = new_page(locale="en")
    log_in(en, site)
    en.goto(f"{site.url}/apps/{s['app']}/forms/{s['form']}/duplicates")
    en_group = find_fuzzy(en)
    expect(en.get_by_test_id("dedupe-result")).to_have_text("1 group of duplicates found")
    shot(en, "dedupe-04-groups-en")
    en_group.get_by_test_id("dup-merge").click()
    expect(en.get_by_test_id("merge-summary")).to_contain_text("recycle bin")
    shot(en, "dedupe-05-merge-dialog-en")

    phone = new_page(viewport=PHONE)
    log_in(phone, site)
    phone.goto(f"{site.url}/apps/{s['app']}/forms/{s['form']}/duplicates")
    phone_group = find_fuzzy(phone)
    shot(phone, "dedupe-06-groups-phone")
    phone_group.get_by_test_id("dup-merge").click()
    row = phone.get_by_test_id("merge-row-phone")
    first = row.get_by_test_id(f"merge-choice-phone-{survivor}").bounding_box()
    second = row.get_by_test_id(f"merge-choice-phone-{other}").bounding_box()
    assert first and second and second["y"] > first["y"]  # stacked, not side by side
    shot(phone, "dedupe-07-merge-dialog-phone")


def download(page: Any) -> openpyxl.Workbook:
    with page.expect_download() as info:
        page.get_by_test_id("export-download").click()
    path = info.value.path()
    assert info.value.suggested_filename.endswith(".xlsx")
    with open(path, "rb") as fh:
        return openpyxl.load_workbook(io.BytesIO(fh.read()), read_only=True)


def header_and_rows(book: openpyxl.Workbook) -> tuple[list[Any], list[list[Any]]]:
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    return rows[0], rows[1:]


def test_export_view_and_template(new_page: Any, site: Site) -> None:
    s = setup(site)
    page = new_page()
    log_in(page, site)
    page.goto(f"{site.url}/apps/{s['app']}/forms/{s['form']}")
    field(page, "quick-search").fill("腾达")
    expect(page.get_by_test_id("total-count")).to_contain_text("2")

    page.get_by_test_id("export").click()
    dialog = page.get_by_test_id("export-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("export-source-view").locator("input")).to_be_checked()
    shot(page, "export-01-dialog")
    header, rows = header_and_rows(download(page))
    assert header[:3] == ["客户名称", "电话", "城市"]
    # the view's quick search applies: only the two 腾达 records
    assert sorted(r[0] for r in rows) == ["深圳市腾达科技有限公司", "深圳腾达科技"]
    assert any(r[:2] == ["深圳腾达科技", "13800138000"] for r in rows)

    # a template with two columns in its own order
    page.get_by_test_id("export").click()
    dialog.get_by_test_id("export-source-template").click()
    dialog.get_by_test_id("export-template-new").click()
    editor = page.get_by_test_id("export-template-editor")
    field(editor, "export-template-name").fill("电话簿")
    panel = editor.get_by_test_id("column-panel")
    for key in ("city", "created_at", "updated_at", "created_by"):
        panel.get_by_test_id(f"column-{key}").locator(".el-checkbox").click()
    # phone before name: drag the phone column onto the name column
    panel.get_by_test_id("column-phone").drag_to(panel.get_by_test_id("column-name"))
    expect(panel.locator("[data-test^=column-]").first).to_have_attribute(
        "data-test", "column-phone"
    )
    shot(page, "export-02-template-editor")
    editor.get_by_test_id("export-template-save").click()
    expect(editor).to_be_hidden()
    template = site.call("GET", f"/forms/{s['form']}/export-templates")["items"][0]
    assert (template["name"], template["fields"]) == ("电话簿", ["phone", "name"])
    expect(
        dialog.get_by_test_id(f"export-template-{template['id']}").locator("input")
    ).to_be_checked()
    header, rows = header_and_rows(download(page))
    assert header == ["电话", "客户名称"]
    assert ["13800138000", "深圳腾达科技"] in rows

    en = new_page(locale="en")
    log_in(en, site)
    en.goto(f"{site.url}/apps/{s['app']}/forms/{s['form']}")
    en.get_by_test_id("export").click()
    en.get_by_test_id("export-source-template").click()
    expect(en.get_by_test_id("export-templates")).to_contain_text("电话簿")
    shot(en, "export-03-dialog-en")
    phone = new_page(viewport=PHONE)
    log_in(phone, site)
    phone.goto(f"{site.url}/apps/{s['app']}/forms/{s['form']}")
    phone.get_by_test_id("export").click()
    expect(phone.get_by_test_id("export-dialog")).to_be_visible()
    shot(phone, "export-04-dialog-phone")
