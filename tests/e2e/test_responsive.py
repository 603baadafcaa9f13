"""A phone (390×844): the navigation is a drawer, the table view is a card list and
the record form is one column."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import PHONE, Site, field, log_in, shot

pytestmark = pytest.mark.e2e


def test_phone_cards_and_one_column_form(new_page: Any, site: Site) -> None:
    app = site.call("POST", "/apps", {"name": "外勤"})
    form = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {
            "name": "拜访",
            "fields": [
                {"key": "customer", "label": "客户", "type": "text", "required": True},
                {"key": "visited_on", "label": "日期", "type": "date"},
                {
                    "key": "result",
                    "label": "结果",
                    "type": "select",
                    "settings": {"choices": ["成交", "跟进"]},
                },
            ],
        },
    )
    # the designer's layout puts customer and date side by side
    drafts = [
        {
            k: f[k]
            for k in ("id", "key", "label", "type", "required", "unique", "indexed", "settings")
        }
        | {"ref": f["key"]}
        for f in form["fields"]
    ]
    row = [
        {"kind": "field", "ref": "customer", "span": 12},
        {"kind": "field", "ref": "visited_on", "span": 12},
    ]
    layout = [{"items": row}, {"items": [{"kind": "field", "ref": "result", "span": 24}]}]
    site.call("POST", f"/forms/{form['id']}/publish", {"fields": drafts, "layout": layout})
    record = site.call(
        "POST", f"/forms/{form['id']}/records", {"data": {"customer": "华为", "result": "成交"}}
    )
    page = new_page(viewport=PHONE)
    log_in(page, site)
    page.goto(f"{site.url}/apps/{app['id']}/forms/{form['id']}")
    page.get_by_test_id(f"card-{record['id']}").wait_for()
    assert page.get_by_test_id("table").count() == 0
    shot(page, "phone-card-list-zh")
    page.get_by_test_id("new-record").first.click()
    name, date = field(page, "field-customer"), field(page, "field-visited_on")
    name.wait_for()
    # one column: the fields sit under each other and use the whole width
    a, b = name.bounding_box(), date.bounding_box()
    assert b["y"] > a["y"] + a["height"]
    assert a["width"] > PHONE["width"] * 0.7
    shot(page, "phone-record-form-zh")
