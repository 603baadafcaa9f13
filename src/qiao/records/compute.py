"""Computed values on the write path: formula, lookup and rollup fields, default
formulas, and keeping computed values current in other records.

Order within a record: sub-form row formulas first (a row's subtotal), then the form's
computed fields in dependency order (a total over the rows, a formula reading the
total), each reading the stored form of what it reads — so a recompute from the
database gives the same values as the save did.

- create: defaults and computed values are filled into the prepared values before the
  INSERT (no second write);
- update (single and bulk): after the UPDATE, the changed records are read back in one
  pass, recomputed and the changed values written with one executemany;
- dependants in other records (set-based, one query per relation): records linking to
  a changed record (lookups, ``relation.field`` formulas) and records a changed record
  rolls up into (rollups) are recomputed in the same transaction, and so on up the
  graph (the design-time cycle check bounds it; ``MAX_DEPTH`` is a safety net).

Rollups are computed in SQL: one GROUP BY per rollup field for a batch of records.
Errors (#DIV/0!) are stored as empty values; ``evaluate`` shows the error text live.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.errors import ErrorDetail, FieldValueError
from qiao.forms.catalog import Catalog
from qiao.forms.fields.base import Storage
from qiao.forms.formulas import Computed, FormFormulas
from qiao.forms.model import FieldMeta, FormMeta
from qiao.formula import values as fv
from qiao.formula.evaluator import Compiled, EvalContext, compile
from qiao.formula.forms import Path, StoredRecord, load_values
from qiao.query.filters import compile_filter

CHUNK = 500
BATCH = 2000
MAX_DEPTH = 8
#: records of one create whose rollups over their own links are computed one by one
#: (a bulk create recomputes after the link rows are written: one GROUP BY)
DRAFT_ROLLUPS = 1
SYSTEM_COLUMNS = ("id", "created_at", "updated_at", "created_by", "updated_by", "owner")


def eval_context(ctx: Ctx) -> EvalContext:
    return EvalContext(now=ctx.now(), tz=ctx.tz, locale=ctx.locale)


# ----- plans ---------------------------------------------------------------------------------
@dataclass
class Plan:
    """Everything computed on one form, compiled once per schema version."""

    ff: FormFormulas
    order: list[Computed]
    compiled: dict[str, Compiled]
    rows: dict[int, list[tuple[Computed, Compiled]]]  # sub-form field id -> row formulas
    conditions: dict[tuple[str, str], Compiled]
    rules: list[tuple[dict[str, Any], Compiled, frozenset[Path]]]
    paths: set[Path] = field(default_factory=set)
    condition_refs: dict[tuple[str, str], frozenset[Path]] = field(default_factory=dict)

    @property
    def form(self) -> FormMeta:
        return self.ff.form

    @property
    def active(self) -> bool:
        return bool(self.order or self.rows or self.conditions or self.rules or self.rules_on)

    @property
    def rules_on(self) -> bool:
        """Field rules or cascading options to check on writes."""
        return any(
            fm.settings.rules
            or getattr(fm.settings, "depends_on", None)
            or getattr(fm.settings, "option_filter", None)
            for fm in self.form.live_fields
        )


def build_plan(form: FormMeta, forms: Mapping[int, FormMeta]) -> Plan:
    ff = FormFormulas(form, forms)
    order = ff.order()
    paths: set[Path] = set()
    compiled: dict[str, Compiled] = {}
    for item in order:
        if item.checked is not None:
            compiled[item.field.key] = compile(item.checked)
            paths |= set(item.checked.references)
    rows: dict[int, list[tuple[Computed, Compiled]]] = {}
    for sub_id, items in ff.row_computed.items():
        rows[sub_id] = [(i, compile(i.checked)) for i in items if i.checked is not None]
    conditions = {k: compile(c) for k, c in ff.conditions.items()}
    refs = {k: frozenset(c.references) for k, c in ff.conditions.items()}
    for checked in ff.conditions.values():
        paths |= set(checked.references)
    rules = []
    for rule, checked in ff.rules:
        paths |= set(checked.references)
        rules.append((rule, compile(checked), frozenset(checked.references)))
    return Plan(ff, order, compiled, rows, conditions, rules, paths, refs)


class _PlanCache:
    def __init__(self) -> None:
        self._catalog: Catalog | None = None
        self._plans: dict[int, Plan] = {}
        self._deps: dict[int, list[Dependant]] | None = None
        self._lock = threading.Lock()

    def _reset(self, catalog: Catalog) -> None:
        if self._catalog is not catalog:
            self._catalog, self._plans, self._deps = catalog, {}, None

    def plan(self, catalog: Catalog, form_id: int) -> Plan:
        with self._lock:
            self._reset(catalog)
            found = self._plans.get(form_id)
        if found is None:
            found = build_plan(catalog.forms[form_id], catalog.forms)
            with self._lock:
                if self._catalog is catalog:
                    self._plans[form_id] = found
        return found

    def dependants(self, catalog: Catalog) -> dict[int, list[Dependant]]:
        with self._lock:
            self._reset(catalog)
            deps = self._deps
        if deps is None:
            deps = find_dependants(catalog.forms)
            with self._lock:
                if self._catalog is catalog:
                    self._deps = deps
        return deps


_cache = _PlanCache()


def plan_for(catalog: Catalog, form_id: int) -> Plan:
    return _cache.plan(catalog, form_id)


# ----- dependants across forms ---------------------------------------------------------------
@dataclass(frozen=True)
class Dependant:
    """Records of ``form`` must be recomputed when records of another form change:
    ``forward``: those whose ``link`` (a relation on ``form``) holds a changed record;
    reverse: the records a changed record's ``link`` (on the changed form) holds."""

    form: FormMeta
    link: FieldMeta
    forward: bool


