"""Messages of the formula language: design-time problems (with the character
position they apply to) and the error that carries them."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "formula_invalid": {
        "zh-CN": "公式有误，请按提示修改",
        "en": "The formula has problems; see the details",
    },
    "formula_empty": {"zh-CN": "公式不能为空", "en": "The formula is empty"},
    "formula_too_long": {
        "zh-CN": "公式太长：最多 {max} 个字符",
        "en": "The formula is too long: at most {max} characters",
    },
    "formula_too_deep": {
        "zh-CN": "公式嵌套太深：最多 {max} 层",
        "en": "The formula is nested too deeply: at most {max} levels",
    },
    "formula_bad_char": {
        "zh-CN": "第 {pos} 个字符“{char}”不能出现在公式中",
        "en": 'The character "{char}" at position {pos} cannot appear in a formula',
    },
    "formula_unclosed_text": {
        "zh-CN": "第 {pos} 个字符开始的文本缺少结尾的双引号",
        "en": "The text starting at character {pos} lacks its closing double quote",
    },
    "formula_unclosed_label": {
        "zh-CN": "第 {pos} 个字符开始的字段名缺少结尾的 }}",
        "en": "The field name starting at character {pos} lacks its closing }}",
    },
    "formula_expected_value": {
        "zh-CN": "第 {pos} 个字符处应是一个值（数字、文本、字段或函数），而不是“{found}”",
        "en": "A value (number, text, field or function) is expected at character {pos}, "
        'not "{found}"',
    },
    "formula_missing_operator": {
        "zh-CN": "第 {pos} 个字符处的“{found}”放错了位置：前面是不是少了运算符或逗号？",
        "en": 'Unexpected "{found}" at character {pos}: is an operator or a comma missing '
        "before it?",
    },
    "formula_unexpected": {
        "zh-CN": "第 {pos} 个字符处的“{found}”是多余的",
        "en": 'Unexpected "{found}" at character {pos}',
    },
    "formula_syntax": {
        "zh-CN": "第 {pos} 个字符处的“{found}”不对，这里应是：{expected}",
        "en": 'Unexpected "{found}" at character {pos}; expected: {expected}',
    },
    "formula_incomplete_value": {
        "zh-CN": "公式不完整：末尾还缺一个值",
        "en": "The formula is incomplete: a value is missing at the end",
    },
    "formula_unclosed_paren": {
        "zh-CN": "公式不完整：缺少右括号 )",
        "en": "The formula is incomplete: a closing parenthesis ) is missing",
    },
    "formula_incomplete": {
        "zh-CN": "公式不完整：末尾缺少 {expected}",
        "en": "The formula is incomplete: {expected} is missing at the end",
    },
    "formula_bad_function_name": {
        "zh-CN": "花括号里是字段名，不能作为函数调用",
        "en": "A name in braces is a field, not a function that can be called",
    },
    "formula_unknown_field": {
        "zh-CN": "未知字段：{name}",
        "en": "Unknown field: {name}",
    },
    "formula_unknown_function": {
        "zh-CN": "未知函数：{name}",
        "en": "Unknown function: {name}",
    },
    "formula_arg_count": {
        "zh-CN": "参数个数错误：{function} 需要 {expected} 个参数，实际给了 {given} 个",
        "en": "Wrong number of arguments: {function} takes {expected}, {given} given",
    },
    "formula_range_not_allowed": {
        "zh-CN": "“{text}”是一组值（子表单列或多条关联记录），这里只能用单个值；"
        "请用 SUM、COUNT 等汇总函数",
        "en": '"{text}" is several values (a sub-form column or many related records) '
        "where one value is expected; aggregate it with SUM, COUNT or the like",
    },
}
