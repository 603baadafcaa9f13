"""The view kind registry and the checks shared by the kinds.

A kind validates its ``config`` against the form: field keys must name fields (of the
right types), the filter must compile with the one filter compiler and the sort must
name sortable fields. Problems are reported with paths under ``config``.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qiao.context import Ctx
from qiao.errors import BadRequest, ErrorDetail, QiaoError, ValidationFailed, loc_path
from qiao.forms.model import FormMeta
from qiao.query.filters import compile_filter
from qiao.query.sorting import parse_sort

PREFIX = "config"


class ConfigIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FilteredConfig(ConfigIn):
    #: the list API's JSON filter tree
    filter: Any = None


class SortedConfig(FilteredConfig):
    #: like the list API's ``sort``: ``-amount,name``
    sort: str | None = Field(default=None, max_length=500)


class ViewKind:
    key: ClassVar[str]
    config_model: ClassVar[type[ConfigIn]]

    def check(self, form: FormMeta, config: Any, ctx: Ctx) -> list[ErrorDetail]:
        """Checks against the form beyond the config's shape; problems, not raised."""
        return []

    def default_config(self, form: FormMeta) -> dict[str, Any]:
        return {}

    def validate(self, form: FormMeta, raw: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
        """The stored form of ``raw``; raises a 422 (shape, fields) or 400 (filter, sort)."""
        try:
            config = self.config_model.model_validate(raw)
        except ValidationError as exc:
            raise ValidationFailed(details=shape_errors(exc)) from exc
        errors = self.check(form, config, ctx)
        if errors:
            raise ValidationFailed(details=errors)
        if isinstance(config, FilteredConfig):
            _check_query(form, config, ctx)
        return config.model_dump(mode="json", exclude_none=True)


K = TypeVar("K", bound=type[ViewKind])


class Registry:
    def __init__(self) -> None:
        self._kinds: dict[str, ViewKind] = {}

    def register(self, cls: K) -> K:
        self._kinds[cls.key] = cls()
        return cls

    def get(self, key: str) -> ViewKind | None:
        return self._kinds.get(key)

    def keys(self) -> list[str]:
        return list(self._kinds)


registry = Registry()


def shape_errors(exc: ValidationError) -> list[ErrorDetail]:
    return [
        ErrorDetail(loc_path(err["loc"], PREFIX), "view_config_invalid", {"reason": err["msg"]})
        for err in exc.errors()
    ]


def check_field(
    form: FormMeta, key: str | None, where: str, types: tuple[str, ...] = ()
) -> list[ErrorDetail]:
    """``key`` names a live or system field of the form (of one of ``types`` if given)."""
    if key is None:
        return []
    fm = form.field_or_system(key)
    if fm is None:
        return [ErrorDetail(f"{PREFIX}.{where}", "view_field_unknown", {"key": key})]
    if types and fm.type not in types:
        params = {"key": key, "types": ", ".join(types)}
        return [ErrorDetail(f"{PREFIX}.{where}", "view_field_wrong_type", params)]
    return []


def check_fields(form: FormMeta, keys: list[str], where: str) -> list[ErrorDetail]:
    return [e for i, key in enumerate(keys) for e in check_field(form, key, f"{where}[{i}]")]


def _check_query(form: FormMeta, config: FilteredConfig, ctx: Ctx) -> None:
    try:
        compile_filter(form, config.filter, ctx)
        if isinstance(config, SortedConfig) and config.sort:
            parse_sort(form, config.sort)
    except QiaoError as exc:
        details = [
            d.prefixed(
                f"{PREFIX}." if d.field.startswith(("filter", "sort")) else f"{PREFIX}.filter."
            )
            for d in exc.details
        ]
        raise BadRequest(exc.code, details=details, **exc.params) from exc
