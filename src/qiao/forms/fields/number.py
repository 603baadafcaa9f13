"""Number (数字): exact decimal with optional precision and min/max."""

from __future__ import annotations

from qiao.forms.fields._decimal import ScaledDecimal
from qiao.forms.fields.base import registry


@registry.register
class NumberType(ScaledDecimal):
    key = "number"