def find_dependants(forms: Mapping[int, FormMeta]) -> dict[int, list[Dependant]]:
    found: dict[int, dict[tuple[int, int, bool], Dependant]] = defaultdict(dict)
    for form in forms.values():
        if form.deleted_at is not None:
            continue
        ff = FormFormulas(form, forms)
        for item in ff.computed.values():
            if item.rollup is not None:
                other, link, reverse = item.rollup
                if reverse:
                    found[other.id][(form.id, link.id, False)] = Dependant(form, link, False)
                else:
                    found[other.id][(form.id, link.id, True)] = Dependant(form, link, True)
                continue
            if item.checked is None:
                continue
            for keys in item.checked.references:
                binding = ff.env.binding(keys)
                if binding is not None and binding.via_form is not None and binding.via:
                    key = (form.id, binding.via.id, True)
                    found[binding.via_form.id][key] = Dependant(form, binding.via, True)
    return {fid: list(d.values()) for fid, d in found.items()}


# ----- reading records -------------------------------------------------------------------
def read_records(
    conn: Connection, plan: Plan, ids: Sequence[int], *, all_fields: bool = True
) -> dict[int, StoredRecord]:
    """Stored values by key of live records (columns, junction values, sub-form rows).
    Without ``all_fields`` only what the computation reads and writes is read."""
    form = plan.form
    table = form.table
    found: dict[int, StoredRecord] = {}
    wanted = {k[0] for k in plan.paths} | set(plan.ff.computed)
    wanted |= {fm.key for fm in form.live_fields if fm.id in plan.rows}
    chosen = [fm for fm in form.live_fields if all_fields or fm.key in wanted]
    columns = [(fm.key, fm.column_name) for fm in chosen if fm.storage is Storage.COLUMN]
    junctions = [fm for fm in chosen if fm.storage is Storage.JUNCTION]
    subs = [fm for fm in chosen if fm.storage is Storage.CHILD]
    system = [k for k in SYSTEM_COLUMNS if all_fields or k == "id" or (k,) in plan.paths]
    select_cols = [table.c[k] for k in system] + [table.c[c] for _, c in columns]
    keys = system + [k for k, _ in columns]
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        rows = conn.execute(
            sa.select(*select_cols).where(table.c.id.in_(chunk), table.c.deleted_at.is_(None))
        )
        for row in rows:
            found[row[0]] = dict(zip(keys, row, strict=True))
        for fm in junctions:
            j = form.junctions[fm.id]
            for rid, value in conn.execute(
                sa.select(j.c.record_id, j.c.value)
                .where(j.c.record_id.in_(chunk))
                .order_by(j.c.record_id, j.c.position)
            ):
                if rid in found:
                    found[rid].setdefault(fm.key, []).append(value)
        if subs:
            from qiao.records.children import child_rows

            for sub_id, per_record in child_rows(conn, form, subs, chunk).items():
                key = next(fm.key for fm in subs if fm.id == sub_id)
                for rid, rows_ in per_record.items():
                    if rid in found:
                        found[rid][key] = rows_
    for record in found.values():
        for fm in junctions:
            record.setdefault(fm.key, [])
        for fm in subs:
            record.setdefault(fm.key, [])
    return found


