"""Rich text (富文本): HTML from the web editor, sanitised with nh3 before it is stored.

Only the markup a business editor produces survives: paragraphs, line breaks, bold,
italic, underline, strike-through, headings h1–h4, lists, block quotes, code, simple
tables, links and images. No ``style``, ``class`` or event attributes, no scripts, no
iframes. Links keep ``href`` only for http, https and mailto (``rel="noopener
noreferrer"`` is set); images keep ``src`` only when it points at qiao's own file
download URLs (``/api/v1/files/…``), so a record cannot make every viewer's browser
fetch a third-party URL (tracking pixels) and ``data:`` URIs cannot smuggle content.

The stored value is the sanitised HTML, so the API never hands out unsafe markup,
whatever wrote it; its length limit applies to the sanitised form. Display text (exports,
notifications) is the plain text with tags removed and entities decoded; the ``q`` quick
search and the contains operators run on the stored HTML.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import nh3
from pydantic import Field

from qiao.errors import FieldValueError
from qiao.forms.fields._text import TextLike, as_text
from qiao.forms.fields.base import FieldSettings, by_locale, registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

TAGS = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "s", "h1", "h2", "h3", "h4",
        "ul", "ol", "li", "blockquote", "a", "img", "code", "pre",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "th": {"colspan", "rowspan"},
              "td": {"colspan", "rowspan"}}  # fmt: skip
#: tags removed together with their content (everything else unknown keeps its text)
DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template"})
FILE_URL = re.compile(r"^/api/v1/files/[A-Za-z0-9_\-./]+$")
_DIV = re.compile(r"<(/?)div\b", re.IGNORECASE)
_LINK = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)
_SPAN = re.compile(r"^\d{1,2}$")
_BLOCK_END = re.compile(r"</(p|h[1-4]|li|blockquote|pre|tr)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t]*\n[ \t\n]*")
#: an image whose source was refused is dropped whole rather than left as a broken box
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def _attribute(tag: str, attr: str, value: str) -> str | None:
    if tag == "a" and attr == "href":
        return value if _LINK.match(value.strip()) else None
    if tag == "img" and attr == "src":
        return value if FILE_URL.match(value) and ".." not in value else None
    if attr in ("colspan", "rowspan"):
        return value if _SPAN.match(value) else None
    return value


def sanitize_html(text: str) -> str:
    """The HTML with everything outside the allowed markup removed. ``<div>`` blocks
    (what browsers' editors and pasted pages use for lines) become paragraphs rather than
    losing their line breaks."""
    cleaned = nh3.clean(
        _DIV.sub(r"<\1p", text),
        tags=set(TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        attribute_filter=_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return _IMG_WITHOUT_SRC.sub("", cleaned).strip()


def html_to_text(markup: str) -> str:
    """Plain text of (sanitised) HTML: block ends become line breaks."""
    text = _BLOCK_END.sub("\n", markup)
    text = html.unescape(_TAG.sub("", text))
    return _SPACES.sub("\n", text).strip()


class RichtextSettings(FieldSettings):
    #: limit on the sanitised HTML, in characters
    max_length: int = Field(default=50000, ge=100, le=1000000)


@registry.register
class RichtextType(TextLike):
    key = "richtext"
    settings_model = RichtextSettings
    operators = ("contains", "not_contains", "is_empty", "is_not_empty")  # type: ignore[assignment]  # TextLike infers a fixed-length tuple
    sortable = False
    can_be_unique = False
    max_length_default = 50000

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> str:
        return by_locale(ctx, "一段说明", "A paragraph")

    def to_storage(self, field: FieldMeta, value: Any, ctx: Any) -> Any:
        text = as_text(field, value)
        if text is None:
            return None
        cleaned = sanitize_html(text)
        if not html_to_text(cleaned) and "<img" not in cleaned:
            return None  # "<p><br></p>" from an emptied editor is no value
        if len(cleaned) > self.max_length(field):
            raise FieldValueError("too_long", max=self.max_length(field))
        return cleaned

    def display(self, field: FieldMeta, stored: Any, ctx: Any) -> str:
        return html_to_text(stored) if stored else ""

    def export_text(self, field: FieldMeta, value: Any, ctx: Any) -> str | None:
        return html_to_text(value) if isinstance(value, str) else None

    def from_text(self, field: FieldMeta, text: str, ctx: Any) -> Any:
        """Plain text (an import, a type change) becomes paragraphs, escaped."""
        if not text.strip():
            return None
        paragraphs = [p for p in text.strip().split("\n") if p.strip()]
        markup = "".join(f"<p>{html.escape(p.strip())}</p>" for p in paragraphs)
        return self.to_storage(field, markup, ctx)

    def to_formula(self, field: FieldMeta, stored: Any, ctx: Any) -> Any:
        """Formulas (LEN, FIND, CONCAT…) see the text a reader sees, not the markup."""
        return html_to_text(stored) if stored else None

    def mask(self, field: FieldMeta, value: Any) -> Any:
        return None if value is None else "****"

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "string", "contentMediaType": "text/html",
                "maxLength": self.max_length(field)}  # fmt: skip
