"""Messages of imports into forms (qiao.io.imports): the import's life cycle, its
mapping and options, and the rows the job could not write."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "import_not_found": {"zh-CN": "导入不存在", "en": "The import does not exist"},
    "import_upload_too_large": {
        "zh-CN": "文件「{name}」超过了 {max} MB 的大小限制",
        "en": 'File "{name}" is larger than the limit of {max} MB',
    },
    "import_mapping_invalid": {
        "zh-CN": "列与字段的对应关系有误",
        "en": "The mapping of columns to fields is invalid",
    },
    "import_column_unknown": {
        "zh-CN": "文件中没有第 {column} 列",
        "en": "The file has no column {column}",
    },
    "import_field_unknown": {
        "zh-CN": "字段「{key}」不存在或不能导入",
        "en": 'Field "{key}" does not exist or cannot be imported',
    },
    "import_field_twice": {
        "zh-CN": "字段「{label}」对应了多个列",
        "en": 'Field "{label}" is mapped from more than one column',
    },
    "import_option_invalid": {
        "zh-CN": "导入选项有误：{msg}",
        "en": "Invalid import option: {msg}",
    },
    "import_out_of_range": {
        "zh-CN": "取值应在 0 到 {max} 之间",
        "en": "The value must be between 0 and {max}",
    },
    "import_only_invalid": {
        "zh-CN": "未知的筛选「{value}」（可选 errors、duplicates、changed）",
        "en": 'Unknown filter "{value}" (errors, duplicates or changed)',
    },
    "import_not_draft": {
        "zh-CN": "导入已开始（状态：{state}），不能再修改",
        "en": "The import has already started (state: {state}) and can no longer be changed",
    },
    "import_not_deletable": {
        "zh-CN": "只能删除尚未开始的导入（状态：{state}）",
        "en": "Only an import that was never started can be deleted (state: {state})",
    },
    "import_without_form": {
        "zh-CN": "请先为这个文件创建表单",
        "en": "Create a form for this file first",
    },
    "import_mapping_empty": {
        "zh-CN": "至少要把一列对应到字段才能导入",
        "en": "Map at least one column to a field to import",
    },
    "import_changed": {
        "zh-CN": "导入设置刚被修改过，请检查预览后再开始",
        "en": "The import settings were just changed; check the preview and start again",
    },
    "import_not_running": {
        "zh-CN": "导入没有在进行（状态：{state}）",
        "en": "The import is not running (state: {state})",
    },
    "import_running": {
        "zh-CN": "导入正在进行，请等它结束或先取消",
        "en": "The import is still running; wait for it to finish or cancel it first",
    },
    "import_not_undoable": {
        "zh-CN": "这个导入不能撤销（状态：{state}）",
        "en": "This import cannot be undone (state: {state})",
    },
    "import_row_conflict": {
        "zh-CN": "与同时写入的数据冲突（如唯一值已被占用）",
        "en": "Conflicts with data written at the same time (a unique value already taken)",
    },
    "import_mapping_not_found": {
        "zh-CN": "保存的对应关系不存在",
        "en": "The saved mapping does not exist",
    },
    "import_mapping_forbidden": {
        "zh-CN": "只能删除自己保存的对应关系",
        "en": "You can only delete mappings you saved",
    },
}
