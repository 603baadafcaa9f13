"""The permission layer: what the current user may do with a form and its records.

Every read and write of records asks ``form_access`` first. The answer compiles the
user's permission groups (权限组) into

- the operations allowed on the form (view, create, edit, delete, import, export, manage);
- per operation, a SQL condition on the form table (the data scope), ANDed into every
  query, so that a list, a count, a bulk operation and a picker can only ever touch the
  records in scope, and a record outside it is simply not found (404, not 403);
- per field, hidden / read / edit, and whether values are masked (138****1234) unless
  the user holds the "view unmasked" right (itself audited).

Several groups combine as a union: an operation is allowed if any group allows it, on
the records of any of the groups that allow it; a field is as open as the most open
group makes it. System administrators, the app's administrators and holders of the
form's "manage" operation see and do everything. An API token narrowed to reading or to
some apps narrows all of this further.

Scope conditions are SQL subqueries keyed on the user's id (departments, sub-departments
through the materialised ``path``), never id lists computed in Python, so they stay one
query and let the database use the owner index.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.db import schema
from qiao.db.types import IdType
from qiao.errors import (
    BadRequest,
    ErrorDetail,
    Forbidden,
    NotAuthenticated,
    NotFound,
    QiaoError,
)
from qiao.forms.model import FieldMeta, FormMeta
from qiao.org.departments import users_sharing_departments

if TYPE_CHECKING:
    from qiao.runtime import Runtime

log = logging.getLogger(__name__)

OPERATIONS = ("view", "create", "edit", "delete", "import", "export", "manage")
#: operations a read-only API token keeps
READ_OPERATIONS = frozenset({"view", "export"})
SCOPES = ("own", "department", "department_tree", "all", "custom")
ACCESS_LEVELS = ("hidden", "read", "edit")
_RANK = {"hidden": 0, "read": 1, "edit": 2}
MEMBER_TYPES = ("user", "department", "role", "all")
#: filter operators still allowed on a masked field: exact match reveals nothing new
MASKED_FILTER_OPS = frozenset({"eq", "in", "is_empty", "is_not_empty"})


@dataclass(frozen=True)
class FieldRule:
    access: str = "edit"
    masked: bool = False
    unmask: bool = False

    def json(self) -> dict[str, Any]:
        return {"access": self.access, "masked": self.masked, "unmask": self.unmask}


FULL_RULE = FieldRule()


@dataclass(frozen=True)
class Group:
    id: int
    operations: frozenset[str]
    scope: str
    scope_filter: Any
    field_access: dict[str, Any]

    def rule(self, field_id: int) -> FieldRule:
        raw = self.field_access.get(str(field_id))
        if not isinstance(raw, dict):
            return FULL_RULE
        access = raw.get("access", "edit")
        masked = bool(raw.get("mask")) and access != "hidden"
        return FieldRule(
            access=access if access in _RANK else "hidden",
            masked=masked,
            unmask=masked and bool(raw.get("unmask")),
        )


# ----- who the user is, in SQL -----------------------------------------------------------
#: built once: the first ``.c`` of a fresh alias copies every column of the table, which
#: cost more than the queries themselves on every request (bench/permissions.py)
_ANCESTOR = schema.departments.alias("anc")
_MINE_A = schema.departments.alias("mine_a")


#: one row to outer-join the groups to, so that "app administrator?" and "which groups
#: are mine?" are one round trip even when no group matches
_ONE_ROW = sa.select(sa.literal(1).label("one")).subquery("one_row")


@functools.cache
def _my_group_ids() -> sa.Select[Any]:
    """The ids of the groups the user (bound parameter ``uid``) is a member of."""
    m, ud = schema.permission_members, schema.user_departments
    uid = sa.bindparam("uid", type_=IdType)
    roles = sa.select(schema.user_roles.c.role_id).where(schema.user_roles.c.user_id == uid)
    # a group whose member is a department includes its sub-departments: the user
    # matches the departments they are in and every department above those
    above, mine = _ANCESTOR, _MINE_A
    containing = (
        sa.select(above.c.id)
        .join(mine, mine.c.path.startswith(above.c.path, autoescape=False))
        .where(mine.c.id.in_(sa.select(ud.c.department_id).where(ud.c.user_id == uid)))
    )
    member = sa.or_(
        m.c.member_type == "all",
        sa.and_(m.c.member_type == "user", m.c.member_id == uid),
        sa.and_(m.c.member_type == "role", m.c.member_id.in_(roles)),
        sa.and_(m.c.member_type == "department", m.c.member_id.in_(containing)),
    )
    return sa.select(m.c.group_id).where(member)


@functools.cache
def _groups_statement() -> sa.Select[Any]:
    """The user's groups of a form, each row (and at least one, with a NULL group)
    carrying whether the user administers the form's app. Built once with bound
    parameters ``uid``, ``form_id`` and ``app_id``: building the expression per request
    cost more than running it."""
    g, a = schema.permission_groups, schema.app_admins
    uid = sa.bindparam("uid", type_=IdType)
    matching = _my_group_ids()
    app_admin = sa.exists().where(
        a.c.app_id == sa.bindparam("app_id", type_=IdType), a.c.user_id == uid
    )
    mine_groups = sa.and_(
        g.c.form_id == sa.bindparam("form_id", type_=IdType), g.c.id.in_(matching)
    )
    return (
        sa.select(
            app_admin.label("app_admin"),
            g.c.id,
            g.c.operations,
            g.c.scope,
            g.c.scope_filter,
            g.c.field_access,
        )
        .select_from(_ONE_ROW.outerjoin(g, mine_groups))
        .order_by(g.c.position, g.c.id)
    )


def is_app_admin(conn: Connection, ctx: Ctx, app_id: int) -> bool:
    user = ctx.user
    if user is None:
        return False
    if user.is_admin:
        return True
    a = schema.app_admins
    found = conn.execute(
        sa.select(a.c.user_id).where(a.c.app_id == app_id, a.c.user_id == user.id)
    ).first()
    return found is not None


# ----- the answer --------------------------------------------------------------------------
@dataclass
class FormAccess:
    """What ``ctx.user`` may do with ``form``; build it with ``form_access``."""

    form: FormMeta
    ctx: Ctx
    full: bool
    ops: frozenset[str]
    groups: list[Group] = field(default_factory=list)
    rules: dict[int, FieldRule] = field(default_factory=dict)

    # operations ---------------------------------------------------------------------
    def can(self, op: str) -> bool:
        return op in self.ops

    def require(self, op: str) -> None:
        if op in self.ops:
            return
        if self.ctx.token_read_only and op not in READ_OPERATIONS:
            raise Forbidden("token_read_only")
        raise Forbidden("operation_forbidden", op=op, form=self.form.name)

    # data scope ---------------------------------------------------------------------
    def scope(self, op: str) -> sa.ColumnElement[bool] | None:
        """The condition records must meet for ``op``; None: every record."""
        if op not in self.ops:
            return sa.false()
        if self.full:
            return None
        parts: list[sa.ColumnElement[bool]] = []
        for group in self.groups:
            if op not in group.operations:
                continue
            condition = self._group_scope(group)
            if condition is None:
                return None
            parts.append(condition)
        return sa.or_(*parts) if parts else sa.false()

    def scope_clauses(self, op: str) -> list[sa.ColumnElement[bool]]:
        condition = self.scope(op)
        return [] if condition is None else [condition]

    def _group_scope(self, group: Group) -> sa.ColumnElement[bool] | None:
        table = self.form.table
        uid = self.ctx.user_id or 0
        if group.scope == "all":
            return None
        if group.scope == "own":
            return sa.or_(table.c.owner == uid, table.c.created_by == uid)
        if group.scope in ("department", "department_tree"):
            tree = group.scope == "department_tree"
            return table.c.owner.in_(users_sharing_departments(uid, tree=tree))
        if group.scope == "custom":
            from qiao.query.filters import compile_filter

            try:
                condition = compile_filter(self.form, group.scope_filter, self.ctx)
            except QiaoError:
                # a field of the saved filter was deleted since: fail closed
                log.warning("permission group %s has an invalid filter", group.id)
                return sa.false()
            return sa.true() if condition is None else condition
        return sa.false()

    # fields -------------------------------------------------------------------------
    def rule(self, fm: FieldMeta) -> FieldRule:
        if self.full or fm.system:
            return FULL_RULE
        return self.rules.get(fm.id, FieldRule(access="hidden"))

    def hidden_ids(self) -> frozenset[int]:
        return self._hidden_ids

    @functools.cached_property
    def _hidden_ids(self) -> frozenset[int]:
        return frozenset(fm.id for fm in self.form.live_fields if self.rule(fm).access == "hidden")

    def masked_keys(self) -> set[str]:
        return {fm.key for fm in self._masked_fields}

    @functools.cached_property
    def _masked_fields(self) -> list[FieldMeta]:
        return [fm for fm in self.form.live_fields if self.rule(fm).masked]

    def visible_form(self) -> FormMeta:
        """The form as this user knows it: hidden fields do not exist for them, so they
        cannot be read, filtered, sorted, searched or written. Built once per access."""
        return self._visible_form

    @functools.cached_property
    def _visible_form(self) -> FormMeta:
        hidden = self.hidden_ids()
        if not hidden:
            return self.form
        fields = [f for f in self.form.fields if f.id not in hidden]
        return dataclasses.replace(self.form, fields=fields)

    def check_filter(self, tree: Any) -> None:
        """Masked fields take only exact-match operators: "contains 1234" would reveal
        the digits the mask hides."""
        masked = self.masked_keys()
        if not masked or tree is None:
            return
        errors = [
            ErrorDetail(key, "filter_masked_field", {"label": self.form.by_key[key].label})
            for key, op in _leaves(tree)
            if key in masked and op not in MASKED_FILTER_OPS
        ]
        if errors:
            raise BadRequest("invalid_filter", details=errors)

    def check_sort(self, sort: str | None) -> None:
        masked = self.masked_keys()
        if not masked or not sort:
            return
        for part in sort.split(","):
            key = part.strip().lstrip("-+")
            if key in masked:
                raise BadRequest(
                    "invalid_sort",
                    key=key,
                    details=[
                        ErrorDetail(
                            "sort", "sort_masked_field", {"label": self.form.by_key[key].label}
                        )
                    ],
                )

    def writable_errors(self, keys: Iterable[str], prefix: str = "") -> list[ErrorDetail]:
        """Keys of visible fields the user may not change (hidden ones are unknown)."""
        errors = []
        for key in keys:
            fm = self.form.by_key.get(key)
            if fm is not None and self.rule(fm).access == "read":
                errors.append(ErrorDetail(f"{prefix}{key}", "field_read_only", {"label": fm.label}))
        return errors

    def shape(self, record: dict[str, Any]) -> dict[str, Any]:
        """Mask what must be masked in a record read through ``visible_form``."""
        if self.full:
            return record
        data = record["data"]
        for fm in self._masked_fields:
            if fm.key in data:
                data[fm.key] = fm.ftype.mask(fm, data[fm.key])
        return record

    def json(self) -> dict[str, Any]:
        """For the web app: what to offer this user (the API enforces it regardless)."""
        return {
            "full": self.full,
            "operations": sorted(self.ops, key=OPERATIONS.index),
            "fields": {fm.key: self.rule(fm).json() for fm in self.form.live_fields},
        }


def _leaves(tree: Any) -> Iterable[tuple[str, str]]:
    if isinstance(tree, dict):
        if "field" in tree and isinstance(tree.get("field"), str):
            yield tree["field"], str(tree.get("op"))
        for key in ("and", "or"):
            for child in tree.get(key) or [] if isinstance(tree.get(key), list) else []:
                yield from _leaves(child)
        if "not" in tree:
            yield from _leaves(tree["not"])


def _narrow(ctx: Ctx, ops: frozenset[str]) -> frozenset[str]:
    return ops & READ_OPERATIONS if ctx.token_read_only else ops


def form_access(conn: Connection, ctx: Ctx, form: FormMeta) -> FormAccess:
    """The user's access to ``form``; 403 when they may not even see it."""
    user = ctx.user
    if user is None:
        raise NotAuthenticated()
    if ctx.token_app_ids is not None and form.app_id not in ctx.token_app_ids:
        raise Forbidden("token_app_forbidden")
    if user.is_admin:
        return FormAccess(form, ctx, full=True, ops=_narrow(ctx, frozenset(OPERATIONS)))
    rows = conn.execute(
        _groups_statement(), {"uid": user.id, "form_id": form.id, "app_id": form.app_id}
    ).all()
    if rows and rows[0].app_admin:
        return FormAccess(form, ctx, full=True, ops=_narrow(ctx, frozenset(OPERATIONS)))
    groups = [
        Group(
            id=row.id,
            operations=frozenset(op for op in (row.operations or []) if op in OPERATIONS),
            scope=row.scope,
            scope_filter=row.scope_filter,
            field_access=row.field_access if isinstance(row.field_access, dict) else {},
        )
        for row in rows
        if row.id is not None
    ]
    ops = frozenset().union(*(g.operations for g in groups)) if groups else frozenset()
    if "manage" in ops:
        return FormAccess(form, ctx, full=True, ops=_narrow(ctx, frozenset(OPERATIONS)))
    if "view" not in ops and not ops & {"create", "import"}:
        raise Forbidden("form_forbidden", form=form.name)
    rules: dict[int, FieldRule] = {}
    for fm in form.live_fields:
        merged: FieldRule | None = None
        for group in groups:
            rule = group.rule(fm.id)
            if merged is None:
                merged = rule
                continue
            access = max(merged.access, rule.access, key=_RANK.__getitem__)
            masked = (merged.masked or merged.access == "hidden") and (
                rule.masked or rule.access == "hidden"
            )
            masked = masked and access != "hidden"
            merged = FieldRule(access, masked, masked and (merged.unmask or rule.unmask))
        rules[fm.id] = merged or FieldRule(access="hidden")
    return FormAccess(form, ctx, full=False, ops=_narrow(ctx, ops), groups=groups, rules=rules)


