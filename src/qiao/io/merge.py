"""Duplicates in existing data: find groups, merge a group into one record, undo a merge.

A merge is one transaction through the one write path (``qiao.records.service``): the
links pointing at the merged records — relation columns, junction rows and sub-form
relation cells of every form — are re-pointed to the survivor, the merged records go to
the recycle bin (``delete_in``), the survivor gets the chosen values (``update_in``), and
``qiao_merges`` keeps what undo needs (the survivor's values before and after, each
re-pointed link). Undo reverses each step, refused when the survivor was changed since in
a field the merge set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.audit.log import append
from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import BadRequest, Conflict, ErrorDetail, Forbidden, NotFound
from qiao.forms.fields.base import Storage
from qiao.forms.fields.subform import child_fields
from qiao.forms.model import FormMeta
from qiao.io.dedupe import CANONICAL_TYPES, Index, KeyPlan, load_existing
from qiao.org.access import FormAccess, form_access
from qiao.org.permissions import require_user
from qiao.records import compute, service
from qiao.records.reads import fetch_records
from qiao.runtime import Runtime

CHUNK = 500
MAX_MERGE = 50
MAX_GROUPS = 1000


def _access(rt: Runtime, conn: Connection, ctx: Ctx, form_id: int) -> FormAccess:
    require_user(ctx)
    return form_access(conn, ctx, rt.form(conn, form_id))


def _shaped(
    conn: Connection, access: FormAccess, ids: Sequence[int], ctx: Ctx
) -> dict[int, dict[str, Any]]:
    """Records as the list API shows them to this user (hidden fields out, masking)."""
    found: dict[int, dict[str, Any]] = {}
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        found.update(fetch_records(conn, access.visible_form(), ids[start : start + CHUNK], ctx))
    return found if access.full else {rid: access.shape(r) for rid, r in found.items()}


# ----- finding groups ----------------------------------------------------------------
class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _sql_exact_groups(
    conn: Connection, form: FormMeta, plan: KeyPlan, scope: list[Any], limit: int
) -> list[list[int]]:
    """Exact groups of canonical stored values: one GROUP BY, then the members."""
    table = form.table
    cols = [table.c[fm.column_name] for fm in plan.fields]
    live = [table.c.deleted_at.is_(None), *scope, *(c.is_not(None) for c in cols)]
    grouped = (
        sa.select(
            *(c.label(f"k{i}") for i, c in enumerate(cols)), sa.func.min(table.c.id).label("m")
        )
        .where(*live)
        .group_by(*cols)
        .having(sa.func.count() > 1)
        .order_by(sa.func.min(table.c.id))
        .limit(limit + 1)
        .subquery()
    )
    join = sa.and_(*(c == grouped.c[f"k{i}"] for i, c in enumerate(cols)))
    rows = conn.execute(
        sa.select(grouped.c.m, table.c.id)
        .select_from(table.join(grouped, join))
        .where(*live)
        .order_by(grouped.c.m, table.c.id)
    )
    groups: dict[int, list[int]] = defaultdict(list)
    for first, rid in rows:
        groups[first].append(rid)
    return list(groups.values())


def find_groups(rt: Runtime, ctx: Ctx, form_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Duplicate groups among the live records the user can see, exact (after
    normalisation) or fuzzy (union-find over the matches within blocks)."""
    fields = body.get("fields") or []
    fuzzy = bool(body.get("fuzzy", False))
    threshold = float(body.get("threshold", 0.85))
    limit = max(1, min(int(body.get("limit", 200)), MAX_GROUPS))
    if not 0.5 <= threshold <= 1.0:
        raise BadRequest("dedupe_threshold_invalid")
    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
        access.require("view")
        form = access.visible_form()
        plan = KeyPlan(form, [str(f) for f in fields], fuzzy)
        scope = access.scope_clauses("view")
        scores: dict[int, float] = {}
        if not plan.fuzzy and all(fm.type in CANONICAL_TYPES for fm in plan.fields):
            groups = _sql_exact_groups(conn, access.form, plan, scope, limit)
        else:
            groups, scores = _python_groups(conn, access.form, plan, scope, ctx, threshold)
        truncated = len(groups) > limit
        groups = groups[:limit]
        records = _shaped(conn, access, [rid for g in groups for rid in g], ctx)
    keyed = [fm.key for fm in plan.fields]
    result = []
    for group in groups:
        members = [records[rid] for rid in group if rid in records]
        if len(members) < 2:
            continue
        first = members[0]["data"]
        key = " / ".join(str(first.get(k)) for k in keyed if first.get(k) is not None)
        result.append(
            {"key": key, "score": round(scores.get(group[0], 1.0), 4), "records": members}
        )
    return {"groups": result, "truncated": truncated}


