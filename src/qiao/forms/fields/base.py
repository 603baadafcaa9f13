"""The field type contract and its registry.

A field type owns everything about its values: the physical column (or junction table),
input coercion and validation, the JSON form, the filter operators it opts into and how
they compile, sort expressions, display text and its JSON schema. Nothing outside a
type's module asks which type a field is.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from qiao.db.dialect import contains_text
from qiao.errors import FieldValueError
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

_T = TypeVar("_T")


class Storage(enum.Enum):
    COLUMN = "column"  # one nullable column on the form table
    JUNCTION = "junction"  # a child table qj_<field id> (record_id, value, position)
    CHILD = "child"  # a sub-form's table qs_<field id> (id, record_id, position, c<n>…)


class ValueRule(BaseModel):
    """A validation rule on one field's value, with the message the user sees when it
    fails (the standard message when none is given). Checked by qiao.records.rules."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["regex", "length", "range"]
    pattern: str | None = Field(default=None, max_length=500)  # regex
    min: Any = None  # length: characters; range: a number or an ISO date
    max: Any = None
    message: str = Field(default="", max_length=200)


class FieldSettings(BaseModel):
    """Settings every field has; types extend this model with their own."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(default="", max_length=2000)
    placeholder: str = Field(default="", max_length=200)
    #: value a new record gets when its input leaves the field out, written as the API
    #: takes values; checked against the type when the settings are saved
    default: Any = None
    #: validation rules (regex, length, range), checked on every write path
    rules: list[ValueRule] = Field(default_factory=list, max_length=20)
    #: a formula giving a new record's value when its input leaves the field out
    default_formula: str | None = Field(default=None, max_length=4000)
    #: a formula: FALSE hides the field in the form (and then it is not required)
    visible_when: str | None = Field(default=None, max_length=4000)
    #: a formula: TRUE makes the field required
    required_when: str | None = Field(default=None, max_length=4000)


class NestedValueErrors(FieldValueError):
    """Problems inside a composite value (a sub-form's rows), each at a path below the
    field such as ``[2].qty``, so the API can point at the very cell."""

    def __init__(self, errors: list[tuple[str, FieldValueError]]) -> None:
        super().__init__("value_invalid_parts", count=len(errors))
        self.errors = errors


class Bounds(tuple[Any, Any]):
    """A filter operand that stands for a half-open range [lo, hi) rather than a point,
    e.g. a whole day given to a datetime field. Comparison operators honour it."""

    @property
    def lo(self) -> Any:
        return self[0]

    @property
    def hi(self) -> Any:
        return self[1]


@dataclass(frozen=True)
class FilterTarget:
    """Where a field's values live in a query: its column, or its junction table joined
    to the form table's id column."""

    column: sa.ColumnElement[Any] | None
    record_id: sa.ColumnElement[Any]
    junction: sa.Table | None = None


def mask_text(text: str) -> str:
    """138****1234 for a phone; keep a head and a tail that shrink with the length, so
    that short values are not given away by what is left visible."""
    if "@" in text:  # e-mail: hide the local part but its first character
        local, _, domain = text.partition("@")
        return f"{local[:1]}***@{domain}"
    n = len(text)
    if n <= 2:
        return "*" * n
    if n <= 6:
        return f"{text[0]}{'*' * (n - 2)}{text[-1]}"
    head, tail = (3, 4) if n >= 11 else (2, 2)
    return f"{text[:head]}{'*' * (n - head - tail)}{text[-tail:]}"


def mask_value(value: Any) -> Any:
    if value is None or value == "" or value == []:
        return value
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, str):
        return mask_text(value)
    return "****"


def by_locale(ctx: Ctx, zh: _T, en: _T) -> _T:
    """``zh`` in a zh-CN context, ``en`` in any other (texts a type shows on its own,
    such as its import template sample)."""
    return zh if ctx.locale == "zh-CN" else en


class Unset:
    """Marks 'this type generates no value here'."""


UNSET = Unset()


