"""The bridge between formulas and forms: what a reference means on a form, and the
formula values of stored records.

References a formula on a form may use:

- the form's own fields, by key (``amount``) or label (``{金额}``), and the system
  fields (``id``, ``created_at``, ``updated_at``, ``created_by``, ``updated_by``,
  ``owner``);
- ``relation.field``: a field of the linked record — a scalar through a single
  relation, a range through a multiple one;
- ``subform.column``: a sub-form column, always a range (``SUM(lines.amount)``); inside
  a sub-form row (row formulas) the row's own columns are plain scalars and the parent's
  fields stay reachable by their keys.

What a field's values are in a formula is the field type's business
(``FieldType.formula_kind`` / ``to_formula``); types without a formula kind cannot be
referred to. Loading the values of many records takes one query per relation field
used through a path (not one per record).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.forms.catalog import Catalog
from qiao.forms.fields.base import Storage
from qiao.forms.model import FieldMeta, FormMeta
from qiao.forms.system_fields import SYSTEM_FIELDS
from qiao.formula import ast
from qiao.formula.checker import RefInfo
from qiao.formula.registry import Kind

Path = tuple[str, ...]
#: a record's stored values by field key (system columns by their names; a sub-form's
#: value is its list of stored rows, a junction field's its list of values)
StoredRecord = dict[str, Any]

CHUNK = 500


@dataclass(frozen=True)
class Binding:
    """What a resolved reference reads: ``field``'s value, through ``via`` (a relation
    or sub-form field of this form) when the path has two segments."""

    keys: Path
    field: FieldMeta
    kind: Kind
    many: bool
    via: FieldMeta | None = None
    via_form: FormMeta | None = None  # the relation's target form


def subform_children(fm: FieldMeta) -> list[FieldMeta] | None:
    """The child columns of a sub-form field, None for other fields."""
    if fm.storage is not Storage.CHILD:
        return None
    from qiao.forms.fields.subform import child_fields

    return child_fields(fm)


def _matches(fm: FieldMeta, segment: ast.Segment) -> bool:
    return fm.key == segment.name if not segment.label else fm.label == segment.name


def _find(fields: Sequence[FieldMeta], segment: ast.Segment) -> FieldMeta | None:
    for fm in fields:
        if _matches(fm, segment):
            return fm
    if segment.label:
        folded = segment.name.casefold()
        for fm in fields:
            if fm.label.casefold() == folded:
                return fm
        for fm in fields:  # {amount}: a key in braces
            if fm.key == segment.name:
                return fm
    return None


def _system_fields(form: FormMeta) -> list[FieldMeta]:
    """System fields, findable by key and by their zh-CN and English labels."""
    found = []
    for key, fm in form.system_fields.items():
        found.append(fm)
        en = SYSTEM_FIELDS[key][2]
        if en != fm.label:
            found.append(
                FieldMeta(
                    fm.id, fm.form_id, key, en, fm.type, fm.settings, fm.column_name, system=True
                )
            )
    return found


class FormEnvironment:
    """The checker's environment for formulas on ``form`` (see the module docstring).

    ``row_of`` makes it the environment of a row formula in that sub-form field.
    ``exclude`` leaves fields out (a field's default formula cannot read itself).
    Every resolved reference is kept in ``bindings`` for loading values later.
    """

    def __init__(
        self,
        form: FormMeta,
        catalog: Catalog | Mapping[int, FormMeta],
        *,
        row_of: FieldMeta | None = None,
    ) -> None:
        self.form = form
        self.forms: Mapping[int, FormMeta] = (
            catalog.forms if isinstance(catalog, Catalog) else catalog
        )
        self.row_of = row_of
        self.row_fields: list[FieldMeta] = (subform_children(row_of) or []) if row_of else []
        self.bindings: dict[Path, Binding] = {}

    # ----- the checker's protocol ---------------------------------------------------------
    def resolve(self, path: tuple[ast.Segment, ...]) -> RefInfo | None:
        binding = self.bind(path)
        if binding is None:
            return None
        self.bindings[binding.keys] = binding
        labels = (binding.via.label, binding.field.label) if binding.via else (binding.field.label,)
        return RefInfo(binding.keys, binding.kind, binding.many, labels)

    def bind(self, path: tuple[ast.Segment, ...]) -> Binding | None:
        if not path or len(path) > 2:
            return None
        first = path[0]
        if self.row_of is not None and len(path) == 1:
            child = _find(self.row_fields, first)
            if child is not None:
                return self._leaf((child.key,), child, many=False)
        fm = _find(self.form.live_fields, first) or _find(_system_fields(self.form), first)
        if fm is None:
            return None
        if fm.system:
            fm = self.form.system_fields[fm.key]
        if len(path) == 1:
            if fm.storage is Storage.CHILD:
                return None
            return self._leaf((fm.key,), fm, many=fm.ftype.formula_is_range(fm))
        children = subform_children(fm)
        if children is not None:
            child = _find(children, path[1])
            if child is None:
                return None
            return self._leaf((fm.key, child.key), child, many=True, via=fm)
        target_id = fm.ftype.referenced_form(fm)
        target = self.forms.get(target_id) if target_id is not None else None
        if target is None or target.deleted_at is not None:
            return None
        leaf = _find(target.live_fields, path[1]) or _find(_system_fields(target), path[1])
        if leaf is None or leaf.storage is Storage.CHILD:
            return None
        if leaf.system:
            leaf = target.system_fields[leaf.key]
        many = fm.storage is Storage.JUNCTION or leaf.ftype.formula_is_range(leaf)
        return self._leaf((fm.key, leaf.key), leaf, many=many, via=fm, via_form=target)

    def _leaf(
        self,
        keys: Path,
        fm: FieldMeta,
        *,
        many: bool,
        via: FieldMeta | None = None,
        via_form: FormMeta | None = None,
    ) -> Binding | None:
        kind = fm.ftype.formula_kind(fm)
        if kind is None:
            return None
        return Binding(keys, fm, kind, many, via, via_form)

    def binding(self, keys: Path) -> Binding | None:
        """The binding of a canonical key path (resolving it if not seen yet)."""
        found = self.bindings.get(keys)
        if found is None:
            found = self.bind(tuple(ast.Segment(k) for k in keys))
            if found is not None:
                self.bindings[keys] = found
        return found


# ----- values ------------------------------------------------------------------------------
def _own_value(fm: FieldMeta, stored: Any, ctx: Ctx) -> Any:
    if fm.ftype.formula_is_range(fm):
        return [fm.ftype.to_formula(fm, v, ctx) for v in stored or []]
    return fm.ftype.to_formula(fm, stored, ctx)


def _related_values(
    conn: Connection,
    via: FieldMeta,
    target: FormMeta,
    leaves: list[FieldMeta],
    records: Sequence[StoredRecord],
) -> dict[int, StoredRecord]:
    """Stored values of ``leaves`` of the records the ``via`` relation links to."""
    ids: set[int] = set()
    for record in records:
        value = record.get(via.key)
        if isinstance(value, list):
            ids.update(v for v in value if v is not None)
        elif value is not None:
            ids.add(value)
    if not ids:
        return {}
    table = target.table
    columns = [fm for fm in leaves if fm.system or fm.storage is Storage.COLUMN]
    junctions = [fm for fm in leaves if not fm.system and fm.storage is Storage.JUNCTION]
    found: dict[int, StoredRecord] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows = conn.execute(
            sa.select(table.c.id, *(table.c[fm.column_name] for fm in columns)).where(
                table.c.id.in_(chunk), table.c.deleted_at.is_(None)
            )
        )
        for row in rows:
            found[row[0]] = {fm.key: row[i + 1] for i, fm in enumerate(columns)}
        for fm in junctions:
            j = target.junctions[fm.id]
            for rid, value in conn.execute(
                sa.select(j.c.record_id, j.c.value)
                .where(j.c.record_id.in_(chunk))
                .order_by(j.c.record_id, j.c.position)
            ):
                if rid in found:
                    found[rid].setdefault(fm.key, []).append(value)
    return found


def load_values(
    conn: Connection,
    env: FormEnvironment,
    paths: Iterable[Path],
    records: Sequence[StoredRecord],
    ctx: Ctx,
) -> list[dict[Path, Any]]:
    """The formula values of ``paths`` for each record (in order)."""
    own: list[Binding] = []
    through: dict[str, list[Binding]] = defaultdict(list)
    for keys in paths:
        binding = env.binding(keys)
        if binding is None:
            continue
        if binding.via is None:
            own.append(binding)
        else:
            through[binding.via.key].append(binding)
    related: dict[str, dict[int, StoredRecord]] = {}
    for via_key, bindings in through.items():
        first = bindings[0]
        if first.via_form is not None and first.via is not None:
            leaves = list({b.field.key: b.field for b in bindings}.values())
            related[via_key] = _related_values(conn, first.via, first.via_form, leaves, records)
    result: list[dict[Path, Any]] = []
    for record in records:
        values: dict[Path, Any] = {}
        for b in own:
            values[b.keys] = _own_value(b.field, record.get(b.field.key), ctx)
        for via_key, bindings in through.items():
            stored = record.get(via_key)
            for b in bindings:
                if b.via_form is None:  # sub-form column: a range over the rows
                    values[b.keys] = [
                        b.field.ftype.to_formula(b.field, row.get(b.field.column_name), ctx)
                        for row in stored or []
                    ]
                    continue
                linked = related[via_key]
                if isinstance(stored, list):
                    items: list[Any] = []
                    for rid in stored:
                        if rid in linked:
                            value = _own_value(b.field, linked[rid].get(b.field.key), ctx)
                            items.extend(value if isinstance(value, list) else [value])
                    values[b.keys] = items
                else:
                    target = linked.get(stored) if stored is not None else None
                    values[b.keys] = (
                        _own_value(b.field, target.get(b.field.key), ctx)
                        if target is not None
                        else ([] if b.many else None)
                    )
        result.append(values)
    return result


def row_values(
    env: FormEnvironment, paths: Iterable[Path], row: Mapping[str, Any], ctx: Ctx
) -> dict[Path, Any]:
    """The values a row formula reads from its own row (stored cells by column name)."""
    values: dict[Path, Any] = {}
    for keys in paths:
        binding = env.binding(keys)
        if binding is None or len(keys) != 1:
            continue
        if any(c.key == keys[0] for c in env.row_fields):
            values[keys] = binding.field.ftype.to_formula(
                binding.field, row.get(binding.field.column_name), ctx
            )
    return values
