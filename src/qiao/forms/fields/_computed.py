"""What formula, lookup and rollup fields share: values the server computes, stored in
a column whose type follows the result kind, so that lists filter, sort and sum them
in SQL like any field of that kind.

The result kind is resolved when the field is saved (``settings.kind``, server-owned:
qiao.forms.formulas sets it from the checked expression). Storage per kind:

- number: a BIGINT of value × 10^6, the convention of number fields (exact sums in SQL);
- text: TEXT; date: DATE; datetime: the UTC datetime column; bool: BOOLEAN.

Filters, sorts, JSON and display text are those of the matching ordinary type (number,
text, date, datetime, boolean): the field delegates to it with a probe of itself.

Error results (#DIV/0!, #VALUE!, …) are stored as empty: a list filters them as blank,
and the record form shows the error text from the live evaluation.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import sqlalchemy as sa
from pydantic import Field

from qiao.db.types import UTCDateTime
from qiao.errors import FieldValueError
from qiao.forms.fields._decimal import DecimalSettings
from qiao.forms.fields.base import FieldSettings, FieldType, FilterTarget, registry
from qiao.formula import values as fv
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

ResultKind = Literal["number", "text", "date", "datetime", "bool"]
SCALE = 6
_MAX_STORED = 2**63 - 1
#: the ordinary type whose filters, sorts and JSON a computed field of a kind borrows
_PROXY = {"number": "number", "text": "text", "date": "date", "datetime": "datetime"}


class ComputedSettings(FieldSettings):
    #: digits after the point a number result keeps (None: as computed, up to 6)
    precision: int | None = Field(default=None, ge=0, le=6)
    #: how the web app shows a number result
    format: Literal["number", "money", "percent"] = "number"
    #: server-owned: the kind the value is stored as (set when the field is saved)
    kind: ResultKind = "text"


def computed_kind(field: FieldMeta) -> str:
    return str(getattr(field.settings, "kind", "text"))


class ComputedType(FieldType):
    """Base of formula, lookup and rollup: read-only, recomputed by the server."""

    writable = False
    settings_model: ClassVar[type[FieldSettings]] = ComputedSettings

    def parse_settings(
        self, raw: dict[str, Any], old: FieldSettings | None = None
    ) -> FieldSettings:
        """The kind is the server's: kept from the stored settings (a changed kind is
        applied by qiao.forms.formulas after checking the expression, which may need
        fields saved in the same publish)."""
        settings = self.settings_model.model_validate(raw)
        kind = getattr(old, "kind", None) or self.initial_kind(settings)
        return settings.model_copy(update={"kind": kind})

    def initial_kind(self, settings: FieldSettings) -> str:
        return "text"

    # ----- storage ----------------------------------------------------------------------
    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        kind = computed_kind(field)
        if kind == "number":
            return sa.BigInteger()
        if kind == "date":
            return sa.Date()
        if kind == "datetime":
            return UTCDateTime()
        if kind == "bool":
            return sa.Boolean()
        return sa.Text()

    def proxy(self, field: FieldMeta) -> tuple[FieldType, FieldMeta]:
        """The ordinary type (and a probe field of it) that stores values like this."""
        return _proxy(field)

    # ----- values -----------------------------------------------------------------------
    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        """Input never sets a computed value (the API refuses it as read-only); a type
        change into a computed type starts empty and is recomputed."""
        return None

    def formula_kind(self, field: FieldMeta) -> Kind | None:
        return Kind(computed_kind(field))

    def formula_is_range(self, field: FieldMeta) -> bool:
        return False

    def to_formula(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        if stored is None:
            return None
        kind = computed_kind(field)
        if kind == "number":
            return Decimal(stored).scaleb(-SCALE).normalize()
        if kind == "datetime":
            return stored.astimezone(ctx.tz).replace(tzinfo=None)
        return stored

    def from_formula(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        """A result -> stored; errors and values that do not fit the kind store empty."""
        if value is None or fv.is_error(value) or isinstance(value, list):
            return None
        kind = computed_kind(field)
        try:
            if kind == "number":
                number = fv.to_number(value)
                precision = getattr(field.settings, "precision", None)
                places = SCALE if precision is None else int(precision)
                number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
                stored = int(number.scaleb(SCALE))
                return stored if abs(stored) <= _MAX_STORED else None
            if kind == "text":
                return fv.to_text(value)
            if kind == "bool":
                return fv.to_bool(value)
            day = fv.to_date(value)
            if kind == "date":
                return day.date() if isinstance(day, datetime) else day
            ftype, probe = self.proxy(field)
            return ftype.from_formula(probe, day, ctx)
        except (fv.FormulaErrorSignal, FieldValueError, InvalidOperation, OverflowError):
            return None

    def to_json(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        if stored is None:
            return None
        ftype, probe = self.proxy(field)
        return ftype.to_json(probe, stored, ctx)

    def display(self, field: FieldMeta, stored: Any, ctx: Ctx) -> str:
        ftype, probe = self.proxy(field)
        return ftype.display(probe, stored, ctx)

    def from_text(self, field: FieldMeta, text: str, ctx: Ctx) -> Any:
        return None

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        ftype, probe = self.proxy(field)
        return {**ftype.json_schema(probe), "readOnly": True}

    # ----- query ------------------------------------------------------------------------
    def operators_for(self, field: FieldMeta) -> tuple[str, ...]:
        ftype, probe = self.proxy(field)
        return ftype.operators_for(probe)

    def arity_for(self, field: FieldMeta, op: str) -> str | None:
        ftype, probe = self.proxy(field)
        return ftype.arity_for(probe, op)

    def sort_expr(self, field: FieldMeta, col: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        ftype, probe = self.proxy(field)
        return ftype.sort_expr(probe, col)

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        ftype, probe = self.proxy(field)
        return ftype.filter_operand(probe, op, value, ctx)

    def compile_filter(
        self, field: FieldMeta, op: str, operand: Any, target: FilterTarget, ctx: Ctx
    ) -> sa.ColumnElement[bool]:
        ftype, probe = self.proxy(field)
        return ftype.compile_filter(probe, op, operand, target, ctx)

    def search_condition(
        self, field: FieldMeta, col: sa.ColumnElement[Any], text: str, sqlite: bool
    ) -> sa.ColumnElement[bool] | None:
        if computed_kind(field) != "text":
            return None
        ftype, probe = self.proxy(field)
        return ftype.search_condition(probe, col, text, sqlite)


@lru_cache(maxsize=4096)
def _proxy(field: FieldMeta) -> tuple[FieldType, FieldMeta]:
    """Per field object (metadata is immutable once loaded; a reload makes new ones)."""
    kind = computed_kind(field)
    key = _PROXY.get(kind, "boolean")
    ftype = registry.get(key)
    settings: FieldSettings = (
        DecimalSettings(precision=getattr(field.settings, "precision", None))
        if kind == "number"
        else ftype.settings_model()
    )
    return ftype, dataclasses.replace(field, type=key, settings=settings)
