"""Messages of the audit area (merged into qiao.i18n.catalog.MESSAGES).

Besides error codes this holds the audit actions' labels (``audit.action.*``), their
categories (``audit.category.*``), failed-login reasons (``audit.reason.*``) and the
one-line summaries of entries (``audit.summary.*``), all read by ``qiao.audit``.
"""

from __future__ import annotations

_ERRORS: dict[str, dict[str, str]] = {
    "audit_head_missing": {
        "zh-CN": "操作日志的链头记录缺失，日志可能被篡改，请运行 qiao audit verify",
        "en": "The audit log's head row is missing; the log may have been tampered with, "
        "run qiao audit verify",
    },
    "audit_action_unknown": {
        "zh-CN": "未知的操作类型：{action}",
        "en": "Unknown action: {action}",
    },
    "audit_time_invalid": {
        "zh-CN": "时间格式不正确，请使用 2025-01-31 或 2025-01-31T08:00:00",
        "en": "Invalid time: use 2025-01-31 or 2025-01-31T08:00:00",
    },
    "audit_range_invalid": {
        "zh-CN": "开始时间不能晚于结束时间",
        "en": "The start time must not be after the end time",
    },
    "audit_cursor_invalid": {
        "zh-CN": "分页游标无效，请从第一页重新查询",
        "en": "Invalid page cursor: start again from the first page",
    },
    "audit_query_too_long": {
        "zh-CN": "搜索内容最多 {max} 个字符",
        "en": "The search text allows at most {max} characters",
    },
}

_ACTION_LABELS: dict[str, tuple[str, str]] = {
    "login": ("登录", "Log in"),
    "login_failed": ("登录失败", "Failed login"),
    "logout": ("退出登录", "Log out"),
    "token_created": ("创建 API 令牌", "Create API token"),
    "token_revoked": ("撤销 API 令牌", "Revoke API token"),
    "record_create": ("新建记录", "Create record"),
    "record_update": ("修改记录", "Update record"),
    "record_delete": ("删除记录", "Delete record"),
    "record_restore": ("恢复记录", "Restore record"),
    "record_transfer": ("转移负责人", "Transfer owner"),
    "record_unmask": ("查看明文", "View unmasked"),
    "app_create": ("新建应用", "Create app"),
    "app_update": ("修改应用", "Update app"),
    "app_delete": ("删除应用", "Delete app"),
    "app_restore": ("恢复应用", "Restore app"),
    "form_create": ("新建表单", "Create form"),
    "form_update": ("修改表单", "Update form"),
    "form_delete": ("删除表单", "Delete form"),
    "form_restore": ("恢复表单", "Restore form"),
    "form_publish": ("发布表单", "Publish form"),
    "field_create": ("新增字段", "Add field"),
    "field_update": ("修改字段", "Change field"),
    "field_delete": ("删除字段", "Delete field"),
    "field_restore": ("恢复字段", "Restore field"),
    "password_changed": ("修改密码", "Change password"),
    "password_policy_changed": ("修改密码策略", "Change password policy"),
    "session_revoked": ("结束会话", "End session"),
    "sessions_revoked": ("结束全部会话", "End all sessions"),
    "totp_enabled": ("开启两步验证", "Turn on two-factor login"),
    "totp_disabled": ("关闭两步验证", "Turn off two-factor login"),
    "totp_reset": ("重置两步验证", "Reset two-factor login"),
    "org_change": ("组织架构变更", "Organization change"),
    "permission_change": ("权限变更", "Permission change"),
    "export": ("导出数据", "Export data"),
    "import": ("导入数据", "Import data"),
    "import_undo": ("撤销导入", "Undo import"),
    "import_delete": ("删除导入草稿", "Delete draft import"),
    "audit_export": ("导出操作日志", "Export audit log"),
}

_CATEGORIES: dict[str, tuple[str, str]] = {
    "auth": ("登录与令牌", "Sign-in and tokens"),
    "record": ("数据记录", "Records"),
    "schema": ("应用与表单结构", "Apps and form design"),
    "account": ("账号安全", "Account security"),
    "org": ("组织架构", "Organization"),
    "permission": ("权限", "Permissions"),
    "data": ("导入导出", "Import and export"),
    "audit": ("操作日志", "Audit log"),
}

_REASONS: dict[str, tuple[str, str]] = {
    "wrong_password": ("密码错误", "wrong password"),
    "unknown_user": ("用户不存在", "unknown user"),
    "locked": ("账号已锁定", "account locked"),
    "disabled": ("账号已停用", "account disabled"),
    "totp": ("两步验证码错误", "wrong two-factor code"),
}

