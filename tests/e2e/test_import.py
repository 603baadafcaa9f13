"""Importing from Excel in the browser: an admin creates a form from a messy customer sheet
(a title row, merged headers, phones in five formats, text dates, duplicates, bad rows),
adjusts the proposed fields, checks the mapping, reviews the cleansing (a normalised
phone) and the duplicates, downloads the error report, fixes it with openpyxl, uploads it
again, imports while the progress bar runs to 100 %, finds the records in the data view
and undoes the import. Then the wizard in English and on a phone."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Site, field, log_in, shot

# fmt: off
ROWS: list[list[Any]] = [
    ["杭州青禾科技有限公司", "138 0013 8000", "qinghe@example.com", "2024年3月5日", "A类", "¥12,000"],
    ["上海明远贸易有限公司", "+86 139-0013-9001", "mingyuan@example.com", "2024/3/6", "B类", "8,500"],
    ["南京启航物流", "0086 137 0013 7002", "qihang@example.com", "20240307", "A类", "1.2万"],
    ["苏州锦程电子有限公司", "13600136003", "jincheng@example.com", date(2024, 3, 8), "C类", 30000],
    ["杭州青禾科技", "13800138000", "", "2024-03-09", "A类", 5000],  # the first row again
    ["宁波海纳机械有限公司", "12345", "haina@example.com", "2024-03-10", "B类", 7000],  # bad phone
    ["无锡恒通材料有限公司", "13500135005", "hengtong@example.com", "明天", "B类", 6000],  # bad date
    ["上海明远贸易有限公司", "13900139001", "mingyuan@example.com", "2024/3/12", "B类", 8500],  # dup
    ["合肥新程软件有限公司", "133 0013 3008", "xincheng@example.com", "2024.3.13", "C类", "4,000"],
    ["温州鼎盛鞋业有限公司", "(0577) 8888-6666", "dingsheng@example.com", "2024年3月14日", "A类", "2万"],
]
# fmt: on
FIRST_DATA_ROW = 4  # a title row and two header rows above the data


def messy_sheet() -> bytes:
    """A sheet as sales keep them: a title row, "联系方式" merged over two columns, the
    other headers merged over two rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "客户"
    sheet.append(["2024 年华东区客户名单（销售部）"])
    sheet.append(["客户名称", "联系方式", None, "签约日期", "客户等级", "合同金额"])
    sheet.append([None, "电话", "邮箱", None, None, None])
    for row in ROWS:
        sheet.append(row)
    for ref in ("A1:F1", "A2:A3", "B2:C2", "D2:D3", "E2:E3", "F2:F3"):
        sheet.merge_cells(ref)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def choose(page: Any, select: Any, option: str, *, multiple: bool = False) -> None:
    """Pick an option of an Element Plus select (its dropdown lives in <body>), then wait
    until the dropdown has gone, so that the next select's options are not confused
    with this one's fading out."""
    select.locator(".el-select__wrapper").first.click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()
    if multiple:
        page.keyboard.press("Escape")
    expect(page.locator(".el-select__popper:visible")).to_have_count(0)


def keys_by_label(site: Site, form_id: int) -> dict[str, str]:
    return {f["label"]: f["key"] for f in site.call("GET", f"/forms/{form_id}")["fields"]}


def record_count(site: Site, form_id: int) -> int:
    return len(site.call("GET", f"/forms/{form_id}/records?limit=100")["items"])


