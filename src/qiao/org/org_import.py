"""Import users and departments from an Excel sheet (.xlsx).

One row per user; columns are recognised by their Chinese or English header (用户名 /
username, 姓名 / name, 邮箱, 手机, 部门 (paths like "销售部/华东区", several separated by
commas), 主部门, 角色, 上级 (a username), 管理员, 初始密码). Missing departments and
roles are created. A user that already exists is updated, and a blank cell leaves that
value as it is. A new user without a password is invited (the result lists the links).

``preview`` checks every row and lists every problem by row and column without writing;
``run`` does the same checks and then writes everything in the caller's transaction, or
nothing at all when any row has a problem.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import ErrorDetail, ValidationFailed
from qiao.i18n import translate
from qiao.org import departments, password_policy, roles, users

MAX_ROWS = 5000
MAX_DEPTH = departments.MAX_DEPTH

#: field -> (zh-CN header, en header, other accepted spellings)
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "username": ("用户名", "Username", ("账号", "登录名", "login")),
    "display_name": ("姓名", "Name", ("显示名", "display name", "displayname")),
    "email": ("邮箱", "Email", ("电子邮箱", "e-mail", "mail")),
    "phone": ("手机", "Phone", ("手机号", "电话", "mobile")),
    "departments": ("部门", "Departments", ("department", "所属部门")),
    "main_department": ("主部门", "Main department", ("maindepartment",)),
    "roles": ("角色", "Roles", ("role",)),
    "supervisor": ("上级", "Supervisor", ("直属上级", "汇报对象")),
    "is_admin": ("管理员", "Admin", ("is_admin", "isadmin", "administrator", "是否管理员")),
    "password": ("初始密码", "Password", ("密码", "initial password")),
}
_SPLIT = re.compile(r"[,，;；\n]+")
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
_FALSE = {"否", "n", "no", "false", "0", ""}


def _key(header: str) -> str:
    return re.sub(r"[\s_]+", "", header.strip().lower())


_ALIASES = {_key(name): f for f, (zh, en, more) in COLUMNS.items() for name in (zh, en, f, *more)}


@dataclass
class Row:
    number: int  # the sheet's row number
    cells: dict[str, str]
    username: str = ""
    departments: list[tuple[str, ...]] = field(default_factory=list)
    main: tuple[str, ...] | None = None
    roles: list[str] = field(default_factory=list)
    is_admin: bool | None = None
    email: str | None = None
    phone: str | None = None


@dataclass
class Plan:
    rows: list[Row]
    headers: dict[str, str]  # field -> the header as written in the sheet
    errors: list[tuple[int, str, ErrorDetail]] = field(default_factory=list)
    existing: dict[str, int] = field(default_factory=dict)
    new_departments: list[str] = field(default_factory=list)
    new_roles: list[str] = field(default_factory=list)

    def note_error(self, row: Row, column: str, code: str, **params: Any) -> None:
        self.errors.append((row.number, column, ErrorDetail(column, code, params)))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed as a number
    return str(value).strip()


def read_sheet(content: bytes) -> tuple[dict[str, str], list[Row]]:
    """The recognised columns (field -> header) and the non-blank rows of the first sheet."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationFailed(details=[ErrorDetail("file", "import_file_invalid")]) from exc
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header_row = next(lines, None) or ()
        columns: dict[int, str] = {}
        headers: dict[str, str] = {}
        for index, value in enumerate(header_row):
            name = _text(value)
            f = _ALIASES.get(_key(name)) if name else None
            if f and f not in headers:
                columns[index] = f
                headers[f] = name
        if "username" not in headers:
            raise ValidationFailed(
                details=[
                    ErrorDetail("file", "import_column_missing", {"column": "用户名 / Username"})
                ]
            )
        rows: list[Row] = []
        for number, values in enumerate(lines, start=2):
            cells = {f: _text(values[i]) for i, f in columns.items() if i < len(values)}
            if not any(cells.values()):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationFailed(
                    details=[ErrorDetail("file", "import_too_many_rows", {"max": MAX_ROWS})]
                )
            rows.append(Row(number, cells))
        return headers, rows
    finally:
        book.close()


