"""ID card (身份证号): mainland resident identity numbers (GB 11643-1999).

An 18-character number is six digits of the issuing region, the birthday as YYYYMMDD,
a three-digit sequence (odd for men, even for women) and a check character computed
with ISO 7064 MOD 11-2 (``X`` for 10, stored upper-case). The birthday must be a real
date, not before 1900-01-01 and not in the future.

The old 15-digit numbers (issued before 1999: YYMMDD birthday in the 19xx century and
no check character) are refused unless the field's ``allow_15`` setting is on; they are
then converted to the 18-digit number they correspond to (``19`` inserted before the
year, check character appended), so a person has one stored form, uniqueness holds
across both forms and the derived birthday and gender work the same way.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from qiao.errors import FieldValueError
from qiao.forms.fields._text import TextLike
from qiao.forms.fields.base import FieldSettings, registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")
_SEPARATORS = re.compile(r"[\s\-]")
#: what a partial value typed into a filter (starts_with) may contain
_PREFIX = re.compile(r"^\d{1,17}[\dX]?$")


class IdcardSettings(FieldSettings):
    #: accept old 15-digit numbers (converted to 18 digits on save)
    allow_15: bool = False


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def birthday(number: str) -> date | None:
    """The birthday encoded in a (valid) 18-digit number; None if it is not a date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def gender(number: str) -> str:
    """``male`` or ``female`` from the parity of the 17th digit."""
    return "male" if int(number[16]) % 2 else "female"


def upgrade_15(number: str) -> str:
    """A 15-digit number as its 18-digit equivalent."""
    first17 = f"{number[:6]}19{number[6:]}"
    return first17 + check_char(first17)


def normalize_idcard(text: str, allow_15: bool = False, today: date | None = None) -> str:
    """The canonical 18-character number, or FieldValueError naming what is wrong."""
    number = _SEPARATORS.sub("", text).upper()
    if _ID15.match(number):
        if not allow_15:
            raise FieldValueError("idcard_15_not_allowed")
        number = upgrade_15(number)
    elif not _ID18.match(number):
        raise FieldValueError("idcard_format")
    born = birthday(number)
    if born is None or born < date(1900, 1, 1) or born > (today or date.today()):
        raise FieldValueError("idcard_birthday")
    if check_char(number[:17]) != number[17]:
        raise FieldValueError("idcard_checksum")
    return number


@registry.register
class IdcardType(TextLike):
    key = "idcard"
    template_format = "text"
    settings_model = IdcardSettings
    # no contains: a fragment from the middle of an ID number is no sensible question
    operators = ("eq", "ne", "in", "not_in", "starts_with", "is_empty", "is_not_empty")  # type: ignore[assignment]  # TextLike infers a fixed-length tuple

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> str:
        return "11010519491231002X"

    def max_length(self, field: FieldMeta) -> int:
        return 40  # room for separators people type; the stored form has 18

    def normalize(self, field: FieldMeta, text: str) -> str:
        return normalize_idcard(text, bool(getattr(field.settings, "allow_15", False)))

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        if op == "starts_with":
            text = super().filter_operand(field, op, value, ctx)
            prefix = _SEPARATORS.sub("", str(text)).upper()
            if not _PREFIX.match(prefix):
                raise FieldValueError("idcard_format")
            return prefix
        return super().filter_operand(field, op, value, ctx)

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\d{17}[\dX]$"}
