"""The record form's live companion and the formula editor's checker.

``evaluate`` computes, for a draft of a record as the form holds it, what saving would
compute — formula/lookup/rollup values (sub-form rows with their row formulas), default
formulas of a new record, fields filled from a chosen linked record, which fields are
visible and required, and which rules fail — without writing anything. It sees the
record as the user may: hidden fields are neither read from the draft nor returned, and
a fill reads the linked record only within the user's scope on its form.

``check`` checks one expression for the designer against the form, with the same
problems a save would report, and evaluates it on the newest record the user can see.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.errors import ErrorDetail, FieldValueError, Forbidden, NotFound, ValidationFailed
from qiao.forms.fields.base import FieldSettings, Storage
from qiao.forms.formulas import FormFormulas, analyse, chain_text, find_cycle, readers_of
from qiao.forms.model import FieldMeta, FormMeta
from qiao.formula import values as fv
from qiao.formula.checker import check as check_formula
from qiao.formula.errors import FormulaError
from qiao.formula.forms import FormEnvironment, load_values
from qiao.org.access import FormAccess, form_access, require_record
from qiao.org.permissions import require_user
from qiao.records import compute, rules
from qiao.records import values as V
from qiao.runtime import Runtime


def formula_json(value: Any) -> Any:
    """A formula value as JSON: numbers as numbers, dates ISO, errors as their text."""
    if isinstance(value, list):
        return [formula_json(v) for v in value]
    if fv.is_error(value):
        return str(value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# ----- check -------------------------------------------------------------------------------
def check(
    rt: Runtime,
    ctx: Ctx,
    form_id: int,
    expression: str,
    *,
    field_key: str | None = None,
    subform: str | None = None,
    purpose: str = "field",
    fields: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``fields``: the designer's current, unpublished field list; names are checked
    against it (no sample value then: the new fields have no data yet)."""
    require_user(ctx)
    with rt.db.read() as conn:
        catalog = rt.schema.get(conn)
        access = form_access(conn, ctx, catalog.form(form_id))
        access.require("manage")
        form = access.form if fields is None else _draft_form(access.form, fields)
        row_of = form.by_key.get(subform) if subform else None
        if subform and (row_of is None or row_of.storage is not Storage.CHILD):
            raise ValidationFailed(
                details=[
                    ErrorDetail("subform", "unknown_field", {"key": subform, "label": subform})
                ]
            )
        env = FormEnvironment(form, catalog.forms, row_of=row_of)
        try:
            checked = check_formula(expression, env)
        except FormulaError as exc:
            raise ValidationFailed(
                details=[ErrorDetail("expression", d.code, d.params) for d in exc.details]
            ) from exc
        if purpose == "field" and checked.volatile:
            raise ValidationFailed(
                details=[
                    ErrorDetail(
                        "expression",
                        "formula_volatile_stored",
                        {"label": field_key or "", "start": 0, "end": len(expression)},
                    )
                ]
            )
        if purpose == "field" and field_key and row_of is None:
            _refuse_cycle(form, catalog.forms, field_key, expression)
        sample = (
            _sample(conn, access, env, checked, ctx) if row_of is None and fields is None else None
        )
    return {
        "kind": checked.kind.value,
        "references": sorted(".".join(k) for k in checked.references),
        "text": checked.text,
        "display_text": checked.display_text,
        "sample": sample,
    }


def _draft_form(form: FormMeta, fields: list[dict[str, Any]]) -> FormMeta:
    """The form as the designer currently has it: the given fields (existing ones by
    ``id`` keep their metadata but take the given key, label and settings)."""
    from qiao.forms.fields import registry

    existing = {fm.id: fm for fm in form.live_fields}
    draft: list[FieldMeta] = []
    for index, item in enumerate(fields):
        type_key = str(item.get("type") or "")
        key = item.get("key")
        if type_key not in registry or not isinstance(key, str) or not key:
            continue
        ftype = registry.get(type_key)
        raw = item.get("settings") if isinstance(item.get("settings"), dict) else {}
        given_id = item.get("id")
        old = existing.get(given_id) if isinstance(given_id, int) else None
        settings: FieldSettings | None
        try:
            settings = ftype.parse_settings(dict(raw or {}), old.settings if old else None)
        except (ValueError, FieldValueError):  # pydantic's ValidationError is a ValueError
            settings = old.settings if old is not None and old.type == type_key else None
        if settings is None:
            continue
        if old is not None and old.type == type_key:
            fm = dataclasses.replace(
                old, key=key, label=str(item.get("label") or key), settings=settings
            )
        else:
            fm = FieldMeta(
                -(index + 1), form.id, key, str(item.get("label") or key), type_key, settings, ""
            )
        draft.append(fm)
    return dataclasses.replace(form, fields=draft)


