"""Records as cards, optionally with a cover."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from qiao.context import Ctx
from qiao.errors import ErrorDetail
from qiao.forms.model import FormMeta
from qiao.views.base import SortedConfig, ViewKind, check_field, check_fields, registry


class GalleryConfig(SortedConfig):
    card_fields: list[str] = Field(default_factory=list, max_length=50)
    cover: str | None = Field(default=None, max_length=63)


@registry.register
class Gallery(ViewKind):
    key = "gallery"
    config_model = GalleryConfig

    def check(self, form: FormMeta, config: Any, ctx: Ctx) -> list[ErrorDetail]:
        return check_fields(form, config.card_fields, "card_fields") + check_field(
            form, config.cover, "cover"
        )
