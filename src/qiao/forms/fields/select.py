"""Single choice (单选): stores the option id, reads and writes the option label."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from qiao.forms.fields._choices import (
    ChoiceOptions,
    active_labels,
    choice_id,
    choice_label,
    choice_settings,
)
from qiao.forms.fields.base import FieldType, registry
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta


@registry.register
class SelectType(ChoiceOptions, FieldType):
    key = "select"
    formula = Kind.TEXT  # the option's label
    searchable = True

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> str | None:
        """The first option: the value the column's dropdown offers first."""
        labels = active_labels(choice_settings(field))
        return labels[0] if labels else None

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return sa.String(32)

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None or value == "":
            return None
        return choice_id(choice_settings(field), value)

    def to_json(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        return None if stored is None else choice_label(choice_settings(field), stored)

    def sort_expr(self, field: FieldMeta, col: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        order = {c.id: i for i, c in enumerate(choice_settings(field).choices)}
        if not order:
            return col
        return sa.case(order, value=col, else_=None)

    def search_condition(
        self, field: FieldMeta, col: sa.ColumnElement[Any], text: str, sqlite: bool
    ) -> sa.ColumnElement[bool] | None:
        needle = text.lower()
        ids = [c.id for c in choice_settings(field).choices if needle in c.label.lower()]
        return col.in_(ids) if ids else None

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "string", "enum": active_labels(choice_settings(field))}
