"""Message catalogue: error code -> message per locale.

Placeholders are filled from the error's params; ``{label}`` is always the field's label
so that a message names the field the user knows. A test checks that every code raised
in the code base has both a zh-CN and an en message.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- generic ---
    "bad_request": {"zh-CN": "请求无效", "en": "Bad request"},
    "not_found": {"zh-CN": "资源不存在", "en": "Not found"},
    "route_not_found": {"zh-CN": "接口不存在", "en": "No such endpoint"},
    "method_not_allowed": {"zh-CN": "不支持该请求方法", "en": "Method not allowed"},
    "conflict": {"zh-CN": "操作冲突", "en": "Conflict"},
    "forbidden": {"zh-CN": "没有权限执行此操作", "en": "You are not allowed to do this"},
    "internal_error": {"zh-CN": "服务器内部错误", "en": "Internal server error"},
    "invalid_json": {"zh-CN": "请求体不是有效的 JSON", "en": "The request body is not valid JSON"},
    "body_too_large": {
        "zh-CN": "请求体过大（上限 {limit} 字节）",
        "en": "The request body is too large (limit {limit} bytes)",
    },
    "validation_failed": {"zh-CN": "提交的数据有误", "en": "The submitted data is invalid"},
    "request_invalid": {"zh-CN": "请求参数有误", "en": "The request parameters are invalid"},
    "too_many_requests": {"zh-CN": "请求过于频繁", "en": "Too many requests"},
    "database_busy": {
        "zh-CN": "数据库繁忙，请稍后重试",
        "en": "The database is busy, please retry",
    },
    # --- request-level detail codes (pydantic) ---
    "missing": {"zh-CN": "缺少必填参数", "en": "This parameter is required"},
    "wrong_type": {"zh-CN": "参数类型不正确：{msg}", "en": "Wrong parameter type: {msg}"},
    "extra_forbidden": {"zh-CN": "不支持的参数", "en": "Unknown parameter"},
    # --- auth ---
    "not_authenticated": {"zh-CN": "请先登录", "en": "Please log in"},
    "login_failed": {"zh-CN": "用户名或密码错误", "en": "Wrong username or password"},
    "account_locked": {
        "zh-CN": "登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试",
        "en": "Too many failed logins: the account is locked, try again in {minutes} minutes",
    },
    "account_disabled": {"zh-CN": "账号已停用", "en": "This account is disabled"},
    "csrf_failed": {
        "zh-CN": "缺少或错误的 CSRF 令牌（X-CSRF-Token）",
        "en": "Missing or wrong CSRF token (X-CSRF-Token)",
    },
    "admin_required": {
        "zh-CN": "只有管理员可以执行此操作",
        "en": "Only administrators can do this",
    },
    "username_taken": {"zh-CN": "用户名已存在", "en": "This username is taken"},
    "password_too_short": {
        "zh-CN": "密码至少需要 {min} 个字符",
        "en": "The password needs at least {min} characters",
    },
    "invalid_username": {
        "zh-CN": "用户名只能包含字母、数字、点、横线和下划线（2–64 个字符）",
        "en": "Usernames use letters, digits, '.', '-' and '_' (2–64 characters)",
    },
    # --- apps / forms / fields ---
    "app_not_found": {"zh-CN": "应用不存在", "en": "App not found"},
    "form_not_found": {"zh-CN": "表单不存在", "en": "Form not found"},
    "field_not_found": {"zh-CN": "字段不存在", "en": "Field not found"},
    "record_not_found": {"zh-CN": "记录不存在", "en": "Record not found"},
    "name_required": {"zh-CN": "名称不能为空", "en": "A name is required"},
    "field_key_invalid": {
        "zh-CN": "字段标识只能以字母开头，包含字母、数字和下划线（最多 63 个字符）",
        "en": "A field key starts with a letter and uses letters, digits and '_' (max 63)",
    },
    "field_key_reserved": {
        "zh-CN": "字段标识「{key}」是系统保留字",
        "en": "The field key '{key}' is reserved",
    },
    "field_key_taken": {
        "zh-CN": "字段标识「{key}」在此表单中已存在",
        "en": "The field key '{key}' already exists in this form",
    },
    "field_type_unknown": {
        "zh-CN": "未知的字段类型「{type}」",
        "en": "Unknown field type '{type}'",
    },
    "field_default_invalid": {
        "zh-CN": "默认值不符合该字段的类型或设置",
        "en": "The default value does not fit the field's type or settings",
    },
    "field_setting_invalid": {
        "zh-CN": "字段设置「{setting}」无效：{reason}",
        "en": "Field setting '{setting}' is invalid: {reason}",
    },
    "field_unique_unsupported": {
        "zh-CN": "「{type}」类型的字段不支持唯一约束",
        "en": "Fields of type '{type}' cannot be unique",
    },
    "field_unique_has_duplicates": {
        "zh-CN": "字段「{label}」已有重复值，无法设为唯一",
        "en": 'Field "{label}" already holds duplicate values, so it cannot be unique',
    },
    "field_order_mismatch": {
        "zh-CN": "排序必须包含此表单的全部字段且不能重复",
        "en": "The order must list every field of the form exactly once",
    },
    "type_change_same": {
        "zh-CN": "新类型和设置与当前相同",
        "en": "The new type and settings are the same as now",
    },
    "type_change_loses_data": {
        "zh-CN": "有 {failed} 条记录的值无法转换；确认后请带上 accept_loss=true（原值会保留在已删除字段中 30 天）",
        "en": "{failed} values cannot be converted; confirm with accept_loss=true (the old"
        " values are kept in a deleted field for 30 days)",
    },
    "settings_need_conversion": {
        "zh-CN": "此设置会改变数据的存储方式，请通过「修改字段类型」来转换",
        "en": "This setting changes how values are stored; convert it with a type change",
    },
    "type_change_unsupported": {
        "zh-CN": "无法从「{from_type}」转换为「{to_type}」",
        "en": "Cannot convert from '{from_type}' to '{to_type}'",
    },
    "form_not_deleted": {"zh-CN": "表单未被删除", "en": "The form is not deleted"},
    "app_not_deleted": {"zh-CN": "应用未被删除", "en": "The app is not deleted"},
    "relation_target_invalid": {
        "zh-CN": "关联的目标表单不存在",
        "en": "The related form does not exist",
    },
    "form_referenced": {
        "zh-CN": "表单被「{form}」的字段「{field}」关联，不能删除",
        "en": 'The form is linked from field "{field}" of form "{form}" and cannot be deleted',
    },
    "record_referenced": {
        "zh-CN": "记录被「{form}」的字段「{field}」引用，不能删除",
        "en": 'The record is referenced by field "{field}" of form "{form}"',
    },
    "version_conflict": {
        "zh-CN": "记录已被他人修改（当前版本 {current}），请刷新后重试",
        "en": "The record was changed by someone else (now version {current}); reload and retry",
    },
    "version_required": {
        "zh-CN": "修改记录时必须提供 version",
        "en": "A version is required to update a record",
    },
    "record_not_deleted": {
        "zh-CN": "记录不在回收站中",
        "en": "The record is not in the recycle bin",
    },
    "bulk_empty": {"zh-CN": "没有要处理的记录", "en": "There are no records to process"},
    "bulk_too_many": {
        "zh-CN": "单次最多处理 {max} 条记录",
        "en": "At most {max} records can be processed at once",
    },
    "bulk_target_required": {
        "zh-CN": "请提供 ids 或 filter 其中之一",
        "en": "Provide either ids or filter",
    },
    "bulk_unique_field": {
        "zh-CN": "字段「{label}」要求唯一，不能批量设为同一个值",
        "en": 'Field "{label}" is unique and cannot be set to one value on many records',
    },
    # --- record values (detail codes) ---
    "unknown_field": {"zh-CN": "未知字段「{key}」", "en": "Unknown field '{key}'"},
    "read_only": {"zh-CN": "「{label}」是只读字段", "en": '"{label}" is read-only'},
    "required": {"zh-CN": "「{label}」为必填项", "en": '"{label}" is required'},
    "unique": {
        "zh-CN": "「{label}」的值「{value}」已存在",
        "en": "\"{label}\" must be unique; '{value}' already exists",
    },
    "not_text": {"zh-CN": "「{label}」必须是文本", "en": '"{label}" must be text'},
    "text_nul": {
        "zh-CN": "「{label}」不能包含空字符（NUL）",
        "en": '"{label}" must not contain the NUL character',
    },
    "too_long": {
        "zh-CN": "「{label}」最多 {max} 个字符",
        "en": '"{label}" allows at most {max} characters',
    },
    "not_number": {"zh-CN": "「{label}」必须是数字", "en": '"{label}" must be a number'},
    "number_too_small": {
        "zh-CN": "「{label}」不能小于 {min}",
        "en": '"{label}" must be at least {min}',
    },
    "number_too_large": {
        "zh-CN": "「{label}」不能大于 {max}",
        "en": '"{label}" must be at most {max}',
    },
    "number_out_of_range": {
        "zh-CN": "「{label}」超出可存储的范围",
        "en": '"{label}" is outside the storable range',
    },
    "not_boolean": {
        "zh-CN": "「{label}」必须是 true 或 false",
        "en": '"{label}" must be true or false',
    },
    "invalid_date": {
        "zh-CN": "「{label}」必须是日期（YYYY-MM-DD）",
        "en": '"{label}" must be a date (YYYY-MM-DD)',
    },
    "invalid_datetime": {
        "zh-CN": "「{label}」必须是带时区的日期时间（ISO 8601，如 2024-03-05T09:30:00+08:00）",
        "en": '"{label}" must be a date and time (ISO 8601, e.g. 2024-03-05T09:30:00+08:00)',
    },
    "invalid_choice": {
        "zh-CN": "「{label}」没有选项「{value}」",
        "en": "\"{label}\" has no option '{value}'",
    },
    "not_list": {"zh-CN": "「{label}」必须是列表", "en": '"{label}" must be a list'},
    "duplicate_values": {
        "zh-CN": "「{label}」包含重复的值",
        "en": '"{label}" contains the same value twice',
    },
    "invalid_phone": {
        "zh-CN": "「{label}」不是有效的中国大陆手机号或固话（如 13812345678、010-12345678）",
        "en": '"{label}" is not a valid mainland China mobile or landline number',
    },
    "invalid_email": {
        "zh-CN": "「{label}」不是有效的邮箱地址",
        "en": '"{label}" is not a valid e-mail address',
    },
    "invalid_url": {
        "zh-CN": "「{label}」不是有效的网址（http:// 或 https://）",
        "en": '"{label}" is not a valid http(s) URL',
    },
    "user_not_found": {
        "zh-CN": "「{label}」指定的成员不存在或已停用",
        "en": '"{label}": the member does not exist or is disabled',
    },
    "not_record_id": {
        "zh-CN": "「{label}」必须是记录 ID",
        "en": '"{label}" must be a record id',
    },
    "related_record_not_found": {
        "zh-CN": "「{label}」关联的记录 {value} 不存在",
        "en": '"{label}": the linked record {value} does not exist',
    },
    "relation_single_value": {
        "zh-CN": "「{label}」只能关联一条记录",
        "en": '"{label}" links to a single record',
    },
    # --- filters, sorting, paging ---
    "invalid_filter": {"zh-CN": "筛选条件无效", "en": "The filter is invalid"},
    "filter_not_json": {
        "zh-CN": "filter 参数不是有效的 JSON",
        "en": "The filter parameter is not valid JSON",
    },
    "filter_shape": {
        "zh-CN": "筛选节点必须是 and/or/not 或 {{field, op, value}}",
        "en": "A filter node must be and/or/not or {{field, op, value}}",
    },
    "filter_too_deep": {
        "zh-CN": "筛选条件嵌套过深（最多 {max} 层）",
        "en": "The filter is nested too deeply (max {max} levels)",
    },
    "filter_too_large": {
        "zh-CN": "筛选条件过多（最多 {max} 个）",
        "en": "The filter has too many conditions (max {max})",
    },
    "filter_unknown_field": {
        "zh-CN": "筛选中的字段「{key}」不存在",
        "en": "The filter names an unknown field '{key}'",
    },
    "filter_unsupported_op": {
        "zh-CN": "「{label}」不支持运算符「{op}」（可用：{ops}）",
        "en": "\"{label}\" does not support the operator '{op}' (supported: {ops})",
    },
    "filter_value_required": {
        "zh-CN": "运算符「{op}」需要一个值",
        "en": "The operator '{op}' needs a value",
    },
    "filter_value_forbidden": {
        "zh-CN": "运算符「{op}」不需要值",
        "en": "The operator '{op}' takes no value",
    },
    "filter_value_list": {
        "zh-CN": "运算符「{op}」需要一个非空列表（最多 {max} 项）",
        "en": "The operator '{op}' needs a non-empty list (at most {max} items)",
    },
    "filter_value_pair": {
        "zh-CN": "运算符 between 需要两个值 [最小, 最大]",
        "en": "The operator between needs two values [min, max]",
    },
    "filter_value_days": {
        "zh-CN": "运算符「{op}」需要 1 到 3650 之间的天数",
        "en": "The operator '{op}' needs a number of days between 1 and 3650",
    },
    "invalid_sort": {
        "zh-CN": "排序字段「{key}」不存在或不能排序",
        "en": "Cannot sort by '{key}': unknown or unsortable field",
    },
    "invalid_cursor": {
        "zh-CN": "分页游标无效或已过期，请从第一页重新开始",
        "en": "The page cursor is invalid or stale; start again from the first page",
    },
    "invalid_fields_param": {
        "zh-CN": "fields 参数中的字段「{key}」不存在",
        "en": "The fields parameter names an unknown field '{key}'",
    },
    # --- form designer ---
    "draft_too_large": {
        "zh-CN": "草稿过大（上限 {max} 字节）",
        "en": "The draft is too large (limit {max} bytes)",
    },
    "publish_field_repeated": {
        "zh-CN": "同一个字段出现了多次",
        "en": "The same field is listed more than once",
    },
    "publish_ref_repeated": {
        "zh-CN": "字段引用 ref 重复",
        "en": "This ref is used by more than one field",
    },
    "layout_full_row": {
        "zh-CN": "分组标题、分割线和说明文字需要独占一行",
        "en": "Sections, dividers and texts take a whole row",
    },
    "layout_row_too_wide": {
        "zh-CN": "一行中字段的宽度之和不能超过 {max}",
        "en": "The spans of a row add up to more than {max}",
    },
    "layout_unknown_ref": {
        "zh-CN": "布局引用了不存在的字段「{ref}」",
        "en": "The layout names an unknown field '{ref}'",
    },
    "layout_field_repeated": {
        "zh-CN": "字段「{ref}」在布局中出现了多次",
        "en": "The field '{ref}' appears more than once in the layout",
    },
    "title_field_unknown": {
        "zh-CN": "标题字段「{key}」不存在",
        "en": "The title field '{key}' does not exist",
    },
    "form_setting_managed": {
        "zh-CN": "设置「{setting}」不能在这里修改（请使用表单设计器或应用的表单排序）",
        "en": "The setting '{setting}' cannot be changed here (use the form designer or "
        "the app's form order)",
    },
    "form_order_mismatch": {
        "zh-CN": "需要恰好列出该应用的所有表单",
        "en": "List exactly the forms of this app",
    },
    # --- views ---
    "view_default_name": {"zh-CN": "全部记录", "en": "All records"},
    "view_not_found": {"zh-CN": "视图不存在", "en": "View not found"},
    "view_kind_unknown": {
        "zh-CN": "未知的视图类型「{kind}」",
        "en": "Unknown view kind '{kind}'",
    },
    "view_config_invalid": {
        "zh-CN": "视图配置有误：{reason}",
        "en": "Invalid view configuration: {reason}",
    },
    "view_field_unknown": {
        "zh-CN": "字段「{key}」不存在",
        "en": "The field '{key}' does not exist",
    },
    "view_field_wrong_type": {
        "zh-CN": "字段「{key}」的类型不能用于此处（需要：{types}）",
        "en": "The field '{key}' cannot be used here (needs: {types})",
    },
    "view_order_mismatch": {
        "zh-CN": "需要恰好列出当前可见的所有视图",
        "en": "List exactly the views you can see",
    },
    # --- comments ---
    "comment_not_found": {"zh-CN": "评论不存在", "en": "Comment not found"},
    "comment_not_yours": {
        "zh-CN": "只能删除自己的评论",
        "en": "You can only delete your own comments",
    },
    "mention_unknown_user": {
        "zh-CN": "被提及的用户 {id} 不存在或已停用",
        "en": "The mentioned user {id} does not exist or is disabled",
    },
    # --- record titles ---
    "titles_ids_invalid": {
        "zh-CN": "ids 需要是逗号分隔的记录编号（最多 {max} 个）",
        "en": "ids takes comma-separated record ids (at most {max})",
    },
}


def _merge_areas() -> None:
    """Each area keeps its messages in its own ``catalog_<area>.py`` module (found by
    name, so a new area touches only its module); a code is defined only once."""
    import importlib
    import pkgutil

    import qiao.i18n as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith("catalog_"):
            continue
        part = importlib.import_module(f"qiao.i18n.{info.name}")
        for code, texts in part.MESSAGES.items():
            assert code not in MESSAGES, f"message {code} defined twice"
            MESSAGES[code] = texts


_merge_areas()
