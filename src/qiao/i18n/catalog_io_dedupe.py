"""Messages of de-duplication: finding duplicate groups, merging and undoing merges."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "dedupe_fields_required": {
        "zh-CN": "请至少选择一个用于判断重复的字段",
        "en": "Choose at least one field to compare for duplicates",
    },
    "dedupe_field_invalid": {
        "zh-CN": "字段「{key}」不存在或不能用于判断重复（子表单、多值字段除外）",
        "en": 'Field "{key}" does not exist or cannot be compared for duplicates '
        "(sub-forms and multi-valued fields cannot)",
    },
    "dedupe_threshold_invalid": {
        "zh-CN": "相似度阈值需要在 0.5 到 1 之间",
        "en": "The similarity threshold must be between 0.5 and 1",
    },
    "merge_records_required": {
        "zh-CN": "请指定保留的记录和要合并进来的记录",
        "en": "Name the record to keep and the records to merge into it",
    },
    "merge_survivor_in_others": {
        "zh-CN": "保留的记录 #{id} 不能同时是被合并的记录",
        "en": "The record kept (#{id}) cannot also be one of the records merged into it",
    },
    "merge_too_many": {
        "zh-CN": "一次最多合并 {max} 条记录",
        "en": "At most {max} records can be merged at once",
    },
    "merge_not_found": {"zh-CN": "合并记录不存在", "en": "The merge does not exist"},
    "merge_already_undone": {
        "zh-CN": "这次合并已经撤销过了",
        "en": "This merge has already been undone",
    },
    "merge_undo_changed": {
        "zh-CN": "合并后保留的记录又修改了「{fields}」，不能撤销合并；请先把这些字段改回合并后的值",
        "en": "The record kept has been changed since the merge in {fields}, so the merge "
        "cannot be undone; set those fields back to their merged values first",
    },
    "audit.action.record_merge": {"zh-CN": "合并记录", "en": "Merge records"},
    "audit.action.record_merge_undo": {"zh-CN": "撤销合并记录", "en": "Undo record merge"},
}
