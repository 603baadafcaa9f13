"""Messages of the account area (merged into qiao.i18n.catalog.MESSAGES)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # the password policy: each message states the rule
    "password_needs_letters_and_digits": {
        "zh-CN": "密码需同时包含字母和数字",
        "en": "The password needs both letters and digits",
    },
    "password_needs_symbol": {
        "zh-CN": "密码需包含至少一个符号（如 !@#-_）",
        "en": "The password needs at least one symbol (such as !@#-_)",
    },
    "password_equals_username": {
        "zh-CN": "密码不能与用户名相同",
        "en": "The password may not be the same as the username",
    },
    "password_unchanged": {
        "zh-CN": "新密码不能与当前密码相同",
        "en": "The new password must differ from the current one",
    },
    "current_password_wrong": {
        "zh-CN": "当前密码不正确",
        "en": "The current password is not correct",
    },
    "password_change_required": {
        "zh-CN": "请先修改密码再继续使用",
        "en": "Change your password before you go on",
    },
    # sessions and tokens
    "session_not_found": {"zh-CN": "会话不存在或已结束", "en": "No such session, or it has ended"},
    "token_read_only": {
        "zh-CN": "此 API 令牌为只读，不能修改数据",
        "en": "This API token is read-only: it cannot change anything",
    },
    "token_narrowed": {
        "zh-CN": "受限的 API 令牌不能管理账号安全和令牌",
        "en": "A narrowed API token cannot manage account security or tokens",
    },
    "token_apps_empty": {
        "zh-CN": "请至少选择一个应用，或不限应用",
        "en": "Choose at least one app, or leave the token unrestricted",
    },
    "token_app_unknown": {
        "zh-CN": "应用 {id} 不存在",
        "en": "App {id} does not exist",
    },
    # two-factor login
    "totp_code_invalid": {
        "zh-CN": "验证码不正确或已使用过",
        "en": "The code is wrong or has already been used",
    },
    "totp_challenge_invalid": {
        "zh-CN": "登录验证已过期，请重新输入密码",
        "en": "The login step has expired: enter your password again",
    },
    "totp_already_enabled": {
        "zh-CN": "两步验证已开启",
        "en": "Two-factor login is already on",
    },
    "totp_setup_not_started": {
        "zh-CN": "请先生成二维码再输入验证码",
        "en": "Generate the QR code first, then enter a code",
    },
    "totp_disable_needs_proof": {
        "zh-CN": "关闭两步验证需要输入验证码或当前密码",
        "en": "Turning two-factor login off needs a code or your password",
    },
}
