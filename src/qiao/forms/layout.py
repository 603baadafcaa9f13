"""The designed layout of a form: rows of fields (with spans on a 24-column grid),
section titles, dividers and description texts.

Stored normalised in ``form.settings["layout"]`` with field ids; the form JSON always
shows a layout covering every live field (fields missing from it get a row each, fields
deleted since drop out).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from qiao.errors import ErrorDetail, ValidationFailed
from qiao.forms.model import FormMeta

GRID = 24


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldItem(_Item):
    kind: Literal["field"]
    ref: str = Field(min_length=1, max_length=64)
    span: int = Field(default=GRID, ge=1, le=GRID, strict=True)


class SectionItem(_Item):
    kind: Literal["section"]
    title: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)
    #: names the section for ``visible_when`` results (the record form's evaluate)
    id: str | None = Field(default=None, min_length=1, max_length=64)
    #: a formula: FALSE hides the section and the fields below it (up to the next
    #: section), which are then not required
    visible_when: str | None = Field(default=None, max_length=4000)


class DividerItem(_Item):
    kind: Literal["divider"]


class TextItem(_Item):
    kind: Literal["text"]
    content: str = Field(max_length=5000)


Item = Annotated[FieldItem | SectionItem | DividerItem | TextItem, Field(discriminator="kind")]


class RowIn(_Item):
    items: list[Item] = Field(min_length=1, max_length=GRID)


def normalise(rows: list[RowIn], ids_by_ref: dict[str, int]) -> list[dict[str, Any]]:
    """Check the layout against the published fields and store field ids for refs."""
    errors: list[ErrorDetail] = []
    seen: set[str] = set()
    stored: list[dict[str, Any]] = []
    for r, row in enumerate(rows):
        path = f"layout[{r}]"
        fields = [item for item in row.items if isinstance(item, FieldItem)]
        if len(fields) != len(row.items) and len(row.items) > 1:
            errors.append(ErrorDetail(f"{path}.items", "layout_full_row"))
        if sum(item.span for item in fields) > GRID:
            errors.append(ErrorDetail(f"{path}.items", "layout_row_too_wide", {"max": GRID}))
        items: list[dict[str, Any]] = []
        for i, item in enumerate(row.items):
            if not isinstance(item, FieldItem):
                items.append(item.model_dump(exclude_none=True))
                continue
            where = f"{path}.items[{i}].ref"
            if item.ref not in ids_by_ref:
                errors.append(ErrorDetail(where, "layout_unknown_ref", {"ref": item.ref}))
            elif item.ref in seen:
                errors.append(ErrorDetail(where, "layout_field_repeated", {"ref": item.ref}))
            else:
                items.append({"kind": "field", "field_id": ids_by_ref[item.ref], "span": item.span})
            seen.add(item.ref)
        stored.append({"items": items})
    if errors:
        raise ValidationFailed(details=errors)
    return stored


def effective(form: FormMeta) -> list[dict[str, Any]]:
    """The stored layout without deleted fields, plus a full row for each live field it
    does not place, in field order."""
    live = {f.id for f in form.live_fields}
    placed: set[int] = set()
    rows: list[dict[str, Any]] = []
    for row in form.settings.get("layout") or []:
        items = []
        for item in row.get("items", []):
            if item.get("kind") == "field":
                if item.get("field_id") not in live or item["field_id"] in placed:
                    continue
                placed.add(item["field_id"])
            items.append(item)
        if items:
            rows.append({"items": items})
    for fm in form.live_fields:
        if fm.id not in placed:
            rows.append({"items": [{"kind": "field", "field_id": fm.id, "span": GRID}]})
    return rows


def default_title_field(form: FormMeta) -> str | None:
    """The key of the field naming a record: ``settings.title_field`` when it is a live
    field, else the first text field."""
    key = form.settings.get("title_field")
    if isinstance(key, str) and key in form.by_key:
        return key
    return next((f.key for f in form.live_fields if f.type == "text"), None)


def check_title_field(form: FormMeta, key: Any, where: str) -> None:
    if key is not None and (not isinstance(key, str) or key not in form.by_key):
        raise ValidationFailed(
            details=[ErrorDetail(where, "title_field_unknown", {"key": str(key)})]
        )
