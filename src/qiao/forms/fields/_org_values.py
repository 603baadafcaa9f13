"""The dynamic filter values of member and department fields: "$me", "$my_department"
and "$my_department_tree".

They stay symbolic until the filter is compiled for a request, and then become SQL
subqueries keyed on ``ctx.user_id`` (never a list of ids read into Python), so that a
saved view or a permission filter means "me" for whoever runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.db.types import IdType
from qiao.errors import FieldValueError
from qiao.forms.fields._ids import flatten, missing_ids, parse_id
from qiao.forms.fields.base import FieldType, FilterTarget
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

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


class OrgReferenceType(FieldType):
    """A field holding the id of one member or department: stored as an id, checked to
    exist, and filtered with ids and the dynamic values of ``dynamic_values``. Subclasses
    say which table the ids live in and what the dynamic values mean."""

    dynamic_values: ClassVar[tuple[str, ...]]
    #: the error code of an id that is not a live member / department
    invalid_code: ClassVar[str]
    described_as: ClassVar[str]
    #: the member's / department's id (equality with ``owner``, ISBLANK)
    formula = Kind.NUMBER

    def references(self) -> tuple[sa.ColumnElement[Any], sa.ColumnElement[bool]]:
        """The id column of the referenced table and the condition for a usable row."""
        raise NotImplementedError

    def resolve(self, col: sa.ColumnElement[Any], name: str, ctx: Ctx) -> sa.ColumnElement[bool]:
        """The condition "``col`` is <dynamic value ``name``> for the user of ``ctx``"."""
        raise NotImplementedError

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return IdType

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None or value == "":
            return None
        return parse_id(value, self.invalid_code)

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        if op not in DYNAMIC_OPS:
            return super().filter_operand(field, op, value, ctx)
        return operand(value, self.dynamic_values, self.invalid_code)

    def compile_filter(
        self, field: FieldMeta, op: str, operand: Any, target: FilterTarget, ctx: Ctx
    ) -> sa.ColumnElement[bool]:
        assert target.column is not None
        found = compile_membership(op, operand, target.column, ctx, self.resolve)
        if found is not None:
            return found
        return super().compile_filter(field, op, operand, target, ctx)

    def check_stored(
        self, conn: Connection, field: FieldMeta, values: Sequence[Any]
    ) -> dict[int, FieldValueError]:
        pairs = list(flatten(values))
        if not pairs:
            return {}
        id_col, usable = self.references()
        missing = missing_ids(conn, id_col, usable, {ref for _, ref in pairs})
        return {pos: FieldValueError(self.invalid_code) for pos, ref in pairs if ref in missing}

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "integer", "description": self.described_as}
