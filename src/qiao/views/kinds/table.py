"""A grid of records with chosen, sized, hidden or frozen columns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from qiao.context import Ctx
from qiao.errors import ErrorDetail
from qiao.forms.model import FormMeta
from qiao.views.base import SortedConfig, ViewKind, check_field, registry


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=63)
    width: int | None = Field(default=None, ge=20, le=2000)
    hidden: bool = False
    frozen: bool = False


class TableConfig(SortedConfig):
    columns: list[Column] = Field(default_factory=list, max_length=500)
    row_height: str | None = Field(default=None, max_length=16)


@registry.register
class Table(ViewKind):
    key = "table"
    config_model = TableConfig

    def check(self, form: FormMeta, config: Any, ctx: Ctx) -> list[ErrorDetail]:
        return [
            error
            for i, column in enumerate(config.columns)
            for error in check_field(form, column.key, f"columns[{i}].key")
        ]

    def default_config(self, form: FormMeta) -> dict[str, Any]:
        return {"columns": [{"key": f.key} for f in form.live_fields]}