def _path(text: str) -> tuple[str, ...] | None:
    parts = tuple(p.strip() for p in re.split(r"[/／]", text))
    if not parts or any(not p or len(p) > departments.NAME_MAX for p in parts):
        return None
    return parts


def _check_row(
    plan: Plan, row: Row, known_roles: set[str], policy: password_policy.PasswordPolicy
) -> None:
    c = row.cells
    row.username = users.normalize_username(c.get("username", ""))
    if not row.username:
        plan.note_error(row, "username", "import_value_required")
    elif not re.fullmatch(r"[a-z0-9._-]{2,64}", row.username):
        plan.note_error(row, "username", "invalid_username")
    if len(c.get("display_name", "")) > 128:
        plan.note_error(row, "display_name", "display_name_invalid")
    for name, clean in (("email", users.clean_email), ("phone", users.clean_phone)):
        try:
            setattr(row, name, clean(c.get(name), name))
        except ValidationFailed as exc:
            plan.note_error(row, name, exc.details[0].code)
    for text in _SPLIT.split(c.get("departments", "")):
        if not text.strip():
            continue
        path = _path(text)
        if path is None:
            plan.note_error(row, "departments", "import_department_invalid", value=text.strip())
        elif len(path) > MAX_DEPTH:
            plan.note_error(row, "departments", "department_too_deep", max=MAX_DEPTH)
        elif path not in row.departments:
            row.departments.append(path)
    if main := c.get("main_department", ""):
        row.main = _path(main)
        if row.main is None or row.main not in row.departments:
            plan.note_error(row, "main_department", "import_main_not_listed", value=main)
    for name in _SPLIT.split(c.get("roles", "")):
        name = name.strip()
        if not name:
            continue
        if len(name) > 128:
            plan.note_error(row, "roles", "import_role_invalid", value=name[:20])
        elif name not in row.roles:
            row.roles.append(name)
            if name not in known_roles and name not in plan.new_roles:
                plan.new_roles.append(name)
    flag = c.get("is_admin", "").lower()
    if flag in _TRUE:
        row.is_admin = True
    elif flag and flag not in _FALSE:
        plan.note_error(row, "is_admin", "import_bool_invalid", value=c.get("is_admin"))
    elif flag:
        row.is_admin = False
    if password := c.get("password", ""):
        for detail in password_policy.problems(policy, password, username=row.username):
            plan.note_error(row, "password", detail.code, **detail.params)


def plan_import(conn: Connection, content: bytes) -> Plan:
    headers, rows = read_sheet(content)
    plan = Plan(rows, headers)
    u = schema.users
    existing = {
        r.username: (r.id, r.supervisor_id)
        for r in conn.execute(sa.select(u.c.id, u.c.username, u.c.supervisor_id))
    }
    plan.existing = {name: uid for name, (uid, _) in existing.items()}
    known_roles = set(conn.execute(sa.select(schema.roles.c.name)).scalars())
    known_paths = set(departments.full_names(conn).values())
    policy = password_policy.load(conn)
    seen: dict[str, int] = {}
    for row in rows:
        _check_row(plan, row, known_roles, policy)
        if row.username:
            if row.username in seen:
                plan.note_error(
                    row, "username", "import_duplicate_username", first=seen[row.username]
                )
            else:
                seen[row.username] = row.number
        for path in row.departments:
            for depth in range(1, len(path) + 1):
                prefix = "/".join(path[:depth])
                if prefix not in known_paths and prefix not in plan.new_departments:
                    plan.new_departments.append(prefix)
    # supervisors: a known username, not oneself, and no cycle once everything is applied
    by_id = {uid: name for name, (uid, _) in existing.items()}
    boss = {name: by_id.get(sup) for name, (_, sup) in existing.items() if sup is not None}
    for row in rows:
        sup = users.normalize_username(row.cells.get("supervisor", ""))
        if not sup or not row.username:
            continue
        if sup == row.username:
            plan.note_error(row, "supervisor", "supervisor_cycle")
        elif sup not in seen and sup not in existing:
            plan.note_error(row, "supervisor", "import_supervisor_unknown", value=sup)
        else:
            boss[row.username] = sup
    for row in rows:
        flagged = any(n == row.number and c == "supervisor" for n, c, _ in plan.errors)
        if row.cells.get("supervisor") and not flagged and _in_cycle(boss, row.username):
            plan.note_error(row, "supervisor", "supervisor_cycle")
    return plan


def _in_cycle(boss: dict[str, str | None], start: str) -> bool:
    seen = {start}
    current = boss.get(start)
    while current is not None:
        if current in seen:
            return current == start
        seen.add(current)
        current = boss.get(current)
    return False


def _ordered(plan: Plan) -> list[tuple[int, str, ErrorDetail]]:
    """Problems by row, then in the order of the template's columns."""
    order = list(COLUMNS)
    return sorted(plan.errors, key=lambda e: (e[0], order.index(e[1])))


def _errors(plan: Plan, locale: str) -> list[dict[str, Any]]:
    out = []
    for number, column, detail in _ordered(plan):
        header = plan.headers.get(column) or COLUMNS[column][0 if locale == "zh-CN" else 1]
        out.append(
            {
                "row": number,
                "column": header,
                "field": column,
                "code": detail.code,
                "message": translate(detail.code, locale, {"label": header, **detail.params}),
            }
        )
    return out


def _summary(plan: Plan) -> dict[str, Any]:
    new = sum(1 for r in plan.rows if r.username and r.username not in plan.existing)
    return {
        "rows": len(plan.rows),
        "columns": list(plan.headers),
        "create_users": new,
        "update_users": len(plan.rows) - new,
        "create_departments": plan.new_departments,
        "create_roles": plan.new_roles,
    }


def preview(conn: Connection, ctx: Ctx, content: bytes) -> dict[str, Any]:
    """Every problem of the sheet, and what an import would create and update."""
    plan = plan_import(conn, content)
    return {**_summary(plan), "errors": _errors(plan, ctx.locale), "ok": not plan.errors}


def run(conn: Connection, ctx: Ctx, content: bytes) -> dict[str, Any]:
    """Import the sheet in the caller's transaction; any problem refuses all of it."""
    plan = plan_import(conn, content)
    if plan.errors:
        raise ValidationFailed(
            "import_has_errors",
            count=len(plan.errors),
            details=[
                ErrorDetail(f"rows[{n}].{column}", d.code, d.params)
                for n, column, d in _ordered(plan)
            ],
        )
    dept_cache: dict[tuple[str, ...], int] = {}
    role_cache: dict[str, int] = {}
    invites: list[dict[str, Any]] = []
    ids: dict[str, int] = dict(plan.existing)
    for row in plan.rows:
        dept_ids = [
            departments.ensure_path(conn, ctx, list(p), dept_cache) for p in row.departments
        ]
        main_id = dept_cache[row.main] if row.main else None
        role_ids = [roles.ensure_role(conn, ctx, name, role_cache) for name in row.roles]
        c = row.cells
        changes = users.UserChanges(
            display_name=c.get("display_name") or None,
            email=row.email,
            phone=row.phone,
            is_admin=row.is_admin,
            department_ids=dept_ids or None,
            main_department_id=main_id,
            role_ids=role_ids or None,
        )
        password = c.get("password") or None
        if row.username in ids:
            if ids[row.username] == ctx.user_id and row.is_admin is False:
                changes.is_admin = None  # never lock oneself out through a sheet
            users.admin_update(conn, ctx, ids[row.username], changes)
            if password:
                users.reset_password(conn, ctx, ids[row.username], password)
        else:
            created = users.admin_create(
                conn,
                ctx,
                row.username,
                password=password,
                invite_days=None,
                changes=changes,
                must_change_password=password is not None,
            )
            ids[row.username] = created["id"]
            if "invite_path" in created:
                invites.append(
                    {
                        "username": row.username,
                        "display_name": created["display_name"],
                        "invite_path": created["invite_path"],
                        "invite_expires_at": created["invite_expires_at"],
                    }
                )
    # supervisors last (they may be further down the sheet); cleared first so that a
    # chain the sheet turns around is never seen half-way as a cycle
    u = schema.users
    wanted = {
        ids[r.username]: ids[users.normalize_username(r.cells["supervisor"])]
        for r in plan.rows
        if r.cells.get("supervisor")
    }
    if wanted:
        conn.execute(sa.update(u).where(u.c.id.in_(sorted(wanted))).values(supervisor_id=None))
        for user_id, sup in wanted.items():
            users.check_supervisor(conn, user_id, sup)
            conn.execute(sa.update(u).where(u.c.id == user_id).values(supervisor_id=sup))
    summary = _summary(plan)
    return {
        "created": summary["create_users"],
        "updated": summary["update_users"],
        "departments_created": plan.new_departments,
        "roles_created": plan.new_roles,
        "invites": invites,
    }


def template(locale: str) -> bytes:
    """A sheet with the headers in ``locale``, two example rows and a sheet of notes."""
    zh = locale == "zh-CN"
    book = Workbook()
    sheet = book.active
    sheet.title = "用户" if zh else "Users"
    sheet.append([zh_en[0] if zh else zh_en[1] for zh_en in COLUMNS.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.append(
        [
            "zhang.san",
            "张三",
            "zhangsan@example.com",
            "13800138000",
            "销售部/华东区",
            "销售部/华东区",
            "销售",
            "li.si",
            "否" if zh else "no",
            "",
        ]
    )
    sheet.append(
        [
            "li.si",
            "李四",
            "lisi@example.com",
            "13900139000",
            "销售部, 市场部",
            "销售部",
            "销售, 经理" if zh else "销售, Manager",
            "",
            "否" if zh else "no",
            "",
        ]
    )
    for column, width in zip("ABCDEFGHIJ", (14, 10, 24, 14, 24, 18, 14, 12, 8, 12), strict=True):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet("说明" if zh else "Notes")
    for line in _NOTES["zh-CN" if zh else "en"]:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_NOTES = {
    "zh-CN": [
        "每行一个用户；第一行是列名，列的顺序不限，中文或英文列名均可。",
        "用户名：必填，字母、数字、点、横线、下划线，2–64 个字符；已存在的用户会被更新，空白单元格保持原值。",
        "部门：用“/”分隔上下级，如“销售部/华东区”；多个部门用逗号分隔；不存在的部门会自动创建。",
        "主部门：必须是“部门”中列出的一个；留空则取第一个。",
        "角色：多个用逗号分隔；不存在的角色会自动创建。",
        "上级：直属上级的用户名（可以是本表中的用户）。",
        "管理员：是 / 否。",
        "初始密码：留空则为新用户生成邀请链接；填写则用户首次登录后需修改密码。",
        "导入前会先预览并列出每一行的错误；有任何错误时不会导入任何数据。",
    ],
    "en": [
        "One user per row; the first row holds the column names (any order, Chinese or English).",
        "Username: required, letters, digits, '.', '-', '_' (2–64). Existing users are updated; a blank cell keeps the value.",
        "Departments: levels separated by '/', e.g. 销售部/华东区; several separated by commas; missing ones are created.",
        "Main department: one of the departments listed; the first when blank.",
        "Roles: several separated by commas; missing roles are created.",
        "Supervisor: the username of the direct supervisor (may be a user of this sheet).",
        "Admin: yes / no.",
        "Password: blank invites a new user with a link; when given, the user changes it at the first login.",
        "A preview lists every problem by row first; nothing is imported while any row has a problem.",
    ],
}
