"""Member (成员): the id of an active user."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.db import schema
from qiao.db.types import IdType
from qiao.errors import FieldValueError
from qiao.forms.fields._ids import flatten, missing_ids, parse_id
from qiao.forms.fields.base import FieldType, registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta


@registry.register
class UserType(FieldType):
    key = "user"

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return IdType

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None or value == "":
            return None
        return parse_id(value, "user_not_found")

    def check_stored(
        self, conn: Connection, field: FieldMeta, values: Sequence[Any]
    ) -> dict[int, FieldValueError]:
        pairs = list(flatten(values))
        if not pairs:
            return {}
        users = schema.users
        missing = missing_ids(conn, users.c.id, users.c.is_active, {uid for _, uid in pairs})
        return {pos: FieldValueError("user_not_found") for pos, uid in pairs if uid in missing}

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {"type": "integer", "description": "user id"}