def fix_report(content: bytes) -> bytes:
    """Correct the cells the report marks, as a user would in Excel."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows())
    header = [str(c.value or "") for c in rows[0]]
    phone, when = header.index("联系方式-电话"), header.index("签约日期")
    fixed = 0
    for row in rows[1:]:
        if not row[0].value:  # the first column lists the row's errors; blank: a good row
            continue
        if str(row[phone].value) == "12345":
            row[phone].value = "13700137006"
            fixed += 1
        if str(row[when].value) == "明天":
            row[when].value = "2024-03-11"
            fixed += 1
    assert fixed == 2, [[c.value for c in r] for r in rows]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_create_form_from_messy_sheet_fix_errors_import_and_undo(
    new_page: Any, site: Site, tmp_path: Path
) -> None:
    app = site.call("POST", "/apps", {"name": "客户管理"})
    source = tmp_path / "华东客户.xlsx"
    source.write_bytes(messy_sheet())
    page = new_page()
    log_in(page, site)
    page.goto(f"{site.url}/apps/{app['id']}")

    # ① create the form from the sheet: the header row is found below the title
    page.get_by_test_id("new-form-from-sheet").click()
    page.get_by_test_id("import-upload").locator("input[type=file]").set_input_files(str(source))
    expect(page.get_by_test_id("sheet-row-2")).to_have_class(re.compile(r"\bheader\b"))
    expect(page.get_by_test_id("sheet-row-0")).to_have_class(re.compile(r"\babove\b"))
    shot(page, "import-01-sheet")
    page.get_by_test_id("sheet-next").click()

    # ② the proposed fields: rename the merged-header columns, fix two inferred types
    expect(field(page, "proposed-label-1")).to_have_value("联系方式-电话")
    expect(page.get_by_test_id("proposed-type-1")).to_contain_text("手机号")
    expect(page.get_by_test_id("proposed-type-4")).to_contain_text("单选")
    expect(page.get_by_test_id("proposed-options-4")).to_contain_text("A类")
    field(page, "proposed-label-1").fill("电话")
    field(page, "proposed-label-2").fill("邮箱")
    choose(page, page.get_by_test_id("proposed-type-2"), "邮箱")
    choose(page, page.get_by_test_id("proposed-type-5"), "金额")
    field(page, "sheet-form-name").fill("客户")
    shot(page, "import-02-fields")
    page.get_by_test_id("create-form-from-sheet").click()
    page.wait_for_url(re.compile(r"/forms/\d+/import\?.*import=\d+"))
    form_id = int(re.search(r"/forms/(\d+)/import", page.url).group(1))  # type: ignore[union-attr]
    keys = keys_by_label(site, form_id)
    assert {"客户名称", "电话", "邮箱", "签约日期", "客户等级", "合同金额"} <= keys.keys()
    types = {f["label"]: f["type"] for f in site.call("GET", f"/forms/{form_id}")["fields"]}
    assert (types["邮箱"], types["合同金额"], types["客户等级"]) == ("email", "money", "select")

    # ④ cleansing, where the wizard continues: the phone "138 0013 8000" is normalised
    expect(page.get_by_test_id("step-cleanse")).to_be_visible()
    phone_cell = page.get_by_test_id(f"cell-{FIRST_DATA_ROW}-{keys['电话']}")
    expect(phone_cell.locator(".text")).to_have_text("13800138000")
    expect(phone_cell.locator("s.raw")).to_have_text("138 0013 8000")
    expect(
        page.get_by_test_id(f"cell-{FIRST_DATA_ROW}-{keys['签约日期']}").locator(".text")
    ).to_have_text("2024-03-05")
    bad_phone = page.get_by_test_id(f"cell-{FIRST_DATA_ROW + 5}-{keys['电话']}")
    expect(bad_phone).to_have_class(re.compile(r"\bissue\b"))
    shot(page, "import-03-cleanse")
    page.get_by_test_id("filter-errors").click()
    expect(page.get_by_test_id("preview-row")).to_have_count(2)

    # ③ back to the mapping: every column is mapped to the field made from it
    page.get_by_test_id("wizard-prev").click()
    expect(page.get_by_test_id("step-mapping")).to_be_visible()
    expect(page.get_by_test_id("map-1")).to_contain_text("电话")
    expect(page.get_by_test_id("map-5")).to_contain_text("合同金额")
    page.get_by_test_id("save-mapping").click()
    field(page, "mapping-name").fill("华东客户表")
    shot(page, "import-04-mapping")
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("step-cleanse")).to_be_visible()
    page.get_by_test_id("wizard-next").click()

    # ⑤ duplicates by customer name, fuzzy: 杭州青禾科技 is 杭州青禾科技有限公司
    expect(page.get_by_test_id("step-dedupe")).to_be_visible()
    choose(page, page.get_by_test_id("dedupe-keys"), "客户名称", multiple=True)
    page.get_by_test_id("dedupe-fuzzy").click()
    page.get_by_test_id("dedupe-apply").click()
    expect(page.get_by_test_id("dedupe-summary")).to_contain_text("文件内重复 2 行")
    duplicates = page.get_by_test_id("preview-duplicate")
    expect(duplicates).to_have_count(2)
    expect(duplicates.first).to_contain_text(f"与文件第 {FIRST_DATA_ROW} 行重复")
    shot(page, "import-05-dedupe")
    page.get_by_test_id("wizard-next").click()

    # ⑥ validation: two bad rows; the report is fixed in "Excel" and uploaded again
    expect(page.get_by_test_id("sum-errors")).to_have_text("2")
    expect(page.get_by_test_id("preview-error")).to_have_count(2)
    shot(page, "import-06-validate")
    with page.expect_download() as download_info:
        page.get_by_test_id("download-report").click()
    report = Path(download_info.value.path()).read_bytes()
    fixed = tmp_path / "华东客户-已修正.xlsx"
    fixed.write_bytes(fix_report(report))
    page.get_by_test_id("reupload").click()
    page.get_by_test_id("import-upload").locator("input[type=file]").set_input_files(str(fixed))
    expect(page.get_by_test_id("validate-ok")).to_be_visible()
    expect(page.get_by_test_id("sum-errors")).to_have_text("0")
    expect(page.get_by_test_id("sum-create")).to_have_text("8")
    expect(page.get_by_test_id("sum-skip")).to_have_text("2")
    page.get_by_test_id("wizard-next").click()

    # ⑦ import: the progress bar runs to 100 %
    page.get_by_test_id("start-import").click()
    run = page.get_by_test_id("import-run")
    expect(run).to_have_attribute("data-state", "done", timeout=60_000)
    expect(page.get_by_test_id("import-progress")).to_have_attribute("data-percent", "100")
    expect(page.get_by_test_id("count-created")).to_have_text("8")
    expect(page.get_by_test_id("count-skipped")).to_have_text("2")
    shot(page, "import-07-done")
    assert record_count(site, form_id) == 8
    saved = site.call("GET", f"/forms/{form_id}/import-mappings")["items"]
    assert [m["name"] for m in saved] == ["华东客户表"]

    done_id = re.search(r"import=(\d+)", page.url).group(1)  # type: ignore[union-attr]

    # the records in the data view
    page.get_by_test_id("view-data").click()
    expect(page.get_by_test_id("total-count")).to_have_text("共 8 条")
    expect(page.get_by_text("温州鼎盛鞋业有限公司")).to_be_visible()

    # the history, and the whole import undone
    page.get_by_test_id("toolbar-more-button").click()
    page.get_by_test_id("more-import-history").click()
    # the first upload (left as a draft when the corrected file replaced it) and the import
    expect(page.get_by_test_id("history-row")).to_have_count(2)
    row = page.locator("tr", has=page.locator(f'[data-import-id="{done_id}"]'))
    expect(row.get_by_test_id("history-state")).to_have_text("已完成")
    shot(page, "import-08-history")
    row.get_by_test_id("history-undo").click()
    page.locator(".el-message-box").get_by_role("button", name="撤销本次导入").click()
    expect(row.get_by_test_id("history-state")).to_have_text("已撤销", timeout=60_000)
    assert record_count(site, form_id) == 0


def upload_import(site: Site, form_id: int, content: bytes, name: str) -> dict[str, Any]:
    response = site.http.post(f"/forms/{form_id}/imports", files={"file": (name, content)})
    assert response.status_code < 300, response.text
    return response.json()  # type: ignore[no-any-return]


def test_import_wizard_in_english_and_on_a_phone(new_page: Any, site: Site) -> None:
    app = site.call("POST", "/apps", {"name": "Customers"})
    form = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {
            "name": "Customers",
            "fields": [
                {"key": "name", "label": "客户名称", "type": "text", "required": True},
                {"key": "phone", "label": "电话", "type": "phone"},
                {"key": "email", "label": "邮箱", "type": "email"},
                {"key": "signed", "label": "签约日期", "type": "date"},
                {
                    "key": "level",
                    "label": "客户等级",
                    "type": "select",
                    "settings": {"choices": ["A类", "B类"]},
                },
                {"key": "amount", "label": "合同金额", "type": "money"},
            ],
        },
    )
    imp = upload_import(site, form["id"], messy_sheet(), "customers.xlsx")
    base = f"{site.url}/apps/{app['id']}/forms/{form['id']}/import?import={imp['id']}"

    page = new_page(locale="en")
    log_in(page, site)
    # the merged group headers "联系方式-电话" / "联系方式-邮箱" are proposed by their child
    page.goto(f"{base}&step=2")
    expect(page.get_by_test_id("step-mapping")).to_be_visible()
    expect(page.get_by_test_id("map-0")).to_contain_text("客户名称")
    expect(page.get_by_test_id("map-1")).to_contain_text("电话")
    expect(page.get_by_test_id("map-2")).to_contain_text("邮箱")
    shot(page, "import-en-mapping")
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("step-cleanse")).to_be_visible()
    # "C类" is not an option of 客户等级: add it
    expect(page.get_by_test_id("unknown-options")).to_contain_text("C类")
    expect(page.get_by_test_id(f"cell-{FIRST_DATA_ROW}-phone").locator(".text")).to_have_text(
        "13800138000"
    )
    shot(page, "import-en-cleanse")
    page.get_by_test_id("apply-options").click()
    expect(page.get_by_test_id("unknown-options")).to_have_count(0)

    phone = new_page(viewport=PHONE)
    log_in(phone, site)
    phone.goto(f"{base}&step=2")
    expect(phone.get_by_test_id("step-mapping")).to_be_visible()
    shot(phone, "import-phone-mapping")
    phone.goto(f"{base}&step=3")
    expect(phone.get_by_test_id("preview-row").first).to_be_visible()
    shot(phone, "import-phone-cleanse")
    phone.goto(f"{base}&step=5")
    expect(phone.get_by_test_id("validate-summary")).to_be_visible()
    shot(phone, "import-phone-validate")
    phone.goto(f"{site.url}/apps/{app['id']}/new-from-sheet")
    phone.get_by_test_id("import-upload").locator("input[type=file]").set_input_files(
        files=[
            {"name": "客户.xlsx", "mimeType": "application/octet-stream", "buffer": messy_sheet()}
        ]
    )
    phone.get_by_test_id("sheet-next").click()
    expect(phone.get_by_test_id("proposed-0")).to_be_visible()
    expect(phone.get_by_test_id("create-form-from-sheet")).to_be_enabled()
    shot(phone, "import-phone-fields")

    # the upload was never started: it is a draft in the history, and can be deleted
    history = f"{site.url}/apps/{app['id']}/forms/{form['id']}/imports"
    phone.goto(history)
    expect(phone.get_by_test_id("history-row")).to_have_count(1)
    expect(phone.get_by_test_id("history-delete")).to_be_visible()
    shot(phone, "import-phone-history-draft")
    page.goto(history)
    expect(page.get_by_test_id("history-row")).to_have_count(1)
    shot(page, "import-en-history-draft")
    page.get_by_test_id("history-delete").click()
    confirm = page.locator(".el-message-box")
    expect(confirm).to_be_visible()
    page.wait_for_timeout(400)  # the dialog's fade-in, for the screenshot
    shot(page, "import-en-history-delete-confirm")
    confirm.locator(".el-button--primary").click()
    expect(page.get_by_test_id("history-empty")).to_be_visible()
    assert site.http.get(f"/imports/{imp['id']}").status_code == 404