def is_input(fm: FieldMeta) -> bool:
    return fm.ftype.writable


# ----- computing -------------------------------------------------------------------------
def _rollups(
    conn: Connection, plan: Plan, item: Computed, ids: list[int], ctx: Ctx
) -> dict[int, Any]:
    """Stored values of a rollup field for records ``ids`` (one GROUP BY)."""
    assert item.rollup is not None
    other, link, reverse = item.rollup
    settings: Any = item.field.settings
    table = other.table
    target = other.by_key.get(settings.field or "")
    where: list[sa.ColumnElement[bool]] = [table.c.deleted_at.is_(None)]
    condition = compile_filter(other, settings.filter, ctx) if settings.filter else None
    if condition is not None:
        where.append(condition)
    if reverse:
        if link.storage is Storage.JUNCTION:
            j = other.junctions[link.id]
            owner: sa.ColumnElement[Any] = j.c.value
            source: Any = table.join(j, j.c.record_id == table.c.id)
        else:
            owner = table.c[link.column_name]
            source = table
    else:
        here = plan.form.table
        if link.storage is Storage.JUNCTION:
            j = plan.form.junctions[link.id]
            owner = j.c.record_id
            source = table.join(j, j.c.value == table.c.id)
        else:
            owner = here.c.id
            source = table.join(here, here.c[link.column_name] == table.c.id)
    if settings.aggregate == "count":
        agg: sa.ColumnElement[Any] = sa.func.count(table.c.id)
    else:
        assert target is not None
        col = table.c[target.column_name]
        agg = getattr(sa.func, settings.aggregate)(col)
    result: dict[int, Any] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        stmt = (
            sa.select(owner, agg)
            .select_from(source)
            .where(owner.in_(chunk), *where)
            .group_by(owner)
        )
        for rid, value in conn.execute(stmt):
            result[rid] = value
    return {rid: _rollup_value(item, target, result.get(rid), ctx) for rid in ids}


def _rollup_value(item: Computed, target: FieldMeta | None, raw: Any, ctx: Ctx) -> Any:
    """An aggregate as SQL gave it -> the rollup field's stored value."""
    aggregate = item.field.settings.aggregate  # type: ignore[attr-defined]
    if aggregate == "count":
        return _number_stored(item.field, Decimal(raw or 0), ctx)
    if raw is None or target is None:
        return None
    if aggregate in ("sum", "avg"):
        scale = int(getattr(target.ftype, "scale", 6))
        return _number_stored(item.field, Decimal(str(raw)).scaleb(-scale), ctx)
    return item.field.ftype.from_formula(item.field, target.ftype.to_formula(target, raw, ctx), ctx)


