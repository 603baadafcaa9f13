"""TOTP codes (RFC 6238): the reference vector, the drift window, one use per step."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pyotp

from qiao.org import totp

# RFC 6238 appendix B: the SHA-1 secret "12345678901234567890"
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


def test_rfc_6238_reference_vector() -> None:
    at = datetime.fromtimestamp(59, UTC)
    # the RFC lists 8 digits (94287082); authenticator apps show the last 6
    assert totp.code_at(RFC_SECRET, totp.step_of(at)) == "287082"
    at = datetime.fromtimestamp(1111111109, UTC)
    assert totp.code_at(RFC_SECRET, totp.step_of(at)) == "081804"


def test_codes_of_the_neighbouring_steps_are_accepted_once() -> None:
    secret = totp.new_secret()
    now = datetime(2026, 3, 1, 9, 0, 10, tzinfo=UTC)
    step = totp.step_of(now)
    for offset in (-1, 0, 1):
        code = totp.code_at(secret, step + offset)
        assert totp.matching_step(secret, code, now, None) == step + offset
        # once a step is used, it and older ones are refused
        assert totp.matching_step(secret, code, now, step + offset) is None
    too_old = totp.code_at(secret, step - 2)
    assert totp.matching_step(secret, too_old, now, None) is None


def test_codes_must_be_six_ascii_digits() -> None:
    secret = totp.new_secret()
    now = datetime(2026, 3, 1, tzinfo=UTC)
    code = totp.code_at(secret, totp.step_of(now))
    assert totp.matching_step(secret, f" {code[:3]} {code[3:]} ", now, None) is not None
    for bad in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert totp.matching_step(secret, bad, now, None) is None


def test_what_the_app_scans() -> None:
    secret = totp.new_secret()
    assert len(base64.b32decode(secret)) == 20  # 160 bits
    uri = totp.provisioning_uri(secret, "li.lei")
    assert uri.startswith("otpauth://totp/qiao:li.lei?") and f"secret={secret}" in uri
    parsed = pyotp.parse_uri(uri)
    assert isinstance(parsed, pyotp.TOTP) and parsed.secret == secret
    at = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    assert parsed.at(at) == totp.code_at(secret, totp.step_of(at))
    qr = totp.qr_data_uri(uri)
    assert qr.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(qr.split(",", 1)[1])
    assert svg.startswith(b"<svg") and b'xmlns="http://www.w3.org/2000/svg"' in svg
