"""Validation rules and conditions of a form, checked on every write path.

- Field ``rules``: ``regex`` (on the value's text), ``length`` (characters), ``range``
  (numbers, dates): a failing rule reports its custom message, or the standard one.
  Patterns are compiled once, at most 500 characters, and matched against at most the
  first 10,000 characters of a value (a guard against pathological patterns).
- ``visible_when`` FALSE hides a field: a hidden field is not required (its value is
  kept as it is). A blank or error result shows the field.
- ``required_when`` TRUE makes a visible field required.
- Form ``rules``: the expression must be TRUE; otherwise the message is attached to each
  field the rule lists (or to ``rules`` when it lists none). A rule whose expression is
  blank or an error — or that reads a field of this record that is empty — does not
  block the save: it has nothing to judge yet (``end_date >= start_date`` with no end
  date is not a broken range). Presence is what ``required`` is for.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.errors import ErrorDetail
from qiao.forms.fields.base import ValueRule
from qiao.forms.model import FieldMeta, FormMeta
from qiao.formula import values as fv
from qiao.formula.forms import Path, StoredRecord
from qiao.records.compute import Plan

MATCH_LIMIT = 10_000


@lru_cache(maxsize=512)
def compiled_pattern(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _blank(fm: FieldMeta, stored: Any) -> bool:
    return fm.ftype.is_blank(stored) or stored == ""


def _truth(value: Any) -> bool | None:
    """TRUE/FALSE of a condition's result; None for blank or an error."""
    if value is None or fv.is_error(value) or isinstance(value, list):
        return None
    try:
        return fv.to_bool(value)
    except fv.FormulaErrorSignal:
        return None


def visibility(plan: Plan, values: dict[Path, Any], ectx: Any) -> dict[str, bool]:
    """Fields (by key) and sections (by id) with a ``visible_when``, shown or not; a
    field in a hidden section is hidden."""
    shown: dict[str, bool] = {}
    for (key, setting), compiled in plan.conditions.items():
        if setting == "visible_when":
            shown[key.removeprefix("section:")] = _truth(compiled(values, ectx)) is not False
    for key, section in plan.ff.section_of.items():
        if shown.get(section) is False:
            shown[key] = False
    return shown


def in_conditional_section(form: FormMeta, fm: FieldMeta) -> bool:
    """Whether the layout places the field below a section with ``visible_when``."""
    conditional = False
    for row in form.settings.get("layout") or []:
        for item in row.get("items", []):
            if item.get("kind") == "section":
                conditional = bool(item.get("visible_when"))
            elif item.get("kind") == "field" and item.get("field_id") == fm.id:
                return conditional
    return False


def required_deferred(fm: FieldMeta, data: Any, form: FormMeta | None = None) -> bool:
    """Whether input checks leave a required field's presence to the rules: it may be
    hidden by ``visible_when`` (its own or its section's), or get its value from
    ``default_formula``."""
    settings = fm.settings
    if settings.visible_when or settings.required_when:
        return True
    if form is not None and in_conditional_section(form, fm):
        return True
    return bool(settings.default_formula) and not (isinstance(data, dict) and fm.key in data)


def requirement(
    plan: Plan, values: dict[Path, Any], ectx: Any, shown: dict[str, bool]
) -> dict[str, bool]:
    """Visible fields that must have a value (those that input checks did not cover)."""
    required: dict[str, bool] = {}
    for fm in plan.form.live_fields:
        if not fm.ftype.writable:
            continue
        need = fm.required
        compiled = plan.conditions.get((fm.key, "required_when"))
        if compiled is not None and _truth(compiled(values, ectx)) is True:
            need = True
        required[fm.key] = need and shown.get(fm.key, True)
    return required


def _rule_error(
    fm: FieldMeta, rule: ValueRule, prefix: str, code: str, **params: Any
) -> ErrorDetail:
    if rule.message:
        return ErrorDetail(
            f"{prefix}{fm.key}", "field_rule_failed", {"label": fm.label, "message": rule.message}
        )
    return ErrorDetail(f"{prefix}{fm.key}", code, {"label": fm.label, **params})


def _bound(value: Any, sample: Any) -> Any:
    """A rule bound compared like the value (a date bound for a date)."""
    from datetime import date

    if isinstance(sample, date):
        value = fv.parse_date_text(str(value)) if not isinstance(value, date) else value
        return value
    return fv.to_number(value)


