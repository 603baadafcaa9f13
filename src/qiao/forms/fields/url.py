"""Link (网址): http(s) URLs; a bare domain such as ``www.example.com`` gets ``https://``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from qiao.errors import FieldValueError
from qiao.forms.fields._text import TextLike, TextSettings
from qiao.forms.fields.base import registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

_HOST = re.compile(
    r"^(localhost|[\w\u00a1-\uffff-]+(\.[\w\u00a1-\uffff-]+)+|\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\])"
    r"(:\d{1,5})?$",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s")
#: an http(s) URL whose host is plain ASCII labels (no user info, no IPv6, no "_"),
#: an optional port and then nothing or a path/query/fragment without white space: for
#: these urlsplit and _HOST are sure to agree, so the URL is accepted as it stands
_PLAIN_URL = re.compile(
    r"(?:[hH][tT][tT][pP][sS]?)://[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)+(?::[0-9]{1,5})?"
    r"(?:[/?#]\S*)?"
)


@registry.register
class UrlType(TextLike):
    key = "url"
    settings_model = TextSettings

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> str:
        return "https://www.example.com"

    def max_length(self, field: FieldMeta) -> int:
        return 2048

    def normalize(self, field: FieldMeta, text: str) -> str:
        if _PLAIN_URL.fullmatch(text):
            return text
        if "://" not in text and _PLAIN_URL.fullmatch("https://" + text):
            return "https://" + text
        return _checked(text)

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "string", "format": "uri", "maxLength": 2048}


def _checked(text: str) -> str:
    """The full check through urlsplit (user info, IPv6 hosts, non-ASCII hosts, …)."""
    if _SPACE.search(text):
        raise FieldValueError("invalid_url")
    bare = "://" not in text
    if bare:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # "http://[" is an invalid IPv6 host to urllib
        raise FieldValueError("invalid_url") from exc
    if parts.scheme.lower() not in ("http", "https") or not _HOST.match(
        parts.netloc.split("@")[-1]
    ):
        raise FieldValueError("invalid_url")
    if bare and "@" in parts.netloc:
        # "a@b.com" or "mailto:a@b.com" is an e-mail address, not a bare domain
        raise FieldValueError("invalid_url")
    return text
