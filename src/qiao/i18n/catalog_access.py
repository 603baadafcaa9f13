"""Messages of the permission layer (merged into ``qiao.i18n.catalog.MESSAGES``)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "form_forbidden": {
        "zh-CN": "你没有访问表单「{form}」的权限，请联系管理员",
        "en": 'You have no access to the form "{form}"; ask an administrator',
    },
    "operation_forbidden": {
        "zh-CN": "你没有表单「{form}」的「{op_label}」权限",
        "en": 'You lack the "{op_label}" permission on the form "{form}"',
    },
    "record_forbidden": {
        "zh-CN": "你没有{op_label}这条数据的权限",
        "en": "You may not {op_label} this record",
    },
    # "token_read_only" lives with the account area (tokens are created there)
    "token_app_forbidden": {
        "zh-CN": "此 API 令牌不能访问这个应用",
        "en": "This API token may not access this app",
    },
    "field_read_only": {
        "zh-CN": "你没有修改「{label}」的权限",
        "en": 'You may not change "{label}"',
    },
    "filter_masked_field": {
        "zh-CN": "「{label}」已脱敏，只能按完整值（等于）或是否为空筛选",
        "en": '"{label}" is masked: filter it only by its whole value (equals) or emptiness',
    },
    "sort_masked_field": {
        "zh-CN": "「{label}」已脱敏，不能按它排序",
        "en": '"{label}" is masked and cannot be sorted on',
    },
    "unmask_forbidden": {
        "zh-CN": "你没有查看「{label}」完整内容的权限",
        "en": 'You may not see "{label}" unmasked',
    },
    "app_admin_required": {
        "zh-CN": "需要应用管理员权限",
        "en": "This needs the app's administrator",
    },
    "permission_group_not_found": {"zh-CN": "权限组不存在", "en": "No such permission group"},
    "permission_op_invalid": {
        "zh-CN": "未知的操作权限「{op}」，可选：{ops}",
        "en": "Unknown operation '{op}'; one of: {ops}",
    },
    "permission_scope_invalid": {
        "zh-CN": "未知的数据范围「{scope}」，可选：{scopes}",
        "en": "Unknown data scope '{scope}'; one of: {scopes}",
    },
    "permission_scope_filter_required": {
        "zh-CN": "自定义数据范围需要设置筛选条件",
        "en": "A custom data scope needs a filter",
    },
    "permission_field_invalid": {
        "zh-CN": "字段「{key}」不存在",
        "en": "There is no field '{key}'",
    },
    "permission_access_invalid": {
        "zh-CN": "字段「{label}」的权限只能是隐藏、只读或可编辑",
        "en": 'The access to "{label}" is one of hidden, read, edit',
    },
    "permission_member_invalid": {
        "zh-CN": "成员 {type}:{id} 不存在",
        "en": "The member {type}:{id} does not exist",
    },
    "permission_member_type_invalid": {
        "zh-CN": "成员类型只能是 user、department、role 或 all",
        "en": "A member type is one of user, department, role, all",
    },
}

#: names of operations inside sentences ({op_label}), filled in by the API error handler
OPERATION_LABELS: dict[str, dict[str, str]] = {
    "view": {"zh-CN": "查看", "en": "view"},
    "create": {"zh-CN": "新增", "en": "create"},
    "edit": {"zh-CN": "编辑", "en": "edit"},
    "delete": {"zh-CN": "删除", "en": "delete"},
    "import": {"zh-CN": "导入", "en": "import"},
    "export": {"zh-CN": "导出", "en": "export"},
    "manage": {"zh-CN": "管理", "en": "manage"},
}
