"""Records placed on a calendar by a date or datetime field."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from qiao.context import Ctx
from qiao.errors import ErrorDetail
from qiao.forms.model import FormMeta
from qiao.views.base import FilteredConfig, ViewKind, check_field, registry


class CalendarConfig(FilteredConfig):
    date_field: str = Field(min_length=1, max_length=63)
    title_field: str | None = Field(default=None, max_length=63)


@registry.register
class Calendar(ViewKind):
    key = "calendar"
    config_model = CalendarConfig

    def check(self, form: FormMeta, config: Any, ctx: Ctx) -> list[ErrorDetail]:
        return check_field(form, config.date_field, "date_field", ("date", "datetime")) + (
            check_field(form, config.title_field, "title_field")
        )
