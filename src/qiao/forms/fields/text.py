"""Single-line text (单行文本)."""

from __future__ import annotations

from qiao.forms.fields._text import TextLike, TextSettings
from qiao.forms.fields.base import registry


@registry.register
class TextType(TextLike):
    key = "text"
    settings_model = TextSettings
