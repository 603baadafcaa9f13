"""Multiple choice (多选): a list of option labels, kept as option ids in a junction table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from qiao.forms.fields._choices import (
    ChoiceOptions,
    active_labels,
    choice_id,
    choice_label,
    choice_settings,
)
from qiao.forms.fields._junction import JunctionType
from qiao.forms.fields.base import registry
from qiao.formula.registry import Kind

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

_SEPARATORS = ("、", ",", "，", ";", "；", "/")


@registry.register
class MultiselectType(ChoiceOptions, JunctionType):
    key = "multiselect"
    formula = Kind.TEXT  # a range of option labels

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> str | None:
        """The first two options, the way a cell lists several."""
        return "、".join(active_labels(choice_settings(field))[:2]) or None

    def junction_value_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return sa.String(32)

    def item_to_storage(self, field: FieldMeta, item: Any, ctx: Ctx) -> Any:
        return choice_id(choice_settings(field), item)

    def to_json(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        return [choice_label(choice_settings(field), cid) for cid in stored or []]

    def from_text(self, field: FieldMeta, text: str, ctx: Ctx) -> Any:
        parts = [text]
        for sep in _SEPARATORS:
            parts = [piece for part in parts for piece in part.split(sep)]
        return self.to_storage(field, [p.strip() for p in parts if p.strip()], ctx)

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {
            "type": "array",
            "items": {"type": "string", "enum": active_labels(choice_settings(field))},
            "uniqueItems": True,
        }