def _rollup_over_links(conn: Connection, item: Computed, record: StoredRecord, ctx: Ctx) -> Any:
    """A rollup over this record's own relation, from the links the record holds now
    (a new record's, or a draft's, before any link row exists)."""
    assert item.rollup is not None
    other, link, _ = item.rollup
    settings: Any = item.field.settings
    value = record.get(link.key)
    linked = [v for v in (value if isinstance(value, list) else [value]) if v is not None]
    target = other.by_key.get(settings.field or "")
    if not linked:
        return _rollup_value(item, target, None, ctx)
    table = other.table
    where: list[sa.ColumnElement[bool]] = [table.c.deleted_at.is_(None), table.c.id.in_(linked)]
    if settings.filter:
        condition = compile_filter(other, settings.filter, ctx)
        if condition is not None:
            where.append(condition)
    if settings.aggregate == "count":
        agg: sa.ColumnElement[Any] = sa.func.count(table.c.id)
    else:
        assert target is not None
        agg = getattr(sa.func, settings.aggregate)(table.c[target.column_name])
    raw = conn.execute(sa.select(agg).where(*where)).scalar()
    return _rollup_value(item, target, raw, ctx)


def _number_stored(fm: FieldMeta, number: Decimal, ctx: Ctx) -> Any:
    return fm.ftype.from_formula(fm, number, ctx)


class Evaluation:
    """Values of one batch of records while they are computed."""

    def __init__(self, conn: Connection, plan: Plan, records: list[StoredRecord], ctx: Ctx) -> None:
        self.conn, self.plan, self.records, self.ctx = conn, plan, records, ctx
        self.ectx = eval_context(ctx)
        self.values: list[dict[Path, Any]] = []
        self.results: list[dict[str, Any]] = [{} for _ in records]  # raw formula results

    def load(self) -> None:
        self.values = load_values(
            self.conn, self.plan.ff.env, self.plan.paths, self.records, self.ctx
        )

    def refresh_own(self, index: int, key: str) -> None:
        """A computed value changed: what formulas read of it."""
        if (key,) not in self.plan.paths:
            return
        fm = self.plan.form.by_key[key]
        self.values[index][(key,)] = fm.ftype.to_formula(fm, self.records[index].get(key), self.ctx)

    def run(self, compiled: Compiled, index: int) -> Any:
        return compiled(self.values[index], self.ectx)


def _row_reads(plan: Plan, sub: FieldMeta, item: Computed) -> list[tuple[Path, FieldMeta, bool]]:
    """What a row formula reads: (path, field, is a cell of the row), resolved once."""
    from qiao.formula.forms import FormEnvironment

    assert item.checked is not None
    env = FormEnvironment(plan.form, plan.ff.forms, row_of=sub)
    row_keys = {c.key for c in env.row_fields}
    reads: list[tuple[Path, FieldMeta, bool]] = []
    for keys in item.checked.references:
        binding = env.binding(keys)
        if binding is None or len(keys) != 1:
            continue
        reads.append((keys, binding.field, keys[0] in row_keys))
    return reads


def compute_rows(plan: Plan, records: Sequence[StoredRecord], ctx: Ctx) -> None:
    """Row formulas of sub-forms, in place in the records' row lists."""
    if not plan.rows:
        return
    ectx = eval_context(ctx)
    for sub_id, items in plan.rows.items():
        sub = next(fm for fm in plan.form.live_fields if fm.id == sub_id)
        resolved = [(item, compiled, _row_reads(plan, sub, item)) for item, compiled in items]
        for record in records:
            parent = {
                keys: fm.ftype.to_formula(fm, record.get(fm.key), ctx)
                for _, _, reads in resolved
                for keys, fm, in_row in reads
                if not in_row
            }
            for row in record.get(sub.key) or []:
                for item, compiled, reads in resolved:
                    values = dict(parent)
                    for keys, fm, in_row in reads:
                        if in_row:
                            values[keys] = fm.ftype.to_formula(fm, row.get(fm.column_name), ctx)
                    row[item.field.column_name] = item.field.ftype.from_formula(
                        item.field, compiled(values, ectx), ctx
                    )


