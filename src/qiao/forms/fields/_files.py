"""Shared behaviour of the file field types (attachment, image, signature).

A value is a list of file descriptors ``{id, name, size, mime, width?, height?,
thumbnail?}`` kept as JSON in one TEXT column, so that lists and exports show names
without a join. The API takes a list of file ids (or descriptors: only their ``id`` is
read); the descriptors are always rebuilt from ``qiao_files``, never from user input.

A file may be saved into a record if it was uploaded to this form and field and is
either still pending and the writer's own upload, or already on this very record.
Saving attaches the files (``record_id`` set) and detaches those the record no longer
lists, in the record's write transaction; the purge deletes detached files later.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import orjson
import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.engine import Connection, Dialect

from qiao.db import schema
from qiao.errors import ErrorDetail, FieldValueError, ValidationFailed
from qiao.files.kinds import Group
from qiao.forms.fields.base import FieldSettings, FieldType

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

CHUNK = 500


class FileListType(sa.types.TypeDecorator[list[dict[str, Any]]]):
    """A list of descriptors as JSON text (an empty list is stored as NULL, so that the
    shared is_empty/is_not_empty operators work)."""

    impl = sa.Text()
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if not value:
            return None
        return orjson.dumps(value).decode()

    def process_result_value(self, value: Any, dialect: Dialect) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        loaded: list[dict[str, Any]] = orjson.loads(value)
        return loaded


class NoDefault(FieldSettings):
    """File fields have no default value: a default file would be one user's pending
    upload, which nobody else may save into a record."""

    default: None = None

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        schema_ = super().model_json_schema(*args, **kwargs)
        schema_.get("properties", {}).pop("default", None)  # the designer offers none
        return schema_


class FileSettings(NoDefault):
    max_files: int = Field(default=9, ge=1, le=50)
    max_size_mb: int = Field(default=20, ge=1, le=100)
    #: allowed type groups; empty: every group
    accept: list[Group] = Field(default_factory=list)


_DESCRIPTOR_KEYS = ("id", "name", "size", "mime", "width", "height")


def descriptor(row: Any) -> dict[str, Any]:
    """The JSON a record (and the upload answer) shows for a file row."""
    out: dict[str, Any] = {"id": row.id, "name": row.name, "size": row.size, "mime": row.mime}
    if row.width is not None:
        out["width"] = row.width
        out["height"] = row.height
    if row.thumbnail_key is not None:
        out["thumbnail"] = True
    return out


class FileFieldType(FieldType):
    operators = ("is_empty", "is_not_empty")
    sortable = False
    accepts_conversion = False  # a file is uploaded, never made out of another value
    settings_model: ClassVar[type[FieldSettings]] = FileSettings
    in_subform: ClassVar[bool] = False  # a file is attached to a record, not to a row
    #: the type groups a file of this type may be; None: the field's ``accept``
    fixed_groups: ClassVar[tuple[Group, ...] | None] = None

    # ----- what an upload may be --------------------------------------------------------
    def groups(self, field: FieldMeta) -> tuple[Group, ...]:
        if self.fixed_groups is not None:
            return self.fixed_groups
        from qiao.files.kinds import GROUPS

        accept = getattr(field.settings, "accept", None)
        return tuple(accept) if accept else GROUPS

    def max_files(self, field: FieldMeta) -> int:
        return int(getattr(field.settings, "max_files", 1))

    def max_bytes(self, field: FieldMeta) -> int:
        return int(getattr(field.settings, "max_size_mb", 20)) * 1024 * 1024

    def wants_thumbnail(self, field: FieldMeta) -> bool:
        return True

    def accepts_extension(self, ext: str) -> bool:
        """A narrower choice than the groups (a signature is a PNG)."""
        return True

    # ----- storage and values -----------------------------------------------------------
    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return FileListType()

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None or value == "" or value == []:
            return None
        items = value if isinstance(value, list) else [value]
        ids: list[int] = []
        for item in items:
            raw = item.get("id") if isinstance(item, dict) else item
            if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
                raise FieldValueError("file_list_invalid")
            if raw not in ids:
                ids.append(raw)
        if len(ids) > self.max_files(field):
            raise FieldValueError("too_many_files", max=self.max_files(field))
        # filled in from qiao_files by check_stored_for before anything is written
        return [{"id": file_id} for file_id in ids]

    def to_json(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        return [dict(d) for d in stored] if stored else []

    def display(self, field: FieldMeta, stored: Any, ctx: Ctx) -> str:
        return "、".join(str(d.get("name", d.get("id"))) for d in stored or [])

    def from_text(self, field: FieldMeta, text: str, ctx: Ctx) -> Any:
        if not text.strip():
            return None
        raise FieldValueError("file_from_text")

    def is_blank(self, stored: Any) -> bool:
        return not stored

    def mask(self, field: FieldMeta, value: Any) -> Any:
        return value  # a file is shown or hidden as a whole; there is nothing to mask

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        return None  # only is_empty / is_not_empty, which take no value

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {
            "type": "array",
            "maxItems": self.max_files(field),
            "items": {"type": "integer", "description": "an uploaded file's id"},
        }

    # ----- the database -----------------------------------------------------------------
    def check_stored(
        self, conn: Connection, field: FieldMeta, values: Sequence[Any]
    ) -> dict[int, FieldValueError]:
        """Reached only where the writer and the record are unknown (a sub-form's cell):
        whether a file may be used cannot be decided there, so none may."""
        return {
            pos: FieldValueError("file_not_available", id=value[0]["id"])
            for pos, value in enumerate(values)
            if value
        }

    def check_stored_for(
        self,
        conn: Connection,
        field: FieldMeta,
        values: Sequence[Any],
        ctx: Ctx,
        record_ids: Sequence[int | None],
    ) -> dict[int, FieldValueError]:
        wanted = sorted({d["id"] for value in values for d in value or []})
        if not wanted:
            return {}
        f = schema.files
        rows: dict[int, Any] = {}
        for start in range(0, len(wanted), CHUNK):
            for found in conn.execute(
                sa.select(f).where(
                    f.c.id.in_(wanted[start : start + CHUNK]),
                    f.c.form_id == field.form_id,
                    f.c.field_id == field.id,
                    f.c.detached_at.is_(None),
                )
            ):
                rows[found.id] = found
        errors: dict[int, FieldValueError] = {}
        for pos, value in enumerate(values):
            for d in value or []:
                row = rows.get(d["id"])
                if row is None or not _may_use(row, ctx.user_id, record_ids[pos]):
                    errors[pos] = FieldValueError("file_not_available", id=d["id"])
                    break
                d.clear()
                d.update(descriptor(row))
        return errors

    def after_write(
        self,
        conn: Connection,
        field: FieldMeta,
        ctx: Ctx,
        record_ids: Sequence[int],
        values: Sequence[Any],
    ) -> None:
        f = schema.files
        now = ctx.now()
        mine = [f.c.form_id == field.form_id, f.c.field_id == field.id, f.c.detached_at.is_(None)]
        for record_id, value in zip(record_ids, values, strict=True):
            ids = [d["id"] for d in value or []]
            conn.execute(
                sa.update(f)
                .where(*mine, f.c.record_id == record_id, f.c.id.not_in(ids))
                .values(detached_at=now)
            )
            if not ids:
                continue
            conn.execute(
                sa.update(f)
                .where(
                    *mine,
                    f.c.id.in_(ids),
                    f.c.record_id.is_(None),
                    f.c.created_by == ctx.user_id,
                )
                .values(record_id=record_id, attached_at=now)
            )
            on_record = conn.execute(
                sa.select(sa.func.count())
                .select_from(f)
                .where(*mine, f.c.id.in_(ids), f.c.record_id == record_id)
            ).scalar_one()
            if on_record != len(ids):
                # e.g. one pending file given to several records by a bulk update
                raise ValidationFailed(
                    details=[
                        ErrorDetail(
                            field.key, "file_not_available", {"label": field.label, "id": ""}
                        )
                    ]
                )


def _may_use(row: Any, user_id: int | None, record_id: int | None) -> bool:
    if row.record_id is None:
        return user_id is not None and row.created_by == user_id
    return record_id is not None and row.record_id == record_id
