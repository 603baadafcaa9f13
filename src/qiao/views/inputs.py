"""Input models of the views API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from qiao.db.types import Id, JsonObject


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ViewIn(_In):
    name: str = Field(min_length=1, max_length=128)
    kind: str = Field(min_length=1, max_length=32)
    config: JsonObject = Field(default_factory=dict)
    #: shared with everyone (admins only) or personal to the caller
    shared: bool = False


class ViewPatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    kind: str | None = Field(default=None, min_length=1, max_length=32)
    config: JsonObject | None = None
    shared: bool | None = None


class ViewOrderIn(_In):
    view_ids: list[Id] = Field(max_length=1000)
