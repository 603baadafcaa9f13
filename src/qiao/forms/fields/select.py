"""Single choice (单选): stores the option id, reads and writes the option label."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from qiao.forms.fields._choices import (
    ChoiceSettings,
    active_labels,
    choice_id,
    choice_label,
    merge_choices,
)
from qiao.forms.fields.base import FieldSettings, FieldType, registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta


def _settings(field: FieldMeta) -> ChoiceSettings:
    assert isinstance(field.settings, ChoiceSettings)
    return field.settings


@registry.register
class SelectType(FieldType):
    key = "select"
    settings_model = ChoiceSettings
    searchable = True

    def parse_settings(
        self, raw: dict[str, Any], old: FieldSettings | None = None
    ) -> FieldSettings:
        parsed = ChoiceSettings.model_validate(raw)
        return merge_choices(parsed, old if isinstance(old, ChoiceSettings) else None)

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return sa.String(32)

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None or value == "":
            return None
        return choice_id(_settings(field), value)

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        return choice_id(_settings(field), value, archived_too=True)

    def to_json(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        return None if stored is None else choice_label(_settings(field), stored)

    def sort_expr(self, field: FieldMeta, col: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        order = {c.id: i for i, c in enumerate(_settings(field).choices)}
        if not order:
            return col
        return sa.case(order, value=col, else_=None)

    def search_condition(
        self, field: FieldMeta, col: sa.ColumnElement[Any], text: str, sqlite: bool = False
    ) -> sa.ColumnElement[bool] | None:
        needle = text.lower()
        ids = [c.id for c in _settings(field).choices if needle in c.label.lower()]
        return col.in_(ids) if ids else None

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "string", "enum": active_labels(_settings(field))}
