"""TOTP per RFC 6238, the QR code and the otpauth URL."""

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from mfa import totp
from mfa.views import _qr_svg

RFC_KEY = base64.b32encode(b"12345678901234567890").decode()

# RFC 6238, Appendix B: SHA-1, 8 digits, T0 = 0, X = 30.
RFC_6238_SHA1_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("unix_time", "expected"), RFC_6238_SHA1_VECTORS)
def test_codes_match_the_rfc_6238_sha1_test_vectors(unix_time, expected):
    assert totp.code_at_step(RFC_KEY, totp.step_at(unix_time), digits=8) == expected


def test_the_api_codes_are_the_last_six_digits_of_the_same_computation():
    # RFC 4226's truncation: a 6-digit code is the 8-digit one modulo 10^6.
    for unix_time, expected in RFC_6238_SHA1_VECTORS:
        assert totp.code_at_step(RFC_KEY, totp.step_at(unix_time)) == expected[-6:]


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_one_step_of_drift_either_way_is_accepted(offset):
    now = 1_700_000_000
    code = totp.code_at_step(RFC_KEY, totp.step_at(now) + offset)
    assert totp.matching_step(RFC_KEY, code, unix_time=now) == totp.step_at(now) + offset


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_codes_two_or_more_steps_away_are_refused(offset):
    now = 1_700_000_000
    code = totp.code_at_step(RFC_KEY, totp.step_at(now) + offset)
    assert totp.matching_step(RFC_KEY, code, unix_time=now) is None


def test_a_new_secret_is_160_bits_of_base32():
    secret = totp.secret_generate()
    assert len(base64.b32decode(secret)) == 20
    assert secret != totp.secret_generate()


def test_the_otpauth_url_names_the_issuer_the_user_and_the_parameters():
    url = totp.provisioning_url(RFC_KEY, account_name="alice", issuer="Django API")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/Django%20API:alice"
    query = parse_qs(parts.query)
    assert query["secret"] == [RFC_KEY]
    assert query["issuer"] == ["Django API"]


def test_the_qr_code_is_inline_svg_without_an_xml_declaration():
    svg = _qr_svg(totp.provisioning_url(RFC_KEY, account_name="alice", issuer="Django API"))
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg
