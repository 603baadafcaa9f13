"""Managing permission groups (权限组) of forms and the administrators of apps.

The API speaks field keys and named members; the table stores field ids (keys can be
renamed) and member ids. Every change is audited with the group before and after.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from qiao.audit import log as audit
from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import ErrorDetail, NotFound, QiaoError, ValidationFailed
from qiao.forms.model import FormMeta
from qiao.org.access import (
    ACCESS_LEVELS,
    MEMBER_TYPES,
    OPERATIONS,
    SCOPES,
    form_access,
    require_app_admin,
)
from qiao.query.filters import compile_filter
from qiao.runtime import Runtime

groups_t = schema.permission_groups
members_t = schema.permission_members

#: a new form: every member submits and works on their own records; the app's
#: administrators (and system administrators) see and manage everything anyway
DEFAULT_GROUPS: list[dict[str, Any]] = [
    {
        "name": {"zh-CN": "全体成员：本人数据", "en": "Everyone: own records"},
        "operations": ["view", "create", "edit", "delete"],
        "scope": "own",
        "members": [{"type": "all", "id": 0}],
    },
]


class FieldAccessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    access: str = "edit"
    mask: bool = False
    unmask: bool = False


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str
    id: int = Field(default=0, ge=0)


class GroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128)
    description: str = Field(default="", max_length=2000)
    operations: list[str] = Field(default_factory=lambda: ["view"])
    scope: str = "own"
    scope_filter: Any = None
    fields: dict[str, FieldAccessIn] = Field(default_factory=dict)
    members: list[MemberIn] = Field(default_factory=list)


class GroupPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=128)
    description: str | None = Field(default=None, max_length=2000)
    operations: list[str] | None = None
    scope: str | None = None
    scope_filter: Any = None
    fields: dict[str, FieldAccessIn] | None = None
    members: list[MemberIn] | None = None


# ----- reading -------------------------------------------------------------------------
def _member_names(conn: Connection, members: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    names: dict[tuple[str, int], str] = {}
    tables = {
        "user": (schema.users, schema.users.c.display_name),
        "department": (schema.departments, schema.departments.c.name),
        "role": (schema.roles, schema.roles.c.name),
    }
    for kind, (table, name_col) in tables.items():
        ids = [mid for t, mid in members if t == kind]
        if ids:
            for mid, name in conn.execute(
                sa.select(table.c.id, name_col).where(table.c.id.in_(ids))
            ):
                names[(kind, mid)] = name
    return names


def group_json(conn: Connection, form: FormMeta, row: Any) -> dict[str, Any]:
    members = [
        (r.member_type, r.member_id)
        for r in conn.execute(
            sa.select(members_t.c.member_type, members_t.c.member_id)
            .where(members_t.c.group_id == row.id)
            .order_by(members_t.c.member_type, members_t.c.member_id)
        )
    ]
    names = _member_names(conn, members)
    by_id = {fm.id: fm for fm in form.live_fields}
    fields = {}
    for fid, rule in (row.field_access or {}).items():
        fm = by_id.get(int(fid))
        if fm is not None:  # rules of deleted fields are kept quietly, not shown
            fields[fm.key] = {
                "access": rule.get("access", "edit"),
                "mask": bool(rule.get("mask")),
                "unmask": bool(rule.get("unmask")),
            }
    return {
        "id": row.id,
        "form_id": row.form_id,
        "name": row.name,
        "description": row.description,
        "operations": [op for op in OPERATIONS if op in (row.operations or [])],
        "scope": row.scope,
        "scope_filter": row.scope_filter,
        "fields": fields,
        "members": [
            {"type": t, "id": mid, "name": names.get((t, mid), "" if t == "all" else f"#{mid}")}
            for t, mid in members
        ],
        "position": row.position,
    }


def _manageable_form(rt: Runtime, conn: Connection, ctx: Ctx, form_id: int) -> FormMeta:
    form = rt.form(conn, form_id)
    form_access(conn, ctx, form).require("manage")
    return form


def list_groups(rt: Runtime, ctx: Ctx, form_id: int) -> list[dict[str, Any]]:
    with rt.db.read() as conn:
        form = _manageable_form(rt, conn, ctx, form_id)
        rows = conn.execute(
            sa.select(groups_t)
            .where(groups_t.c.form_id == form_id)
            .order_by(groups_t.c.position, groups_t.c.id)
        ).all()
        return [group_json(conn, form, row) for row in rows]


# ----- validating ----------------------------------------------------------------------
def _check(
    conn: Connection, form: FormMeta, ctx: Ctx, values: dict[str, Any], members: list[MemberIn]
) -> list[ErrorDetail]:
    errors: list[ErrorDetail] = []
    for index, op in enumerate(values.get("operations", [])):
        if op not in OPERATIONS:
            errors.append(
                ErrorDetail(
                    f"operations[{index}]",
                    "permission_op_invalid",
                    {"op": op, "ops": ", ".join(OPERATIONS)},
                )
            )
    scope = values.get("scope")
    if scope is not None and scope not in SCOPES:
        errors.append(
            ErrorDetail(
                "scope", "permission_scope_invalid", {"scope": scope, "scopes": ", ".join(SCOPES)}
            )
        )
    if scope == "custom":
        if values.get("scope_filter") is None:
            errors.append(ErrorDetail("scope_filter", "permission_scope_filter_required"))
        else:
            try:
                compile_filter(form, values["scope_filter"], ctx)
            except QiaoError as exc:
                for detail in exc.details:
                    errors.append(detail.prefixed("scope_filter."))
    for key, rule in (values.get("fields_in") or {}).items():
        fm = form.by_key.get(key)
        if fm is None:
            errors.append(ErrorDetail(f"fields.{key}", "permission_field_invalid", {"key": key}))
        elif rule.access not in ACCESS_LEVELS:
            errors.append(
                ErrorDetail(
                    f"fields.{key}.access", "permission_access_invalid", {"label": fm.label}
                )
            )
    known = {
        "user": (schema.users, schema.users.c.is_active),
        "department": (schema.departments, sa.true()),
        "role": (schema.roles, sa.true()),
    }
    for index, member in enumerate(members):
        if member.type not in MEMBER_TYPES:
            errors.append(ErrorDetail(f"members[{index}].type", "permission_member_type_invalid"))
            continue
        if member.type == "all":
            continue
        table, live = known[member.type]
        found = conn.execute(sa.select(table.c.id).where(table.c.id == member.id, live)).first()
        if found is None:
            errors.append(
                ErrorDetail(
                    f"members[{index}]",
                    "permission_member_invalid",
                    {"type": member.type, "id": member.id},
                )
            )
    return errors


def _stored_fields(form: FormMeta, fields: dict[str, FieldAccessIn]) -> dict[str, Any]:
    stored: dict[str, Any] = {}
    for key, rule in fields.items():
        fm = form.by_key[key]
        masked = rule.mask and rule.access != "hidden"
        stored[str(fm.id)] = {
            "access": rule.access,
            "mask": masked,
            "unmask": masked and rule.unmask,
        }
    return stored


def _set_members(conn: Connection, group_id: int, members: list[MemberIn]) -> None:
    conn.execute(sa.delete(members_t).where(members_t.c.group_id == group_id))
    unique = {(m.type, 0 if m.type == "all" else m.id) for m in members}
    if unique:
        conn.execute(
            sa.insert(members_t),
            [{"group_id": group_id, "member_type": t, "member_id": i} for t, i in sorted(unique)],
        )


def _audit(
    conn: Connection,
    ctx: Ctx,
    form: FormMeta,
    group_id: int,
    op: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    audit.append(
        conn,
        ctx,
        "permission_change",
        app_id=form.app_id,
        form_id=form.id,
        object_type="permission_group",
        object_id=group_id,
        details={"op": op, "before": before, "after": after},
    )


# ----- writing -------------------------------------------------------------------------
def create_group(rt: Runtime, ctx: Ctx, form_id: int, data: GroupIn) -> dict[str, Any]:
    def run(conn: Connection) -> dict[str, Any]:
        form = _manageable_form(rt, conn, ctx, form_id)
        values = data.model_dump()
        values["fields_in"] = data.fields
        errors = _check(conn, form, ctx, values, data.members)
        if errors:
            raise ValidationFailed(details=errors)
        position = conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(groups_t.c.position), -1) + 1).where(
                groups_t.c.form_id == form_id
            )
        ).scalar_one()
        now = ctx.now()
        group_id = conn.execute(
            sa.insert(groups_t)
            .values(
                form_id=form_id,
                name=data.name.strip(),
                description=data.description,
                operations=list(dict.fromkeys(data.operations)),
                scope=data.scope,
                scope_filter=data.scope_filter if data.scope == "custom" else None,
                field_access=_stored_fields(form, data.fields),
                position=position,
                created_at=now,
                updated_at=now,
            )
            .returning(groups_t.c.id)
        ).scalar_one()
        _set_members(conn, group_id, data.members)
        after = _load_json(conn, form, group_id)
        _audit(conn, ctx, form, group_id, "create", None, after)
        return after

    return rt.db.write(run)


def _load_row(conn: Connection, group_id: int) -> Any:
    row = conn.execute(sa.select(groups_t).where(groups_t.c.id == group_id)).first()
    if row is None:
        raise NotFound("permission_group_not_found")
    return row


def _load_json(conn: Connection, form: FormMeta, group_id: int) -> dict[str, Any]:
    return group_json(conn, form, _load_row(conn, group_id))


def update_group(rt: Runtime, ctx: Ctx, group_id: int, patch: GroupPatch) -> dict[str, Any]:
    def run(conn: Connection) -> dict[str, Any]:
        row = _load_row(conn, group_id)
        form = _manageable_form(rt, conn, ctx, row.form_id)
        before = group_json(conn, form, row)
        given = patch.model_dump(exclude_unset=True)
        values = {
            "operations": given.get("operations", before["operations"]),
            "scope": given.get("scope", row.scope),
            "scope_filter": given.get("scope_filter", row.scope_filter),
            "fields_in": patch.fields if patch.fields is not None else {},
        }
        members = patch.members if patch.members is not None else []
        errors = _check(conn, form, ctx, values, members)
        if errors:
            raise ValidationFailed(details=errors)
        changes: dict[str, Any] = {"updated_at": ctx.now()}
        if patch.name is not None:
            changes["name"] = patch.name.strip()
        if patch.description is not None:
            changes["description"] = patch.description
        if patch.operations is not None:
            changes["operations"] = list(dict.fromkeys(patch.operations))
        if "scope" in given or "scope_filter" in given:
            changes["scope"] = values["scope"]
            changes["scope_filter"] = (
                values["scope_filter"] if values["scope"] == "custom" else None
            )
        if patch.fields is not None:
            changes["field_access"] = _stored_fields(form, patch.fields)
        conn.execute(sa.update(groups_t).where(groups_t.c.id == group_id).values(changes))
        if patch.members is not None:
            _set_members(conn, group_id, patch.members)
        after = _load_json(conn, form, group_id)
        _audit(conn, ctx, form, group_id, "update", before, after)
        return after

    return rt.db.write(run)


def delete_group(rt: Runtime, ctx: Ctx, group_id: int) -> None:
    def run(conn: Connection) -> None:
        row = _load_row(conn, group_id)
        form = _manageable_form(rt, conn, ctx, row.form_id)
        before = group_json(conn, form, row)
        conn.execute(sa.delete(groups_t).where(groups_t.c.id == group_id))
        _audit(conn, ctx, form, group_id, "delete", before, None)

    rt.db.write(run)


def create_defaults(conn: Connection, ctx: Ctx, form_id: int) -> None:
    """The groups a new form starts with (named in the creator's language)."""
    now = ctx.now()
    for position, spec in enumerate(DEFAULT_GROUPS):
        group_id = conn.execute(
            sa.insert(groups_t)
            .values(
                form_id=form_id,
                name=spec["name"].get(ctx.locale) or spec["name"]["zh-CN"],
                description="",
                operations=spec["operations"],
                scope=spec["scope"],
                scope_filter=None,
                field_access={},
                position=position,
                created_at=now,
                updated_at=now,
            )
            .returning(groups_t.c.id)
        ).scalar_one()
        _set_members(conn, group_id, [MemberIn(**m) for m in spec["members"]])


# ----- app administrators ----------------------------------------------------------------
def list_app_admins(rt: Runtime, ctx: Ctx, app_id: int) -> list[dict[str, Any]]:
    with rt.db.read() as conn:
        require_app_admin(conn, ctx, app_id)
        a, u = schema.app_admins, schema.users
        rows = conn.execute(
            sa.select(u.c.id, u.c.username, u.c.display_name)
            .join(a, a.c.user_id == u.c.id)
            .where(a.c.app_id == app_id)
            .order_by(u.c.id)
        )
        return [dict(r._mapping) for r in rows]


def set_app_admins(rt: Runtime, ctx: Ctx, app_id: int, user_ids: list[int]) -> list[dict[str, Any]]:
    """Only system administrators name an app's administrators."""
    from qiao.org.permissions import require_admin

    require_admin(ctx)

    def run(conn: Connection) -> None:
        app = conn.execute(
            sa.select(schema.apps.c.id).where(
                schema.apps.c.id == app_id, schema.apps.c.deleted_at.is_(None)
            )
        ).first()
        if app is None:
            raise NotFound("app_not_found")
        wanted = list(dict.fromkeys(user_ids))
        found = set(
            conn.execute(
                sa.select(schema.users.c.id).where(
                    schema.users.c.id.in_(wanted), schema.users.c.is_active
                )
            ).scalars()
        )
        errors = [
            ErrorDetail(f"user_ids[{i}]", "permission_member_invalid", {"type": "user", "id": uid})
            for i, uid in enumerate(wanted)
            if uid not in found
        ]
        if errors:
            raise ValidationFailed(details=errors)
        a = schema.app_admins
        before = sorted(conn.execute(sa.select(a.c.user_id).where(a.c.app_id == app_id)).scalars())
        conn.execute(sa.delete(a).where(a.c.app_id == app_id))
        if wanted:
            conn.execute(sa.insert(a), [{"app_id": app_id, "user_id": uid} for uid in wanted])
        audit.append(
            conn,
            ctx,
            "permission_change",
            app_id=app_id,
            object_type="app_admins",
            object_id=app_id,
            details={"op": "update", "before": before, "after": sorted(wanted)},
        )

    rt.db.write(run)
    return list_app_admins(rt, ctx, app_id)
