"""Messages of the org area (merged into qiao.i18n.catalog.MESSAGES)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- departments ---
    "department_not_found": {"zh-CN": "部门不存在", "en": "The department does not exist"},
    "department_name_invalid": {
        "zh-CN": "部门名称不能为空、不能包含“/”，最多 128 个字符",
        "en": "A department name is required, has no '/' and at most 128 characters",
    },
    "department_name_taken": {
        "zh-CN": "同一上级部门下已有名为「{name}」的部门",
        "en": 'There already is a department "{name}" under the same parent',
    },
    "department_too_deep": {
        "zh-CN": "部门层级最多 {max} 级",
        "en": "Departments can be nested at most {max} levels deep",
    },
    "department_cycle": {
        "zh-CN": "不能把部门移动到它自己或它的下级部门之下",
        "en": "A department cannot be moved under itself or one of its sub-departments",
    },
    "department_has_children": {
        "zh-CN": "部门「{name}」下还有 {count} 个子部门，请先移走或删除子部门",
        "en": 'Department "{name}" still has {count} sub-departments: move or delete them first',
    },
    "department_has_members": {
        "zh-CN": "部门「{name}」还有 {count} 名成员，请先把成员调到其他部门",
        "en": 'Department "{name}" still has {count} members: move them to another department first',
    },
    # --- users ---
    "org_user_not_found": {"zh-CN": "用户不存在", "en": "The user does not exist"},
    "org_invalid_email": {
        "zh-CN": "邮箱地址格式不正确",
        "en": "This is not a valid e-mail address",
    },
    "org_invalid_phone": {
        "zh-CN": "手机号格式不正确（数字，可带 +、空格、横线）",
        "en": "This is not a valid phone number (digits, optionally +, spaces, dashes)",
    },
    "display_name_invalid": {
        "zh-CN": "姓名不能为空，最多 128 个字符",
        "en": "A name is required, at most 128 characters",
    },
    "main_department_not_member": {
        "zh-CN": "主部门必须是该用户所属的部门之一",
        "en": "The main department must be one of the user's departments",
    },
    "supervisor_cycle": {
        "zh-CN": "直属上级不能是本人，也不能形成循环汇报关系",
        "en": "A supervisor cannot be the user themself or make the reporting line a loop",
    },
    "cannot_demote_self": {
        "zh-CN": "不能取消自己的管理员身份",
        "en": "You cannot remove your own administrator rights",
    },
    "cannot_disable_self": {
        "zh-CN": "不能停用自己的账号",
        "en": "You cannot disable your own account",
    },
    "invite_days_invalid": {
        "zh-CN": "邀请链接有效期为 1–{max} 天",
        "en": "An invitation link is valid for 1–{max} days",
    },
    "user_has_password": {
        "zh-CN": "该用户已设置密码，无需邀请；如需更换请重置密码",
        "en": "This user already has a password; reset it instead of inviting",
    },
    "invite_invalid": {
        "zh-CN": "邀请链接无效或已过期，请联系管理员重新邀请",
        "en": "This invitation link is invalid or has expired; ask an administrator for a new one",
    },
    # --- roles ---
    "role_not_found": {"zh-CN": "角色不存在", "en": "The role does not exist"},
    "role_name_taken": {
        "zh-CN": "已有名为「{name}」的角色",
        "en": 'There already is a role named "{name}"',
    },
    # --- import ---
    "import_file_invalid": {
        "zh-CN": "无法读取文件，请上传 .xlsx 格式的 Excel 文件",
        "en": "The file cannot be read: upload an Excel .xlsx file",
    },
    "import_column_missing": {
        "zh-CN": "表格缺少「{column}」列（第一行须为列名）",
        "en": 'The sheet has no "{column}" column (the first row must hold the column names)',
    },
    "import_too_many_rows": {
        "zh-CN": "一次最多导入 {max} 行",
        "en": "At most {max} rows can be imported at once",
    },
    "import_has_errors": {
        "zh-CN": "表格中有 {count} 处错误，未导入任何数据",
        "en": "The sheet has {count} problems; nothing was imported",
    },
    "import_value_required": {"zh-CN": "「{label}」不能为空", "en": '"{label}" is required'},
    "import_department_invalid": {
        "zh-CN": "部门「{value}」无效：每一级名称不能为空，最多 128 个字符",
        "en": 'Department "{value}" is invalid: each level needs a name of at most 128 characters',
    },
    "import_main_not_listed": {
        "zh-CN": "主部门「{value}」不在该行的「部门」中",
        "en": 'The main department "{value}" is not one of the row\'s departments',
    },
    "import_role_invalid": {
        "zh-CN": "角色名称「{value}…」过长（最多 128 个字符）",
        "en": 'The role name "{value}…" is too long (at most 128 characters)',
    },
    "import_bool_invalid": {
        "zh-CN": "「{label}」应填“是”或“否”，而不是「{value}」",
        "en": '"{label}" takes yes or no, not "{value}"',
    },
    "import_duplicate_username": {
        "zh-CN": "用户名与第 {first} 行重复",
        "en": "The same username is already on row {first}",
    },
    "import_supervisor_unknown": {
        "zh-CN": "上级「{value}」既不是已有用户，也不在表格中",
        "en": 'Supervisor "{value}" is neither an existing user nor in the sheet',
    },
    # --- fields ---
    "department_value_invalid": {
        "zh-CN": "「{label}」指定的部门不存在",
        "en": '"{label}": the department does not exist',
    },
}
