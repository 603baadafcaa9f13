"""Messages of creating a form from a spreadsheet and of the ``qiao import`` command."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "sheet_import_not_found": {
        "zh-CN": "找不到这个表格分析，请重新上传文件",
        "en": "This spreadsheet analysis does not exist: upload the file again",
    },
    "sheet_import_has_form": {
        "zh-CN": "这个导入已经属于一个表单，不能再用它创建表单",
        "en": "This import already belongs to a form: it cannot create another one",
    },
    "sheet_no_fields": {
        "zh-CN": "请至少保留一列作为表单的字段",
        "en": "Keep at least one column as a field of the form",
    },
    "sheet_column_unknown": {
        "zh-CN": "表格中没有第 {column} 列",
        "en": "The spreadsheet has no column {column}",
    },
    "sheet_column_repeated": {
        "zh-CN": "第 {column} 列被用作了两个字段",
        "en": "Column {column} is used for two fields",
    },
    "sheet_field_label_missing": {
        "zh-CN": "请填写字段名称",
        "en": "Give the field a name",
    },
    "sheet_field_label_repeated": {
        "zh-CN": "字段名称「{label}」重复了，每个字段的名称要不同",
        "en": 'The field name "{label}" is used twice: each field needs its own name',
    },
    "sheet_field_type_unsupported": {
        "zh-CN": "「{type}」类型的字段不能从表格的列创建",
        "en": 'A field of type "{type}" cannot be created from a spreadsheet column',
    },
    # --- qiao import / qiao export (command line): the acting user, --user ---
    "cli_no_admin": {
        "zh-CN": "没有可用的管理员账号，请用 --user 指定操作的用户",
        "en": "There is no active administrator: name the acting user with --user",
    },
    "cli_user_unknown": {
        "zh-CN": "找不到用户「{username}」或该用户已停用",
        "en": 'The user "{username}" does not exist or is deactivated',
    },
    # --- qiao import (command line) ---
    "cli_import_file_missing": {
        "zh-CN": "找不到文件「{name}」",
        "en": 'The file "{name}" does not exist',
    },
    "cli_import_mapping_unknown": {
        "zh-CN": "表单中没有名为「{name}」的已保存映射，也不是有效的 JSON 映射",
        "en": 'The form has no saved mapping named "{name}", and it is not a JSON mapping either',
    },
    "cli_import_mapping_column": {
        "zh-CN": "映射中的列「{column}」不在文件的表头中",
        "en": 'The mapping names the column "{column}", which is not among the file\'s headers',
    },
    "cli_import_failed": {
        "zh-CN": "导入失败：{error}",
        "en": "The import failed: {error}",
    },
    "cli_import_summary": {"zh-CN": "导入预览", "en": "Import preview"},
    "cli_import_summary_rows": {"zh-CN": "数据行", "en": "Rows"},
    "cli_import_summary_valid": {"zh-CN": "有效", "en": "Valid"},
    "cli_import_summary_errors": {"zh-CN": "有错误", "en": "With errors"},
    "cli_import_summary_duplicates_file": {
        "zh-CN": "文件内重复",
        "en": "Duplicates within the file",
    },
    "cli_import_summary_duplicates_existing": {
        "zh-CN": "与已有记录重复",
        "en": "Duplicates of existing records",
    },
    "cli_import_summary_create": {"zh-CN": "将新建", "en": "To create"},
    "cli_import_summary_update": {"zh-CN": "将更新", "en": "To update"},
    "cli_import_summary_skip": {"zh-CN": "将跳过", "en": "To skip"},
    "cli_import_unknown_options": {
        "zh-CN": "字段「{field}」中有不在选项里的值：{values}",
        "en": 'Values of "{field}" that are not among its options: {values}',
    },
    "cli_import_first_errors": {"zh-CN": "前几个错误", "en": "First errors"},
    "cli_import_row": {"zh-CN": "行", "en": "Row"},
    "cli_import_column": {"zh-CN": "列", "en": "Column"},
    "cli_import_value": {"zh-CN": "原值", "en": "Value"},
    "cli_import_error": {"zh-CN": "错误", "en": "Error"},
    "cli_import_progress": {"zh-CN": "正在导入", "en": "Importing"},
    "cli_import_done": {
        "zh-CN": "导入完成：新建 {created}，更新 {updated}，跳过 {skipped}，失败 {failed}",
        "en": "Import done: {created} created, {updated} updated, {skipped} skipped, {failed} failed",
    },
}
