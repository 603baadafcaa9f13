"""Permissions in the browser (issue 4): an administrator sets up, on the 组织架构 page,
two sales departments, the roles "销售" and "销售经理" and four members created with a
password (王经理 the manager of 销售一部); a 客户 form with a phone field and customers
owned by different salespeople come through the API. In the web app the administrator
then replaces the form's default group with "销售：本人数据，手机号脱敏" for the role and
"销售经理：本部门数据" for the managers. A salesperson logs in and sees only their own
customers with masked phones and no delete button; their manager sees the department's
customers (not the other department's) and may unmask a phone on the record page, which
the audit log records.

Screenshots (zh-CN, en, phone 390×844) land in ``test-artifacts/screenshots/perm-*.png``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import PHONE, Site, field, log_in, shot

pytestmark = pytest.mark.e2e

PASSWORD = "Sales-pass-2024"  # given by the administrator, to be changed at first login
OWN_PASSWORD = "Own-sales-pass-2025"


def _first_log_in(page: Any, site: Site, username: str, screenshot: str | None = None) -> None:
    """A member created with a password must choose their own before anything else."""
    page.goto(f"{site.url}/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[type=password]").fill(PASSWORD)
    page.locator("input[type=password]").press("Enter")
    page.wait_for_url("**/change-password")
    field(page, "current-password").fill(PASSWORD)
    field(page, "new-password").fill(OWN_PASSWORD)
    field(page, "confirm-password").fill(OWN_PASSWORD)
    if screenshot:
        shot(page, screenshot)
    page.get_by_test_id("change-password").click()
    page.wait_for_url(f"{site.url}/")


def _select(page: Any, select_test_id: str, labels: list[str], dialog: str) -> None:
    """Choose options of an Element Plus select (its dropdown lives in <body>), then close
    the dropdown by clicking the dialog's title (Escape would close the dialog too)."""
    page.get_by_test_id(select_test_id).click()
    dropdown = page.locator(".el-select-dropdown:visible")
    for label in labels:
        dropdown.locator(".el-select-dropdown__item").get_by_text(label, exact=True).click()
    page.locator(f"{dialog} .el-dialog__title").click()
    dropdown.wait_for(state="hidden")


def _add_department(page: Any, name: str) -> None:
    page.get_by_test_id("dept-add-root").click()
    field(page, "dept-name").fill(name)
    page.get_by_test_id("dept-save").click()
    page.get_by_test_id(f"dept-node-{name}").wait_for()


def _add_role(page: Any, name: str) -> None:
    page.get_by_test_id("role-add").click()
    field(page, "role-name").fill(name)
    page.get_by_test_id("role-save").click()
    page.get_by_test_id(f"role-{name}").wait_for()


def _add_user(page: Any, username: str, name: str, department: str, role: str) -> None:
    """A member of ``department`` (selected in the tree, so the dialog starts with it),
    created with a password, holding ``role``."""
    page.get_by_test_id(f"dept-node-{department}").click()
    page.get_by_test_id("user-add").click()
    dialog = page.locator(".user-dialog")
    dialog.wait_for()
    assert department in dialog.get_by_test_id("user-departments").inner_text()
    field(page, "user-username").fill(username)
    field(page, "user-display-name").fill(name)
    _select(page, "user-roles", [role], ".user-dialog")
    page.get_by_test_id("user-mode-password").click()
    field(page, "user-password").fill(PASSWORD)
    page.get_by_test_id("user-save").click()
    dialog.wait_for(state="hidden")
    page.get_by_test_id(f"user-row-{username}").wait_for()


