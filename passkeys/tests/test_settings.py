"""WEBAUTHN_* settings: defaults from FRONTEND_URL, and a relying party no browser could use refuses to start."""

import pytest

from common.tests.new_process import run_python, run_snippet

SNIPPET = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps([settings.WEBAUTHN_RP_ID, settings.WEBAUTHN_RP_NAME, settings.WEBAUTHN_ORIGINS]))"
)
TEST_SETTINGS = {"DJANGO_SETTINGS_MODULE": "config.settings.test"}


def test_the_relying_party_follows_frontend_url_by_default():
    outcome, _ = run_snippet(
        SNIPPET,
        **TEST_SETTINGS,
        FRONTEND_URL="https://app.example.com:8443/",
        WEBAUTHN_RP_ID=None,
        WEBAUTHN_ORIGINS=None,
        WEBAUTHN_RP_NAME=None,
        MFA_ISSUER="Example",
    )
    assert outcome == ["app.example.com", "Example", ["https://app.example.com:8443"]]


def test_an_rp_id_above_the_origins_and_several_origins_are_accepted():
    outcome, _ = run_snippet(
        SNIPPET,
        **TEST_SETTINGS,
        WEBAUTHN_RP_ID="example.com",
        WEBAUTHN_RP_NAME="Ex",
        WEBAUTHN_ORIGINS="https://app.example.com,https://example.com/",
    )
    assert outcome == ["example.com", "Ex", ["https://app.example.com", "https://example.com"]]


@pytest.mark.parametrize(
    ("rp_id", "origins"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000"),  # browsers refuse an IP address as RP ID
        ("example.com", "http://example.com"),  # WebAuthn needs https (but on localhost)
        ("example.com", "https://example.org"),  # not that domain
        ("app.example.com", "https://example.com"),  # the RP ID must be the origin's domain or above it
    ],
)
def test_a_relying_party_no_browser_could_use_refuses_to_start(rp_id, origins):
    result = run_python("manage.py", "check", **TEST_SETTINGS, WEBAUTHN_RP_ID=rp_id, WEBAUTHN_ORIGINS=origins)
    assert result.returncode != 0
    assert "WEBAUTHN_ORIGINS" in result.stderr
    assert "cannot use the RP ID" in result.stderr


def test_an_http_frontend_elsewhere_starts_with_passkeys_unusable_rather_than_refusing():
    outcome, _ = run_snippet(
        SNIPPET,
        **TEST_SETTINGS,
        FRONTEND_URL="http://app.example.com",
        WEBAUTHN_RP_ID=None,
        WEBAUTHN_ORIGINS=None,
        WEBAUTHN_RP_NAME="Ex",
    )
    assert outcome == ["app.example.com", "Ex", ["http://app.example.com"]]
