"""Formulas in a form's design: checking them, the dependency graph, cycles, result kinds.

Every formula a form holds is checked against the form (qiao.formula.forms):
formula fields' expressions, lookups and rollups, and on every field its
``default_formula``, ``visible_when`` and ``required_when``; and the form-level
``rules``. Problems are reported at the setting that holds the formula, with the
position inside it.

The dependency graph has a node per (form id, field key). A computed field (formula,
lookup, rollup) has edges to what it reads: its own form's fields, a relation field
and the field of the linked form it reads through it, the linking field and the
aggregated field of a rollup. A computed field that can reach itself is a cycle,
refused as ``formula_cycle`` naming the chain — also across forms (a customer's rollup
of orders whose lookup reads the customer's rollup).

``settle`` runs at the end of every schema change, in its transaction: it checks the
changed form and the forms reading from it, resolves each computed field's storage
kind (changing a kind replaces the column: computed values are recomputed, nothing is
lost), and recomputes the fields whose definition changed — inline for small forms,
as a background job (qiao.jobs) for large ones.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.db import schema
from qiao.errors import ErrorDetail, ValidationFailed
from qiao.forms import ddl
from qiao.forms.catalog import Catalog, load_catalog
from qiao.forms.fields.base import Storage
from qiao.forms.model import FieldMeta, FormMeta
from qiao.formula.checker import Checked, check
from qiao.formula.errors import FormulaError
from qiao.formula.forms import FormEnvironment, subform_children
from qiao.formula.registry import Kind

Node = tuple[int, str]  # (form id, field key)
COMPUTED_TYPES = frozenset({"formula", "lookup", "rollup"})
#: records recomputed inside the publish transaction; more go to a background job
INLINE_LIMIT = 2000
#: the per-field settings that hold a formula, with the kind of formula
FIELD_FORMULAS = ("default_formula", "visible_when", "required_when")


def is_computed(fm: FieldMeta) -> bool:
    return fm.type in COMPUTED_TYPES


@dataclass
class Computed:
    """One computed field of a form, checked."""

    field: FieldMeta
    checked: Checked | None  # formula and lookup; None for a rollup (SQL)
    kind: str
    deps: set[Node] = dc_field(default_factory=set)
    row_of: FieldMeta | None = None  # a row formula of this sub-form field
    #: rollup: (related form, the linking field, reverse?) — reverse: the related
    #: form's field links here; else this form's relation field links there
    rollup: tuple[FormMeta, FieldMeta, bool] | None = None
    joined: bool = False  # a lookup through a multiple relation: values joined as text


@dataclass
class Reverse:
    """Records of ``form`` hold ``link`` to records of another form, read by rollups."""

    form: FormMeta
    link: FieldMeta


class Problems:
    """Problems collected across a form's formulas (all are reported at once)."""

    def __init__(self) -> None:
        self.details: list[ErrorDetail] = []

    def formula(self, exc: FormulaError, where: str) -> None:
        self.details.extend(ErrorDetail(where, d.code, d.params) for d in exc.details)

    def report(self, where: str, code: str, **params: Any) -> None:
        self.details.append(ErrorDetail(where, code, params))

    def raise_if_any(self) -> None:
        if self.details:
            raise ValidationFailed(details=self.details)


def parse_relation(text: str) -> tuple[int, str] | None:
    """``form:<id>.<key>`` -> (id, key); None for a plain field key."""
    if not text.startswith("form:"):
        return None
    head, _, key = text[5:].partition(".")
    return (int(head), key) if head.isdigit() and key else None


