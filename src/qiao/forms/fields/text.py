"""Single-line text (单行文本)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qiao.forms.fields._text import TextLike, TextSettings
from qiao.forms.fields.base import by_locale, registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta


@registry.register
class TextType(TextLike):
    key = "text"
    template_format = "text"
    settings_model = TextSettings

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> str:
        return by_locale(ctx, "示例文本", "Sample text")
