"""The fast paths of phone and e-mail normalisation give exactly the answers of the full
validators (libphonenumber, email-validator) — checked on many generated inputs."""

from __future__ import annotations

import random

import pytest

from qiao.errors import FieldValueError
from qiao.forms.fields.email import _validated, normalize_email
from qiao.forms.fields.phone import _normalize_parsed, normalize_cn_phone


def _outcome(fn: object, text: str) -> str:
    try:
        return str(fn(text))  # type: ignore[operator]
    except FieldValueError as exc:
        return f"error:{exc.code}"


def _phones(rng: random.Random) -> list[str]:
    result = []
    for _ in range(6000):
        digits = "1" + "".join(rng.choice("0123456789") for _ in range(10))
        prefix = rng.choice(["", "", "+86", "+86 ", "0086", "86", "0086-"])
        if rng.random() < 0.3:
            digits = f"{digits[:3]} {digits[3:7]} {digits[7:]}"
        elif rng.random() < 0.2:
            digits = f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
        result.append(prefix + digits)
    return result


def test_phone_fast_path_matches_libphonenumber() -> None:
    rng = random.Random(20261123)
    cases = _phones(rng)
    fast_hits = 0
    for text in cases:
        expected = _outcome(_normalize_parsed, text)
        assert _outcome(normalize_cn_phone, text) == expected, text
        fast_hits += not expected.startswith("error")
    assert fast_hits > 1000  # the sample exercises the fast path, not only refusals


def _emails(rng: random.Random) -> list[str]:
    local_chars = "abcxyzABC0189._%+-!#&'"
    domain_chars = "abcxyzABC0189-"
    result = []
    for _ in range(4000):
        local = "".join(rng.choice(local_chars) for _ in range(rng.randint(1, 12)))
        labels = [
            "".join(rng.choice(domain_chars) for _ in range(rng.randint(1, 10)))
            for _ in range(rng.randint(1, 3))
        ]
        tld = rng.choice(["com", "cn", "COM", "io", "test", "local", "x", "c0m", "中国"])
        result.append(f"{local}@{'.'.join(labels)}.{tld}")
    return result


def test_email_fast_path_matches_email_validator() -> None:
    rng = random.Random(7)
    accepted = 0
    for text in _emails(rng):
        expected = _outcome(_validated, text)
        assert _outcome(normalize_email, text) == expected, text
        accepted += not expected.startswith("error")
    assert accepted > 500


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+86 138 1234 5678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("010-12345678", "010-12345678"),
        ("12345", "error:invalid_phone"),
    ],
)
def test_phone_examples(text: str, expected: str) -> None:
    assert _outcome(normalize_cn_phone, text) == expected
