"""Multi-valued fields kept in a junction table ``qj_<field id>(record_id, value, position)``.

Filters compile to EXISTS / counting subqueries over the junction table, the same SQL
on both engines, and reports can GROUP BY its values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from qiao.errors import FieldValueError
from qiao.forms.fields.base import FieldType, FilterTarget, Storage

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

MULTI_OPERATORS = (
    "contains", "not_contains", "in", "not_in", "eq", "ne", "is_empty", "is_not_empty",
)  # fmt: skip
MULTI_ARITY = {"contains": "one_or_list", "not_contains": "one_or_list", "eq": "list", "ne": "list"}


def _rows(target: FilterTarget) -> sa.Select[Any]:
    assert target.junction is not None
    j = target.junction
    return sa.select(sa.literal(1)).where(j.c.record_id == target.record_id)


def has_any(target: FilterTarget, values: list[Any]) -> sa.ColumnElement[bool]:
    assert target.junction is not None
    return sa.exists(_rows(target).where(target.junction.c.value.in_(values)))


def count_of(target: FilterTarget, values: list[Any] | None) -> sa.ScalarSelect[Any]:
    assert target.junction is not None
    j = target.junction
    query = sa.select(sa.func.count()).select_from(j).where(j.c.record_id == target.record_id)
    if values is not None:
        query = query.where(j.c.value.in_(values))
    return query.scalar_subquery()


def compile_multi(op: str, operand: Any, target: FilterTarget) -> sa.ColumnElement[bool]:
    values = operand if isinstance(operand, list) else [operand]
    values = list(dict.fromkeys(values))
    if op == "is_empty":
        return ~sa.exists(_rows(target))
    if op == "is_not_empty":
        return sa.exists(_rows(target))
    if op == "in":
        return has_any(target, values)
    if op in ("not_in", "not_contains"):
        return ~has_any(target, values)
    if op == "contains":
        return count_of(target, values) == len(values)
    exact = sa.and_(count_of(target, values) == len(values), count_of(target, None) == len(values))
    return exact if op == "eq" else ~exact


class JunctionType(FieldType):
    """Base for multi-valued types; the stored form is a list of values."""

    operators = MULTI_OPERATORS
    arity_overrides = MULTI_ARITY
    sortable = False

    def storage(self, field: FieldMeta) -> Storage:
        return Storage.JUNCTION

    def item_to_storage(self, field: FieldMeta, item: Any, ctx: Ctx) -> Any:
        raise NotImplementedError

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            raise FieldValueError("not_list")
        stored = [self.item_to_storage(field, item, ctx) for item in value]
        if len(set(stored)) != len(stored):
            raise FieldValueError("duplicate_values")
        return stored

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        return self.item_to_storage(field, value, ctx)

    def compile_filter(
        self, field: FieldMeta, op: str, operand: Any, target: FilterTarget, ctx: Ctx
    ) -> sa.ColumnElement[bool]:
        return compile_multi(op, operand, target)
