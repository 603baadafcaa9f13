"""Rollup (汇总): an aggregate (count, sum, min, max, average) over related records,
optionally only those matching a filter — e.g. a customer's total order amount.

``relation`` is either a relation field of this form (its linked records), or
``form:<form id>.<field key>``: the records of another form whose relation field links
to this record (an order's ``customer``). Computed in SQL, one GROUP BY for a batch of
records, and kept current when a related record changes (qiao.records.compute).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from qiao.forms.fields._computed import ComputedSettings, ComputedType
from qiao.forms.fields.base import FieldSettings, registry


class RollupSettings(ComputedSettings):
    relation: str = Field(min_length=1, max_length=100)
    aggregate: Literal["count", "sum", "min", "max", "avg"] = "count"
    field: str | None = Field(default=None, max_length=63)  # not needed for count
    filter: Any = None  # a filter tree on the related form


@registry.register
class RollupType(ComputedType):
    key = "rollup"
    settings_model = RollupSettings

    def initial_kind(self, settings: FieldSettings) -> str:
        aggregate = getattr(settings, "aggregate", "count")
        return "number" if aggregate in ("count", "sum", "avg") else "text"
