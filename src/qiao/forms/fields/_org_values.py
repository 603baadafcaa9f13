"""The dynamic filter values of member and department fields: "$me", "$my_department"
and "$my_department_tree".

They stay symbolic until the filter is compiled for a request, and then become SQL
subqueries keyed on ``ctx.user_id`` (never a list of ids read into Python), so that a
saved view or a permission filter means "me" for whoever runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from qiao.forms.fields._ids import parse_id

if TYPE_CHECKING:
    from qiao.context import Ctx

ME = "$me"
MY_DEPARTMENT = "$my_department"
MY_DEPARTMENT_TREE = "$my_department_tree"
#: the operators that take dynamic values (membership tests)
DYNAMIC_OPS = ("eq", "ne", "in", "not_in")


@dataclass(frozen=True)
class Dynamic:
    """A dynamic value in a coerced filter operand."""

    name: str


Resolve = Callable[[sa.ColumnElement[Any], str, "Ctx"], sa.ColumnElement[bool]]


def operand(value: Any, allowed: tuple[str, ...], code: str) -> int | Dynamic:
    """A filter value: an id, or one of the ``allowed`` dynamic values."""
    if isinstance(value, str) and value.strip() in allowed:
        return Dynamic(value.strip())
    return parse_id(value, code)


def compile_membership(
    op: str, value: Any, col: sa.ColumnElement[Any], ctx: Ctx, resolve: Resolve
) -> sa.ColumnElement[bool] | None:
    """eq / ne / in / not_in over a mix of ids and dynamic values; None when the operand
    holds no dynamic value (the shared operators then apply)."""
    values = value if isinstance(value, list) else [value]
    dynamic = [v for v in values if isinstance(v, Dynamic)]
    if op not in DYNAMIC_OPS or not dynamic:
        return None
    ids = [v for v in values if not isinstance(v, Dynamic)]
    parts = [resolve(col, d.name, ctx) for d in dict.fromkeys(dynamic)]
    if ids:
        parts.append(col.in_(ids))
    member = sa.or_(*parts)
    if op in ("eq", "in"):
        return member
    # "not mine" also keeps the empty values, like every negative operator
    return sa.or_(col.is_(None), sa.not_(member))
