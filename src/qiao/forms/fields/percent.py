"""Percent (百分比): the API value is the fraction (0.155 means 15.5%), as in Excel;
``"15.5%"`` is accepted as input. ``precision`` counts decimals of the percentage.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import Field

from qiao.forms.fields._decimal import DecimalSettings, ScaledDecimal, parse_decimal
from qiao.forms.fields.base import registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta


class PercentSettings(DecimalSettings):
    precision: int | None = Field(default=2, ge=0, le=4)


@registry.register
class PercentType(ScaledDecimal):
    key = "percent"
    settings_model = PercentSettings
    scale = 8
    max_precision = 4

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> str:
        return "12.5%"

    def precision(self, field: FieldMeta) -> int:
        # two more decimals on the fraction than on the percentage
        return super().precision(field) + 2

    def parse(self, value: Any) -> Decimal:
        if isinstance(value, str) and value.strip().endswith("%"):
            return parse_decimal(value.strip()[:-1]) / 100
        return parse_decimal(value)

    def format_bound(self, bound: Decimal) -> str:
        return f"{(bound * 100).normalize():f}%"

    def display(self, field: FieldMeta, stored: Any, ctx: Ctx) -> str:
        if stored is None:
            return ""
        places = super().precision(field)
        pct = (self.to_decimal(field, stored) * 100).quantize(Decimal(1).scaleb(-places))
        return f"{pct:f}%"
