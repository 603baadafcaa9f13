"""Importing users and departments from Excel: the template, a preview that lists every
problem by row and column, and an import that writes all rows or none."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from qiao.db import schema
from qiao.runtime import Runtime
from tests.conftest import Api

XLSX = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def sheet(*rows: list[Any]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(api: Api, content: bytes, dry_run: bool = True, locale: str = "zh-CN") -> Any:
    return api.post(
        "/org/import",
        content=content,
        params={"dry_run": str(dry_run).lower()},
        headers={**XLSX, "Accept-Language": locale},
    )


def counts(rt: Runtime) -> tuple[int, int, int]:
    with rt.db.read() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (schema.users, schema.departments, schema.roles)
        )


HEADER = ["用户名", "姓名", "邮箱", "手机", "部门", "主部门", "角色", "上级", "管理员", "初始密码"]


def test_template_downloads_and_imports_as_is(api: Api, rt: Runtime) -> None:
    response = api.get("/org/import/template")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(XLSX["Content-Type"])
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == HEADER
    assert book.sheetnames[1] == "说明"
    en = api.get("/org/import/template", headers={"Accept-Language": "en"})
    assert load_workbook(io.BytesIO(en.content)).worksheets[0]["A1"].value == "Username"
    # the template's example rows are a valid import
    preview = api.ok(upload(api, response.content))
    assert preview["ok"] is True, preview["errors"]
    assert preview["create_users"] == 2
    assert preview["create_departments"] == ["销售部", "销售部/华东区", "市场部"]


def test_import_creates_departments_roles_users_and_invites(api: Api, rt: Runtime) -> None:
    content = sheet(
        HEADER,
        [
            "zhang.san",
            "张三",
            "zs@example.com",
            13800138000,
            "销售部/华东区",
            "",
            "销售",
            "li.si",
            "否",
            "",
        ],
        [
            "li.si",
            "李四",
            "",
            "",
            "销售部，市场部",
            "市场部",
            "销售, 经理",
            "",
            "是",
            "init-pass-1",
        ],
        [None] * 10,  # blank rows are skipped
    )
    preview = api.ok(upload(api, content))
    assert preview["ok"] is True and preview["errors"] == []
    assert (preview["create_users"], preview["update_users"]) == (2, 0)
    assert preview["create_roles"] == ["销售", "经理"]
    assert counts(rt) == (1, 0, 0)  # a preview writes nothing

    result = api.ok(upload(api, content, dry_run=False))
    assert (result["created"], result["updated"]) == (2, 0)
    assert [i["username"] for i in result["invites"]] == ["zhang.san"]
    assert result["invites"][0]["invite_path"].startswith("/invite/")
    people = {u["username"]: u for u in api.ok(api.get("/users"))["items"]}
    zs, ls = people["zhang.san"], people["li.si"]
    assert zs["phone"] == "13800138000" and zs["main_department"] == "华东区"
    assert zs["supervisor_id"] == ls["id"] and zs["invite_pending"] is True
    assert ls["is_admin"] is True and ls["main_department"] == "市场部"
    assert len(ls["departments"]) == 2 and len(ls["role_ids"]) == 2
    assert ls["must_change_password"] is True
    login = api.client.post(
        "/api/v1/auth/login", json={"username": "li.si", "password": "init-pass-1"}
    )
    assert login.status_code == 200
    tree = api.ok(api.get("/departments"))["items"]
    assert [(n["name"], [c["name"] for c in n["children"]]) for n in tree] == [
        ("销售部", ["华东区"]),
        ("市场部", []),
    ]

    # a second import updates: blank cells keep values, listed ones replace
    again = sheet(["Username", "Name", "Phone"], ["ZHANG.SAN", "张三丰", ""])
    assert api.ok(upload(api, again, dry_run=False))["updated"] == 1
    zs = api.ok(api.get(f"/users/{zs['id']}"))
    assert (zs["display_name"], zs["phone"], zs["main_department"]) == (
        "张三丰",
        "13800138000",
        "华东区",
    )


def test_preview_lists_every_problem_by_row_and_column(api: Api, rt: Runtime) -> None:
    api.ok(api.post("/users", {"username": "boss", "password": "pass-word-1"}), 201)
    content = sheet(
        HEADER,
        ["ok.user", "好人", "", "", "销售部", "", "", "boss", "", ""],  # row 2: fine
        [
            "bad name",
            "",
            "not-an-email",
            "abc",
            "销售部//华东",
            "市场部",
            "",
            "nobody",
            "也许",
            "short",
        ],
        ["ok.user", "", "", "", "", "", "", "", "", ""],  # row 4: duplicate
        ["", "无名", "", "", "", "", "", "", "", ""],  # row 5: no username
        ["a1", "", "", "", "", "", "", "a2", "", ""],  # rows 6/7: a cycle
        ["a2", "", "", "", "", "", "", "a1", "", ""],
        ["self", "", "", "", "", "", "", "self", "", ""],  # row 8: own supervisor
    )
    preview = api.ok(upload(api, content))
    assert preview["ok"] is False
    got = [(e["row"], e["column"], e["code"]) for e in preview["errors"]]
    assert got == [
        (3, "用户名", "invalid_username"),
        (3, "邮箱", "org_invalid_email"),
        (3, "手机", "org_invalid_phone"),
        (3, "部门", "import_department_invalid"),
        (3, "主部门", "import_main_not_listed"),
        (3, "上级", "import_supervisor_unknown"),
        (3, "管理员", "import_bool_invalid"),
        (3, "初始密码", "password_too_short"),
        (3, "初始密码", "password_needs_letters_and_digits"),
        (4, "用户名", "import_duplicate_username"),
        (5, "用户名", "import_value_required"),
        (6, "上级", "supervisor_cycle"),
        (7, "上级", "supervisor_cycle"),
        (8, "上级", "supervisor_cycle"),
    ]
    messages = {(e["row"], e["field"]): e["message"] for e in preview["errors"]}
    assert "第 2 行" in messages[(4, "username")]
    assert "也许" in messages[(3, "is_admin")]
    en = api.ok(upload(api, content, locale="en"))
    assert "row 2" in {(e["row"], e["field"]): e["message"] for e in en["errors"]}[(4, "username")]

    # the import itself refuses everything: no row 2 user, no 销售部
    before = counts(rt)
    response = upload(api, content, dry_run=False)
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "import_has_errors" and "14" in body["message"]
    assert ("rows[3].email", "org_invalid_email") in [
        (d["field"], d["code"]) for d in body["details"]
    ]
    assert counts(rt) == before


def test_all_or_nothing_when_a_late_row_fails_in_the_database(api: Api, rt: Runtime) -> None:
    """A problem only the write finds (here: a department name clash created by the
    sheet itself is fine, but a too-deep path is not) rolls back every earlier row."""
    deep = "/".join(f"L{i}" for i in range(25))
    content = sheet(["用户名", "部门"], ["first", "销售部"], ["second", deep])
    preview = api.ok(upload(api, content))
    assert [(e["row"], e["code"]) for e in preview["errors"]] == [(3, "department_too_deep")]
    before = counts(rt)
    assert upload(api, content, dry_run=False).status_code == 422
    assert counts(rt) == before


def test_bad_files(api: Api, make_user: Any) -> None:
    for content, code in [
        (b"", "import_file_invalid"),
        (b"not a spreadsheet", "import_file_invalid"),
        (sheet(["姓名", "邮箱"], ["张三", "a@b.cn"]), "import_column_missing"),
    ]:
        response = upload(api, content)
        assert response.status_code == 422, content[:20]
        details = response.json()["error"]["details"]
        assert [(d["field"], d["code"]) for d in details] == [("file", code)]
    worker = make_user("worker")
    assert upload(worker, sheet(HEADER)).status_code == 403