def compute(
    conn: Connection,
    plan: Plan,
    records: list[StoredRecord],
    ids: Sequence[int | None],
    ctx: Ctx,
    *,
    draft: bool = False,
) -> Evaluation:
    """Fill the records' computed values (in place); returns the evaluation, whose
    values (with the computed ones) serve the rules and conditions. A ``draft`` (the
    record form's evaluate) may hold links not yet saved: rollups over its own relation
    read them from the record, not from the link rows."""
    compute_rows(plan, records, ctx)
    ev = Evaluation(conn, plan, records, ctx)
    ev.load()
    existing = [i for i in ids if i is not None]
    for item in plan.order:
        key = item.field.key
        if item.rollup is not None:
            own_links = not item.rollup[2]
            stored = _rollups(conn, plan, item, existing, ctx) if existing and not draft else {}
            for index, record in enumerate(records):
                rid = ids[index]
                if own_links and (rid is None or draft) and len(records) <= DRAFT_ROLLUPS:
                    record[key] = _rollup_over_links(conn, item, record, ctx)
                elif rid is None:
                    record[key] = _rollup_value(item, None, None, ctx)
                else:
                    record[key] = (
                        stored.get(rid)
                        if not draft
                        else _rollups(conn, plan, item, [rid], ctx)[rid]
                    )
                ev.refresh_own(index, key)
            continue
        compiled = plan.compiled.get(key)
        if compiled is None:
            continue
        for index, record in enumerate(records):
            result = ev.run(compiled, index)
            if item.joined and isinstance(result, list):
                texts = [fv.display(v) for v in result if v is not None and v != ""]
                result = "、".join(texts) if texts else None
            ev.results[index][key] = result
            record[key] = item.field.ftype.from_formula(item.field, result, ctx)
            ev.refresh_own(index, key)
    return ev


def apply_defaults(
    conn: Connection,
    plan: Plan,
    records: list[StoredRecord],
    given: Sequence[set[str]],
    ctx: Ctx,
    prefixes: Sequence[str],
) -> list[ErrorDetail]:
    """``default_formula`` values of fields a new record's input left out."""
    defaults = [
        (plan.form.by_key[k], c)
        for (k, setting), c in plan.conditions.items()
        if setting == "default_formula" and k in plan.form.by_key
    ]
    if not defaults:
        return []
    errors: list[ErrorDetail] = []
    ev = Evaluation(conn, plan, records, ctx)
    ev.load()
    for fm, compiled in defaults:
        for index, record in enumerate(records):
            if fm.key in given[index]:
                continue
            try:
                record[fm.key] = fm.ftype.from_formula(fm, ev.run(compiled, index), ctx)
            except FieldValueError as exc:
                errors.append(
                    ErrorDetail(
                        f"{prefixes[index]}{fm.key}", exc.code, {"label": fm.label, **exc.params}
                    )
                )
                continue
            ev.refresh_own(index, fm.key)
    return errors


