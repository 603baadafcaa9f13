"""Messages of formulas in forms: computed fields, dependency cycles, validation rules,
and background jobs."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "formula_cycle": {
        "zh-CN": "公式形成了循环引用：{chain}",
        "en": "The formula refers to itself: {chain}",
    },
    "formula_volatile_stored": {
        "zh-CN": "「{label}」的值在保存时计算并存储，不能使用 TODAY()、NOW() 这类随时间变化的函数（值会过期）；"
        "请在默认值、显示条件或校验规则中使用它们",
        "en": '"{label}" is computed when a record is saved and stored, so it cannot use '
        "TODAY(), NOW() or other functions that change with time (the value would go stale); "
        "use them in defaults, conditions or rules",
    },
    "formula_breaks_other_form": {
        "zh-CN": "表单「{form}」的公式（{setting}）引用了这里要修改或删除的内容",
        "en": 'A formula of the form "{form}" ({setting}) uses what this change removes',
    },
    "formula_row_kind": {
        "zh-CN": "子表单公式列「{label}」的结果是 {kind}：请把它的结果类型设为 {kind}",
        "en": 'The sub-form formula column "{label}" computes a {kind}: set its result type '
        "to {kind}",
    },
    "formula_value_invalid": {
        "zh-CN": "公式的结果（{value}）不能作为这个字段的值",
        "en": "The formula's result ({value}) is not a valid value here",
    },
    "lookup_relation_invalid": {
        "zh-CN": "「{key}」不是本表单的关联字段",
        "en": '"{key}" is not a relation field of this form',
    },
    "lookup_field_invalid": {
        "zh-CN": "关联表单中没有可引用的字段「{key}」",
        "en": 'The linked form has no field "{key}" that can be shown',
    },
    "rollup_relation_invalid": {
        "zh-CN": "「{key}」不是指向这里的关联：请选择本表单的关联字段，或其他表单中关联到本表单的字段",
        "en": '"{key}" is no link: pick a relation field of this form, or a field of another '
        "form linking here",
    },
    "rollup_field_invalid": {
        "zh-CN": "不能汇总字段「{key}」：求和与平均只适用于数字字段，最大/最小值适用于数字、日期和文本",
        "en": 'Cannot aggregate "{key}": sum and average need a number field, min and max a '
        "number, date or text field",
    },
    "field_rule_failed": {
        "zh-CN": "{message}",
        "en": "Invalid value: {message}",
    },
    "rule_regex_mismatch": {
        "zh-CN": "「{label}」的格式不正确",
        "en": '"{label}" is not in the expected format',
    },
    "rule_length": {
        "zh-CN": "「{label}」的长度应在 {min} 到 {max} 个字符之间",
        "en": '"{label}" must have {min} to {max} characters',
    },
    "rule_range": {
        "zh-CN": "「{label}」应在 {min} 到 {max} 之间",
        "en": '"{label}" must be between {min} and {max}',
    },
    "rule_pattern_invalid": {
        "zh-CN": "正则表达式无效：{reason}",
        "en": "The regular expression is invalid: {reason}",
    },
    "form_rule_failed": {
        "zh-CN": "{message}",
        "en": "Rule not met: {message}",
    },
    "choice_not_under_parent": {
        "zh-CN": "「{label}」的选项「{value}」不属于所选的「{parent}」",
        "en": 'The option "{value}" of "{label}" does not belong to the chosen "{parent}"',
    },
    "rule_kind_unsupported": {
        "zh-CN": "{type} 类型的字段不支持「{kind}」校验规则",
        "en": 'A {type} field does not support "{kind}" rules',
    },
    "relation_option_filtered": {
        "zh-CN": "「{label}」所选的记录不在可选范围内",
        "en": 'The record chosen for "{label}" is not among the allowed options',
    },
    "job_not_found": {
        "zh-CN": "任务不存在",
        "en": "No such job",
    },
}
