"""Messages of reading uploaded spreadsheets and of import templates (issue 6)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "import_file_type": {
        "zh-CN": "无法导入文件「{name}」：只支持 .xlsx、.xlsm、.xls、.ods、.csv 和 .txt 文件",
        "en": 'Cannot import "{name}": only .xlsx, .xlsm, .xls, .ods, .csv and .txt files are supported',
    },
    "import_file_unreadable": {
        "zh-CN": "无法读取文件「{name}」：文件已损坏或不是它的扩展名所表示的格式",
        "en": 'Cannot read "{name}": the file is damaged or not in the format its extension says',
    },
    "import_file_empty": {
        "zh-CN": "文件「{name}」中没有数据",
        "en": 'The file "{name}" contains no data',
    },
    "import_file_encrypted": {
        "zh-CN": "文件「{name}」设置了打开密码，请取消密码后再上传",
        "en": 'The file "{name}" is password-protected: remove the password and upload it again',
    },
    "import_file_too_large": {
        "zh-CN": "文件「{name}」解压后过大，无法导入",
        "en": 'The file "{name}" expands to too much data to be imported',
    },
    # --- import template ---
    "import_template_sheet": {"zh-CN": "导入模板", "en": "Import template"},
    "import_template_lists": {"zh-CN": "选项", "en": "Options"},
    "import_template_required": {"zh-CN": "必填", "en": "Required"},
    "import_template_sample": {
        "zh-CN": "这一行是示例，请替换或删除后再导入",
        "en": "This row is an example: replace or delete it before importing",
    },
    "import_template_choices": {
        "zh-CN": "请从下拉列表中选择",
        "en": "Pick a value from the list",
    },
    "import_template_multi": {
        "zh-CN": "可填写多个选项，用「、」分隔：{choices}",
        "en": "Several options allowed, separated by 、 or commas: {choices}",
    },
}