# ----- writing -----------------------------------------------------------------------------
def write_back(
    conn: Connection,
    plan: Plan,
    before: Mapping[int, StoredRecord],
    after: Mapping[int, StoredRecord],
) -> int:
    """Write computed values (and sub-form row formula cells) that changed."""
    form = plan.form
    table = form.table
    keys = [c.field for c in plan.order]
    changed = 0
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for rid, record in after.items():
        old = before.get(rid, {})
        diff = tuple(fm.key for fm in keys if old.get(fm.key) != record.get(fm.key))
        if diff:
            params: dict[str, Any] = {"b_id": rid}
            for key in diff:
                params[f"b_{key}"] = record.get(key)
            by_shape[diff].append(params)
    for diff, batch in by_shape.items():
        if conn.dialect.name == "postgresql":
            _update_from_arrays(conn, form, diff, batch)
            changed += len(batch)
            continue
        stmt = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"))
            .values({form.by_key[k].column_name: sa.bindparam(f"b_{k}") for k in diff})
        )
        for start in range(0, len(batch), BATCH):
            conn.execute(stmt, batch[start : start + BATCH])
        changed += len(batch)
    for sub_id, items in plan.rows.items():
        sub = next(fm for fm in form.live_fields if fm.id == sub_id)
        child = form.children[sub_id]
        cols = [i.field.column_name for i, _ in items]
        updates = []
        for rid, record in after.items():
            old_rows = {r["id"]: r for r in before.get(rid, {}).get(sub.key) or []}
            for row in record.get(sub.key) or []:
                old_row = old_rows.get(row.get("id"), {})
                if row.get("id") is not None and any(old_row.get(c) != row.get(c) for c in cols):
                    updates.append({"b_row": row["id"], **{f"b_{c}": row.get(c) for c in cols}})
        if updates:
            stmt = (
                sa.update(child)
                .where(child.c.id == sa.bindparam("b_row"))
                .values({c: sa.bindparam(f"b_{c}") for c in cols})
            )
            conn.execute(stmt, updates)
    return changed


def _update_from_arrays(
    conn: Connection, form: FormMeta, keys: tuple[str, ...], batch: list[dict[str, Any]]
) -> None:
    """PostgreSQL: one UPDATE … FROM unnest(arrays) per batch instead of a statement per
    row (names are generated identifiers; values are bound as typed arrays)."""
    dialect = conn.dialect
    fields = [form.by_key[k] for k in keys]
    sets = ", ".join(f'"{fm.column_name}" = v.c{i}' for i, fm in enumerate(fields))
    arrays = ", ".join(
        f"CAST(:a{i} AS {fm.ftype.sql_type(fm).compile(dialect=dialect)}[])"
        for i, fm in enumerate(fields)
    )
    names = ", ".join(f"c{i}" for i in range(len(fields)))
    stmt = sa.text(
        f'UPDATE "{form.table.name}" AS t SET {sets} '
        f"FROM unnest(CAST(:ids AS BIGINT[]), {arrays}) AS v(id, {names}) WHERE t.id = v.id"
    )
    for start in range(0, len(batch), BATCH):
        part = batch[start : start + BATCH]
        params: dict[str, Any] = {"ids": [p["b_id"] for p in part]}
        for i, key in enumerate(keys):
            params[f"a{i}"] = [p[f"b_{key}"] for p in part]
        conn.execute(stmt, params)


def _copy(record: StoredRecord) -> StoredRecord:
    copied = dict(record)
    for key, value in record.items():
        if isinstance(value, list):
            copied[key] = [dict(v) if isinstance(v, dict) else v for v in value]
    return copied


def recompute(
    conn: Connection,
    catalog: Catalog,
    form_id: int,
    ids: Sequence[int],
    ctx: Ctx,
    *,
    propagate: bool = True,
    depth: int = 0,
) -> int:
    """Recompute the computed values of records ``ids``; returns how many changed."""
    plan = plan_for_catalog(catalog, form_id)
    if not plan.order and not plan.rows:
        if propagate:
            propagate_from(conn, catalog, form_id, list(ids), {}, ctx, depth)
        return 0
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        before = read_records(conn, plan, chunk, all_fields=False)
        order = list(before)
        after = [_copy(before[rid]) for rid in order]
        compute(conn, plan, after, order, ctx)
        written = write_back(conn, plan, before, dict(zip(order, after, strict=True)))
        changed += written
        if propagate and written:
            propagate_from(conn, catalog, form_id, order, {}, ctx, depth)
    return changed


def plan_for_catalog(catalog: Catalog, form_id: int) -> Plan:
    """A plan from the process cache for the shared catalog, fresh for any other (a
    schema change's transaction reads its own catalog)."""
    return plan_for(catalog, form_id)