def _refuse_cycle(form: FormMeta, forms: Any, field_key: str, expression: str) -> None:
    """Would the field, with this expression, read itself through other fields?"""
    fm = form.by_key.get(field_key)
    if fm is None or fm.type != "formula":
        return
    changed = dataclasses.replace(
        fm, settings=fm.settings.model_copy(update={"expression": expression})
    )
    copy = dataclasses.replace(form, fields=[changed if f.id == fm.id else f for f in form.fields])
    trial = {**forms, form.id: copy}
    analysed = analyse(trial, only=readers_of(trial, form.id))
    chain = find_cycle(analysed)
    text = chain_text(chain) if chain is not None else None
    for problem in analysed[form.id].problems.details:
        if problem.code == "formula_cycle":  # the field reads itself directly
            text = str(problem.params.get("chain"))
    if text is not None:
        raise ValidationFailed(
            details=[
                ErrorDetail(
                    "expression",
                    "formula_cycle",
                    {"chain": text, "start": 0, "end": len(expression)},
                )
            ]
        )


def _sample(
    conn: Connection, access: FormAccess, env: FormEnvironment, checked: Any, ctx: Ctx
) -> dict[str, Any] | None:
    form = access.form
    if not access.can("view"):
        return None
    table = form.table
    record_id = conn.execute(
        sa.select(table.c.id)
        .where(table.c.deleted_at.is_(None), *access.scope_clauses("view"))
        .order_by(table.c.id.desc())
        .limit(1)
    ).scalar()
    if record_id is None:
        return None
    plan = compute.Plan(FormFormulas(form, env.forms), [], {}, {}, {}, [])
    plan.paths = set(checked.references)
    record = compute.read_records(conn, plan, [record_id]).get(record_id)
    if record is None:
        return None
    values = load_values(conn, env, checked.references, [record], ctx)[0]
    from qiao.formula.evaluator import compile

    value = compile(checked)(values, compute.eval_context(ctx))
    return {"record_id": record_id, "value": formula_json(value), "display": fv.display(value)}


# ----- evaluate ----------------------------------------------------------------------------
def evaluate(
    rt: Runtime,
    ctx: Ctx,
    form_id: int,
    data: dict[str, Any],
    record_id: int | None = None,
    changed: str | None = None,
) -> dict[str, Any]:
    require_user(ctx)
    with rt.db.read() as conn:
        catalog = rt.schema.get(conn)
        access = form_access(conn, ctx, catalog.form(form_id))
        if record_id is None:
            access.require("create")
        else:
            op = "edit" if access.can("edit") else "view"
            require_record(conn, access, record_id, op)
        form = access.form
        visible_keys = set(access.visible_form().by_key)
        plan = compute.plan_for(catalog, form_id)
        draft = {k: v for k, v in data.items() if k in visible_keys}
        writable = {
            k: v
            for k, v in draft.items()
            if form.by_key[k].ftype.writable and not access.writable_errors([k])
        }
        prepared = _prepare_leniently(form, writable, ctx)
        if record_id is not None:
            base = compute.read_records(conn, plan, [record_id]).get(record_id)
            if base is None:
                raise NotFound("record_not_found")
        else:
            base = _new_record(form, ctx)
        record = dict(base)
        for fm in form.live_fields:
            if fm.id in prepared:
                record[fm.key] = prepared[fm.id]
        result: dict[str, Any] = {
            "values": {},
            "defaults": {},
            "fills": {},
            "visible": {},
            "required": {},
            "errors": [],
        }
        if record_id is None:
            given = {k for k, v in draft.items() if v not in (None, "", [])}
            compute.apply_defaults(conn, plan, [record], [given], ctx, [""])
            for fm in form.live_fields:
                defaulted = (fm.key, "default_formula") in plan.conditions
                if defaulted and fm.key in visible_keys and fm.key not in given:
                    result["defaults"][fm.key] = fm.ftype.to_json(fm, record[fm.key], ctx)
        ev = compute.compute(conn, plan, [record], [record_id], ctx, draft=True)
        for item in plan.order:
            fm = item.field
            if fm.key not in visible_keys:
                continue
            raw = ev.results[0].get(fm.key)
            if fv.is_error(raw):
                result["values"][fm.key] = str(raw)
            else:
                result["values"][fm.key] = fm.ftype.to_json(fm, record.get(fm.key), ctx)
        for sub_id in plan.rows:
            sub = next(f for f in form.live_fields if f.id == sub_id)
            if sub.key in visible_keys:
                result["values"][sub.key] = sub.ftype.to_json(sub, record.get(sub.key), ctx)
        ectx = compute.eval_context(ctx)
        shown = rules.visibility(plan, ev.values[0], ectx)
        required = rules.requirement(plan, ev.values[0], ectx, shown)
        result["visible"] = {
            k: v for k, v in shown.items() if k in visible_keys or k not in form.by_key
        }
        result["required"] = {k: v for k, v in required.items() if k in visible_keys}
        problems = rules.check(plan, [record], ev.values, ctx, [""])
        result["errors"] = [
            {
                "field": "" if d.field == "rules" else d.field,
                "code": d.code,
                "message": _message(d, ctx),
            }
            for d in problems
            if d.code != "required" and d.field.split(".")[0] in visible_keys | {"rules"}
        ]
        if changed and changed in form.by_key and changed in visible_keys:
            result["fills"] = _fills(
                rt, conn, ctx, form, form.by_key[changed], record, visible_keys, catalog
            )
    return result