class FormFormulas:
    """The checked formulas of one form (built from a catalog of all forms)."""

    def __init__(
        self,
        form: FormMeta,
        forms: Mapping[int, FormMeta],
        problems: Problems | None = None,
        prefixes: Mapping[int, str] | None = None,
    ) -> None:
        self.form = form
        self.forms = forms
        self.env = FormEnvironment(form, forms)
        self.problems = problems or Problems()
        self.prefixes = prefixes or {}
        self.computed: dict[str, Computed] = {}
        self.row_computed: dict[int, list[Computed]] = {}  # sub-form field id -> row formulas
        self.conditions: dict[tuple[str, str], Checked] = {}  # (field key, setting) -> formula
        self.rules: list[tuple[dict[str, Any], Checked]] = []
        self.section_of: dict[str, str] = {}  # field key -> its section's id
        self._build()

    def where(self, fm: FieldMeta, setting: str) -> str:
        return f"{self.prefixes.get(fm.id, '')}settings.{setting}"

    def _check(
        self, text: str, env: FormEnvironment, where: str, *, allow_range: bool = False
    ) -> Checked | None:
        try:
            return check(text, env, allow_range=allow_range)
        except FormulaError as exc:
            self.problems.formula(exc, where)
            return None

    def _build(self) -> None:
        form = self.form
        for fm in form.live_fields:
            if fm.type == "formula":
                self._formula(fm, self.env)
            elif fm.type == "lookup":
                self._lookup(fm)
            elif fm.type == "rollup":
                self._rollup(fm)
            for child in subform_children(fm) or []:
                if child.type == "formula":
                    row_env = FormEnvironment(form, self.forms, row_of=fm)
                    found = self._formula(child, row_env, row_of=fm)
                    if found is not None:
                        self.row_computed.setdefault(fm.id, []).append(found)
        for fm in form.live_fields:
            for setting in FIELD_FORMULAS:
                text = getattr(fm.settings, setting, None)
                if text:
                    checked = self._check(text, self.env, self.where(fm, setting))
                    if checked is not None:
                        self.conditions[(fm.key, setting)] = checked
        for fm in form.live_fields:
            for index, value_rule in enumerate(fm.settings.rules):
                if value_rule.kind not in fm.ftype.rule_kinds:
                    self.problems.report(
                        self.where(fm, f"rules[{index}].kind"),
                        "rule_kind_unsupported",
                        kind=value_rule.kind,
                        type=fm.type,
                    )
                elif value_rule.kind == "regex":
                    try:
                        re.compile(value_rule.pattern or "")
                    except re.error as exc:
                        self.problems.report(
                            self.where(fm, f"rules[{index}].pattern"),
                            "rule_pattern_invalid",
                            reason=str(exc),
                        )
        self._sections()
        for index, rule in enumerate(form_rules(form)):
            checked = self._check(str(rule.get("expression") or ""), self.env, f"rules[{index}]")
            if checked is not None:
                self.rules.append((rule, checked))

    def _sections(self) -> None:
        """Sections with ``visible_when``: their condition (keyed ``section:<id>``) and
        the fields below each, up to the next section."""
        current: str | None = None
        live = {fm.id: fm for fm in self.form.live_fields}
        for r, row in enumerate(self.form.settings.get("layout") or []):
            for i, item in enumerate(row.get("items", [])):
                if item.get("kind") == "section":
                    current = None
                    text = item.get("visible_when")
                    if text:
                        current = str(item.get("id") or f"section{r}")
                        where = f"layout[{r}].items[{i}].visible_when"
                        checked = self._check(str(text), self.env, where)
                        if checked is not None:
                            self.conditions[(f"section:{current}", "visible_when")] = checked
                elif item.get("kind") == "field" and current is not None:
                    fm = live.get(item.get("field_id"))
                    if fm is not None:
                        self.section_of[fm.key] = current

    def _deps(self, checked: Checked) -> set[Node]:
        deps: set[Node] = set()
        for keys in checked.references:
            binding = self.env.binding(keys)
            if binding is None:
                continue
            if binding.via is None:
                deps.add((self.form.id, keys[0]))
            else:
                deps.add((self.form.id, binding.via.key))
                if binding.via_form is not None:
                    deps.add((binding.via_form.id, binding.field.key))
        return deps

    def _formula(
        self, fm: FieldMeta, env: FormEnvironment, row_of: FieldMeta | None = None
    ) -> Computed | None:
        settings = fm.settings
        where = (
            f"{self.prefixes.get(row_of.id, '')}settings.columns.{fm.key}.settings.expression"
            if row_of is not None
            else self.where(fm, "expression")
        )
        checked = self._check(str(getattr(settings, "expression", "")), env, where)
        if checked is None:
            return None
        if checked.volatile:
            self.problems.report(where, "formula_volatile_stored", label=fm.label)
            return None
        if any(keys == (fm.key,) for keys in checked.references) and row_of is None:
            self.problems.report(where, "formula_cycle", chain=f"{fm.label} → {fm.label}")
            return None
        result = str(getattr(settings, "result", "auto"))
        kind = (checked.kind if result == "auto" else Kind(result)).value
        kind = "text" if kind == "any" else kind
        stored_kind = getattr(settings, "kind", kind)
        if row_of is not None and kind != stored_kind:
            self.problems.report(where, "formula_row_kind", label=fm.label, kind=kind)
            return None
        found = Computed(fm, checked, kind, self._deps(checked))
        found.row_of = row_of
        if row_of is None:
            self.computed[fm.key] = found
        return found

    def _lookup(self, fm: FieldMeta) -> None:
        relation, leaf = str(fm.settings.relation), str(fm.settings.field)  # type: ignore[attr-defined]
        rel = self.form.by_key.get(relation)
        where = self.where(fm, "relation")
        if rel is None or rel.ftype.referenced_form(rel) is None:
            self.problems.report(where, "lookup_relation_invalid", key=relation)
            return
        binding = self.env.binding((relation, leaf))
        if binding is None:
            self.problems.report(self.where(fm, "field"), "lookup_field_invalid", key=leaf)
            return
        checked = self._check(f"{relation}.{leaf}", self.env, where, allow_range=True)
        if checked is None:
            return
        joined = binding.many
        kind = "text" if joined else binding.kind.value
        found = Computed(fm, checked, kind, self._deps(checked), joined=joined)
        self.computed[fm.key] = found

    def _rollup(self, fm: FieldMeta) -> None:
        settings: Any = fm.settings
        where = self.where(fm, "relation")
        reverse = parse_relation(str(settings.relation))
        if reverse is not None:
            other = self.forms.get(reverse[0])
            link = other.by_key.get(reverse[1]) if other and other.deleted_at is None else None
            if other is None or link is None or link.ftype.referenced_form(link) != self.form.id:
                self.problems.report(where, "rollup_relation_invalid", key=str(settings.relation))
                return
            deps = {(other.id, link.key)}
            rollup = (other, link, True)
        else:
            link = self.form.by_key.get(str(settings.relation))
            target_id = link.ftype.referenced_form(link) if link else None
            other = self.forms.get(target_id) if target_id is not None else None
            if link is None or other is None or other.deleted_at is not None:
                self.problems.report(where, "rollup_relation_invalid", key=str(settings.relation))
                return
            deps = {(self.form.id, link.key)}
            rollup = (other, link, False)
        kind = "number"
        if settings.aggregate != "count":
            target = other.by_key.get(settings.field or "")
            target_kind = target.ftype.formula_kind(target) if target else None
            numeric = settings.aggregate in ("sum", "avg")
            if (
                target is None
                or target.storage is not Storage.COLUMN
                or target_kind is None
                or (numeric and target_kind is not Kind.NUMBER)
                or target_kind is Kind.BOOL
            ):
                self.problems.report(
                    self.where(fm, "field"), "rollup_field_invalid", key=settings.field or ""
                )
                return
            deps.add((other.id, target.key))
            if not numeric:
                kind = target_kind.value
        self.computed[fm.key] = Computed(fm, None, kind, deps, rollup=rollup)

    def order(self) -> list[Computed]:
        """This form's computed fields, each after the computed fields it reads."""
        done: list[Computed] = []
        seen: set[str] = set()

        def visit(item: Computed, stack: set[str]) -> None:
            key = item.field.key
            if key in seen or key in stack:
                return
            stack.add(key)
            for form_id, dep in item.deps:
                if form_id == self.form.id and dep in self.computed:
                    visit(self.computed[dep], stack)
            seen.add(key)
            done.append(item)

        for item in self.computed.values():
            visit(item, set())
        return done