def _set_up_organisation(page: Any, site: Site) -> dict[str, Any]:
    """The administrator builds the organisation on 管理后台 → 组织架构: two departments,
    the roles 销售 and 销售经理, four members created with a password, and 王经理 as the
    manager of 销售一部."""
    page.get_by_test_id("admin-menu").click()
    page.get_by_test_id("admin-org").click()
    page.wait_for_url("**/admin/org")
    _add_department(page, "销售一部")
    _add_department(page, "销售二部")

    page.get_by_role("tab", name="角色").click()
    _add_role(page, "销售")
    _add_role(page, "销售经理")

    page.get_by_role("tab", name="部门与成员").click()
    for username, name, dept, role in [
        ("zhangsan", "张三", "销售一部", "销售"),
        ("lisi", "李四", "销售一部", "销售"),
        ("zhaoliu", "赵六", "销售二部", "销售"),
        ("wangjl", "王经理", "销售一部", "销售经理"),
    ]:
        _add_user(page, username, name, dept, role)

    page.get_by_test_id("dept-menu-销售一部").click()
    page.locator(".el-dropdown-menu:visible [data-test=dept-managers]").click()
    _select(
        page,
        "dept-manager-select",
        ["王经理 (wangjl)"],
        ".el-dialog:has([data-test=dept-manager-select])",
    )
    page.get_by_test_id("dept-save").click()
    page.get_by_test_id("dept-manager-select").wait_for(state="hidden")
    page.get_by_test_id("dept-node-销售一部").click()
    page.get_by_test_id("user-row-wangjl").wait_for()
    table = page.get_by_test_id("user-table")
    table.get_by_text("（负责人）").wait_for()  # the list reloads with the manager flag
    assert "赵六" not in table.inner_text()
    shot(page, "perm-00-org-members-zh")

    # the API agrees with what the page shows
    users = {u["username"]: u for u in site.call("GET", "/users?limit=100")["items"]}
    roles = {r["name"]: r for r in site.call("GET", "/roles")["items"]}
    tree = {d["name"]: d for d in site.call("GET", "/departments")["items"]}
    assert {"销售一部", "销售二部"} <= set(tree)
    ids = {name: users[name]["id"] for name in ["zhangsan", "lisi", "zhaoliu", "wangjl"]}
    assert sorted(roles["销售"]["member_ids"]) == sorted(
        [ids["zhangsan"], ids["lisi"], ids["zhaoliu"]]
    )
    assert roles["销售经理"]["member_ids"] == [ids["wangjl"]]
    assert tree["销售一部"]["manager_ids"] == [ids["wangjl"]]
    assert users["zhaoliu"]["main_department"] == "销售二部"
    assert users["zhangsan"]["main_department"] == "销售一部"
    assert all(users[name]["has_password"] for name in ids)
    return {"users": ids, "sales": roles["销售"]["id"], "managers": roles["销售经理"]["id"]}


def _customers(site: Site, users: dict[str, int]) -> dict[str, Any]:
    """The 客户 form and four customers owned by different salespeople (through the API)."""
    app = site.call("POST", "/apps", {"name": "客户管理"})
    form = site.call(
        "POST",
        f"/apps/{app['id']}/forms",
        {
            "name": "客户",
            "fields": [
                {"key": "name", "label": "客户名称", "type": "text", "required": True},
                {"key": "phone", "label": "手机号", "type": "phone"},
                {"key": "notes", "label": "备注", "type": "textarea"},
            ],
        },
    )
    records = {}
    for name, phone, owner in [
        ("华为", "13812341234", "zhangsan"),
        ("小米", "13900005678", "zhangsan"),
        ("腾讯", "13711112222", "lisi"),
        ("阿里", "13633334444", "zhaoliu"),
    ]:
        created = site.call(
            "POST",
            f"/forms/{form['id']}/records",
            {"data": {"name": name, "phone": phone}, "owner": users[owner]},
        )
        records[name] = created["id"]
    return {"app": app["id"], "form": form["id"], "records": records}


def _pick(page: Any, select_test_id: str, option_test_id: str, search: str) -> None:
    page.get_by_test_id(select_test_id).click()
    page.keyboard.type(search)
    option = page.locator(f'li[data-test="{option_test_id}"]')
    option.click()
    page.locator(".perm-group-dialog .el-dialog__title").click()
    option.wait_for(state="hidden")  # a click must not land on the closing dropdown


def _add_group(
    page: Any,
    name: str,
    role_id: int,
    role: str,
    ops: list[str],
    scope: str,
    unmask: bool,
    screenshot: str | None = None,
) -> None:
    page.get_by_test_id("perm-add").click()
    dialog = page.locator(".perm-group-dialog")
    dialog.wait_for()
    field(page, "perm-name").fill(name)
    _pick(page, "perm-members", f"perm-member-role-{role_id}", role)
    operations = dialog.get_by_test_id("perm-operations")
    # a new group starts with view / create / edit
    for label in ["查看", "新增", "编辑", "删除", "导入", "导出", "管理"]:
        checkbox = operations.locator(".el-checkbox", has_text=label).first
        checked = "is-checked" in (checkbox.get_attribute("class") or "")
        if checked != (label in ops):
            checkbox.click()
    dialog.get_by_test_id("perm-scope").get_by_text(scope, exact=True).click()
    phone_row = dialog.get_by_test_id("perm-field-phone")
    phone_row.get_by_text("只读", exact=True).click()
    boxes = phone_row.locator(".el-checkbox")
    boxes.nth(0).click()  # 脱敏
    if unmask:
        boxes.nth(1).click()  # 可查看明文
    dialog.get_by_test_id("perm-field-notes").get_by_text("隐藏", exact=True).click()
    if screenshot:
        shot(page, screenshot)
    dialog.get_by_test_id("perm-save").click()
    page.locator(".group-card", has_text=name).wait_for()