def value_rule_errors(fm: FieldMeta, stored: Any, ctx: Ctx, prefix: str) -> list[ErrorDetail]:
    """The field's own rules for a non-blank value."""
    errors: list[ErrorDetail] = []
    rules = fm.settings.rules
    if not rules or _blank(fm, stored):
        return errors
    value = fm.ftype.to_formula(fm, stored, ctx)
    for rule in rules:
        try:
            if rule.kind == "regex" and rule.pattern:
                pattern = compiled_pattern(rule.pattern)
                text = fv.to_text(value)[:MATCH_LIMIT] if not isinstance(value, list) else ""
                if pattern is not None and not pattern.search(text):
                    errors.append(_rule_error(fm, rule, prefix, "rule_regex_mismatch"))
            elif rule.kind == "length":
                text = fv.to_text(value) if not isinstance(value, list) else ""
                low = int(rule.min) if rule.min is not None else None
                high = int(rule.max) if rule.max is not None else None
                if (low is not None and len(text) < low) or (high is not None and len(text) > high):
                    errors.append(
                        _rule_error(fm, rule, prefix, "rule_length", min=low or 0, max=high or "∞")
                    )
            elif rule.kind == "range" and not isinstance(value, list):
                sample = value if not isinstance(value, Decimal | int) else Decimal(value)
                low = _bound(rule.min, sample) if rule.min is not None else None
                high = _bound(rule.max, sample) if rule.max is not None else None
                compare = fv.to_number(sample)
                lo = fv.to_number(low) if low is not None else None
                hi = fv.to_number(high) if high is not None else None
                if (lo is not None and compare < lo) or (hi is not None and compare > hi):
                    errors.append(
                        _rule_error(
                            fm,
                            rule,
                            prefix,
                            "rule_range",
                            min="" if rule.min is None else str(rule.min),
                            max="" if rule.max is None else str(rule.max),
                        )
                    )
        except (fv.FormulaErrorSignal, ValueError, TypeError, ArithmeticError):
            continue
    return errors


def cascade_errors(form: FormMeta, record: StoredRecord, prefix: str) -> list[ErrorDetail]:
    """Cascading options: a chosen option with ``parents`` must belong to the option
    chosen in the field it ``depends_on`` (a city of the chosen province)."""
    errors: list[ErrorDetail] = []
    for fm in form.live_fields:
        parent_key = getattr(fm.settings, "depends_on", None)
        parent = form.by_key.get(parent_key) if parent_key else None
        stored = record.get(fm.key)
        if parent is None or _blank(fm, stored):
            continue
        parent_value = parent.ftype.to_formula(parent, record.get(parent.key), Ctx(user=None))
        chosen_parents = set(parent_value if isinstance(parent_value, list) else [parent_value])
        choices = {c.id: c for c in getattr(fm.settings, "choices", [])}
        for cid in stored if isinstance(stored, list) else [stored]:
            choice = choices.get(cid)
            if choice is not None and choice.parents and not chosen_parents & set(choice.parents):
                errors.append(
                    ErrorDetail(
                        f"{prefix}{fm.key}",
                        "choice_not_under_parent",
                        {"label": fm.label, "value": choice.label, "parent": parent.label},
                    )
                )
                break
    return errors


FIELD_VALUE = "$field:"


def _substitute(tree: Any, values: dict[str, Any]) -> Any:
    """The filter tree with ``"$field:<key>"`` values replaced by this record's values."""
    if isinstance(tree, dict):
        return {k: _substitute(v, values) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_substitute(v, values) for v in tree]
    if isinstance(tree, str) and tree.startswith(FIELD_VALUE):
        return values.get(tree[len(FIELD_VALUE) :])
    return tree


def _field_refs(tree: Any) -> set[str]:
    if isinstance(tree, dict):
        return set().union(*(_field_refs(v) for v in tree.values())) if tree else set()
    if isinstance(tree, list):
        return set().union(*(_field_refs(v) for v in tree)) if tree else set()
    if isinstance(tree, str) and tree.startswith(FIELD_VALUE):
        return {tree[len(FIELD_VALUE) :]}
    return set()


