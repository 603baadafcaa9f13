"""Signature (手写签名): one PNG drawn on a canvas in the browser."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from qiao.forms.fields._files import FileFieldType, NoDefault
from qiao.forms.fields.base import registry

if TYPE_CHECKING:
    from qiao.forms.model import FieldMeta


class SignatureSettings(NoDefault):
    pen_color: str = Field(default="#000000", pattern=r"^#[0-9a-fA-F]{6}$")


@registry.register
class SignatureType(FileFieldType):
    key = "signature"
    settings_model = SignatureSettings
    fixed_groups = ("image",)

    def max_files(self, field: FieldMeta) -> int:
        return 1

    def max_bytes(self, field: FieldMeta) -> int:
        return 2 * 1024 * 1024

    def accepts_extension(self, ext: str) -> bool:
        return ext == "png"

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {**super().json_schema(field), "maxItems": 1}
