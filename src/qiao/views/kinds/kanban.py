"""Cards in columns, one per option of a select field."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from qiao.context import Ctx
from qiao.errors import ErrorDetail
from qiao.forms.model import FormMeta
from qiao.views.base import SortedConfig, ViewKind, check_field, check_fields, registry


class KanbanConfig(SortedConfig):
    group_field: str = Field(min_length=1, max_length=63)
    card_fields: list[str] = Field(default_factory=list, max_length=50)


@registry.register
class Kanban(ViewKind):
    key = "kanban"
    config_model = KanbanConfig

    def check(self, form: FormMeta, config: Any, ctx: Ctx) -> list[ErrorDetail]:
        return check_field(form, config.group_field, "group_field", ("select",)) + check_fields(
            form, config.card_fields, "card_fields"
        )
