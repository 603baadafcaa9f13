"""JSON representations of apps, forms and fields."""

from __future__ import annotations

from typing import Any

from qiao.forms.layout import effective
from qiao.forms.model import FieldMeta, FormMeta


def field_json(fm: FieldMeta) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": fm.id,
        "key": fm.key,
        "label": fm.label,
        "type": fm.type,
        "required": fm.required,
        "unique": fm.unique,
        "indexed": fm.indexed,
        "settings": fm.settings.model_dump(mode="json"),
        "position": fm.position,
        # what the filter builder may offer for this field
        "operators": list(fm.ftype.operators_for(fm)),
        "sortable": fm.ftype.is_sortable(fm),
    }
    if fm.deleted_at is not None:
        data["deleted_at"] = fm.deleted_at
    return data


def form_json(form: FormMeta, *, include_deleted_fields: bool = False) -> dict[str, Any]:
    fields = form.fields if include_deleted_fields else form.live_fields
    return {
        "id": form.id,
        "app_id": form.app_id,
        "name": form.name,
        "description": form.description,
        "position": form.position,
        # the layout always covers every live field, whoever added or deleted them
        "settings": {**form.settings, "layout": effective(form)},
        "created_at": form.created_at,
        "updated_at": form.updated_at,
        "deleted_at": form.deleted_at,
        "fields": [field_json(f) for f in fields],
    }


def app_json(row: Any, forms: list[FormMeta] | None = None) -> dict[str, Any]:
    data = {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "icon": row.icon,
        "color": row.color,
        "position": row.position,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }
    if forms is not None:
        data["forms"] = [
            {
                "id": f.id,
                "name": f.name,
                "description": f.description,
                "position": f.position,
                "field_count": len(f.live_fields),
                "group": f.settings.get("group"),
            }
            for f in sorted(forms, key=lambda f: (f.position, f.id))
        ]
    return data