def _message(detail: ErrorDetail, ctx: Ctx) -> str:
    from qiao.i18n import translate

    return translate(detail.code, ctx.locale, detail.params)


def _prepare_leniently(form: FormMeta, data: dict[str, Any], ctx: Ctx) -> dict[int, Any]:
    """A draft's values as stored; a value that does not (yet) convert counts as empty."""
    prepared: dict[int, Any] = {}
    for key, value in data.items():
        fm = form.by_key[key]
        try:
            prepared[fm.id] = fm.ftype.to_storage(fm, value, ctx)
        except FieldValueError:
            if fm.storage is Storage.CHILD and isinstance(value, list):
                prepared[fm.id] = _rows_leniently(fm, value, ctx)
            else:
                prepared[fm.id] = [] if fm.storage is not Storage.COLUMN else None
    return prepared


def _rows_leniently(fm: FieldMeta, rows: list[Any], ctx: Ctx) -> list[dict[str, Any]]:
    """Sub-form rows while the user types: a cell that does not convert is empty, so
    the other cells' row formulas and the totals still show."""
    from qiao.formula.forms import subform_children

    children = subform_children(fm) or []
    result: list[dict[str, Any]] = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        cells: dict[str, Any] = {"id": row.get("id") if isinstance(row.get("id"), int) else None}
        for child in children:
            try:
                cells[child.column_name] = (
                    child.ftype.to_storage(child, row.get(child.key), ctx)
                    if child.ftype.writable
                    else None
                )
            except FieldValueError:
                cells[child.column_name] = None
        result.append(cells)
    return result


def _new_record(form: FormMeta, ctx: Ctx) -> dict[str, Any]:
    now = ctx.now()
    record: dict[str, Any] = {
        "id": None,
        "created_at": now,
        "updated_at": now,
        "created_by": ctx.user_id,
        "updated_by": ctx.user_id,
        "owner": ctx.user_id,
    }
    defaults, _ = V.prepare(form, {}, ctx, partial=False)
    for fm in form.live_fields:
        empty: Any = [] if fm.storage is not Storage.COLUMN else None
        record[fm.key] = defaults.get(fm.id, empty)
    return record


def _fills(
    rt: Runtime,
    conn: Connection,
    ctx: Ctx,
    form: FormMeta,
    relation: FieldMeta,
    record: dict[str, Any],
    visible_keys: set[str],
    catalog: Any,
) -> dict[str, Any]:
    """Values of the chosen linked record for the relation's ``fill`` rules, read as the
    user may read that record (its form's scope and field rules)."""
    rules_ = getattr(relation.settings, "fill", None) or []
    target_id = relation.ftype.referenced_form(relation)
    chosen = record.get(relation.key)
    if not rules_ or target_id is None or chosen is None or isinstance(chosen, list):
        return {}
    try:
        target_access = form_access(conn, ctx, catalog.form(target_id))
    except (Forbidden, NotFound):
        return {}
    if not target_access.can("view"):
        return {}
    target = target_access.visible_form()
    table = target.table
    found = conn.execute(
        sa.select(table.c.id).where(
            table.c.id == chosen, table.c.deleted_at.is_(None), *target_access.scope_clauses("view")
        )
    ).first()
    if found is None:
        return {}
    plan = compute.Plan(FormFormulas(target, catalog.forms), [], {}, {}, {}, [])
    stored = compute.read_records(conn, plan, [chosen]).get(chosen, {})
    fills: dict[str, Any] = {}
    for rule in rules_:
        source = target.by_key.get(rule.source)
        dest = form.by_key.get(rule.target)
        if source is None or dest is None or dest.key not in visible_keys:
            continue
        if not dest.ftype.writable or target_access.rule(source).masked:
            continue
        try:
            value = source.ftype.to_formula(source, stored.get(source.key), ctx)
            converted = dest.ftype.from_formula(dest, value, ctx)
        except FieldValueError:
            continue
        fills[dest.key] = dest.ftype.to_json(dest, converted, ctx)
    return fills
