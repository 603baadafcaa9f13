"""Link to records of another form (关联记录), one or many.

One: a nullable id column on this form's table. Many: a junction table. What happens
when a linked record is deleted is the field's ``on_delete``: ``restrict`` refuses the
delete, ``nullify`` removes the link in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from qiao.db import schema
from qiao.db.types import IdType
from qiao.errors import ErrorDetail, FieldValueError, ValidationFailed
from qiao.forms.fields._ids import flatten, missing_ids, parse_id
from qiao.forms.fields._junction import MULTI_ARITY, MULTI_OPERATORS, compile_multi
from qiao.forms.fields.base import (
    FieldSettings,
    FieldType,
    FilterTarget,
    Storage,
    registry,
)
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

SINGLE_OPERATORS = ("eq", "ne", "in", "not_in", "is_empty", "is_not_empty")


class FillRule(BaseModel):
    """Linked data: choosing a record copies its ``source`` field into ``target`` here."""

    model_config = ConfigDict(extra="forbid")

    target: str = Field(min_length=1, max_length=63)
    source: str = Field(min_length=1, max_length=63)


class RelationSettings(FieldSettings):
    target_form_id: int = Field(gt=0)
    multiple: bool = False
    on_delete: Literal["restrict", "nullify"] = "restrict"
    display_field: str | None = Field(default=None, max_length=63)
    #: fields filled from the chosen record (the user may still edit them)
    fill: list[FillRule] = Field(default_factory=list, max_length=50)
    #: a filter tree on the target form limiting the records offered; a value
    #: ``"$field:<key>"`` stands for the current value of this form's field <key>
    option_filter: Any = None


def _settings(field: FieldMeta) -> RelationSettings:
    assert isinstance(field.settings, RelationSettings)
    return field.settings


def target_table(form_id: int) -> sa.TableClause:
    """The minimal view of a form table needed to check ids (names are derived from ids)."""
    return sa.table(f"qf_{form_id}", sa.column("id"), sa.column("deleted_at"))


@registry.register
class RelationType(FieldType):
    key = "relation"
    #: the linked record's id; ``customer.city`` paths reach the linked record's fields
    formula = Kind.NUMBER
    settings_model = RelationSettings

    def check_settings(self, conn: Connection, settings: FieldSettings) -> None:
        assert isinstance(settings, RelationSettings)
        forms = schema.forms
        exists = conn.execute(
            sa.select(forms.c.id).where(
                forms.c.id == settings.target_form_id, forms.c.deleted_at.is_(None)
            )
        ).first()
        if exists is None:
            raise ValidationFailed(
                details=[ErrorDetail("settings.target_form_id", "relation_target_invalid")]
            )

    def storage(self, field: FieldMeta) -> Storage:
        return Storage.JUNCTION if _settings(field).multiple else Storage.COLUMN

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return IdType

    def junction_value_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return IdType

    def operators_for(self, field: FieldMeta) -> tuple[str, ...]:
        return MULTI_OPERATORS if _settings(field).multiple else SINGLE_OPERATORS

    def arity_for(self, field: FieldMeta, op: str) -> str | None:
        return MULTI_ARITY.get(op) if _settings(field).multiple else None

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if not _settings(field).multiple:
            if isinstance(value, list):
                if len(value) > 1:
                    raise FieldValueError("relation_single_value")
                value = value[0] if value else None
            if value is None or value == "":
                return None
            return parse_id(value, "not_record_id")
        if value is None:
            return []
        if not isinstance(value, list):
            value = [value]
        ids = [parse_id(item, "not_record_id") for item in value]
        if len(set(ids)) != len(ids):
            raise FieldValueError("duplicate_values")
        return ids

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        return parse_id(value, "not_record_id")

    def compile_filter(
        self, field: FieldMeta, op: str, operand: Any, target: FilterTarget, ctx: Ctx
    ) -> sa.ColumnElement[bool]:
        if _settings(field).multiple:
            return compile_multi(op, operand, target)
        return super().compile_filter(field, op, operand, target, ctx)

    def check_stored(
        self, conn: Connection, field: FieldMeta, values: Sequence[Any]
    ) -> dict[int, FieldValueError]:
        pairs = list(flatten(values))
        if not pairs:
            return {}
        table = target_table(_settings(field).target_form_id)
        missing = missing_ids(
            conn, table.c.id, table.c.deleted_at.is_(None), {rid for _, rid in pairs}
        )
        return {
            pos: FieldValueError("related_record_not_found", value=rid)
            for pos, rid in pairs
            if rid in missing
        }

    def physical_signature(self, field: FieldMeta) -> tuple[str, ...]:
        # pointing at another form changes what the stored ids mean
        return (*super().physical_signature(field), str(_settings(field).target_form_id))

    def referenced_form(self, field: FieldMeta) -> int | None:
        return _settings(field).target_form_id

    def on_target_delete(
        self,
        conn: Connection,
        field: FieldMeta,
        source: sa.Table,
        junction: sa.Table | None,
        target_ids: list[int],
        ctx: Ctx,
    ) -> bool:
        live = source.c.deleted_at.is_(None)
        restrict = _settings(field).on_delete == "restrict"
        # the records that lose a link are changed records: new version, who and when
        touched = {
            "version": source.c.version + 1,
            "updated_at": ctx.now(),
            "updated_by": ctx.user_id,
        }
        if junction is not None:
            linked = sa.and_(junction.c.value.in_(target_ids), junction.c.record_id == source.c.id)
            if restrict:
                return conn.execute(sa.select(sa.exists().where(linked, live))).scalar() is False
            holders = sa.select(junction.c.record_id).where(junction.c.value.in_(target_ids))
            conn.execute(sa.update(source).where(source.c.id.in_(holders)).values(touched))
            conn.execute(sa.delete(junction).where(junction.c.value.in_(target_ids)))
            return True
        column = source.c[field.column_name]
        if restrict:
            hit = conn.execute(sa.select(source.c.id).where(column.in_(target_ids), live).limit(1))
            return hit.first() is None
        conn.execute(
            sa.update(source).where(column.in_(target_ids)).values({column: None, **touched})
        )
        return True

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        target = _settings(field).target_form_id
        if _settings(field).multiple:
            return {
                "type": "array",
                "items": {"type": "integer"},
                "description": f"ids of records of form {target}",
            }
        return {"type": "integer", "description": f"id of a record of form {target}"}
