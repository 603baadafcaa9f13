"""Messages of spreadsheet import cleansing (qiao.io.cleanse): each names the rule the
cell broke, with the cell's text as ``{value}``."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "phone_invalid": {
        "zh-CN": "「{value}」不是有效的手机号或固话",
        "en": '"{value}" is not a valid phone number',
    },
    "email_invalid": {
        "zh-CN": "「{value}」不是有效的邮箱地址",
        "en": '"{value}" is not a valid e-mail address',
    },
    "url_invalid": {
        "zh-CN": "「{value}」不是有效的网址（需以 http:// 或 https:// 开头，或为域名）",
        "en": '"{value}" is not a valid web address (http://, https:// or a domain name)',
    },
    "idcard_invalid": {
        "zh-CN": "「{value}」不是有效的身份证号（18 位，末位校验码须正确）",
        "en": '"{value}" is not a valid ID card number (18 characters with a correct check digit)',
    },
    "date_unparsed": {
        "zh-CN": "无法识别日期「{value}」（可用 2024-03-05、2024/3/5、2024年3月5日 等格式）",
        "en": 'Cannot read the date "{value}" (use e.g. 2024-03-05, 2024/3/5 or 2024年3月5日)',
    },
    "number_unparsed": {
        "zh-CN": "「{value}」不是数字",
        "en": '"{value}" is not a number',
    },
    "boolean_unparsed": {
        "zh-CN": "无法识别「{value}」，请填写 是/否",
        "en": 'Cannot read "{value}" as yes or no',
    },
    "option_unknown": {
        "zh-CN": "「{value}」不是该字段的选项",
        "en": '"{value}" is not one of the field\'s options',
    },
    "region_unknown": {
        "zh-CN": "无法从「{value}」中识别省、市或区县",
        "en": 'No province, city or district found in "{value}"',
    },
    "relation_not_found": {
        "zh-CN": "找不到标题为「{value}」的关联记录",
        "en": 'No related record is titled "{value}"',
    },
    "relation_ambiguous": {
        "zh-CN": "标题为「{value}」的关联记录有 {count} 条，无法确定是哪一条",
        "en": '{count} related records are titled "{value}"; cannot tell which one is meant',
    },
    "member_unknown": {
        "zh-CN": "找不到姓名或用户名为「{value}」的成员",
        "en": 'No member is named "{value}"',
    },
    "member_ambiguous": {
        "zh-CN": "姓名为「{value}」的成员有 {count} 位，请改填用户名",
        "en": '{count} members are named "{value}"; use the username instead',
    },
    "department_unknown": {
        "zh-CN": "找不到部门「{value}」",
        "en": 'No department is named "{value}"',
    },
    "department_ambiguous": {
        "zh-CN": "名为「{value}」的部门有 {count} 个，请填写完整路径，如 总部/销售部",
        "en": '{count} departments are named "{value}"; give the full path, e.g. HQ/Sales',
    },
}
