"""Member (成员): the id of an active user.

Filters also take "$me" (the user running the query) and "$my_department" /
"$my_department_tree" (users who share a department with me, or belong to one below
mine); see ``_org_values``.
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
class UserType(dyn.OrgReferenceType):
    key = "user"
    dynamic_values = (dyn.ME, dyn.MY_DEPARTMENT, dyn.MY_DEPARTMENT_TREE)
    invalid_code = "user_not_found"
    described_as = "user id"

    def references(self) -> tuple[sa.ColumnElement[Any], sa.ColumnElement[bool]]:
        return schema.users.c.id, schema.users.c.is_active

    def resolve(self, col: sa.ColumnElement[Any], name: str, ctx: Ctx) -> sa.ColumnElement[bool]:
        from qiao.org.departments import users_sharing_departments

        if name == dyn.ME:
            return sa.false() if ctx.user_id is None else col == sa.literal(ctx.user_id)
        tree = name == dyn.MY_DEPARTMENT_TREE
        return col.in_(users_sharing_departments(ctx.user_id, tree=tree))
