"""Roles (角色): named sets of users, e.g. "销售" or "财务", used as members of
permission groups and as approvers. Each change appends an audit entry."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.audit import log as audit
from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import ErrorDetail, NotFound, ValidationFailed

r = schema.roles
ur = schema.user_roles


def list_roles(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(sa.select(r).order_by(r.c.name, r.c.id)).all()
    members: dict[int, list[int]] = {row.id: [] for row in rows}
    for role_id, user_id in conn.execute(
        sa.select(ur.c.role_id, ur.c.user_id).order_by(ur.c.role_id, ur.c.user_id)
    ):
        members.setdefault(role_id, []).append(user_id)
    return [_view(row, members[row.id]) for row in rows]


def _view(row: Any, member_ids: list[int]) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "member_ids": member_ids,
        "member_count": len(member_ids),
    }


def get_role(conn: Connection, role_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(r).where(r.c.id == role_id)).first()
    if row is None:
        raise NotFound("role_not_found")
    member_ids = list(
        conn.execute(
            sa.select(ur.c.user_id).where(ur.c.role_id == role_id).order_by(ur.c.user_id)
        ).scalars()
    )
    return _view(row, member_ids)


def _clean_name(conn: Connection, name: str, exclude: int | None = None) -> str:
    text = name.strip()
    if not text or len(text) > 128:
        raise ValidationFailed(details=[ErrorDetail("name", "name_required")])
    query = sa.select(r.c.id).where(r.c.name == text)
    if exclude is not None:
        query = query.where(r.c.id != exclude)
    if conn.execute(query).first() is not None:
        raise ValidationFailed(details=[ErrorDetail("name", "role_name_taken", {"name": text})])
    return text


def _set_members(conn: Connection, role_id: int, user_ids: list[int]) -> None:
    ids = sorted(set(user_ids))
    u = schema.users
    found = set(conn.execute(sa.select(u.c.id).where(u.c.id.in_(ids))).scalars()) if ids else set()
    if missing := [i for i in ids if i not in found]:
        raise ValidationFailed(
            details=[ErrorDetail("member_ids", "org_user_not_found", {"value": missing[0]})]
        )
    conn.execute(sa.delete(ur).where(ur.c.role_id == role_id))
    if ids:
        conn.execute(sa.insert(ur), [{"role_id": role_id, "user_id": i} for i in ids])


def _snapshot(view: dict[str, Any]) -> dict[str, Any]:
    return {k: view[k] for k in ("name", "description", "member_ids")}


def _audit(conn: Connection, ctx: Ctx, role_id: int, op: str, before: Any, after: Any) -> None:
    audit.append_org_change(conn, ctx, "role", role_id, op, before, after)


def create_role(
    conn: Connection,
    ctx: Ctx,
    name: str,
    description: str = "",
    member_ids: list[int] | None = None,
) -> dict[str, Any]:
    now = ctx.now()
    role_id = conn.execute(
        sa.insert(r)
        .values(
            name=_clean_name(conn, name),
            description=description.strip(),
            created_at=now,
            updated_at=now,
        )
        .returning(r.c.id)
    ).scalar_one()
    if member_ids:
        _set_members(conn, role_id, member_ids)
    view = get_role(conn, role_id)
    _audit(conn, ctx, role_id, "create", None, _snapshot(view))
    return view


def update_role(
    conn: Connection,
    ctx: Ctx,
    role_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    member_ids: list[int] | None = None,
) -> dict[str, Any]:
    before = get_role(conn, role_id)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = _clean_name(conn, name, exclude=role_id)
    if description is not None:
        values["description"] = description.strip()
    if values:
        conn.execute(sa.update(r).where(r.c.id == role_id).values(**values, updated_at=ctx.now()))
    if member_ids is not None:
        _set_members(conn, role_id, member_ids)
    after = get_role(conn, role_id)
    if _snapshot(after) != _snapshot(before):
        _audit(conn, ctx, role_id, "update", _snapshot(before), _snapshot(after))
    return after


def delete_role(conn: Connection, ctx: Ctx, role_id: int) -> None:
    """Delete a role; its memberships go with it (and so does what it granted)."""
    before = get_role(conn, role_id)
    pm = schema.permission_members
    conn.execute(sa.delete(pm).where(pm.c.member_type == "role", pm.c.member_id == role_id))
    conn.execute(sa.delete(ur).where(ur.c.role_id == role_id))
    conn.execute(sa.delete(r).where(r.c.id == role_id))
    _audit(conn, ctx, role_id, "delete", _snapshot(before), None)


def ensure_role(conn: Connection, ctx: Ctx, name: str, cache: dict[str, int]) -> int:
    """The id of the role named ``name``, created if missing (imports)."""
    if name in cache:
        return cache[name]
    found = conn.execute(sa.select(r.c.id).where(r.c.name == name)).scalar()
    role_id = int(found) if found is not None else int(create_role(conn, ctx, name)["id"])
    cache[name] = role_id
    return role_id
