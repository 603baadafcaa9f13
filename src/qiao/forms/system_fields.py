"""System columns exposed to filters and sorts as read-only pseudo-fields."""

from __future__ import annotations

from qiao.forms.fields.base import FieldSettings
from qiao.forms.model import FieldMeta

#: key -> (field type, zh-CN label, en label)
SYSTEM_FIELDS: dict[str, tuple[str, str, str]] = {
    "id": ("sys_id", "记录ID", "Record ID"),
    "created_at": ("datetime", "创建时间", "Created at"),
    "updated_at": ("datetime", "更新时间", "Updated at"),
    "created_by": ("user", "创建人", "Created by"),
    "updated_by": ("user", "更新人", "Updated by"),
    "owner": ("user", "负责人", "Owner"),
}

RESERVED_KEYS = frozenset(SYSTEM_FIELDS) | {"version", "deleted_at", "data", "flow_status"}


def system_fields(form_id: int) -> dict[str, FieldMeta]:
    return {
        key: FieldMeta(
            id=0,
            form_id=form_id,
            key=key,
            label=zh,
            type=type_,
            settings=FieldSettings(),
            column_name=key,
            system=True,
        )
        for key, (type_, zh, _en) in SYSTEM_FIELDS.items()
    }