def form_rules(form: FormMeta) -> list[dict[str, Any]]:
    rules = form.settings.get("rules")
    return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []


# ----- the graph across forms ------------------------------------------------------------
def analyse(
    forms: Mapping[int, FormMeta],
    problems: Problems | None = None,
    prefixes: Mapping[int, str] | None = None,
    only: Iterable[int] | None = None,
) -> dict[int, FormFormulas]:
    wanted = set(only) if only is not None else set(forms)
    return {
        fid: FormFormulas(form, forms, problems, prefixes)
        for fid, form in forms.items()
        if fid in wanted and form.deleted_at is None
    }


def find_cycle(analysed: Mapping[int, FormFormulas]) -> list[tuple[FormMeta, FieldMeta]] | None:
    """A chain of computed fields that reads itself, or None."""
    nodes: dict[Node, tuple[FormFormulas, Computed]] = {
        (fid, key): (ff, c) for fid, ff in analysed.items() for key, c in ff.computed.items()
    }
    state: dict[Node, int] = {}  # 1 visiting, 2 done
    path: list[Node] = []

    def visit(node: Node) -> list[Node] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(nodes[node][1].deps):
            if dep not in nodes or (dep == node and nodes[node][1].row_of is not None):
                continue
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(nodes):
        if node not in state:
            chain = visit(node)
            if chain:
                return [(nodes[n][0].form, nodes[n][1].field) for n in chain]
    return None


def chain_text(chain: list[tuple[FormMeta, FieldMeta]]) -> str:
    first_form = chain[0][0].id
    names = []
    for form, fm in chain:
        names.append(fm.label if form.id == first_form else f"{form.name}.{fm.label}")
    return " → ".join(names)


