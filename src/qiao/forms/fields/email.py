"""E-mail (邮箱): syntax checked (no DNS look-up), stored in lower case."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from qiao.errors import FieldValueError
from qiao.forms.fields._text import TextLike, TextSettings
from qiao.forms.fields.base import registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta


#: a conservative subset of valid addresses: dot-separated atoms of letters, digits and
#: _%+- before the @ (at most 64), letter-digit-hyphen labels and an alphabetic top-level
#: domain after it, at most 254 in all. Group 1 is the top-level domain.
_PLAIN = re.compile(
    r"^(?=.{1,254}$)(?=[^@]{1,64}@)[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63})$"
)


@registry.register
class EmailType(TextLike):
    key = "email"
    settings_model = TextSettings

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> str:
        return "zhangsan@example.com"

    def max_length(self, field: FieldMeta) -> int:
        return 254

    def normalize(self, field: FieldMeta, text: str) -> str:
        return normalize_email(text)

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "string", "format": "email", "maxLength": 254}


def normalize_email(text: str) -> str:
    """The address in lower case, or FieldValueError("invalid_email")."""
    lowered = text.lower()
    match = _PLAIN.match(lowered)
    # "--" in a label may be an IDNA form ("xn--…") that needs the full check
    if match and match.group(1) not in SPECIAL_USE_DOMAIN_NAMES and "--" not in lowered:
        # fast path: plain ASCII addresses that email-validator accepts unchanged
        return lowered
    return _validated(text)


def _validated(text: str) -> str:
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise FieldValueError("invalid_email") from exc
    return str(result.normalized).lower()
