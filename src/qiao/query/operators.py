"""The filter operators shared by all column-stored field types.

A type opts into operators by listing them; these functions compile an operator with
an already-coerced operand. Negative operators (ne, not_in, not_contains) also match
empty values, which is what a person filtering "not X" expects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from qiao.forms.fields.base import Bounds
from qiao.query.dates import period

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

Col = sa.ColumnElement[Any]
Cond = sa.ColumnElement[bool]


@dataclass(frozen=True)
class Operator:
    name: str
    #: none | one | list | pair | days | one_or_list
    arity: str
    compile: Callable[[Col, Any, FieldMeta, Ctx], Cond]


operators: dict[str, Operator] = {}


def register(name: str, arity: str) -> Callable[[Callable[[Col, Any, FieldMeta, Ctx], Cond]], Any]:
    def wrap(fn: Callable[[Col, Any, FieldMeta, Ctx], Cond]) -> Any:
        operators[name] = Operator(name, arity, fn)
        return fn

    return wrap


def _or_empty(col: Col, cond: Cond) -> Cond:
    return sa.or_(col.is_(None), cond)


@register("eq", "one")
def _eq(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    if isinstance(v, Bounds):
        return sa.and_(col >= v.lo, col < v.hi)
    return col == v


@register("ne", "one")
def _ne(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    return _or_empty(col, sa.not_(_eq(col, v, f, ctx)))


@register("gt", "one")
def _gt(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    return col >= v.hi if isinstance(v, Bounds) else col > v


@register("gte", "one")
def _gte(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    return col >= (v.lo if isinstance(v, Bounds) else v)


@register("lt", "one")
def _lt(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    return col < (v.lo if isinstance(v, Bounds) else v)


@register("lte", "one")
def _lte(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    return col < v.hi if isinstance(v, Bounds) else col <= v


@register("between", "pair")
def _between(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    low, high = v
    return sa.and_(_gte(col, low, f, ctx), _lte(col, high, f, ctx))


@register("in", "list")
def _in(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    return col.in_(v)


@register("not_in", "list")
def _not_in(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    return _or_empty(col, col.not_in(v))


@register("contains", "one")
def _contains(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    return col.icontains(v, autoescape=True)


@register("not_contains", "one")
def _not_contains(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    return _or_empty(col, sa.not_(col.icontains(v, autoescape=True)))


@register("starts_with", "one")
def _starts_with(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    return col.istartswith(v, autoescape=True)


@register("is_empty", "none")
def _is_empty(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    return col.is_(None)


@register("is_not_empty", "none")
def _is_not_empty(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
    return col.is_not(None)


def _relative(op: str, arity: str) -> None:
    def compile_(col: Col, v: Any, f: FieldMeta, ctx: Ctx) -> Cond:
        today = ctx.now().astimezone(ctx.tz).date()
        first, after_last = period(op, today, v)
        lo, hi = f.ftype.day_range(f, first, after_last, ctx)  # type: ignore[attr-defined]
        return sa.and_(col >= lo, col < hi)

    operators[op] = Operator(op, arity, compile_)


for _op in ("today", "yesterday", "this_week", "this_month", "this_quarter", "this_year"):
    _relative(_op, "none")
for _op in ("last_n_days", "next_n_days"):
    _relative(_op, "days")
