"""In-memory metadata of forms and fields, loaded from the platform tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from qiao.forms.fields.base import FieldSettings, FieldType, Storage, registry


@dataclass(eq=False)
class FieldMeta:
    id: int
    form_id: int
    key: str
    label: str
    type: str
    settings: FieldSettings
    column_name: str
    position: int = 0
    required: bool = False
    unique: bool = False
    indexed: bool = False
    deleted_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    system: bool = False

    def __setattr__(self, name: str, value: Any) -> None:
        # ``ftype`` is cached (the write path reads it tens of times per record); a
        # changed ``type`` must not keep answering with the old type
        if name == "type":
            self.__dict__.pop("ftype", None)
        object.__setattr__(self, name, value)

    @cached_property
    def ftype(self) -> FieldType:
        """The registered type; looked up once per field (types never unregister)."""
        return registry.get(self.type)

    @property
    def storage(self) -> Storage:
        return self.ftype.storage(self)

    @property
    def physical_name(self) -> str:
        """The column (or the junction / child table) holding the values."""
        return self.column_name


@dataclass(eq=False)
class FormMeta:
    id: int
    app_id: int
    name: str
    description: str
    table_name: str
    position: int
    settings: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    created_by: int | None
    deleted_at: datetime | None
    fields: list[FieldMeta] = field(default_factory=list)  # live and deleted, by position
    table: sa.Table = None  # type: ignore[assignment]
    junctions: dict[int, sa.Table] = field(default_factory=dict)
    #: sub-form field id -> its child table ``qs_<field id>``
    children: dict[int, sa.Table] = field(default_factory=dict)

    @cached_property
    def live_fields(self) -> list[FieldMeta]:
        return [f for f in self.fields if f.deleted_at is None]

    @cached_property
    def by_key(self) -> dict[str, FieldMeta]:
        return {f.key: f for f in self.live_fields}

    @cached_property
    def writable_fields(self) -> list[FieldMeta]:
        """Live fields that take input, by position: worked out once per form rather than
        once per record (a form's metadata does not change once loaded)."""
        return [f for f in self.live_fields if f.ftype.writable]

    @cached_property
    def writable_keys(self) -> frozenset[str]:
        """Keys of :attr:`writable_fields`: input naming only these needs no key check."""
        return frozenset(f.key for f in self.writable_fields)

    @cached_property
    def system_fields(self) -> dict[str, FieldMeta]:
        from qiao.forms.system_fields import system_fields

        return system_fields(self.id)

    def field_or_system(self, key: str) -> FieldMeta | None:
        return self.by_key.get(key) or self.system_fields.get(key)

    def column(self, fm: FieldMeta) -> sa.Column[Any]:
        return self.table.c[fm.column_name]