def test_salesperson_sees_own_customers_masked_manager_sees_department(
    new_page: Any, site: Site
) -> None:
    # ----- the administrator sets up the organisation and the groups in the web app ------
    page = new_page()
    log_in(page, site)
    s = _set_up_organisation(page, site)
    s.update(_customers(site, s["users"]))
    form_id, app_id = s["form"], s["app"]
    page.goto(f"{site.url}/apps/{app_id}/forms/{form_id}")
    nav_item = page.locator(f'.nav-item[data-form-id="{form_id}"]')
    nav_item.hover()
    nav_item.locator(".more").click()
    page.get_by_test_id(f"form-permissions-{form_id}").click()
    page.wait_for_url(f"**/forms/{form_id}/permissions")
    page.get_by_test_id("perm-page").get_by_text("全体成员：本人数据").wait_for()
    # a new form lets every member work on their own records: replace that group
    while page.locator("[data-test^=perm-delete-]").count():
        page.locator("[data-test^=perm-delete-]").first.click()
        page.locator(".el-message-box").get_by_role("button", name="删除").click()
        page.get_by_text("已删除权限组").first.wait_for()
        page.locator(".el-message-box").wait_for(state="hidden")
    page.get_by_test_id("perm-empty").wait_for()

    _add_group(
        page,
        "销售：本人数据，手机号脱敏",
        s["sales"],
        "销售",
        ["查看", "新增", "编辑"],
        "本人数据（负责人或创建人）",
        unmask=False,
        screenshot="perm-01-group-editor-zh",
    )
    _add_group(
        page,
        "销售经理：本部门数据",
        s["managers"],
        "销售经理",
        ["查看", "新增", "编辑", "删除", "导出"],
        "本部门",
        unmask=True,
    )
    page.locator(".perm-group-dialog").wait_for(state="hidden")
    shot(page, "perm-02-groups-zh")

    groups = site.call("GET", f"/forms/{form_id}/permission-groups")["items"]
    by_name = {g["name"]: g for g in groups}
    assert set(by_name) == {"销售：本人数据，手机号脱敏", "销售经理：本部门数据"}
    sales_group = by_name["销售：本人数据，手机号脱敏"]
    assert sales_group["operations"] == ["view", "create", "edit"]
    assert sales_group["scope"] == "own"
    assert sales_group["members"] == [{"type": "role", "id": s["sales"], "name": "销售"}]
    assert sales_group["fields"]["phone"] == {"access": "read", "mask": True, "unmask": False}
    assert sales_group["fields"]["notes"]["access"] == "hidden"
    # the same editor in English on a phone, reached from the data view's toolbar
    phone_admin = new_page(locale="en", viewport=PHONE)
    log_in(phone_admin, site)
    phone_admin.goto(f"{site.url}/apps/{app_id}/forms/{form_id}")
    phone_admin.get_by_test_id("form-permissions").click()
    phone_admin.get_by_test_id(f"perm-edit-{by_name['销售：本人数据，手机号脱敏']['id']}").click()
    editor = phone_admin.locator(".perm-group-dialog")
    editor.get_by_text("Own records (owner or creator)").wait_for()
    phone_rule = editor.get_by_test_id("perm-field-phone")
    phone_rule.locator(".el-checkbox.is-checked").first.wait_for()  # the group's rule is loaded
    assert phone_rule.locator(".el-checkbox.is-checked").count() == 1  # masked, not unmaskable
    shot(phone_admin, "perm-08-group-editor-phone-en")
    editor.get_by_test_id("perm-field-phone").scroll_into_view_if_needed()
    shot(phone_admin, "perm-09-field-rules-phone-en")

    manager_group = by_name["销售经理：本部门数据"]
    assert manager_group["scope"] == "department"
    assert manager_group["operations"] == ["view", "create", "edit", "delete", "export"]
    assert manager_group["members"] == [{"type": "role", "id": s["managers"], "name": "销售经理"}]
    assert manager_group["fields"]["phone"] == {"access": "read", "mask": True, "unmask": True}

    # ----- a salesperson: own customers only, phones masked ------------------------------
    sales = new_page()
    _first_log_in(sales, site, "zhangsan", "perm-00-first-login-zh")
    sales.goto(f"{site.url}/apps/{app_id}/forms/{form_id}")
    table = sales.get_by_test_id("table")
    table.get_by_text("华为").wait_for()
    expect_rows(table, {"华为", "小米"}, {"腾讯", "阿里"})
    assert table.get_by_text("138****1234").count() == 1
    assert "13812341234" not in table.inner_text()
    assert "备注" not in table.inner_text()  # a hidden field has no column
    assert sales.get_by_test_id("new-record").is_visible()
    assert sales.get_by_test_id("form-permissions").count() == 0
    assert sales.get_by_test_id("new-form").count() == 0
    sales.get_by_test_id("total-count").get_by_text("2").wait_for()
    shot(sales, "perm-03-sales-list-zh")
    # no delete for them; the phone is read-only and masked, without an eye
    sales.goto(f"{site.url}/apps/{app_id}/forms/{form_id}/records/{s['records']['华为']}")
    sales.get_by_test_id("masked-phone").get_by_text("138****1234").wait_for()
    assert sales.get_by_test_id("unmask-phone").count() == 0
    assert sales.get_by_test_id("record-delete").count() == 0
    assert sales.get_by_test_id("record-edit").is_visible()
    # a record of another salesperson is not there at all
    sales.goto(f"{site.url}/apps/{app_id}/forms/{form_id}/records/{s['records']['腾讯']}")
    sales.get_by_test_id("record-not-found").wait_for()

    # the same in English, and on a phone
    sales_en = new_page(locale="en")
    log_in(sales_en, site, "zhangsan", OWN_PASSWORD)
    sales_en.goto(f"{site.url}/apps/{app_id}/forms/{form_id}")
    sales_en.get_by_test_id("table").get_by_text("138****1234").wait_for()
    sales_en.get_by_test_id("total-count").get_by_text(re.compile("2")).wait_for()
    shot(sales_en, "perm-04-sales-list-en")
    sales_phone = new_page(viewport=PHONE)
    log_in(sales_phone, site, "zhangsan", OWN_PASSWORD)
    sales_phone.goto(f"{site.url}/apps/{app_id}/forms/{form_id}")
    sales_phone.get_by_test_id(f"card-{s['records']['华为']}").wait_for()
    assert sales_phone.get_by_test_id(f"card-{s['records']['腾讯']}").count() == 0
    shot(sales_phone, "perm-05-sales-phone-zh")

    # ----- their manager: the department's customers, may unmask -------------------------
    manager = new_page()
    _first_log_in(manager, site, "wangjl")
    manager.goto(f"{site.url}/apps/{app_id}/forms/{form_id}")
    table = manager.get_by_test_id("table")
    table.get_by_text("腾讯").wait_for()
    expect_rows(table, {"华为", "小米", "腾讯"}, {"阿里"})
    assert "13711112222" not in table.inner_text()
    shot(manager, "perm-06-manager-list-zh")
    manager.goto(f"{site.url}/apps/{app_id}/forms/{form_id}/records/{s['records']['腾讯']}")
    masked = manager.get_by_test_id("masked-phone")
    masked.get_by_text("137****2222").wait_for()
    manager.get_by_test_id("unmask-phone").click()
    masked.get_by_text("13711112222").wait_for()
    assert manager.get_by_test_id("record-delete").is_visible()
    shot(manager, "perm-07-manager-unmasked-zh")

    # the look at the plain phone number is on the record, in the audit log
    entries = site.call("GET", f"/audit?action=record_unmask&form_id={form_id}")["items"]
    assert [(e["username"], e["record_id"], e["form_id"]) for e in entries] == [
        ("wangjl", s["records"]["腾讯"], form_id)
    ]
    assert entries[0]["details"]["fields"] == ["phone"]


def expect_rows(table: Any, present: set[str], absent: set[str]) -> None:
    text = table.inner_text()
    for name in present:
        assert name in text, (name, text)
    for name in absent:
        assert name not in text, (name, text)
