"""Attachment (附件): any files of the allowed type groups, e.g. a contract's PDF."""

from __future__ import annotations

from qiao.forms.fields._files import FileFieldType
from qiao.forms.fields.base import registry


@registry.register
class AttachmentType(FileFieldType):
    key = "attachment"
