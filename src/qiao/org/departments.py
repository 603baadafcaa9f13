"""The department tree (部门): create, rename, move, reorder, delete, managers.

Each department stores ``path``, the chain of ids from the root ("/1/4/9/"), so that
"this department and everything below" is one prefix match in SQL. A move rewrites the
path of the whole subtree in one UPDATE; moving a department below itself is refused.

The subquery builders at the end (``department_ids_of``, ``users_sharing_departments``)
are what "my department" / "my department and below" compile to: they are keyed on a
user id bound as a parameter, never on a list of ids read into Python, so a saved
filter means the departments of whoever runs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.audit import log as audit
from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import Conflict, ErrorDetail, NotFound, ValidationFailed

MAX_DEPTH = 20
NAME_MAX = 128

d = schema.departments
ud = schema.user_departments


# ----- reads -----------------------------------------------------------------------------
def _row(conn: Connection, dept_id: int) -> Any:
    row = conn.execute(sa.select(d).where(d.c.id == dept_id)).first()
    if row is None:
        raise NotFound("department_not_found")
    return row


def snapshot(row: Any) -> dict[str, Any]:
    """What the audit log keeps of a department."""
    return {"name": row.name, "parent_id": row.parent_id, "position": row.position}


def tree(conn: Connection) -> list[dict[str, Any]]:
    """The whole tree, siblings in their order, each node with its direct member count,
    the member count including sub-departments and its managers' ids."""
    rows = conn.execute(sa.select(d).order_by(d.c.parent_id, d.c.position, d.c.id)).all()
    counts: dict[int, int] = {
        r[0]: int(r[1])
        for r in conn.execute(
            sa.select(ud.c.department_id, sa.func.count()).group_by(ud.c.department_id)
        )
    }
    managers: dict[int, list[int]] = {}
    for dept_id, user_id in conn.execute(
        sa.select(ud.c.department_id, ud.c.user_id)
        .where(ud.c.is_manager.is_(True))
        .order_by(ud.c.department_id, ud.c.user_id)
    ):
        managers.setdefault(dept_id, []).append(user_id)
    nodes: dict[int, dict[str, Any]] = {
        r.id: {
            "id": r.id,
            "name": r.name,
            "parent_id": r.parent_id,
            "path": r.path,
            "position": r.position,
            "member_count": int(counts.get(r.id, 0)),
            "manager_ids": managers.get(r.id, []),
            "children": [],
        }
        for r in rows
    }
    roots: list[dict[str, Any]] = []
    for r in rows:
        node = nodes[r.id]
        parent = nodes.get(r.parent_id) if r.parent_id is not None else None
        (parent["children"] if parent else roots).append(node)

    # a user in a department and in one of its sub-departments counts once
    sub = d.alias("sub")
    distinct: dict[int, int] = {
        r[0]: int(r[1])
        for r in conn.execute(
            sa.select(d.c.id, sa.func.count(sa.distinct(ud.c.user_id)))
            .select_from(d)
            .join(sub, sub.c.path.startswith(d.c.path))
            .join(ud, ud.c.department_id == sub.c.id)
            .group_by(d.c.id)
        )
    }
    for dept_id, node in nodes.items():
        node["total_member_count"] = int(distinct.get(dept_id, 0))
    return roots