class FieldType:
    """Base class: subclasses set the class attributes and override what differs."""

    key: ClassVar[str]
    settings_model: ClassVar[type[FieldSettings]] = FieldSettings
    operators: ClassVar[tuple[str, ...]] = ("eq", "ne", "in", "not_in", "is_empty", "is_not_empty")
    sortable: ClassVar[bool] = True
    searchable: ClassVar[bool] = False  # included in ``q`` quick search
    can_be_unique: ClassVar[bool] = False
    always_unique: ClassVar[bool] = False  # e.g. serial numbers
    generates_values: ClassVar[bool] = False  # ``generate`` assigns values on create
    writable: ClassVar[bool] = True  # False for values the system generates
    internal: ClassVar[bool] = False  # system columns only, not offered to users
    #: the cell format of the type's column in an import template: "text" keeps leading
    #: zeros and long digit strings as typed, "date"/"datetime" show dates as dates
    template_format: ClassVar[str | None] = None
    #: may be a sub-form column (False for types whose values need the record itself,
    #: e.g. files attached to a record)
    in_subform: ClassVar[bool] = True
    #: whether a field of another type may be converted into this type (uploaded files
    #: cannot come out of text or numbers)
    accepts_conversion: ClassVar[bool] = True
    #: operators whose value shape differs from the operator's default arity here
    arity_overrides: ClassVar[dict[str, str]] = {}
    #: what a formula sees of this type's values (None: formulas cannot refer to it)
    formula: ClassVar[Kind | None] = None
    #: the kinds of value rules (``settings.rules``) this type supports
    rule_kinds: ClassVar[tuple[str, ...]] = ()

    # ----- settings ---------------------------------------------------------------------
    def parse_settings(
        self, raw: dict[str, Any], old: FieldSettings | None = None
    ) -> FieldSettings:
        """Validate user settings; ``old`` is the current settings on an update."""
        return self.settings_model.model_validate(raw)

    def check_settings(self, conn: Connection, settings: FieldSettings) -> None:
        """Checks that need the database (e.g. a relation's target form exists)."""

    # ----- storage ----------------------------------------------------------------------
    def storage(self, field: FieldMeta) -> Storage:
        return Storage.COLUMN

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        raise NotImplementedError

    def junction_value_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        raise NotImplementedError

    def physical_signature(self, field: FieldMeta) -> tuple[str, ...]:
        """Changing settings that alter this needs a conversion, not a metadata update."""
        if self.storage(field) is Storage.JUNCTION:
            return ("junction", repr(self.junction_value_type(field)))
        return ("column", repr(self.sql_type(field)))

    # ----- values -----------------------------------------------------------------------
    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        """Coerce API input to the stored form; None means empty. Raise FieldValueError."""
        raise NotImplementedError

    def to_json(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        return stored

    def display(self, field: FieldMeta, stored: Any, ctx: Ctx) -> str:
        """Plain text for notifications, exports and conversion previews."""
        value = self.to_json(field, stored, ctx)
        if value is None:
            return ""
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        return str(value)

    def export_text(self, field: FieldMeta, value: Any, ctx: Ctx) -> str | None:
        """Text of a JSON value (as the viewer sees it, maybe masked) in an export cell;
        None leaves it to the exporter's generic rendering of lists, dicts and scalars."""
        return None

    def from_text(self, field: FieldMeta, text: str, ctx: Ctx) -> Any:
        """Parse display text (type conversion, later imports) into the stored form."""
        return self.to_storage(field, text, ctx)

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> Any:
        """A plausible value for the sample row of an import template, in ``ctx.locale``:
        a spreadsheet cell value (text, a number, a date or a datetime) that
        ``from_text`` reads back. None (the default) leaves the cell blank: the type's
        values exist only in this installation (members, departments, records) or a
        cell cannot hold them."""
        return None

    def template_choices(self, field: FieldMeta, ctx: Ctx) -> list[str]:
        """The values an import template offers in a dropdown for the type's column (in
        ``ctx.locale``); none by default."""
        return []

    def check_stored(
        self, conn: Connection, field: FieldMeta, values: Sequence[Any]
    ) -> dict[int, FieldValueError]:
        """Batch checks that need the database; returns errors by position in ``values``."""
        return {}

    def check_stored_for(
        self,
        conn: Connection,
        field: FieldMeta,
        values: Sequence[Any],
        ctx: Ctx,
        record_ids: Sequence[int | None],
    ) -> dict[int, FieldValueError]:
        """``check_stored`` for types whose valid values depend on who writes which
        record (a file may be saved by its uploader, or stay on the record it is on);
        ``record_ids[i]`` is None for a new record."""
        return self.check_stored(conn, field, values)

    def after_write(
        self,
        conn: Connection,
        field: FieldMeta,
        ctx: Ctx,
        record_ids: Sequence[int],
        values: Sequence[Any],
    ) -> None:
        """The records were written with these values, in the same transaction: types
        with state outside the form table (uploaded files) bring it in step here."""

    def generate(self, conn: Connection, field: FieldMeta, ctx: Ctx) -> Any:
        """A value the system assigns on create (autonumber); UNSET when none."""
        return UNSET

    def generate_many(self, conn: Connection, field: FieldMeta, ctx: Ctx, count: int) -> list[Any]:
        return [self.generate(conn, field, ctx) for _ in range(count)]

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {}

    def referenced_form(self, field: FieldMeta) -> int | None:
        """The form whose records this field links to, if it links to records."""
        return None

    def on_target_delete(
        self,
        conn: Connection,
        field: FieldMeta,
        source: sa.Table,
        junction: sa.Table | None,
        target_ids: list[int],
        ctx: Ctx,
    ) -> bool:
        """Records of the linked form are being deleted: unlink them, or return False to
        refuse the delete. Only called for fields whose ``referenced_form`` is set."""
        return True

    # ----- formulas ---------------------------------------------------------------------
    def formula_kind(self, field: FieldMeta) -> Kind | None:
        """The kind of value a formula reads from this field; None = not usable there."""
        return self.formula

    def formula_is_range(self, field: FieldMeta) -> bool:
        """Several values per record (multiselect, many-relation): a formula sees a range."""
        return self.storage(field) is Storage.JUNCTION

    def to_formula(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        """Stored value -> formula value (qiao.formula.values): by default the JSON form,
        numbers as Decimal. Types whose JSON form is not what a formula means override."""
        if stored is None or self.formula_kind(field) is None:
            return [] if self.formula_is_range(field) else None
        value = self.to_json(field, stored, ctx)
        if self.formula_kind(field) is Kind.NUMBER:
            if isinstance(value, list):
                return [Decimal(str(v)) for v in value]
            return None if value is None else Decimal(str(value))
        return value

    def from_formula(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        """A formula result -> the stored form (default values from expressions, computed
        fields). Blank and error values store as empty; the value is first coerced to
        this type's formula kind the way Excel would, then checked like input."""
        from qiao.formula import values as fv

        if value is None or fv.is_error(value) or value == []:
            return None
        kind = self.formula_kind(field)
        try:
            if isinstance(value, list):
                value = [fv.to_text(v) if kind is Kind.TEXT else v for v in value]
            elif kind is Kind.TEXT:
                value = fv.to_text(value)
            elif kind is Kind.NUMBER:
                value = fv.to_number(value)
            elif kind is Kind.BOOL:
                value = fv.to_bool(value)
            elif kind in (Kind.DATE, Kind.DATETIME):
                value = fv.to_date(value)
        except fv.FormulaErrorSignal as exc:
            raise FieldValueError("formula_value_invalid", value=str(exc.error)) from exc
        if kind is Kind.DATE and isinstance(value, datetime):
            value = value.date()
        elif kind is Kind.DATETIME and not isinstance(value, datetime):
            value = datetime.combine(value, time())
        return self.to_storage(field, value, ctx)

    # ----- query ------------------------------------------------------------------------
    def operators_for(self, field: FieldMeta) -> tuple[str, ...]:
        return self.operators

    def arity_for(self, field: FieldMeta, op: str) -> str | None:
        return self.arity_overrides.get(op)

    def is_sortable(self, field: FieldMeta) -> bool:
        return self.sortable and self.storage(field) is Storage.COLUMN

    def sort_expr(self, field: FieldMeta, col: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        return col

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        """Coerce one filter value to the stored form (raises FieldValueError)."""
        stored = self.to_storage(field, value, ctx)
        if stored is None:
            raise FieldValueError("filter_value_required", op=op)
        return stored

    def compile_filter(
        self, field: FieldMeta, op: str, operand: Any, target: FilterTarget, ctx: Ctx
    ) -> sa.ColumnElement[bool]:
        """SQL for ``op`` with an already coerced operand; column types use the shared
        operator implementations, junction types override this."""
        from qiao.query.operators import operators

        assert target.column is not None
        return operators[op].compile(target.column, operand, field, ctx)

    def mask(self, field: FieldMeta, value: Any) -> Any:
        """The JSON value as a viewer without the "view unmasked" right sees it."""
        return mask_value(value)

    def is_blank(self, stored: Any) -> bool:
        return stored is None or stored == []

    def search_condition(
        self, field: FieldMeta, col: sa.ColumnElement[Any], text: str, sqlite: bool
    ) -> sa.ColumnElement[bool] | None:
        """The ``q`` quick search on this field (case-insensitive), None to skip it."""
        if not self.searchable:
            return None
        return contains_text(col, text, sqlite)


class FieldTypeRegistry:
    def __init__(self) -> None:
        self._types: dict[str, FieldType] = {}

    def register(self, cls: type[FieldType]) -> type[FieldType]:
        if cls.key in self._types:
            raise ValueError(f"field type {cls.key!r} registered twice")
        self._types[cls.key] = cls()
        return cls

    def get(self, key: str) -> FieldType:
        return self._types[key]

    def __contains__(self, key: object) -> bool:
        return key in self._types

    def public(self) -> list[FieldType]:
        return [t for t in self._types.values() if not t.internal]

    def all(self) -> list[FieldType]:
        return list(self._types.values())


registry = FieldTypeRegistry()