def option_filter_errors(
    conn: Connection,
    forms: Mapping[int, FormMeta],
    form: FormMeta,
    records: Sequence[StoredRecord],
    prefixes: Sequence[str],
    ctx: Ctx,
    changed: Collection[int] | None = None,
) -> list[ErrorDetail]:
    """A relation's ``option_filter``: the chosen records must match it (with this
    record's values for ``$field:<key>``). Checked when the relation or a field its
    filter reads was written (``changed``: field ids; None: all). One query per distinct
    filter and relation."""
    import json

    from qiao.errors import QiaoError
    from qiao.query.filters import compile_filter

    errors: list[ErrorDetail] = []
    for fm in form.live_fields:
        tree = getattr(fm.settings, "option_filter", None)
        target_id = fm.ftype.referenced_form(fm)
        target = forms.get(target_id) if target_id is not None else None
        if not tree or target is None:
            continue
        refs = _field_refs(tree)
        if changed is not None:
            read_ids = {f.id for f in form.live_fields if f.key in refs}
            if fm.id not in changed and not read_ids & set(changed):
                continue
        groups: dict[str, tuple[Any, list[tuple[int, set[int]]]]] = {}
        for index, record in enumerate(records):
            value = record.get(fm.key)
            chosen = {v for v in (value if isinstance(value, list) else [value]) if v is not None}
            if not chosen:
                continue
            values = {
                key: form.by_key[key].ftype.to_json(form.by_key[key], record.get(key), ctx)
                for key in refs
                if key in form.by_key
            }
            concrete = _substitute(tree, values)
            text = json.dumps(concrete, sort_keys=True, default=str)
            groups.setdefault(text, (concrete, []))[1].append((index, chosen))
        for concrete, members in groups.values():
            wanted = sorted(set().union(*(c for _, c in members)))
            try:
                condition = compile_filter(target, concrete, ctx)
            except QiaoError:
                condition = sa.false()  # a filter value that cannot apply matches nothing
            table = target.table
            matching = set(
                conn.execute(
                    sa.select(table.c.id).where(
                        table.c.id.in_(wanted),
                        *([condition] if condition is not None else []),
                    )
                ).scalars()
            )
            for index, chosen in members:
                if not chosen <= matching:
                    errors.append(
                        ErrorDetail(
                            f"{prefixes[index]}{fm.key}",
                            "relation_option_filtered",
                            {"label": fm.label},
                        )
                    )
    return errors


def form_rule_errors(
    plan: Plan,
    record: StoredRecord,
    values: dict[Path, Any],
    ectx: Any,
    prefix: str,
) -> list[ErrorDetail]:
    errors: list[ErrorDetail] = []
    form = plan.form
    for rule, compiled, refs in plan.rules:
        if rule.get("enabled", True) is False:
            continue
        empty_input = False
        for keys in refs:
            fm = form.by_key.get(keys[0]) if len(keys) == 1 else None
            if fm is not None and _blank(fm, record.get(fm.key)):
                empty_input = True
        if empty_input:
            continue
        if _truth(compiled(values, ectx)) is not False:
            continue
        message = str(rule.get("message") or rule.get("expression") or "")
        keys_ = [k for k in rule.get("fields") or [] if k in form.by_key]
        if not keys_:
            errors.append(ErrorDetail(f"{prefix}rules", "form_rule_failed", {"message": message}))
        for key in keys_:
            errors.append(
                ErrorDetail(
                    f"{prefix}{key}",
                    "form_rule_failed",
                    {"message": message, "label": form.by_key[key].label},
                )
            )
    return errors


def check(
    plan: Plan,
    records: Sequence[StoredRecord],
    values: Sequence[dict[Path, Any]],
    ctx: Ctx,
    prefixes: Sequence[str],
    given: Sequence[set[str]] | None = None,
) -> list[ErrorDetail]:
    """Every rule of the form for each record (values: what formulas see of it).
    Presence is checked here only for the fields whose input checks deferred it."""
    from qiao.records.compute import eval_context

    ectx = eval_context(ctx)
    errors: list[ErrorDetail] = []
    form = plan.form
    for index, record in enumerate(records):
        prefix = prefixes[index]
        shown = visibility(plan, values[index], ectx)
        required = requirement(plan, values[index], ectx, shown)
        data = {k: None for k in given[index]} if given is not None else None
        for fm in form.live_fields:
            stored = record.get(fm.key)
            deferred = required_deferred(fm, data, form) or not fm.required
            if required.get(fm.key) and deferred and _blank(fm, stored):
                errors.append(ErrorDetail(f"{prefix}{fm.key}", "required", {"label": fm.label}))
                continue
            errors.extend(value_rule_errors(fm, stored, ctx, prefix))
        errors.extend(cascade_errors(form, record, prefix))
        errors.extend(form_rule_errors(plan, record, values[index], ectx, prefix))
    return errors