def recompute_all(
    conn: Connection, catalog: Catalog, form_id: int, ctx: Ctx, after_id: int = 0
) -> int:
    """Every live record of the form, in keyset batches (inside the caller's transaction)."""
    table = catalog.forms[form_id].table
    last = after_id
    total = 0
    while True:
        ids = list(
            conn.execute(
                sa.select(table.c.id)
                .where(table.c.id > last, table.c.deleted_at.is_(None))
                .order_by(table.c.id)
                .limit(BATCH)
            ).scalars()
        )
        if not ids:
            return total
        total += recompute(conn, catalog, form_id, ids, ctx)
        last = ids[-1]


def links_of(
    conn: Connection, catalog: Catalog, form_id: int, ids: Sequence[int]
) -> dict[int, set[int]]:
    """The records ``ids`` link to through fields that reverse rollups read: taken before
    an update, so that the record a link moved away from is recomputed too."""
    deps = _cache.dependants(catalog).get(form_id, [])
    found: dict[int, set[int]] = {}
    form = catalog.forms[form_id]
    for dep in deps:
        if dep.forward:
            continue
        found.setdefault(dep.link.id, set()).update(_link_values(conn, form, dep.link, ids))
    return found


def _link_values(conn: Connection, form: FormMeta, link: FieldMeta, ids: Sequence[int]) -> set[int]:
    values: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        if link.storage is Storage.JUNCTION:
            j = form.junctions[link.id]
            stmt = sa.select(j.c.value).where(j.c.record_id.in_(chunk))
        else:
            col = form.table.c[link.column_name]
            stmt = sa.select(col).where(form.table.c.id.in_(chunk), col.is_not(None))
        values.update(v for v in conn.execute(stmt).scalars() if v is not None)
    return values


def propagate_from(
    conn: Connection,
    catalog: Catalog,
    form_id: int,
    ids: Sequence[int],
    before_links: Mapping[int, set[int]],
    ctx: Ctx,
    depth: int = 0,
) -> None:
    """Recompute the records of other forms that read records ``ids`` of ``form_id``."""
    if depth >= MAX_DEPTH or not ids:
        return
    form = catalog.forms[form_id]
    for dep in _cache.dependants(catalog).get(form_id, []):
        if dep.forward:
            target = dep.form
            if dep.link.storage is Storage.JUNCTION:
                j = target.junctions[dep.link.id]
                stmt: Any = sa.select(j.c.record_id).where(
                    j.c.value.in_(sa.bindparam("ids", expanding=True))
                )
            else:
                col = target.table.c[dep.link.column_name]
                stmt = sa.select(target.table.c.id).where(
                    col.in_(sa.bindparam("ids", expanding=True)),
                    target.table.c.deleted_at.is_(None),
                )
            affected: set[int] = set()
            for start in range(0, len(ids), CHUNK):
                affected.update(
                    conn.execute(stmt, {"ids": list(ids[start : start + CHUNK])}).scalars()
                )
        else:
            affected = _link_values(conn, form, dep.link, ids) | set(
                before_links.get(dep.link.id, set())
            )
        if affected:
            recompute(conn, catalog, dep.form.id, sorted(affected), ctx, depth=depth + 1)


# ----- the write path's entry points (called by qiao.records.service) -------------------------
def _catalog(rt: Any, conn: Connection) -> Catalog:
    catalog: Catalog = rt.schema.get(conn)
    return catalog


