"""Messages of uploaded files and the file field types (attachment, image, signature)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "file_missing": {"zh-CN": "请选择要上传的文件", "en": "Choose a file to upload"},
    "too_many_files": {
        "zh-CN": "最多只能上传 {max} 个文件",
        "en": "At most {max} files can be uploaded",
    },
    "file_too_large": {
        "zh-CN": "文件「{name}」超过了 {max} MB 的大小限制",
        "en": 'File "{name}" is larger than the limit of {max} MB',
    },
    "file_empty": {"zh-CN": "文件「{name}」是空的", "en": 'File "{name}" is empty'},
    "file_type_not_allowed": {
        "zh-CN": "不允许上传文件「{name}」的类型",
        "en": 'The type of file "{name}" is not allowed here',
    },
    "file_content_mismatch": {
        "zh-CN": "文件「{name}」的内容与扩展名不符",
        "en": 'The content of file "{name}" does not match its extension',
    },
    "image_invalid": {
        "zh-CN": "文件「{name}」不是有效的图片",
        "en": 'File "{name}" is not a valid image',
    },
    "image_too_large": {
        "zh-CN": "图片「{name}」的像素过多",
        "en": 'Image "{name}" has too many pixels',
    },
    "file_not_available": {
        "zh-CN": "「{label}」中有文件不存在、已被移除或不属于这条记录，请重新上传",
        "en": 'A file of "{label}" does not exist, was removed or belongs elsewhere: upload it again',
    },
    "file_list_invalid": {
        "zh-CN": "文件列表应为已上传文件的编号列表",
        "en": "Give a list of uploaded file ids",
    },
    "file_from_text": {
        "zh-CN": "文件不能从文本导入，请在记录中上传",
        "en": "Files cannot be imported from text: upload them on the record",
    },
    "file_not_found": {"zh-CN": "文件不存在", "en": "File not found"},
}