def require_record(
    conn: Connection, access: FormAccess, record_id: int, op: str, *, trashed: bool = False
) -> None:
    """404 when the record is not in the user's view scope (its existence must not leak),
    403 when they can see it but ``op`` is not theirs for it."""
    table = access.form.table
    state = table.c.deleted_at.is_not(None) if trashed else table.c.deleted_at.is_(None)
    base = sa.select(table.c.id).where(table.c.id == record_id, state)
    if conn.execute(base.where(*access.scope_clauses("view"))).first() is None:
        raise NotFound("record_not_found")
    if op == "view":
        return
    access.require(op)
    if conn.execute(base.where(*access.scope_clauses(op))).first() is None:
        raise Forbidden("record_forbidden", op=op)


def require_manage(rt: Runtime, ctx: Ctx, form_id: int) -> None:
    """Schema changes of a form: its managers, the app's administrators, admins."""
    if ctx.user is None:
        raise NotAuthenticated()
    with rt.db.read() as conn:
        form_access(conn, ctx, rt.form(conn, form_id)).require("manage")


def require_app_admin(conn: Connection, ctx: Ctx, app_id: int) -> None:
    if ctx.user is None:
        raise NotAuthenticated()
    if ctx.token_read_only:
        raise Forbidden("token_read_only")
    if ctx.token_app_ids is not None and app_id not in ctx.token_app_ids:
        raise Forbidden("token_app_forbidden")
    if not is_app_admin(conn, ctx, app_id):
        raise Forbidden("app_admin_required")