def on_create(
    conn: Connection,
    rt: Any,
    form: FormMeta,
    ctx: Ctx,
    items: Sequence[dict[int, Any]],
    datas: Sequence[Any],
    prefixes: Sequence[str],
) -> list[ErrorDetail]:
    """Fill default formulas and computed values into the prepared items (in place; a
    retried transaction computes the same) and check the form's rules. Returns the
    problems found."""
    from qiao.records import rules

    catalog = _catalog(rt, conn)
    plan = plan_for(catalog, form.id)
    if not plan.active:
        return []
    now = ctx.now()
    records: list[StoredRecord] = []
    for item in items:
        record: StoredRecord = {
            "id": None,
            "created_at": now,
            "updated_at": now,
            "created_by": ctx.user_id,
            "updated_by": ctx.user_id,
            "owner": ctx.user_id,
        }
        for fm in form.live_fields:
            record[fm.key] = item.get(fm.id)
        records.append(record)
    given = [set(d) if isinstance(d, dict) else set() for d in datas]
    errors = apply_defaults(conn, plan, records, given, ctx, prefixes)
    ev = compute(conn, plan, records, [None] * len(records), ctx)
    errors += rules.check(plan, records, ev.values, ctx, prefixes, given=given)
    errors += rules.option_filter_errors(conn, catalog.forms, form, records, prefixes, ctx)
    for item, record, keys in zip(items, records, given, strict=True):
        for fm in form.live_fields:
            if (
                fm.key in plan.ff.computed
                or fm.id in plan.rows
                or ((fm.key, "default_formula") in plan.conditions and fm.key not in keys)
            ):
                item[fm.id] = record.get(fm.key)
    return errors


def before_update(
    conn: Connection, rt: Any, form: FormMeta, ids: Sequence[int]
) -> dict[int, set[int]]:
    """What an update needs to know before it writes: the records the changed records
    link to (a rollup there must drop them if a link moves)."""
    return links_of(conn, _catalog(rt, conn), form.id, ids)


def after_update(
    conn: Connection,
    rt: Any,
    form: FormMeta,
    ctx: Ctx,
    ids: Sequence[int],
    links: Mapping[int, set[int]],
    changed: Collection[int] | None = None,
) -> None:
    """Recompute the updated records, check the rules on their new values (a failure
    rolls the update back) and recompute the records that read them. ``changed``: the
    ids of the fields the update wrote."""
    from qiao.errors import ValidationFailed
    from qiao.records import rules

    catalog = _catalog(rt, conn)
    plan = plan_for(catalog, form.id)
    if plan.active:
        for start in range(0, len(ids), BATCH):
            chunk = list(ids[start : start + BATCH])
            before = read_records(conn, plan, chunk)
            order = list(before)
            after = [_copy(before[rid]) for rid in order]
            ev = compute(conn, plan, after, order, ctx)
            problems = rules.check(plan, after, ev.values, ctx, [""] * len(after))
            problems += rules.option_filter_errors(
                conn, catalog.forms, form, after, [""] * len(after), ctx, changed
            )
            if problems:
                unique = {(d.field, d.code): d for d in problems}
                raise ValidationFailed(details=list(unique.values()))
            write_back(conn, plan, before, dict(zip(order, after, strict=True)))
    propagate_from(conn, catalog, form.id, list(ids), links, ctx)


def after_insert(conn: Connection, rt: Any, form: FormMeta, ctx: Ctx, ids: Sequence[int]) -> None:
    """New records may count in other records' rollups. A rollup over the new records'
    own links (a multiple relation of theirs) is computed now that the links are rows."""
    catalog = _catalog(rt, conn)
    plan = plan_for(catalog, form.id)
    if any(c.rollup is not None and not c.rollup[2] for c in plan.order):
        recompute(conn, catalog, form.id, ids, ctx, propagate=False)
    propagate_from(conn, catalog, form.id, list(ids), {}, ctx)


def after_delete(conn: Connection, rt: Any, form: FormMeta, ctx: Ctx, ids: Sequence[int]) -> None:
    """Deleted (or restored) records leave (or rejoin) other records' rollups."""
    catalog = _catalog(rt, conn)
    if not _cache.dependants(catalog).get(form.id):
        return
    propagate_from(conn, catalog, form.id, list(ids), {}, ctx)