def _python_groups(
    conn: Connection,
    form: FormMeta,
    plan: KeyPlan,
    scope: list[Any],
    ctx: Ctx,
    threshold: float,
) -> tuple[list[list[int]], dict[int, float]]:
    uf = _UnionFind()
    edges: list[tuple[int, float]] = []
    index = Index(plan.fuzzy)
    cutoff = threshold * 100.0
    for record_id, values in load_existing(conn, form, plan.fields, scope, ctx):
        full, rest, fz = plan.split(values)
        if full is None or rest is None:
            continue
        same = index.exact.get(full)
        if same is not None:
            uf.union(same, record_id)
            continue  # its fuzzy twins are its exact twin's
        if plan.fuzzy:
            for other, score in index.candidates(rest, fz, cutoff, limit=None).items():
                uf.union(other, record_id)
                edges.append((record_id, score))
        index.add(record_id, full, rest, fz)
    members: dict[int, list[int]] = defaultdict(list)
    for rid in list(uf.parent):
        members[uf.find(rid)].append(rid)
    for root in list(members):
        if root not in members[root]:
            members[root].append(root)
    groups = sorted((sorted(m) for m in members.values() if len(m) > 1), key=lambda g: g[0])
    # a group's score: its weakest fuzzy link (1.0 when every member is an exact twin)
    scores: dict[int, float] = {}
    for rid, score in edges:
        root = uf.find(rid)
        scores[root] = min(scores.get(root, 1.0), score)
    return groups, scores


# ----- merging -------------------------------------------------------------------------
def _check_targets(conn: Connection, access: FormAccess, ids: list[int]) -> None:
    """All given records live and visible (else 404, existence must not leak), and open
    to edit and delete for this user (else 403)."""
    access.require("edit")
    access.require("delete")
    table = access.form.table
    live = table.c.deleted_at.is_(None)

    def existing(clauses: list[Any]) -> set[int]:
        return set(
            conn.execute(sa.select(table.c.id).where(table.c.id.in_(ids), live, *clauses)).scalars()
        )

    visible = existing(access.scope_clauses("view"))
    missing = [i for i in ids if i not in visible]
    if missing:
        raise NotFound(
            "record_not_found",
            details=[ErrorDetail("ids", "record_not_found", {"id": i}) for i in missing],
        )
    for op in ("edit", "delete"):
        allowed = existing(access.scope_clauses(op))
        forbidden = [i for i in ids if i not in allowed]
        if forbidden:
            raise Forbidden(
                "record_forbidden",
                op=op,
                details=[
                    ErrorDetail("ids", "record_forbidden", {"id": i, "op": op}) for i in forbidden
                ],
            )


def _touch(conn: Connection, table: sa.Table, ids: set[int], ctx: Ctx) -> None:
    """Records whose links moved are changed records: new version, who and when."""
    rows = sorted(ids)
    for start in range(0, len(rows), CHUNK):
        conn.execute(
            sa.update(table)
            .where(table.c.id.in_(rows[start : start + CHUNK]))
            .values(version=table.c.version + 1, updated_at=ctx.now(), updated_by=ctx.user_id)
        )