@functools.cache
def _open_forms_statement() -> sa.Select[Any]:
    """(form id, operations) of every group of the user (bound ``uid``), any form."""
    g = schema.permission_groups
    return sa.select(g.c.form_id, g.c.operations).where(g.c.id.in_(_my_group_ids()))


def admin_app_ids(conn: Connection, ctx: Ctx) -> set[int] | None:
    """The apps the user administers; None for a system administrator (all of them)."""
    if ctx.user is None:
        return set()
    if ctx.user.is_admin:
        return None
    a = schema.app_admins
    return set(conn.execute(sa.select(a.c.app_id).where(a.c.user_id == ctx.user.id)).scalars())


def accessible_form_ids(conn: Connection, ctx: Ctx, forms: Iterable[FormMeta]) -> set[int]:
    """The forms the user may open (for app lists and navigation), with the same rules
    as ``form_access`` but in two queries for any number of forms."""
    forms = list(forms)
    user = ctx.user
    if user is None:
        return set()
    if ctx.token_app_ids is not None:
        forms = [f for f in forms if f.app_id in ctx.token_app_ids]
    administered = admin_app_ids(conn, ctx)
    if administered is None:
        return {f.id for f in forms}
    ops: dict[int, set[str]] = {}
    for form_id, operations in conn.execute(_open_forms_statement(), {"uid": user.id}):
        ops.setdefault(form_id, set()).update(operations or [])
    opening = {"view", "create", "import", "manage"}
    return {f.id for f in forms if f.app_id in administered or ops.get(f.id, set()) & opening}
