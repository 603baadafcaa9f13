"""Number (数字): exact decimal with optional precision and min/max."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qiao.forms.fields._decimal import ScaledDecimal
from qiao.forms.fields.base import registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta


@registry.register
class NumberType(ScaledDecimal):
    key = "number"

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> int:
        return 100