def names_by_id(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {
        r.id: r.name for r in conn.execute(sa.select(d.c.id, d.c.name).where(d.c.id.in_(wanted)))
    }


def full_names(conn: Connection) -> dict[int, str]:
    """Every department's full name "销售部/华东区", for imports and exports."""
    rows = conn.execute(sa.select(d.c.id, d.c.name, d.c.path)).all()
    names = {r.id: r.name for r in rows}
    return {
        r.id: "/".join(names.get(int(part), "?") for part in r.path.strip("/").split("/"))
        for r in rows
    }


def subtree_ids(dept_id: int) -> sa.Select[Any]:
    """The ids of a department and all departments below it (a subquery)."""
    top = d.alias("top")
    return sa.select(d.c.id).join(top, d.c.path.startswith(top.c.path)).where(top.c.id == dept_id)


# ----- validation --------------------------------------------------------------------------
def _clean_name(name: str, field: str = "name") -> str:
    text = name.strip()
    if not text:
        raise ValidationFailed(details=[ErrorDetail(field, "name_required")])
    if len(text) > NAME_MAX or "/" in text:
        raise ValidationFailed(details=[ErrorDetail(field, "department_name_invalid")])
    return text


def _check_unique_name(
    conn: Connection, parent_id: int | None, name: str, exclude: int | None = None
) -> None:
    parent = d.c.parent_id.is_(None) if parent_id is None else d.c.parent_id == parent_id
    query = sa.select(d.c.id).where(parent, d.c.name == name)
    if exclude is not None:
        query = query.where(d.c.id != exclude)
    if conn.execute(query).first() is not None:
        raise ValidationFailed(
            details=[ErrorDetail("name", "department_name_taken", {"name": name})]
        )


def _parent_path(conn: Connection, parent_id: int | None, field: str = "parent_id") -> str:
    if parent_id is None:
        return "/"
    row = conn.execute(sa.select(d.c.path).where(d.c.id == parent_id)).first()
    if row is None:
        raise ValidationFailed(details=[ErrorDetail(field, "department_not_found")])
    return str(row.path)


def _depth(path: str) -> int:
    return path.strip("/").count("/") + 1 if path.strip("/") else 0


def _siblings(conn: Connection, parent_id: int | None) -> list[int]:
    parent = d.c.parent_id.is_(None) if parent_id is None else d.c.parent_id == parent_id
    return list(
        conn.execute(sa.select(d.c.id).where(parent).order_by(d.c.position, d.c.id)).scalars()
    )


def _place(conn: Connection, parent_id: int | None, dept_id: int, position: int | None) -> None:
    """Put ``dept_id`` at ``position`` among its siblings (the end when None) and number
    the siblings 0..n-1 again, so positions stay dense whatever the client sends."""
    ids = [i for i in _siblings(conn, parent_id) if i != dept_id]
    index = len(ids) if position is None else max(0, min(position, len(ids)))
    ids.insert(index, dept_id)
    for pos, sibling in enumerate(ids):
        conn.execute(
            sa.update(d).where(d.c.id == sibling, d.c.position != pos).values(position=pos)
        )


# ----- writes ----------------------------------------------------------------------------
def create(
    conn: Connection,
    ctx: Ctx,
    name: str,
    parent_id: int | None = None,
    *,
    position: int | None = None,
    manager_ids: list[int] | None = None,
) -> dict[str, Any]:
    name = _clean_name(name)
    parent_path = _parent_path(conn, parent_id)
    if _depth(parent_path) >= MAX_DEPTH:
        raise ValidationFailed(
            details=[ErrorDetail("parent_id", "department_too_deep", {"max": MAX_DEPTH})]
        )
    _check_unique_name(conn, parent_id, name)
    now = ctx.now()
    dept_id = conn.execute(
        sa.insert(d)
        .values(
            name=name, parent_id=parent_id, path="/", position=0, created_at=now, updated_at=now
        )
        .returning(d.c.id)
    ).scalar_one()
    conn.execute(sa.update(d).where(d.c.id == dept_id).values(path=f"{parent_path}{dept_id}/"))
    _place(conn, parent_id, dept_id, position)
    if manager_ids:
        _set_managers(conn, dept_id, manager_ids)
    row = _row(conn, dept_id)
    after = {**snapshot(row), "manager_ids": sorted(manager_ids or [])}
    audit.append_org_change(conn, ctx, "department", dept_id, "create", None, after)
    return {"id": dept_id, **snapshot(row), "path": row.path, "manager_ids": after["manager_ids"]}


_UNSET: Any = object()


def update(
    conn: Connection,
    ctx: Ctx,
    dept_id: int,
    *,
    name: str | None = None,
    parent_id: int | None = _UNSET,
    position: int | None = None,
    manager_ids: list[int] | None = None,
) -> dict[str, Any]:
    """Rename, move under another parent (``parent_id``; None for the top level),
    reorder among siblings (``position``) and/or set the managers."""
    row = _row(conn, dept_id)
    before = {**snapshot(row), "manager_ids": _managers(conn, dept_id)}
    new_parent = row.parent_id if parent_id is _UNSET else parent_id
    new_name = row.name if name is None else _clean_name(name)
    moved = new_parent != row.parent_id
    if moved:
        parent_path = _parent_path(conn, new_parent)
        if parent_path.startswith(row.path):
            raise ValidationFailed(details=[ErrorDetail("parent_id", "department_cycle")])
        new_path = f"{parent_path}{dept_id}/"
        deepest = conn.execute(sa.select(d.c.path).where(d.c.path.startswith(row.path))).scalars()
        extra = max((_depth(p) - _depth(row.path) for p in deepest), default=0)
        if _depth(new_path) + extra > MAX_DEPTH:
            raise ValidationFailed(
                details=[ErrorDetail("parent_id", "department_too_deep", {"max": MAX_DEPTH})]
            )
    if moved or new_name != row.name:
        _check_unique_name(conn, new_parent, new_name, exclude=dept_id)
    values: dict[str, Any] = {"name": new_name, "parent_id": new_parent, "updated_at": ctx.now()}
    conn.execute(sa.update(d).where(d.c.id == dept_id).values(**values))
    if moved:
        old_path = str(row.path)
        # the whole subtree (this department included) gets the new prefix
        conn.execute(
            sa.update(d)
            .where(d.c.path.startswith(old_path))
            .values(
                path=sa.literal(new_path, sa.String) + sa.func.substr(d.c.path, len(old_path) + 1)
            )
        )
        _place(conn, row.parent_id, -1, None)  # close the gap it left
    if moved or position is not None:
        _place(conn, new_parent, dept_id, position)
    if manager_ids is not None:
        _set_managers(conn, dept_id, manager_ids)
    row = _row(conn, dept_id)
    after = {**snapshot(row), "manager_ids": _managers(conn, dept_id)}
    if after != before:
        audit.append_org_change(conn, ctx, "department", dept_id, "update", before, after)
    return {"id": dept_id, **snapshot(row), "path": row.path, "manager_ids": after["manager_ids"]}


def delete(conn: Connection, ctx: Ctx, dept_id: int) -> None:
    """Delete an empty department; one with sub-departments or members is refused so
    that nobody silently loses their department."""
    row = _row(conn, dept_id)
    children = conn.execute(
        sa.select(sa.func.count()).select_from(d).where(d.c.parent_id == dept_id)
    ).scalar_one()
    if children:
        raise Conflict("department_has_children", name=row.name, count=children)
    members = conn.execute(
        sa.select(sa.func.count()).select_from(ud).where(ud.c.department_id == dept_id)
    ).scalar_one()
    if members:
        raise Conflict("department_has_members", name=row.name, count=members)
    pm = schema.permission_members
    conn.execute(sa.delete(pm).where(pm.c.member_type == "department", pm.c.member_id == dept_id))
    conn.execute(sa.delete(d).where(d.c.id == dept_id))
    _place(conn, row.parent_id, -1, None)
    audit.append_org_change(conn, ctx, "department", dept_id, "delete", snapshot(row), None)


def _managers(conn: Connection, dept_id: int) -> list[int]:
    return list(
        conn.execute(
            sa.select(ud.c.user_id)
            .where(ud.c.department_id == dept_id, ud.c.is_manager.is_(True))
            .order_by(ud.c.user_id)
        ).scalars()
    )


def _set_managers(conn: Connection, dept_id: int, user_ids: list[int]) -> None:
    """Managers are members flagged ``is_manager``; a manager who was not a member
    becomes one (their main department if they had none)."""
    wanted = set(user_ids)
    u = schema.users
    known = set(conn.execute(sa.select(u.c.id).where(u.c.id.in_(sorted(wanted)))).scalars())
    if unknown := wanted - known:
        raise ValidationFailed(
            details=[
                ErrorDetail("manager_ids", "org_user_not_found", {"value": min(unknown)}),
            ]
        )
    conn.execute(
        sa.update(ud)
        .where(ud.c.department_id == dept_id, ud.c.is_manager.is_(True))
        .where(ud.c.user_id.not_in(sorted(wanted)) if wanted else sa.true())
        .values(is_manager=False)
    )
    members = set(
        conn.execute(sa.select(ud.c.user_id).where(ud.c.department_id == dept_id)).scalars()
    )
    if present := sorted(wanted & members):
        conn.execute(
            sa.update(ud)
            .where(ud.c.department_id == dept_id, ud.c.user_id.in_(present))
            .values(is_manager=True)
        )
    for user_id in sorted(wanted - members):
        has_main = conn.execute(
            sa.select(ud.c.user_id).where(ud.c.user_id == user_id, ud.c.is_main.is_(True))
        ).first()
        conn.execute(
            sa.insert(ud).values(
                user_id=user_id, department_id=dept_id, is_main=has_main is None, is_manager=True
            )
        )


def ensure_path(
    conn: Connection, ctx: Ctx, names: list[str], cache: dict[tuple[str, ...], int]
) -> int:
    """The id of the department at ``names`` ("销售部", "华东区"), creating the missing
    ones; ``cache`` maps name chains already resolved in this transaction."""
    parent: int | None = None
    for depth in range(1, len(names) + 1):
        key = tuple(names[:depth])
        if key in cache:
            parent = cache[key]
            continue
        name = names[depth - 1]
        where = d.c.parent_id.is_(None) if parent is None else d.c.parent_id == parent
        found = conn.execute(sa.select(d.c.id).where(where, d.c.name == name)).scalar()
        parent = int(found) if found is not None else int(create(conn, ctx, name, parent)["id"])
        cache[key] = parent
    assert parent is not None
    return parent


# ----- "my department" subqueries -------------------------------------------------------
#: built once: the first ``.c`` of a fresh alias copies every column of its table, which
#: costs more than the query on a request that is otherwise fast (bench/permissions.py)
_MINE = ud.alias("mine")
_TOP = d.alias("my_top")
_BELOW = d.alias("below")
_COLLEAGUE = ud.alias("colleague")


def department_ids_of(user_id: int | None, *, tree: bool) -> sa.Select[Any]:
    """The departments of a user (``tree``: and every department below them), as a
    subquery keyed on the bound user id."""
    mine = _MINE
    if not tree:
        return sa.select(mine.c.department_id).where(mine.c.user_id == sa.literal(user_id))
    top, below = _TOP, _BELOW
    return (
        sa.select(below.c.id)
        .select_from(mine)
        .join(top, top.c.id == mine.c.department_id)
        .join(below, below.c.path.startswith(top.c.path))
        .where(mine.c.user_id == sa.literal(user_id))
    )


def users_sharing_departments(user_id: int | None, *, tree: bool) -> sa.Select[Any]:
    """The users who belong to a department of ``user_id`` (``tree``: or below one)."""
    other = _COLLEAGUE
    return sa.select(other.c.user_id).where(
        other.c.department_id.in_(department_ids_of(user_id, tree=tree))
    )
