"""Phone (电话): mainland China mobile and landline numbers, normalised.

``+86 138 1234 5678`` and ``0086-13812345678`` become ``13812345678``; landlines become
``010-12345678`` (with ``-ext`` when given); 400/800 numbers ``400-800-1234``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import phonenumbers
from phonenumbers import PhoneNumberType

from qiao.errors import FieldValueError
from qiao.forms.fields._text import TextLike, TextSettings
from qiao.forms.fields.base import registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

_ALLOWED = re.compile(r"^[0-9+\-\s().（）]+((ext|转|x|#)\s*\d{1,6})?$", re.IGNORECASE)


_CN_OR_NONE = phonenumbers.PhoneMetadata.metadata_for_region("CN")
assert _CN_OR_NONE is not None and _CN_OR_NONE.mobile is not None
_CN = _CN_OR_NONE
_MOBILE = re.compile(str(_CN_OR_NONE.mobile.national_number_pattern))
#: every other number type: a mobile-looking number matching one of them is not MOBILE
_OTHER_TYPES = [
    re.compile(str(desc.national_number_pattern))
    for desc in (
        _CN.fixed_line,
        _CN.premium_rate,
        _CN.toll_free,
        _CN.shared_cost,
        _CN.voip,
        _CN.personal_number,
        _CN.pager,
        _CN.uan,
        _CN.voicemail,
    )
    if desc is not None and desc.national_number_pattern
]
#: the same patterns as one alternation: it matches a whole number exactly when one of
#: them does (no pattern refers back to a group), in one call instead of nine
_OTHER_TYPE = re.compile("|".join(f"(?:{p.pattern})" for p in _OTHER_TYPES))
_PLAIN_MOBILE = re.compile(r"^(?:\+86|0086|86)?(1\d{10})$")
_SEPARATORS = re.compile(r"[\s\-().（）]")


def normalize_cn_phone(text: str) -> str:
    """The normalised form of a mainland number, or FieldValueError("invalid_phone")."""
    if len(text) == 11 and text[0] == "1" and text.isascii() and text.isdigit():
        # already eleven plain digits: the pattern and separator steps leave it as is
        nsn = text
    else:
        if not _ALLOWED.match(text):
            raise FieldValueError("invalid_phone")
        plain = _PLAIN_MOBILE.match(_SEPARATORS.sub("", text))
        if not plain:
            return _normalize_parsed(text)
        nsn = plain.group(1)
    # fast path for the common case, with libphonenumber's own patterns: a plain mobile
    # number gets exactly the answer the full parse below would give
    if _MOBILE.fullmatch(nsn) and not _OTHER_TYPE.fullmatch(nsn):
        return nsn
    return _normalize_parsed(text)


def _normalize_parsed(text: str) -> str:
    """The full path through libphonenumber (landlines, extensions, 400 numbers, …)."""
    cleaned = re.sub(r"(转|#)", " ext ", text)
    try:
        number = phonenumbers.parse(cleaned, "CN")
    except phonenumbers.NumberParseException as exc:
        raise FieldValueError("invalid_phone") from exc
    # valid and Chinese: for a CN number ``is_valid_number`` is exactly "its type is not
    # UNKNOWN", so the type (the costly pattern matching) is worked out once
    if phonenumbers.region_code_for_number(number) != "CN":
        raise FieldValueError("invalid_phone")
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.UNKNOWN:
        raise FieldValueError("invalid_phone")
    nsn = phonenumbers.national_significant_number(number)
    if kind == PhoneNumberType.MOBILE:
        return nsn
    area = phonenumbers.length_of_geographical_area_code(number)
    if kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE) and area:
        result = f"0{nsn[:area]}-{nsn[area:]}"
    elif len(nsn) == 10 and nsn[:1] in "48":
        result = f"{nsn[:3]}-{nsn[3:6]}-{nsn[6:]}"
    else:
        result = nsn
    if number.extension:
        result += f"-{number.extension}"
    return result


@registry.register
class PhoneType(TextLike):
    key = "phone"
    template_format = "text"
    settings_model = TextSettings

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> str:
        return "13800138000"

    def max_length(self, field: FieldMeta) -> int:
        return 40

    def normalize(self, field: FieldMeta, text: str) -> str:
        return normalize_cn_phone(text)
