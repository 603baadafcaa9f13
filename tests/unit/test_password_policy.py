"""The password policy's rules, their messages, and the password age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qiao.errors import ValidationFailed
from qiao.i18n import translate
from qiao.org import password_policy
from qiao.org.password_policy import PasswordPolicy, check_with, problems


def codes(policy: PasswordPolicy, password: str, username: str | None = "li.lei") -> list[str]:
    return [d.code for d in problems(policy, password, username=username)]


def test_default_policy_accepts_the_passwords_people_already_use() -> None:
    for password in ("user-pass-1", "admin-pass-1", "secret-pass-9", "abcdefg1"):
        assert codes(PasswordPolicy(), password) == []


def test_each_broken_rule_is_reported_on_the_field() -> None:
    strict = PasswordPolicy(min_length=12, require_symbol=True)
    with pytest.raises(ValidationFailed) as caught:
        check_with(strict, "abc", username="x", field="new_password")
    details = caught.value.details
    assert {d.field for d in details} == {"new_password"}
    assert [d.code for d in details] == [
        "password_too_short",
        "password_needs_letters_and_digits",
        "password_needs_symbol",
    ]
    assert details[0].params == {"min": 12}
    assert translate("password_too_short", "en", {"min": 12}) == (
        "The password needs at least 12 characters"
    )
    assert "符号" in translate("password_needs_symbol", "zh-CN")


def test_letters_and_digits() -> None:
    policy = PasswordPolicy()
    assert codes(policy, "12345678") == ["password_needs_letters_and_digits"]
    assert codes(policy, "abcdefgh") == ["password_needs_letters_and_digits"]
    assert codes(policy, "密码很安全123") == []  # Chinese characters are letters
    assert codes(PasswordPolicy(require_letters_and_digits=False), "abcdefgh") == []


def test_symbol() -> None:
    policy = PasswordPolicy(require_symbol=True)
    assert codes(policy, "abcdefg1") == ["password_needs_symbol"]
    assert codes(policy, "abcdef-1") == []
    assert codes(policy, "abc def 1") == []  # a space counts as a symbol


def test_not_the_username_whatever_the_case() -> None:
    policy = PasswordPolicy()
    assert codes(policy, "Wang.Wu2024", "wang.wu2024") == ["password_equals_username"]
    assert codes(PasswordPolicy(forbid_username=False), "Wang.Wu2024", "wang.wu2024") == []


def test_stored_policy_loads_leniently() -> None:
    assert password_policy.from_dict(None) == PasswordPolicy()
    assert password_policy.from_dict({"min_length": 10, "unknown": 1}).min_length == 10
    # a wrongly typed value falls back to the default instead of breaking every login
    assert password_policy.from_dict({"min_length": "10", "require_symbol": 1}) == (
        PasswordPolicy()
    )


def test_password_age() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    policy = PasswordPolicy(max_age_days=90)
    changed = now - timedelta(days=90)
    assert password_policy.is_expired(policy, changed, now)
    assert not password_policy.is_expired(policy, changed + timedelta(seconds=1), now)
    assert not password_policy.is_expired(PasswordPolicy(), changed - timedelta(days=999), now)
    assert password_policy.expires_at(policy, changed) == now
    assert password_policy.expires_at(PasswordPolicy(), changed) is None


def test_generated_passwords_meet_the_strictest_policy() -> None:
    strictest = PasswordPolicy(min_length=16, require_symbol=True)
    for _ in range(200):
        password = password_policy.generate()
        assert codes(strictest, password, "admin") == []
        assert " " not in password