_SUMMARIES: dict[str, tuple[str, str]] = {
    "login": ("登录成功", "Logged in"),
    "login_failed": ("登录失败：{reason}", "Login failed: {reason}"),
    "logout": ("退出登录", "Logged out"),
    "token_created": ("创建 API 令牌「{name}」", 'Created API token "{name}"'),
    "token_revoked": ("撤销 API 令牌「{name}」", 'Revoked API token "{name}"'),
    "record_create": ("新建记录 #{record}", "Created record #{record}"),
    "record_update": ("修改记录 #{record}：{fields}", "Changed record #{record}: {fields}"),
    "record_delete": ("删除记录 #{record}", "Deleted record #{record}"),
    "record_restore": ("恢复记录 #{record}", "Restored record #{record}"),
    "record_transfer": (
        "记录 #{record} 负责人：{before} → {after}",
        "Record #{record} owner: {before} → {after}",
    ),
    "record_unmask": (
        "查看记录 #{record} 的「{field}」明文",
        'Viewed "{field}" of record #{record} unmasked',
    ),
    "sessions_revoked": ("结束了 {count} 个会话", "Ended {count} sessions"),
    "app_create": ("新建应用「{name}」", 'Created app "{name}"'),
    "app_update": ("修改应用「{name}」", 'Changed app "{name}"'),
    "app_delete": ("删除应用「{name}」", 'Deleted app "{name}"'),
    "app_restore": ("恢复应用「{name}」", 'Restored app "{name}"'),
    "form_create": ("新建表单「{name}」", 'Created form "{name}"'),
    "form_update": ("修改表单「{name}」", 'Changed form "{name}"'),
    "form_delete": ("删除表单「{name}」", 'Deleted form "{name}"'),
    "form_restore": ("恢复表单「{name}」", 'Restored form "{name}"'),
    "form_publish": (
        "发布表单「{name}」：新增 {added} 个、修改 {changed} 个、删除 {removed} 个字段",
        'Published form "{name}": {added} fields added, {changed} changed, {removed} removed',
    ),
    "field_create": ("新增字段「{label}」", 'Added field "{label}"'),
    "field_update": ("修改字段「{label}」", 'Changed field "{label}"'),
    "field_delete": ("删除字段「{label}」", 'Deleted field "{label}"'),
    "field_restore": ("恢复字段「{label}」", 'Restored field "{label}"'),
    "export": ("导出 {count} 条记录", "Exported {count} records"),
    "import": ("导入 {count} 条记录", "Imported {count} records"),
    "import_undo": ("撤销导入的 {count} 条记录", "Undid {count} imported records"),
    "audit_export": ("导出操作日志", "Exported the audit log"),
    "named": ("{action}「{name}」", '{action} "{name}"'),
    "object_change": ("{action}：{object}「{name}」{op}", '{action}: {object} "{name}" {op}'),
}

_OBJECTS: dict[str, tuple[str, str]] = {
    "user": ("用户", "user"),
    "department": ("部门", "department"),
    "role": ("角色", "role"),
    "permission_group": ("权限组", "permission group"),
    "app": ("应用", "app"),
    "form": ("表单", "form"),
    "field": ("字段", "field"),
    "api_token": ("API 令牌", "API token"),
    "record": ("记录", "record"),
    "audit_log": ("操作日志", "audit log"),
}

_COLUMNS: dict[str, tuple[str, str]] = {
    "seq": ("序号", "Seq"),
    "at": ("时间", "Time"),
    "username": ("用户名", "Username"),
    "user_display_name": ("姓名", "Name"),
    "ip": ("IP 地址", "IP address"),
    "user_agent": ("客户端", "Client"),
    "action": ("操作", "Action"),
    "app": ("应用", "App"),
    "form": ("表单", "Form"),
    "record_id": ("记录编号", "Record"),
    "object": ("对象", "Object"),
    "summary": ("摘要", "Summary"),
    "details": ("详情", "Details"),
    "hash": ("哈希", "Hash"),
}

_OPS: dict[str, tuple[str, str]] = {
    "create": ("新建", "created"),
    "update": ("修改", "changed"),
    "delete": ("删除", "deleted"),
    "move": ("移动", "moved"),
    "disable": ("停用", "disabled"),
    "enable": ("启用", "enabled"),
    "invite": ("邀请", "invited"),
    "accept_invite": ("接受邀请", "accepted the invitation"),
    "reset_password": ("重置密码", "password reset"),
    "members": ("成员变更", "members changed"),
}


def _pairs(prefix: str, table: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {f"{prefix}{key}": {"zh-CN": zh, "en": en} for key, (zh, en) in table.items()}


MESSAGES: dict[str, dict[str, str]] = {
    **_ERRORS,
    **_pairs("audit.action.", _ACTION_LABELS),
    **_pairs("audit.category.", _CATEGORIES),
    **_pairs("audit.reason.", _REASONS),
    **_pairs("audit.summary.", _SUMMARIES),
    **_pairs("audit.object.", _OBJECTS),
    **_pairs("audit.op.", _OPS),
    **_pairs("audit.column.", _COLUMNS),
}
