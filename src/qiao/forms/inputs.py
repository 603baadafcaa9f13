"""Input models for apps, forms and fields (shared by services and the API)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from qiao.db.types import Id, JsonObject
from qiao.forms.layout import RowIn


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppIn(_In):
    name: str = Field(min_length=1, max_length=128)
    description: str = Field(default="", max_length=2000)
    icon: str = Field(default="app", max_length=64)
    color: str = Field(default="#2f6bff", pattern=r"^#[0-9a-fA-F]{6}$")
    position: int | None = None


class AppPatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    description: str | None = Field(default=None, max_length=2000)
    icon: str | None = Field(default=None, max_length=64)
    color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    position: int | None = None


class FieldIn(_In):
    key: str | None = Field(default=None, max_length=63)
    label: str = Field(min_length=1, max_length=128)
    type: str = Field(min_length=1, max_length=32)
    required: bool = False
    unique: bool = False
    indexed: bool = False
    settings: JsonObject = Field(default_factory=dict)


class FieldPatch(_In):
    key: str | None = Field(default=None, max_length=63)
    label: str | None = Field(default=None, min_length=1, max_length=128)
    type: str | None = Field(default=None, min_length=1, max_length=32)
    required: bool | None = None
    unique: bool | None = None
    indexed: bool | None = None
    settings: JsonObject | None = None
    #: confirm a type change that cannot convert every value
    accept_loss: bool = False


class TypeChangeIn(_In):
    type: str = Field(min_length=1, max_length=32)
    settings: JsonObject = Field(default_factory=dict)
    accept_loss: bool = False


class FormIn(_In):
    name: str = Field(min_length=1, max_length=128)
    description: str = Field(default="", max_length=2000)
    fields: list[FieldIn] = Field(default_factory=list, max_length=500)
    settings: JsonObject = Field(default_factory=dict)


class FormPatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    description: str | None = Field(default=None, max_length=2000)
    position: int | None = None
    settings: JsonObject | None = None


class FieldOrderIn(_In):
    field_ids: list[Id] = Field(max_length=500)


class DraftIn(_In):
    #: whatever the designer needs to resume; opaque to the server (at most 1 MB)
    draft: JsonObject


class FieldDraft(FieldIn):
    #: an existing live field of the form; without it the field is added
    id: Id | None = None
    #: the client's name for the field within this request, used by the layout
    ref: str | None = Field(default=None, min_length=1, max_length=64)
    #: confirm a type change that cannot convert every value
    accept_loss: bool = False


class FormRuleIn(_In):
    """A form-level validation rule: ``expression`` must be TRUE for a record to save;
    otherwise ``message`` is shown on the listed ``fields``."""

    id: str = Field(min_length=1, max_length=64)
    expression: str = Field(min_length=1, max_length=4000)
    message: str = Field(default="", max_length=200)
    fields: list[str] = Field(default_factory=list, max_length=50)
    enabled: bool = True


class PublishIn(_In):
    fields: list[FieldDraft] = Field(max_length=500)
    layout: list[RowIn] = Field(default_factory=list, max_length=1000)
    #: the key of the field naming a record (default: the first text field)
    title_field: str | None = None
    #: the form's validation rules (None keeps the current ones)
    rules: list[FormRuleIn] | None = Field(default=None, max_length=100)


class FormOrderItem(_In):
    id: Id
    group: str | None = Field(default=None, max_length=64)


class FormOrderIn(_In):
    items: list[FormOrderItem] = Field(max_length=1000)
