"""Formula (公式): a value computed from the record's fields with an Excel-like
expression, stored and recomputed by the server on every save and whenever a value it
reads changes (see qiao.records.compute). Read-only for users.

The expression is checked when the field is saved (qiao.forms.formulas): unknown
fields, wrong argument counts and cycles through other computed fields are refused
with the position of the problem.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from qiao.forms.fields._computed import ComputedSettings, ComputedType
from qiao.forms.fields.base import FieldSettings, registry


class FormulaSettings(ComputedSettings):
    expression: str = Field(min_length=1, max_length=4000)
    #: the stored kind: "auto" takes the kind the expression computes
    result: Literal["auto", "number", "text", "date", "datetime", "bool"] = "auto"


@registry.register
class FormulaType(ComputedType):
    key = "formula"
    settings_model = FormulaSettings

    def initial_kind(self, settings: FieldSettings) -> str:
        """The kind before the expression is checked. Fields of a form get the checked
        kind when saved; a sub-form's row formula keeps this one (its column is created
        with the sub-form), so "auto" means a number there — set ``result`` otherwise."""
        result = getattr(settings, "result", "auto")
        return "number" if result == "auto" else str(result)
