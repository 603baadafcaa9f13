"""Department (部门): the id of a department of the organization.

Filters also take "$my_department" (the departments of the user running the query) and
"$my_department_tree" (those and every department below them); see ``_org_values``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from qiao.db import schema
from qiao.forms.fields import _org_values as dyn
from qiao.forms.fields.base import registry

if TYPE_CHECKING:
    from qiao.context import Ctx


@registry.register
class DepartmentType(dyn.OrgReferenceType):
    key = "department"
    dynamic_values = (dyn.MY_DEPARTMENT, dyn.MY_DEPARTMENT_TREE)
    invalid_code = "department_value_invalid"
    described_as = "department id"

    def references(self) -> tuple[sa.ColumnElement[Any], sa.ColumnElement[bool]]:
        return schema.departments.c.id, sa.true()

    def resolve(self, col: sa.ColumnElement[Any], name: str, ctx: Ctx) -> sa.ColumnElement[bool]:
        from qiao.org.departments import department_ids_of

        return col.in_(department_ids_of(ctx.user_id, tree=name == dyn.MY_DEPARTMENT_TREE))