def _repoint(
    rt: Runtime, conn: Connection, form_id: int, others: list[int], survivor: int, ctx: Ctx
) -> list[dict[str, Any]]:
    """Point every link to one of ``others`` at ``survivor``; returns each moved link."""
    catalog = rt.schema.get(conn)
    moved: list[dict[str, Any]] = []
    touched: dict[int, set[int]] = defaultdict(set)
    for source, fm in catalog.linking_to(form_id):
        table = source.table
        if fm.storage is Storage.JUNCTION:
            j = source.junctions[fm.id]
            rows = conn.execute(
                sa.select(j.c.record_id, j.c.value, j.c.position)
                .where(j.c.value.in_(others))
                .order_by(j.c.record_id, j.c.position)
            ).all()
            if not rows:
                continue
            holders = {r.record_id for r in rows}
            has = set(
                conn.execute(
                    sa.select(j.c.record_id).where(
                        j.c.value == survivor, j.c.record_id.in_(holders)
                    )
                ).scalars()
            )
            for rid, old, position in rows:
                removed = rid in has
                if removed:
                    conn.execute(sa.delete(j).where(j.c.record_id == rid, j.c.value == old))
                else:
                    conn.execute(
                        sa.update(j)
                        .where(j.c.record_id == rid, j.c.value == old)
                        .values(value=survivor)
                    )
                    has.add(rid)
                moved.append(
                    {
                        "kind": "junction",
                        "form_id": source.id,
                        "field_id": fm.id,
                        "record_id": rid,
                        "from": old,
                        "position": position,
                        "removed": removed,
                    }
                )
            touched[source.id] |= holders
        else:
            col = table.c[fm.column_name]
            pairs = conn.execute(sa.select(table.c.id, col).where(col.in_(others))).all()
            if not pairs:
                continue
            conn.execute(sa.update(table).where(col.in_(others)).values({col: survivor}))
            for rid, old in pairs:
                moved.append(
                    {
                        "kind": "column",
                        "form_id": source.id,
                        "field_id": fm.id,
                        "record_id": rid,
                        "from": old,
                    }
                )
            touched[source.id] |= {r[0] for r in pairs}
    for source in catalog.forms.values():
        if source.deleted_at is not None:
            continue
        for fm in source.live_fields:
            if fm.storage is not Storage.CHILD:
                continue
            child_table = source.children[fm.id]
            for child in child_fields(fm):
                if child.ftype.referenced_form(child) != form_id:
                    continue
                cell = child_table.c[child.column_name]
                cells = conn.execute(
                    sa.select(child_table.c.id, child_table.c.record_id, cell).where(
                        cell.in_(others)
                    )
                ).all()
                if not rows:
                    continue
                conn.execute(
                    sa.update(child_table).where(cell.in_(others)).values({cell: survivor})
                )
                for row_id, rid, old in cells:
                    moved.append(
                        {
                            "kind": "child",
                            "form_id": source.id,
                            "field_id": fm.id,
                            "column": child.column_name,
                            "row_id": row_id,
                            "record_id": rid,
                            "from": old,
                        }
                    )
                touched[source.id] |= {r[1] for r in cells}
    _after_links(rt, conn, touched, ctx)
    return moved


def _after_links(rt: Runtime, conn: Connection, touched: dict[int, set[int]], ctx: Ctx) -> None:
    catalog = rt.schema.get(conn)
    for source_id, ids in touched.items():
        _touch(conn, catalog.forms[source_id].table, ids, ctx)
        compute.recompute(conn, catalog, source_id, sorted(ids), ctx)