def readers_of(forms: Mapping[int, FormMeta], form_id: int) -> set[int]:
    """Forms whose formulas may read ``form_id`` (through relations either way)."""
    found = {form_id}
    for form in forms.values():
        if form.deleted_at is not None:
            continue
        for fm in form.live_fields:
            target = fm.ftype.referenced_form(fm)
            if target == form_id:
                found.add(form.id)
            if form.id == form_id and target is not None:
                found.add(target)  # reverse rollups there read this form's links
    return found


# ----- settling a schema change ------------------------------------------------------------
def settle(
    conn: Connection,
    ctx: Ctx,
    form_id: int,
    before: FormMeta | None = None,
    prefixes: Mapping[int, str] | None = None,
) -> list[int]:
    """Check the formulas of ``form_id`` and of the forms reading it, refuse cycles, give
    computed fields their storage kind, and recompute what changed. Returns the ids of
    background jobs started (a large form's recompute)."""
    from qiao.records import compute

    catalog = load_catalog(conn, -1)
    forms = catalog.forms
    problems = Problems()
    analysed = analyse(forms, problems, prefixes, only=[form_id])
    problems.raise_if_any()
    others = analyse(forms, None, None, only=readers_of(forms, form_id) - {form_id})
    for other in others.values():
        if other.problems.details:
            fm_name = other.problems.details[0].field
            problems.report(
                "fields",
                "formula_breaks_other_form",
                form=other.form.name,
                setting=fm_name,
            )
            break
    problems.raise_if_any()
    analysed.update(others)
    chain = find_cycle(analysed)
    if chain is not None:
        form, fm = next(((f, m) for f, m in chain if f.id == form_id), chain[0])
        where = f"{(prefixes or {}).get(fm.id, '')}settings.expression"
        if fm.type != "formula":
            where = f"{(prefixes or {}).get(fm.id, '')}settings.relation"
        raise ValidationFailed(
            details=[ErrorDetail(where, "formula_cycle", {"chain": chain_text(chain)})]
        )
    ff = analysed[form_id]
    changed = _apply_kinds(conn, ctx, ff)
    if changed:
        catalog = load_catalog(conn, -1)
        ff = FormFormulas(catalog.forms[form_id], catalog.forms)
    stale = _stale_fields(ff, before) | changed
    if not stale:
        return []
    form = ff.form
    count = conn.execute(
        sa.select(sa.func.count()).select_from(form.table).where(form.table.c.deleted_at.is_(None))
    ).scalar_one()
    if count <= INLINE_LIMIT:
        compute.recompute_all(conn, catalog, form_id, ctx)
        return []
    from qiao.jobs import enqueue

    return [
        enqueue(conn, "recompute", {"form_id": form_id}, total=int(count), created_by=ctx.user_id)
    ]


def _apply_kinds(conn: Connection, ctx: Ctx, ff: FormFormulas) -> set[str]:
    """Give computed fields whose result kind changed a column of the new kind (the old
    column is dropped: its values are derived and are recomputed)."""
    changed: set[str] = set()
    form = ff.form
    for key, item in ff.computed.items():
        fm = item.field
        if getattr(fm.settings, "kind", None) == item.kind:
            continue
        settings = fm.settings.model_copy(update={"kind": item.kind})
        column = f"c_{fm.id}k{secrets.token_hex(3)}"
        conn.execute(
            sa.update(schema.fields)
            .where(schema.fields.c.id == fm.id)
            .values(settings=settings.model_dump(mode="json"), column_name=column)
        )
        ddl.drop_field_storage(conn, form, ddl.unindexed(fm))
        changed.add(key)
    if changed:
        from qiao.forms.catalog import bump_version, load_form

        fresh = load_form(conn, form.id)
        for fm in fresh.live_fields:
            if fm.key in changed:
                ddl.create_field_storage(conn, fresh, fm)
        bump_version(conn)
    return changed


def _definition(fm: FieldMeta) -> Any:
    return (fm.type, fm.settings.model_dump(mode="json"), fm.column_name)


def _stale_fields(ff: FormFormulas, before: FormMeta | None) -> set[str]:
    """Computed fields whose value may differ now: new or changed definitions, or a
    changed definition of a field of this form they read."""
    old = {fm.id: fm for fm in before.live_fields} if before is not None else {}
    touched = {
        fm.key
        for fm in ff.form.live_fields
        if fm.id not in old or _definition(old[fm.id]) != _definition(fm)
    }
    stale: set[str] = set()
    for item in ff.order():
        reads = {key for fid, key in item.deps if fid == ff.form.id}
        if item.field.key in touched or reads & (touched | stale):
            stale.add(item.field.key)
    if before is None:
        stale = set(ff.computed)
    return stale


def catalog_forms(catalog: Catalog) -> Mapping[int, FormMeta]:
    return catalog.forms
