"""Image (图片): photos, checked by Pillow and thumbnailed at upload."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qiao.forms.fields._files import FileFieldType, FileSettings
from qiao.forms.fields.base import registry

if TYPE_CHECKING:
    from qiao.forms.model import FieldMeta


class ImageSettings(FileSettings):
    #: make a small preview at upload (lists and the record page load those)
    thumbnail: bool = True


@registry.register
class ImageType(FileFieldType):
    key = "image"
    settings_model = ImageSettings
    fixed_groups = ("image",)

    def wants_thumbnail(self, field: FieldMeta) -> bool:
        return bool(getattr(field.settings, "thumbnail", True))