def _point_back(
    rt: Runtime, conn: Connection, moved: list[dict[str, Any]], survivor: int, ctx: Ctx
) -> None:
    """Undo of ``_repoint``: each moved link that still points at the survivor goes back."""
    catalog = rt.schema.get(conn)
    touched: dict[int, set[int]] = defaultdict(set)
    for link in moved:
        source = catalog.forms.get(link["form_id"])
        if source is None or source.deleted_at is not None:
            continue
        rid, old = link["record_id"], link["from"]
        if link["kind"] == "junction":
            j = source.junctions.get(link["field_id"])
            if j is None:
                continue
            if link["removed"]:
                present = conn.execute(
                    sa.select(j.c.record_id).where(j.c.record_id == rid, j.c.value == old)
                ).first()
                if present is None:
                    conn.execute(
                        sa.insert(j).values(record_id=rid, value=old, position=link["position"])
                    )
            else:
                conn.execute(
                    sa.update(j)
                    .where(j.c.record_id == rid, j.c.value == survivor)
                    .values(value=old)
                )
        elif link["kind"] == "column":
            fm = next((f for f in source.live_fields if f.id == link["field_id"]), None)
            if fm is None:
                continue
            col = source.table.c[fm.column_name]
            conn.execute(
                sa.update(source.table)
                .where(source.table.c.id == rid, col == survivor)
                .values({col: old})
            )
        else:
            child_table = source.children.get(link["field_id"])
            if child_table is None or link["column"] not in child_table.c:
                continue
            cell = child_table.c[link["column"]]
            conn.execute(
                sa.update(child_table)
                .where(child_table.c.id == link["row_id"], cell == survivor)
                .values({cell: old})
            )
        touched[source.id].add(rid)
    _after_links(rt, conn, touched, ctx)


def _version(conn: Connection, form: FormMeta, record_id: int) -> int:
    table = form.table
    return int(conn.execute(sa.select(table.c.version).where(table.c.id == record_id)).scalar_one())


def _user_names(conn: Connection, ids: set[int]) -> dict[int, str]:
    users = schema.users
    if not ids:
        return {}
    rows = conn.execute(
        sa.select(users.c.id, users.c.display_name, users.c.username).where(users.c.id.in_(ids))
    )
    return {r.id: r.display_name or r.username for r in rows}


def _merge_json(row: Any, names: dict[int, str]) -> dict[str, Any]:
    m = row._mapping
    return {
        "id": m["id"],
        "form_id": m["form_id"],
        "survivor_id": m["survivor_id"],
        "merged_ids": list(m["merged_ids"]),
        "created_at": m["created_at"],
        "created_by": None
        if m["created_by"] is None
        else {"id": m["created_by"], "name": names.get(m["created_by"], "")},
        "undone_at": m["undone_at"],
        "values": dict((m["after"] or {}).get("values", {})),
        "relinked": len(m["repointed"] or []),
    }


def _read_merge(conn: Connection, merge_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(schema.merges).where(schema.merges.c.id == merge_id)).first()
    if row is None:
        raise NotFound("merge_not_found")
    names = _user_names(conn, {row.created_by} if row.created_by else set())
    return _merge_json(row, names)


