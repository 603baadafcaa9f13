"""Options of select and multiselect fields.

Records store an option's stable id, never its label, so renaming an option touches no
record. Options removed from the settings are kept as ``archived``: old values still
show, new input cannot pick them — nothing is lost silently.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from qiao.errors import FieldValueError
from qiao.forms.fields.base import FieldSettings

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

PALETTE = (
    "#2f6bff", "#14b8a6", "#f59e0b", "#ef4444", "#8b5cf6",
    "#10b981", "#ec4899", "#0ea5e9", "#84cc16", "#64748b",
)  # fmt: skip


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(default="", max_length=32)
    label: str = Field(min_length=1, max_length=100)
    color: str = Field(default="", pattern=r"^(#[0-9a-fA-F]{6})?$")
    archived: bool = False
    #: cascading options: the parent field's option labels this option belongs to
    parents: list[str] = Field(default_factory=list, max_length=200)

    @field_validator("label")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("an option needs a label")
        return value


class ChoiceSettings(FieldSettings):
    choices: list[Choice] = Field(default_factory=list, max_length=1000)
    #: cascading options: the key of the select field whose value filters these options
    depends_on: str | None = Field(default=None, max_length=63)

    @field_validator("choices", mode="before")
    @classmethod
    def _labels_to_choices(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"label": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _labels_unique(self) -> ChoiceSettings:
        active = [c.label for c in self.choices if not c.archived]
        if len(active) != len(set(active)):
            raise ValueError("option labels must be unique")
        return self


def merge_choices(new: ChoiceSettings, old: ChoiceSettings | None) -> ChoiceSettings:
    """Give every option an id: keep the id it has (or the id of the old option with the
    same label), mint one otherwise; archive old options that are no longer listed."""
    old_choices = old.choices if old else []
    old_by_id = {c.id: c for c in old_choices}
    # a label that comes back (even one archived earlier) gets its old id again
    old_by_label = {c.label: c for c in old_choices if c.archived}
    old_by_label.update({c.label: c for c in old_choices if not c.archived})
    used: set[str] = set()
    result: list[Choice] = []
    for index, choice in enumerate(new.choices):
        cid = choice.id if choice.id in old_by_id else ""
        if not cid and choice.label in old_by_label:
            cid = old_by_label[choice.label].id
        if not cid or cid in used:
            cid = _new_id(used | set(old_by_id))
        used.add(cid)
        color = (
            choice.color
            or (old_by_id[cid].color if cid in old_by_id else "")
            or PALETTE[index % len(PALETTE)]
        )
        result.append(
            Choice(
                id=cid,
                label=choice.label,
                color=color,
                archived=choice.archived,
                parents=choice.parents,
            )
        )
    for old_choice in old_choices:
        if old_choice.id not in used:
            result.append(old_choice.model_copy(update={"archived": True}))
    return new.model_copy(update={"choices": result})


def _new_id(taken: set[str]) -> str:
    while True:
        cid = "o" + secrets.token_hex(4)
        if cid not in taken:
            return cid


def choice_id(settings: ChoiceSettings, label: Any, *, archived_too: bool = False) -> str:
    """The id of the option with this label; archived options only when asked (filters
    must still find records holding them, new input must not pick them)."""
    if not isinstance(label, str):
        raise FieldValueError("invalid_choice", value=str(label))
    wanted = label.strip()
    for choice in settings.choices:
        if choice.label == wanted and not choice.archived:
            return choice.id
    if archived_too:
        for choice in settings.choices:
            if choice.label == wanted:
                return choice.id
    raise FieldValueError("invalid_choice", value=wanted)


def choice_label(settings: ChoiceSettings, cid: str) -> str:
    for choice in settings.choices:
        if choice.id == cid:
            return choice.label
    return cid


def active_labels(settings: ChoiceSettings) -> list[str]:
    return [c.label for c in settings.choices if not c.archived]


def choice_settings(field: FieldMeta) -> ChoiceSettings:
    assert isinstance(field.settings, ChoiceSettings)
    return field.settings


class ChoiceOptions:
    """What select and multiselect share: their options and how filters name them."""

    settings_model: ClassVar[type[FieldSettings]] = ChoiceSettings

    def parse_settings(
        self, raw: dict[str, Any], old: FieldSettings | None = None
    ) -> FieldSettings:
        parsed = ChoiceSettings.model_validate(raw)
        return merge_choices(parsed, old if isinstance(old, ChoiceSettings) else None)

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        return choice_id(choice_settings(field), value, archived_too=True)

    def template_choices(self, field: FieldMeta, ctx: Ctx) -> list[str]:
        return active_labels(choice_settings(field))
