"""The analysis of an import: what each row of the file becomes.

read (``readers.to_table``) → map (column index → field key) → cleanse each cell
(``cleanse.cleanse``; option map and relation index built once) → de-duplicate
(``dedupe.Deduper``: earlier rows of the file, then existing records the user can see)
→ an action per row (create, update, skip) → validate the rows to write in bulk
(``prepare_items`` / ``prepare`` without the database, then one ``check_in_database``
for unique values and referenced records) → rows with errors become "error".

The result (:class:`Plan`) is kept in a small in-process LRU keyed by the import's id
and ``updated_at``, so paging the preview or writing the report does not recompute it.
A running import freezes the per-row decisions in its job payload: a worker that
recomputes the plan after a restart (records of this import now exist and would match
as duplicates) takes the frozen actions instead of de-duplicating again.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.errors import BadRequest, ErrorDetail
from qiao.forms.fields._choices import ChoiceSettings
from qiao.forms.model import FieldMeta, FormMeta
from qiao.gcpause import paused_gc
from qiao.io import readers
from qiao.org.access import FormAccess
from qiao.records import service
from qiao.records import values as V

#: actions of a row in a plan (one letter each in a frozen plan)
ACTIONS = {"create": "c", "update": "u", "skip": "s", "error": "e"}
LETTERS = {v: k for k, v in ACTIONS.items()}
ADD_OPTION = "__add__"
#: the first column of the error report; ignored when the report comes back as a file
ERRORS_HEADER = "错误说明 / Errors"


class ImportOptions(BaseModel):
    """What the user chose besides the mapping (stored in ``qiao_imports.options``)."""

    model_config = ConfigDict(extra="forbid")

    dedupe_keys: list[str] = Field(default_factory=list, max_length=10)
    fuzzy: bool = False
    threshold: float = Field(default=0.9, ge=0.5, le=1.0)
    strategy: Literal["skip", "update", "create"] = "skip"
    option_map: dict[str, dict[str, str | None]] = Field(default_factory=dict)
    save_mapping_as: str | None = Field(default=None, max_length=100)


@dataclass
class Plan:
    """The analysed rows of one import (index i = data row i of the table)."""

    table: readers.Table
    mapping: dict[int, str]
    datas: list[dict[str, Any]]
    #: row index -> field key -> cleansing result, only for cells changed or with an issue
    notes: dict[int, dict[str, Any]]
    #: row index -> errors (``field`` is the field key, or a path below it)
    errors: dict[int, list[ErrorDetail]]
    #: row index -> the duplicate found (dedupe.Match)
    matches: dict[int, Any]
    actions: list[str]
    #: row index -> the existing record an "update" row writes to
    targets: dict[int, int]
    #: field key -> select options the import adds (from the option map)
    added_options: dict[str, list[str]]
    unknown_options: dict[str, list[str]] = field(default_factory=dict)
    #: seconds (CPU time of this process) per phase: cleanse, dedupe, validate
    timings: dict[str, float] = field(default_factory=dict)
    #: the valid "create" rows as the write path prepared them, and the form they were
    #: prepared for: the job reuses them while the form is unchanged
    prepared: dict[int, V.Prepared] = field(default_factory=dict)
    form: FormMeta | None = None
    _frozen: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def summary(self) -> dict[str, Any]:
        counts = {a: 0 for a in ACTIONS}
        for action in self.actions:
            counts[action] += 1
        file_dupes = sum(1 for m in self.matches.values() if m.kind == "file")
        return {
            "rows": len(self.actions),
            "valid": len(self.actions) - counts["error"],
            "errors": counts["error"],
            "duplicates_file": file_dupes,
            "duplicates_existing": len(self.matches) - file_dupes,
            "create": counts["create"],
            "update": counts["update"],
            "skip": counts["skip"],
            "unknown_options": self.unknown_options,
        }

    def frozen(self) -> dict[str, Any]:
        """The decisions a running import keeps (see the module docstring). Made once:
        the job compares it with its payload before every batch, and a plan's actions
        do not change after the analysis."""
        if self._frozen is None:
            self._frozen = {
                "actions": "".join(ACTIONS[a] for a in self.actions),
                "targets": {str(i): rid for i, rid in self.targets.items()},
            }
        return self._frozen


# ----- the cache ------------------------------------------------------------------------
_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_CACHE_SIZE = 6
_lock = threading.Lock()


def cached(key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """A value of the small LRU (plans and read workbooks), made when missing."""
    with _lock:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = make()
    with _lock:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def peek(key: tuple[Any, ...]) -> Any:
    with _lock:
        return _CACHE.get(key)


def forget(import_id: int, storage_key: str | None = None) -> None:
    """Drop the import's plans from the cache, and with ``storage_key`` its file's read
    workbook and tables too (the file is gone)."""
    with _lock:
        for key in [
            k
            for k in _CACHE
            if (k[0] == "plan" and k[1] == import_id)
            or (storage_key is not None and k[0] in ("book", "table") and k[1] == storage_key)
        ]:
            del _CACHE[key]


# ----- options added by the option map ----------------------------------------------------
def options_to_add(
    form: FormMeta, option_map: dict[str, dict[str, str | None]]
) -> dict[str, list[str]]:
    """Field key -> labels the option map asks to add (not already an active option)."""
    result: dict[str, list[str]] = {}
    for key, choices in option_map.items():
        fm = form.by_key.get(key)
        if fm is None or not isinstance(fm.settings, ChoiceSettings):
            continue
        active = {c.label for c in fm.settings.choices if not c.archived}
        labels = [
            raw.strip()
            for raw, target in choices.items()
            if target == ADD_OPTION and raw.strip() and raw.strip() not in active
        ]
        if labels:
            result[key] = list(dict.fromkeys(labels))
    return result


def with_added_options(form: FormMeta, adds: dict[str, list[str]]) -> FormMeta:
    """A copy of ``form`` whose select fields have the options the import will add, so
    that rows using them validate before the options exist."""
    if not adds:
        return form
    fields: list[FieldMeta] = []
    for fm in form.fields:
        labels = adds.get(fm.key) if fm.deleted_at is None else None
        if labels and isinstance(fm.settings, ChoiceSettings):
            extra = [{"id": f"new{i}", "label": label} for i, label in enumerate(labels)]
            current = fm.settings.model_dump(mode="json")
            settings = type(fm.settings).model_validate(
                {**current, "choices": current["choices"] + extra}
            )
            fm = dataclasses.replace(fm, settings=settings)
        fields.append(fm)
    return dataclasses.replace(form, fields=fields)


def option_values(
    form: FormMeta, option_map: dict[str, dict[str, str | None]]
) -> dict[str, dict[str, str | None]]:
    """The option map as cleansers take it: "add as option" resolves to the raw label."""
    result: dict[str, dict[str, str | None]] = {}
    for key, choices in option_map.items():
        result[key] = {
            raw: (raw.strip() if target == ADD_OPTION else target)
            for raw, target in choices.items()
        }
    return result


# ----- the analysis ---------------------------------------------------------------------
def check_mapping(
    access: FormAccess, mapping: Mapping[int, str | None], columns: int
) -> dict[int, str]:
    """Only writable, visible fields, each once, for columns that exist."""
    form = access.form
    hidden = access.hidden_ids()
    result: dict[int, str] = {}
    errors: list[ErrorDetail] = []
    seen: set[str] = set()
    for index, key in sorted(mapping.items()):
        if key is None:
            continue
        fm = form.by_key.get(key)
        path = f"mapping.{index}"
        if index < 0 or index >= columns:
            errors.append(ErrorDetail(path, "import_column_unknown", {"column": index + 1}))
        elif fm is None or fm.id in hidden or not fm.ftype.writable:
            errors.append(ErrorDetail(path, "import_field_unknown", {"key": key}))
        elif access.rule(fm).access != "edit":
            errors.append(ErrorDetail(path, "field_read_only", {"label": fm.label}))
        elif key in seen:
            errors.append(ErrorDetail(path, "import_field_twice", {"label": fm.label}))
        else:
            seen.add(key)
            result[index] = key
    if errors:
        raise BadRequest("import_mapping_invalid", details=errors)
    return result


@paused_gc()  # millions of objects that stay alive (see qiao.gcpause)
def analyse(
    rt: Any,
    conn: Connection,
    access: FormAccess,
    ctx: Ctx,
    table: readers.Table,
    mapping: dict[int, str],
    options: ImportOptions,
    frozen: dict[str, Any] | None = None,
) -> Plan:
    """The plan of an import (see the module docstring); ``frozen`` replaces the
    de-duplication by the decisions taken when the import started."""
    from qiao.io import cleanse

    form = access.form
    adds = options_to_add(form, options.option_map)
    vform = with_added_options(form, adds)
    columns = [(index, vform.by_key[key]) for index, key in sorted(mapping.items())]
    # reference columns (relations, members, departments): every distinct text once,
    # matched in one go; the index skips the keys that hold no references
    texts: dict[str, set[str]] = {}
    for index, fm in columns:
        if cleanse.RelationIndex.indexes(fm):
            texts[fm.key] = {readers.cell_text(row[index]) for row in table.rows} - {""}
    relations = cleanse.RelationIndex.load(rt, conn, ctx, form, list(texts), texts)
    env = cleanse.CleanseEnv(
        option_map=option_values(form, options.option_map), relations=relations
    )

    clock = time.process_time
    started = clock()
    datas: list[dict[str, Any]] = []
    notes: dict[int, dict[str, Any]] = {}
    unknown: dict[str, dict[str, None]] = {}
    cleaners = [(index, fm, cleanse.cleanser_for(fm)) for index, fm in columns]
    for row_index, row in enumerate(table.rows):
        data: dict[str, Any] = {}
        for index, fm, clean in cleaners:
            cleaned = clean(row[index], ctx, env)
            data[fm.key] = cleaned.value
            if cleaned.changed or cleaned.issue:
                notes.setdefault(row_index, {})[fm.key] = cleaned
                if cleaned.issue == "option_unknown":
                    # a multiselect cell may hold several unknown labels
                    raws = cleaned.params.get("values") or [
                        cleaned.params.get("value", readers.cell_text(row[index]))
                    ]
                    for raw in raws:
                        unknown.setdefault(fm.key, {})[str(raw)] = None
        datas.append(data)

    adds = _used(adds, datas)
    cleansed = clock()
    actions, matches, targets = _decide(rt, conn, ctx, form, datas, options, frozen)
    deduped = clock()
    errors, prepared = _validate(conn, access, vform, ctx, datas, actions, targets)
    validated = clock()
    for index in errors:
        actions[index] = "error"
    return Plan(
        table=table,
        mapping=mapping,
        datas=datas,
        notes=notes,
        errors=errors,
        matches=matches,
        actions=actions,
        targets=targets,
        added_options=adds,
        unknown_options={k: list(v) for k, v in unknown.items()},
        prepared=prepared,
        form=vform,
        timings={
            "cleanse": cleansed - started,
            "dedupe": deduped - cleansed,
            "validate": validated - deduped,
        },
    )


def _used(adds: dict[str, list[str]], datas: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The options to add that some row of the file actually holds."""
    used: dict[str, list[str]] = {}
    for key, labels in adds.items():
        seen: set[str] = set()
        for data in datas:
            value = data.get(key)
            if isinstance(value, list):
                seen.update(str(v) for v in value)
            elif value is not None:
                seen.add(str(value))
        kept = [label for label in labels if label in seen]
        if kept:
            used[key] = kept
    return used


