"""Messages of sub-forms (子表单) (merged into ``qiao.i18n.catalog.MESSAGES``)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "value_invalid_parts": {
        "zh-CN": "「{label}」有 {count} 处内容不正确",
        "en": '"{label}" has {count} invalid entries',
    },
    "subform_too_few_rows": {
        "zh-CN": "「{label}」至少需要 {min} 行",
        "en": '"{label}" needs at least {min} rows',
    },
    "subform_too_many_rows": {
        "zh-CN": "「{label}」最多 {max} 行",
        "en": '"{label}" takes at most {max} rows',
    },
    "subform_row_not_object": {
        "zh-CN": "「{label}」的每一行必须是对象",
        "en": 'Each row of "{label}" must be an object',
    },
    "subform_row_id_invalid": {
        "zh-CN": "「{label}」的行编号不正确",
        "en": 'A row id of "{label}" is invalid',
    },
    "subform_row_repeated": {
        "zh-CN": "「{label}」的同一行出现了两次",
        "en": 'The same row of "{label}" is given twice',
    },
    "subform_row_not_found": {
        "zh-CN": "「{label}」中没有编号为 {id} 的行",
        "en": '"{label}" has no row with id {id}',
    },
    "subform_from_text": {
        "zh-CN": "「{label}」不能由文本转换",
        "en": '"{label}" cannot be converted from text',
    },
}
