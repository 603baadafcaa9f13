"""Money (金额): exact decimal with a currency; two decimals unless set otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from qiao.forms.fields._decimal import DecimalSettings, ScaledDecimal
from qiao.forms.fields.base import registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta


class MoneySettings(DecimalSettings):
    precision: int | None = Field(default=2, ge=0, le=4)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")


@registry.register
class MoneyType(ScaledDecimal):
    key = "money"
    settings_model = MoneySettings
    scale = 4
    max_precision = 4

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> float:
        return 1234.56

    def display(self, field: FieldMeta, stored: Any, ctx: Ctx) -> str:
        if stored is None:
            return ""
        number = self.to_decimal(field, stored)
        currency = getattr(field.settings, "currency", "CNY")
        symbol = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "¥"}.get(currency)
        sign = "-" if number < 0 else ""
        text = f"{abs(number):,f}"
        return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"