def _decide(
    rt: Any,
    conn: Connection,
    ctx: Ctx,
    form: FormMeta,
    datas: list[dict[str, Any]],
    options: ImportOptions,
    frozen: dict[str, Any] | None,
) -> tuple[list[str], dict[int, Any], dict[int, int]]:
    """Action per row from the duplicates found (or the frozen decisions)."""
    if frozen is not None:
        letters = str(frozen.get("actions", ""))
        actions = [LETTERS.get(ch, "skip") for ch in letters]
        actions += ["skip"] * (len(datas) - len(actions))
        kept = {int(k): int(v) for k, v in (frozen.get("targets") or {}).items()}
        # an earlier "error" is analysed again below (the same checks fail it again)
        actions = ["create" if a == "error" else a for a in actions[: len(datas)]]
        return actions, {}, kept
    actions = ["create"] * len(datas)
    matches: dict[int, Any] = {}
    targets: dict[int, int] = {}
    keys = [k for k in options.dedupe_keys if k in form.by_key]
    if not keys:
        return actions, matches, targets
    from qiao.io import dedupe

    deduper = dedupe.Deduper(rt, conn, ctx, form, keys, options.fuzzy, options.threshold)
    for index, data in enumerate(datas):
        match = deduper.check(index, {k: data.get(k) for k in keys})
        if match is None:
            continue
        matches[index] = match
        if options.strategy == "create":
            continue
        if match.kind == "existing" and options.strategy == "update" and match.record_id:
            actions[index] = "update"
            targets[index] = int(match.record_id)
        else:
            actions[index] = "skip"
    return actions, matches, targets


