"""E-mail (邮箱): syntax checked (no DNS look-up), stored in lower case."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from email_validator import EmailNotValidError, validate_email

from qiao.errors import FieldValueError
from qiao.forms.fields._text import TextLike, TextSettings
from qiao.forms.fields.base import registry

if TYPE_CHECKING:
    from qiao.forms.model import FieldMeta


@registry.register
class EmailType(TextLike):
    key = "email"
    settings_model = TextSettings

    def max_length(self, field: FieldMeta) -> int:
        return 254

    def normalize(self, field: FieldMeta, text: str) -> str:
        try:
            result = validate_email(text, check_deliverability=False)
        except EmailNotValidError as exc:
            raise FieldValueError("invalid_email") from exc
        return str(result.normalized).lower()

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "string", "format": "email", "maxLength": 254}
