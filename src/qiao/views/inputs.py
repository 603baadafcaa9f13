"""Input models of the views API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ViewIn(_In):
    name: str = Field(min_length=1, max_length=128)
    kind: str = Field(min_length=1, max_length=32)
    config: dict[str, Any] = Field(default_factory=dict)
    #: shared with everyone (admins only) or personal to the caller
    shared: bool = False


class ViewPatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    kind: str | None = Field(default=None, min_length=1, max_length=32)
    config: dict[str, Any] | None = None
    shared: bool | None = None


class ViewOrderIn(_In):
    view_ids: list[int] = Field(max_length=1000)
