"""Sub-form (子表单): rows of child fields kept in a child table ``qs_<field id>``.

A quote's lines (product, quantity, unit price, discount) are real rows, one table per
sub-form field with a column ``c<n>`` per child column, so reports can aggregate them
and filters can look into them with EXISTS. The child columns are ordinary field types:
each column is described by a child :class:`FieldMeta` and its own type coerces,
validates, serialises and displays the cell, so whatever a type can do in a form it
does in a row. Column numbers ``n`` are assigned by the server and never reused, so a
renamed or re-keyed column never touches SQL and a removed column's data is never read
back into a new one.

Stored form (what ``to_storage`` returns and the read path hands to ``to_json``): a
list of row dicts ``{"id": <row id or None>, "c<n>": <stored cell>, …}`` in position
order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlalchemy.engine import Connection

from qiao.errors import FieldValueError, QiaoError, ValidationFailed
from qiao.forms.fields._ids import parse_id
from qiao.forms.fields.base import (
    FieldSettings,
    FieldType,
    FilterTarget,
    NestedValueErrors,
    Storage,
    registry,
)

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

#: rows one record's sub-form may hold whatever its settings say (a request's size bound)
MAX_ROWS = 1000
MAX_COLUMNS = 50


class ChildColumn(BaseModel):
    """One column of a sub-form, defined like a field."""

    model_config = ConfigDict(extra="forbid")

    #: stable column number (``c<id>`` in the child table), assigned by the server
    id: int | None = Field(default=None, gt=0)
    key: str = Field(min_length=1, max_length=63)
    label: str = Field(min_length=1, max_length=200)
    type: str
    settings: dict[str, Any] = Field(default_factory=dict)
    required: bool = False


class SubformSettings(FieldSettings):
    #: a sub-form starts with no rows (its columns have their own defaults); not offered
    default: SkipJsonSchema[None] = None
    columns: list[ChildColumn] = Field(default_factory=list, max_length=MAX_COLUMNS)
    min_rows: int = Field(default=0, ge=0, le=MAX_ROWS)
    max_rows: int | None = Field(default=None, ge=1, le=MAX_ROWS)
    #: the next column number; server-managed, only ever grows
    next_column_id: int = Field(default=1, ge=1)
    _children: list[FieldMeta] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check(self) -> SubformSettings:
        if self.max_rows is not None and self.min_rows > self.max_rows:
            raise ValueError("min_rows must not exceed max_rows")
        return self


def _settings(field: FieldMeta) -> SubformSettings:
    assert isinstance(field.settings, SubformSettings)
    return field.settings


def _invalid(loc: tuple[str | int, ...], message: str, value: Any = None) -> ValidationError:
    """A settings error at ``loc`` in the shape pydantic gives (the designer shows it)."""
    detail: InitErrorDetails = {
        "type": PydanticCustomError("value_error", message),
        "loc": loc,
        "input": value,
    }
    return ValidationError.from_exception_data("SubformSettings", [detail])


def child_type_allowed(type_key: str) -> bool:
    """Whether a type may be a child column: registered, offered to users, not a
    sub-form, not generating values of its own (serial numbers). Whether its values fit
    one column depends on its settings and is checked per column."""
    if type_key not in registry or type_key == SubformType.key:
        return False
    ftype = registry.get(type_key)
    return not ftype.internal and not ftype.generates_values and ftype.in_subform


def child_column_name(column_id: int) -> str:
    return f"c{column_id}"


def _child_meta(parent: FieldMeta, col: ChildColumn, settings: FieldSettings) -> FieldMeta:
    from qiao.forms.model import FieldMeta

    assert col.id is not None
    return FieldMeta(
        id=col.id,
        form_id=parent.form_id,
        key=col.key,
        label=col.label,
        type=col.type,
        settings=settings,
        column_name=child_column_name(col.id),
        position=0,
        required=col.required,
    )


def child_fields(field: FieldMeta) -> list[FieldMeta]:
    """The child columns of a sub-form as field metadata, in column order. Built once
    per metadata load (cached on the settings object, which a load creates)."""
    settings = _settings(field)
    if settings._children is None:
        settings._children = [
            _child_meta(
                field, col, registry.get(col.type).settings_model.model_validate(col.settings)
            )
            for col in settings.columns
        ]
    return settings._children


@registry.register
class SubformType(FieldType):
    key = "subform"
    settings_model = SubformSettings
    operators = ("is_empty", "is_not_empty")
    sortable = False

    # ----- settings ---------------------------------------------------------------------
    def parse_settings(
        self, raw: dict[str, Any], old: FieldSettings | None = None
    ) -> FieldSettings:
        """Validate the columns with their own types; give new columns the next number;
        refuse a column whose storage would change (v1 does not convert cells)."""
        settings = SubformSettings.model_validate(raw)
        previous = old if isinstance(old, SubformSettings) else None
        old_cols = {c.id: c for c in previous.columns} if previous else {}
        next_id = previous.next_column_id if previous else 1
        from qiao.forms.fieldspec import KEY_RE
        from qiao.forms.model import FieldMeta
        from qiao.forms.system_fields import RESERVED_KEYS

        seen: set[str] = set()
        columns: list[ChildColumn] = []
        for index, col in enumerate(settings.columns):
            loc: tuple[str | int, ...] = ("columns", index)
            if not KEY_RE.match(col.key) or col.key.lower() in RESERVED_KEYS:
                raise _invalid((*loc, "key"), "invalid column key", col.key)
            if col.key in seen:
                raise _invalid((*loc, "key"), "duplicate column key", col.key)
            seen.add(col.key)
            if not child_type_allowed(col.type):
                raise _invalid((*loc, "type"), "type not allowed in a sub-form", col.type)
            ftype = registry.get(col.type)
            prev = old_cols.get(col.id) if col.id is not None else None
            try:
                child_settings = ftype.parse_settings(
                    col.settings,
                    ftype.settings_model.model_validate(prev.settings)
                    if prev is not None and prev.type == col.type
                    else None,
                )
            except ValidationError as exc:
                first = exc.errors()[0]
                raise _invalid(
                    (*loc, "settings", *first["loc"]), first["msg"], first.get("input")
                ) from exc
            column_id = prev.id if prev is not None else next_id
            assert column_id is not None
            if prev is None:
                next_id += 1
            probe = FieldMeta(column_id, 0, col.key, col.label, col.type, child_settings, "")
            if ftype.storage(probe) is not Storage.COLUMN:
                raise _invalid((*loc, "type"), "multi-valued types cannot be columns", col.type)
            if prev is not None:
                prev_type = registry.get(prev.type)
                before = FieldMeta(
                    column_id,
                    0,
                    prev.key,
                    prev.label,
                    prev.type,
                    prev_type.settings_model.model_validate(prev.settings),
                    "",
                )
                if prev.type != col.type or prev_type.physical_signature(
                    before
                ) != ftype.physical_signature(probe):
                    raise _invalid(
                        (*loc, "type"),
                        "a column's type cannot change; add a new column instead",
                        col.type,
                    )
            columns.append(
                col.model_copy(
                    update={"id": column_id, "settings": child_settings.model_dump(mode="json")}
                )
            )
        return settings.model_copy(update={"columns": columns, "next_column_id": next_id})

    def check_settings(self, conn: Connection, settings: FieldSettings) -> None:
        """Each column's own database checks (a relation column's target form exists)."""
        assert isinstance(settings, SubformSettings)
        for index, col in enumerate(settings.columns):
            ftype = registry.get(col.type)
            try:
                ftype.check_settings(conn, ftype.settings_model.model_validate(col.settings))
            except QiaoError as exc:
                raise ValidationFailed(
                    details=[d.prefixed(f"settings.columns[{index}].") for d in exc.details]
                ) from exc

    # ----- storage ----------------------------------------------------------------------
    def storage(self, field: FieldMeta) -> Storage:
        return Storage.CHILD

    def physical_signature(self, field: FieldMeta) -> tuple[str, ...]:
        # columns are added in place (ADD COLUMN); their types are fixed by parse_settings
        return ("child",)

    # ----- values -----------------------------------------------------------------------
    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None:
            value = []
        if not isinstance(value, list):
            raise FieldValueError("not_list")
        settings = _settings(field)
        if len(value) < settings.min_rows:
            raise FieldValueError("subform_too_few_rows", min=settings.min_rows)
        limit = settings.max_rows if settings.max_rows is not None else MAX_ROWS
        if len(value) > limit:
            raise FieldValueError("subform_too_many_rows", max=limit)
        children = child_fields(field)
        by_key = {c.key: c for c in children}
        errors: list[tuple[str, FieldValueError]] = []
        rows: list[dict[str, Any]] = []
        seen_ids: set[int] = set()
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                errors.append((f"[{index}]", FieldValueError("subform_row_not_object")))
                continue
            row: dict[str, Any] = {"id": None}
            if item.get("id") is not None:
                try:
                    row["id"] = parse_id(item["id"], "subform_row_id_invalid")
                except FieldValueError as exc:
                    errors.append((f"[{index}].id", exc))
                else:
                    if row["id"] in seen_ids:
                        errors.append((f"[{index}].id", FieldValueError("subform_row_repeated")))
                    seen_ids.add(row["id"])
            for key in item:
                if key != "id" and key not in by_key:
                    errors.append((f"[{index}].{key}", FieldValueError("unknown_field", key=key)))
            for child in children:
                if not child.ftype.writable:
                    continue  # computed cells (a row formula) are the system's business
                given = item.get(child.key, child.settings.default)
                try:
                    stored = child.ftype.to_storage(child, given, ctx)
                except FieldValueError as exc:
                    errors.append((f"[{index}].{child.key}", _labelled(exc, field, index, child)))
                    continue
                if child.required and child.ftype.is_blank(stored):
                    errors.append(
                        (
                            f"[{index}].{child.key}",
                            FieldValueError("required", label=_cell_label(field, index, child)),
                        )
                    )
                    continue
                row[child.column_name] = stored
            rows.append(row)
        if errors:
            raise NestedValueErrors(errors)
        return rows

    def to_json(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        children = child_fields(field)
        result = []
        for row in stored or []:
            # rows not yet saved (an audit entry of a create) have no id to show
            data: dict[str, Any] = {} if row.get("id") is None else {"id": row["id"]}
            for child in children:
                data[child.key] = child.ftype.to_json(child, row.get(child.column_name), ctx)
            result.append(data)
        return result

    def display(self, field: FieldMeta, stored: Any, ctx: Ctx) -> str:
        count = len(stored or [])
        return f"{count} 行" if ctx.locale.startswith("zh") else f"{count} rows"

    def from_text(self, field: FieldMeta, text: str, ctx: Ctx) -> Any:
        raise FieldValueError("subform_from_text")

    def check_stored(
        self, conn: Connection, field: FieldMeta, values: Sequence[Any]
    ) -> dict[int, FieldValueError]:
        """The child types' database checks (users, linked records exist), batched over
        every row of every record in ``values``."""
        found: dict[int, list[tuple[str, FieldValueError]]] = {}
        for child in child_fields(field):
            places: list[tuple[int, int]] = []
            cells: list[Any] = []
            for pos, rows in enumerate(values):
                for index, row in enumerate(rows or []):
                    if row.get(child.column_name) is not None:
                        places.append((pos, index))
                        cells.append(row[child.column_name])
            if not cells:
                continue
            for at, exc in child.ftype.check_stored(conn, child, cells).items():
                pos, index = places[at]
                found.setdefault(pos, []).append(
                    (f"[{index}].{child.key}", _labelled(exc, field, index, child))
                )
        return {pos: NestedValueErrors(errors) for pos, errors in found.items()}

    def check_stored_for(
        self,
        conn: Connection,
        field: FieldMeta,
        values: Sequence[Any],
        ctx: Ctx,
        record_ids: Sequence[int | None],
    ) -> dict[int, FieldValueError]:
        """The cells' checks, and that every given row id is a row of the record being
        written (a new record has none): a row is never moved between records."""
        found: dict[int, list[tuple[str, FieldValueError]]] = {
            pos: list(exc.errors) if isinstance(exc, NestedValueErrors) else [("", exc)]
            for pos, exc in self.check_stored(conn, field, values).items()
        }
        table = sa.table(field.column_name, sa.column("id"), sa.column("record_id"))
        for pos, rows in enumerate(values):
            given = {row["id"]: index for index, row in enumerate(rows or []) if row.get("id")}
            if not given:
                continue
            record_id = record_ids[pos] if pos < len(record_ids) else None
            owned: set[int] = set()
            if record_id is not None:
                owned = set(
                    conn.execute(
                        sa.select(table.c.id).where(table.c.record_id == record_id)
                    ).scalars()
                )
            for row_id, index in given.items():
                if row_id not in owned:
                    found.setdefault(pos, []).append(
                        (f"[{index}].id", FieldValueError("subform_row_not_found", id=row_id))
                    )
        return {pos: NestedValueErrors(errors) for pos, errors in found.items()}

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        props: dict[str, Any] = {"id": {"type": ["integer", "null"]}}
        for child in child_fields(field):
            props[child.key] = child.ftype.json_schema(child)
        settings = _settings(field)
        schema: dict[str, Any] = {
            "type": "array",
            "items": {"type": "object", "properties": props},
            "minItems": settings.min_rows,
            "maxItems": settings.max_rows if settings.max_rows is not None else MAX_ROWS,
        }
        return schema

    # ----- query ------------------------------------------------------------------------
    def compile_filter(
        self, field: FieldMeta, op: str, operand: Any, target: FilterTarget, ctx: Ctx
    ) -> sa.ColumnElement[bool]:
        # the child table by its generated name: only record_id is needed here
        table = sa.table(field.column_name, sa.column("record_id"))
        rows = sa.exists(sa.select(sa.literal(1)).where(table.c.record_id == target.record_id))
        return ~rows if op == "is_empty" else rows

    def mask(self, field: FieldMeta, value: Any) -> Any:
        """Each cell masked the way its column's type masks; row ids stay."""
        children = child_fields(field)
        return [
            {
                "id": row.get("id"),
                **{c.key: c.ftype.mask(c, row.get(c.key)) for c in children},
            }
            for row in value or []
        ]


def _labelled(
    exc: FieldValueError, field: FieldMeta, index: int, child: FieldMeta
) -> FieldValueError:
    """A cell's error names the sub-form, the row number and the column (「明细 #3 数量」)."""
    return FieldValueError(exc.code, **{**exc.params, "label": _cell_label(field, index, child)})


def _cell_label(field: FieldMeta, index: int, child: FieldMeta) -> str:
    return f"{field.label} #{index + 1} {child.label}"
