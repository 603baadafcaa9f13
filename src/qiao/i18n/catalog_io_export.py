"""Messages of exports (XLSX/CSV) and export templates."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "export_format_unknown": {
        "zh-CN": "不支持的导出格式「{value}」，请选择 xlsx 或 csv",
        "en": 'Unknown export format "{value}": choose xlsx or csv',
    },
    "export_subforms_unknown": {
        "zh-CN": "子表单导出方式「{value}」无效，可选 sheets、rows、count",
        "en": 'Unknown sub-form export mode "{value}": use sheets, rows or count',
    },
    "export_parent_title": {"zh-CN": "所属记录", "en": "Parent record"},
    "export_template_not_found": {
        "zh-CN": "导出模板不存在或已被删除",
        "en": "The export template does not exist or was deleted",
    },
    "export_template_name_taken": {
        "zh-CN": "已有名为「{name}」的导出模板",
        "en": 'An export template named "{name}" already exists',
    },
    "export_field_unknown": {
        "zh-CN": "字段「{key}」不存在于此表单",
        "en": 'Field "{key}" is not a field of this form',
    },
    "export_field_duplicate": {
        "zh-CN": "字段「{key}」重复出现",
        "en": 'Field "{key}" is listed more than once',
    },
    "export_done": {
        "zh-CN": "已导出 {count} 条记录到 {path}",
        "en": "Exported {count} records to {path}",
    },
}
