"""Browsers may call the API only from the origins in CORS_ALLOWED_ORIGINS."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def allowed_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    return "https://app.example.com"


def test_an_allowed_origin_gets_cors_headers_on_a_preflight(client, allowed_origin):
    response = client.options(
        "/api/v1/auth/login/",
        HTTP_ORIGIN=allowed_origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert response["Access-Control-Allow-Origin"] == allowed_origin
    assert "authorization" in response["Access-Control-Allow-Headers"]


def test_an_allowed_origin_can_read_the_request_id(client, allowed_origin):
    response = client.get("/api/v1/health/", HTTP_ORIGIN=allowed_origin)
    assert response["Access-Control-Allow-Origin"] == allowed_origin
    assert "X-Request-ID" in response["Access-Control-Expose-Headers"]


def test_another_origin_gets_no_cors_headers(client, allowed_origin):
    response = client.get("/api/v1/health/", HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in response
