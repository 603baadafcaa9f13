"""Serial number (流水号): generated on create from a pattern like ``KH-{YYYY}{MM}-{0000}``.

The counter restarts whenever the date part of the pattern changes (monthly for
``{YYYY}{MM}``) and is incremented inside the record's transaction, so numbers are
gap-free and unique even under concurrent inserts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from pydantic import Field, field_validator
from sqlalchemy.engine import Connection

from qiao.db.dialect import next_counter_value
from qiao.forms.fields._text import TextLike
from qiao.forms.fields.base import FieldSettings, registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

_TOKEN = re.compile(r"\{(YYYY|YY|MM|DD|0{1,12})\}")
_DATE_FORMATS = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d"}


class AutonumberSettings(FieldSettings):
    pattern: str = Field(default="{00000}", min_length=1, max_length=60)

    @field_validator("pattern")
    @classmethod
    def _one_counter(cls, value: str) -> str:
        counters = [t for t in _TOKEN.findall(value) if t.startswith("0")]
        if len(counters) != 1:
            raise ValueError("the pattern needs exactly one counter such as {0000}")
        return value


@registry.register
class AutonumberType(TextLike):
    key = "autonumber"
    settings_model = AutonumberSettings
    writable = False
    always_unique = True
    generates_values = True

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return sa.String(64)

    def max_length(self, field: FieldMeta) -> int:
        return 64

    def generate(self, conn: Connection, field: FieldMeta, ctx: Ctx) -> Any:
        return self.generate_many(conn, field, ctx, 1)[0]

    def generate_many(self, conn: Connection, field: FieldMeta, ctx: Ctx, count: int) -> list[Any]:
        """Reserve ``count`` consecutive numbers with one counter update."""
        pattern = getattr(field.settings, "pattern", "{00000}")
        local = ctx.now().astimezone(ctx.tz)
        tokens = _TOKEN.findall(pattern)
        period = "".join(local.strftime(_DATE_FORMATS[t]) for t in tokens if t in _DATE_FORMATS)
        last = next_counter_value(conn, field.id, period, count)
        return [self._render(pattern, local, n) for n in range(last - count + 1, last + 1)]

    @staticmethod
    def _render(pattern: str, local: Any, number: int) -> str:
        def render(match: re.Match[str]) -> str:
            token = match.group(1)
            if token in _DATE_FORMATS:
                return str(local.strftime(_DATE_FORMATS[token]))
            return str(number).zfill(len(token))

        return _TOKEN.sub(render, pattern)

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "string", "readOnly": True}
