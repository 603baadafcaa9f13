"""Multi-line text (多行文本): keeps inner line breaks, trims the ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from qiao.forms.fields._text import TextLike
from qiao.forms.fields.base import FieldSettings, by_locale, registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta


class TextareaSettings(FieldSettings):
    max_length: int = Field(default=10000, ge=1, le=100000)


@registry.register
class TextareaType(TextLike):
    key = "textarea"
    settings_model = TextareaSettings
    max_length_default = 10000
    can_be_unique = False

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> str:
        return by_locale(ctx, "第一行\n第二行", "First line\nSecond line")