def merge(rt: Runtime, ctx: Ctx, form_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Merge ``others`` into ``survivor`` with the chosen ``values`` (one transaction)."""
    require_user(ctx)
    survivor = body.get("survivor")
    others_in = body.get("others") or []
    values = body.get("values") or {}
    if not isinstance(survivor, int) or not isinstance(others_in, list) or not others_in:
        raise BadRequest("merge_records_required")
    if not all(isinstance(o, int) for o in others_in) or not isinstance(values, dict):
        raise BadRequest("merge_records_required")
    others = list(dict.fromkeys(int(o) for o in others_in))
    if survivor in others:
        raise BadRequest("merge_survivor_in_others", id=survivor)
    if len(others) > MAX_MERGE:
        raise BadRequest("merge_too_many", max=MAX_MERGE)

    def run(conn: Connection) -> dict[str, Any]:
        access = _access(rt, conn, ctx, form_id)
        form = access.form
        _check_targets(conn, access, [survivor, *others])
        before = fetch_records(conn, form, [survivor], ctx)[survivor]
        moved = _repoint(rt, conn, form.id, others, survivor, ctx)
        service.delete_in(conn, rt, access, ctx, others)
        if values:
            service.update_in(conn, rt, access, ctx, survivor, values)
        compute.recompute(conn, rt.schema.get(conn), form.id, [survivor], ctx)
        after = fetch_records(conn, form, [survivor], ctx)[survivor]
        keys = [k for k in values if k in form.by_key]
        row = {
            "form_id": form.id,
            "survivor_id": survivor,
            "merged_ids": others,
            "before": {"values": {k: before["data"].get(k) for k in keys}},
            "after": {
                "values": {k: after["data"].get(k) for k in keys},
                "version": after["version"],
            },
            "repointed": moved,
            "created_by": ctx.user_id,
            "created_at": ctx.now(),
        }
        merge_id = conn.execute(
            sa.insert(schema.merges).values(row).returning(schema.merges.c.id)
        ).scalar_one()
        append(
            conn,
            ctx,
            "record_merge",
            app_id=form.app_id,
            form_id=form.id,
            record_id=survivor,
            object_type="merge",
            object_id=merge_id,
            details={"merged_ids": others, "fields": keys, "relinked": len(moved)},
        )
        record = _shaped(conn, access, [survivor], ctx)[survivor]
        return {"merge": _read_merge(conn, merge_id), "record": record}

    return rt.db.write(run)


def list_merges(rt: Runtime, ctx: Ctx, form_id: int) -> dict[str, Any]:
    with rt.db.read() as conn:
        access = _access(rt, conn, ctx, form_id)
        access.require("edit")
        access.require("delete")
        m = schema.merges
        rows = conn.execute(
            sa.select(m).where(m.c.form_id == form_id).order_by(m.c.id.desc()).limit(200)
        ).all()
        # merges of records the user cannot see are not theirs to review
        table = access.form.table
        survivors = {r.survivor_id for r in rows}
        visible = set(
            conn.execute(
                sa.select(table.c.id).where(
                    table.c.id.in_(survivors), *access.scope_clauses("view")
                )
            ).scalars()
        )
        names = _user_names(conn, {r.created_by for r in rows if r.created_by})
        return {"items": [_merge_json(r, names) for r in rows if r.survivor_id in visible]}


def undo(rt: Runtime, ctx: Ctx, merge_id: int) -> dict[str, Any]:
    """Restore the merged records, the survivor's values and the re-pointed links."""
    require_user(ctx)

    def run(conn: Connection) -> dict[str, Any]:
        row = conn.execute(sa.select(schema.merges).where(schema.merges.c.id == merge_id)).first()
        if row is None:
            raise NotFound("merge_not_found")
        access = _access(rt, conn, ctx, row.form_id)
        form = access.form
        survivor = row.survivor_id
        _check_targets(conn, access, [survivor])
        if row.undone_at is not None:
            raise Conflict("merge_already_undone")
        after = row.after or {}
        set_values: dict[str, Any] = after.get("values", {})
        current = fetch_records(conn, form, [survivor], ctx)[survivor]
        if current["version"] != after.get("version"):
            changed = [
                k for k, v in set_values.items() if current["data"].get(k) != v and k in form.by_key
            ]
            if changed:
                labels = "、".join(form.by_key[k].label for k in changed)
                raise Conflict(
                    "merge_undo_changed",
                    fields=labels,
                    details=[
                        ErrorDetail(k, "merge_undo_changed", {"label": form.by_key[k].label})
                        for k in changed
                    ],
                )
        restore = {
            k: v for k, v in (row.before or {}).get("values", {}).items() if k in form.by_key
        }
        if restore:
            service.update_in(conn, rt, access, ctx, survivor, restore)
        service.restore_in(conn, rt, access, ctx, list(row.merged_ids))
        _point_back(rt, conn, list(row.repointed or []), survivor, ctx)
        compute.recompute(conn, rt.schema.get(conn), form.id, [survivor], ctx)
        conn.execute(
            sa.update(schema.merges)
            .where(schema.merges.c.id == merge_id)
            .values(undone_at=ctx.now(), undone_by=ctx.user_id)
        )
        append(
            conn,
            ctx,
            "record_merge_undo",
            app_id=form.app_id,
            form_id=form.id,
            record_id=survivor,
            object_type="merge",
            object_id=merge_id,
            details={"merged_ids": list(row.merged_ids), "relinked": len(row.repointed or [])},
        )
        return _read_merge(conn, merge_id)

    return rt.db.write(run)
