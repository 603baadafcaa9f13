"""Lookup (引用字段): shows a field of the linked record (``customer`` → its city).

Stored like a formula ``relation.field`` (qiao.records.compute keeps it current when the
linked record changes); through a multiple relation the values of all linked records
are joined into one text ("北京、上海").
"""

from __future__ import annotations

from pydantic import Field

from qiao.forms.fields._computed import ComputedSettings, ComputedType
from qiao.forms.fields.base import registry


class LookupSettings(ComputedSettings):
    relation: str = Field(min_length=1, max_length=63)  # a relation field of this form
    field: str = Field(min_length=1, max_length=63)  # a field of the linked form


@registry.register
class LookupType(ComputedType):
    key = "lookup"
    settings_model = LookupSettings