def update_data(data: dict[str, Any]) -> dict[str, Any]:
    """What an update writes: the file's non-blank values (a blank cell keeps the
    record's value rather than wiping it)."""
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def strip_prefix(detail: ErrorDetail, prefix: str) -> ErrorDetail:
    """The error with the row's ``rows[i].`` prefix taken off its field: a row's errors
    name the row's fields, the way the analysis and the job both report them."""
    name = detail.field[len(prefix) :] if detail.field.startswith(prefix) else detail.field
    return ErrorDetail(name, detail.code, detail.params)


def _validate(
    conn: Connection,
    access: FormAccess,
    form: FormMeta,
    ctx: Ctx,
    datas: list[dict[str, Any]],
    actions: list[str],
    targets: dict[int, int],
) -> tuple[dict[int, list[ErrorDetail]], dict[int, V.Prepared]]:
    """Every problem of the rows to write, per row: input checks without the database
    for all of them, then the database checks (unique values, linked records) in bulk."""
    check = access if form is access.form else _Access(access, form)
    creates = [i for i, a in enumerate(actions) if a == "create"]
    updates = [i for i, a in enumerate(actions) if a == "update"]
    prefixes = {i: f"rows[{i}]." for i in creates + updates}
    prepared, problems = service.prepare_items(
        check,  # type: ignore[arg-type]
        ctx,
        [datas[i] for i in creates],
        [prefixes[i] for i in creates],
    )
    items: list[V.Prepared] = list(prepared)
    order = list(creates)
    excludes: list[int | None] = [None] * len(creates)
    for i in updates:
        data = update_data(datas[i])
        problems += access.writable_errors(data.keys(), prefixes[i])
        one, errs = V.prepare(form, data, ctx, partial=True, prefix=prefixes[i])
        problems += errs
        items.append(one)
        order.append(i)
        excludes.append(targets[i])
    problems += V.check_in_database(conn, form, ctx, items, [prefixes[i] for i in order], excludes)
    by_row: dict[int, list[ErrorDetail]] = {}
    for detail in problems:
        index = row_of(detail.field)
        if index is None:
            continue
        by_row.setdefault(index, []).append(strip_prefix(detail, prefixes.get(index, "")))
    kept = {i: p for i, p in zip(creates, prepared, strict=True) if i not in by_row}
    return by_row, kept


class _Access:
    """A FormAccess that validates against a copy of its form (with added options)."""

    def __init__(self, access: FormAccess, form: FormMeta) -> None:
        self._access = access
        self.form = form

    def __getattr__(self, name: str) -> Any:
        return getattr(self._access, name)


def row_of(path: str) -> int | None:
    """The row index named by a ``rows[i].`` error path."""
    if not path.startswith("rows["):
        return None
    end = path.find("]")
    try:
        return int(path[5:end])
    except ValueError:
        return None
