"""File fields in the browser, on a phone: a ticket takes two photos and a signature
drawn on the canvas; the saved record shows two thumbnails and the signature
(zh-CN and en)."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from tests.e2e.conftest import PHONE, Site, field, log_in, shot


def photo(path: Path, color: tuple[int, int, int], label: str) -> Path:
    img = Image.new("RGB", (1200, 900), color)
    ImageDraw.Draw(img).rectangle((300, 200, 900, 700), outline=(255, 255, 255), width=30)
    img.save(path, "JPEG", quality=85)
    return path


def draw_signature(page: Any) -> None:
    pad = page.get_by_test_id("signature-pad")
    pad.wait_for()
    box = pad.bounding_box()
    x0, y0 = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, 40):  # a wave, like a hand-written name
        page.mouse.move(x0 + i * 7, y0 + (25 if i % 8 < 4 else -25) * ((i % 4) / 4), steps=2)
    page.mouse.up()
    page.mouse.move(x0 + 40, y0 + 40)
    page.mouse.down()
    page.mouse.move(x0 + 200, y0 + 45, steps=10)
    page.mouse.up()


def test_ticket_with_photos_and_signature_on_a_phone(
    new_page: Any, site: Site, tmp_path: Path
) -> None:
    app = site.call("POST", "/apps", {"name": "售后服务"})
    form = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {
            "name": "服务工单",
            "fields": [
                {"key": "title", "label": "问题描述", "type": "text"},
                {
                    "key": "photos",
                    "label": "现场照片",
                    "type": "image",
                    "settings": {"max_files": 4},
                },
                {"key": "sign", "label": "客户签名", "type": "signature"},
            ],
        },
    )
    base = f"{site.url}/apps/{app['id']}/forms/{form['id']}"
    files = [
        photo(tmp_path / "现场1.jpg", (200, 60, 40), "1"),
        photo(tmp_path / "现场2.jpg", (40, 120, 200), "2"),
    ]

    page = new_page(viewport=PHONE)
    log_in(page, site)
    page.goto(f"{base}/records/new")
    field(page, "field-title").fill("空调不制冷")
    page.get_by_test_id("file-pick").locator("input[type=file]").set_input_files(
        [str(f) for f in files]
    )
    thumbs = page.get_by_test_id("files-photos").get_by_test_id("file-thumb")
    thumbs.nth(1).wait_for()
    assert thumbs.count() == 2
    draw_signature(page)
    shot(page, "files-01-phone-signing")
    page.get_by_test_id("signature-confirm").click()
    page.get_by_test_id("signature-image").wait_for()
    shot(page, "files-02-phone-filled")
    page.get_by_test_id("record-save").click()
    page.wait_for_url(re.compile(rf"/forms/{form['id']}/records/\d+$"))
    record_id = int(page.url.rstrip("/").split("/")[-1])

    saved = site.call("GET", f"/forms/{form['id']}/records/{record_id}")
    assert [p["name"] for p in saved["data"]["photos"]] == ["现场1.jpg", "现场2.jpg"]
    assert all(p["thumbnail"] and p["width"] == 1200 for p in saved["data"]["photos"])
    (sign,) = saved["data"]["sign"]
    assert sign["mime"] == "image/png" and sign["size"] > 500
    signature = site.http.get(f"/files/{sign['id']}")
    assert signature.status_code == 200
    assert signature.headers["content-type"] == "image/png"
    # the pad was drawn on: the PNG has dark pixels, not only a blank canvas
    drawn = Image.open(BytesIO(signature.content)).convert("LA")
    assert any(a > 0 and lum < 128 for lum, a in drawn.get_flattened_data())

    # reopened: two thumbnails and the signature, loaded through the permission layer
    for locale in ("zh-CN", "en"):
        reader = new_page(locale=locale, viewport=PHONE)
        log_in(reader, site)
        reader.goto(f"{base}/records/{record_id}")
        images = reader.get_by_test_id("file-value-thumb")
        images.nth(2).wait_for()
        assert images.count() == 3  # two photos and the signature
        reader.wait_for_function(
            "() => [...document.querySelectorAll('[data-test=file-value-thumb] img')]"
            ".every(i => i.complete && i.naturalWidth > 0)"
        )
        shot(reader, f"files-03-record-{locale}")
        reader.get_by_test_id("record-edit").click()
        reader.get_by_test_id("files-photos").get_by_test_id("file-thumb").nth(1).wait_for()
        reader.get_by_test_id("signature-image").wait_for()
        shot(reader, f"files-04-edit-{locale}")

    # the data table lists the file names
    desk = new_page()
    log_in(desk, site)
    desk.goto(base)
    desk.get_by_text("现场1.jpg、现场2.jpg").first.wait_for()
    shot(desk, "files-06-table")


def test_designer_offers_file_limits(new_page: Any, site: Site) -> None:
    app = site.call("POST", "/apps", {"name": "合同管理"})
    form = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {"name": "合同", "fields": [{"key": "title", "label": "合同名称", "type": "text"}]},
    )
    for locale in ("zh-CN", "en"):
        page = new_page(locale=locale)
        log_in(page, site)
        page.goto(f"{site.url}/apps/{app['id']}/forms/{form['id']}/design")
        page.get_by_test_id("palette-attachment").drag_to(page.get_by_test_id("canvas-end"))
        settings = page.get_by_test_id("file-settings")
        settings.wait_for()
        assert settings.get_by_test_id("prop-accept").is_visible()
        page.get_by_test_id("palette-signature").drag_to(page.get_by_test_id("canvas-end"))
        page.get_by_test_id("file-settings").wait_for()
        assert page.get_by_test_id("prop-max-files").count() == 0  # one signature
        page.get_by_test_id("palette-image").drag_to(page.get_by_test_id("canvas-end"))
        page.get_by_test_id("prop-max-files").wait_for()
        shot(page, f"files-05-designer-{locale}")


def test_signature_drawn_with_a_finger(browser: Any, site: Site) -> None:
    """Touch input (a phone with a touch screen): the pad takes the finger's strokes."""
    app = site.call("POST", "/apps", {"name": "签收"})
    form = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {"name": "签收单", "fields": [{"key": "sign", "label": "签收人签名", "type": "signature"}]},
    )
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, site)
        page.goto(f"{site.url}/apps/{app['id']}/forms/{form['id']}/records/new")
        pad = page.get_by_test_id("signature-pad")
        pad.wait_for()
        box = pad.bounding_box()
        cdp = context.new_cdp_session(page)
        x, y = box["x"] + 40, box["y"] + 60

        def touch(kind: str, px: float, py: float) -> None:
            points = [] if kind == "touchEnd" else [{"x": px, "y": py}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        touch("touchStart", x, y)
        for i in range(1, 30):
            touch("touchMove", x + i * 8, y + (i % 5) * 8)
        touch("touchEnd", 0, 0)
        assert page.evaluate("() => window.scrollY") == 0  # the stroke did not scroll
        page.get_by_test_id("signature-confirm").click()
        page.get_by_test_id("signature-image").wait_for()
        page.get_by_test_id("record-save").click()
        page.wait_for_url(re.compile(rf"/forms/{form['id']}/records/\d+$"))
        record_id = int(page.url.rstrip("/").split("/")[-1])
        saved = site.call("GET", f"/forms/{form['id']}/records/{record_id}")
        (sign,) = saved["data"]["sign"]
        png = Image.open(BytesIO(site.http.get(f"/files/{sign['id']}").content)).convert("LA")
        assert any(a > 0 and lum < 128 for lum, a in png.get_flattened_data())
    finally:
        context.close()


def test_attachments_list_names_and_sizes(new_page: Any, site: Site, tmp_path: Path) -> None:
    app = site.call("POST", "/apps", {"name": "合同"})
    form = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {
            "name": "合同登记",
            "fields": [
                {"key": "title", "label": "合同名称", "type": "text"},
                {
                    "key": "docs",
                    "label": "合同文件",
                    "type": "attachment",
                    "settings": {"accept": ["pdf", "text"]},
                },
            ],
        },
    )
    pdf = tmp_path / "采购合同.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"% body\n" * 3000)
    fake = tmp_path / "报价.pdf"
    fake.write_bytes(b"PK\x03\x04" + b"\0" * 100)  # a zip named .pdf
    page = new_page(locale="en")
    log_in(page, site)
    page.goto(f"{site.url}/apps/{app['id']}/forms/{form['id']}/records/new")
    field(page, "field-title").fill("2026 采购")
    picker = page.get_by_test_id("files-docs").locator("input[type=file]")
    picker.set_input_files([str(pdf)])
    item = page.get_by_test_id("file-item")
    item.first.wait_for()
    assert "采购合同.pdf" in item.first.inner_text() and "20.5 KB" in item.first.inner_text()
    picker.set_input_files([str(fake)])
    page.get_by_text("does not match its extension").first.wait_for()
    shot(page, "files-07-attachments-en")
    assert item.count() == 1
    page.get_by_test_id("record-save").click()
    page.wait_for_url(re.compile(rf"/forms/{form['id']}/records/\d+$"))
    link = page.get_by_test_id("file-value-link")
    link.first.wait_for()
    assert link.first.inner_text() == "采购合同.pdf"
    assert link.first.get_attribute("href").startswith("/api/v1/files/")
