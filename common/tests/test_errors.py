"""Every error under /api/ has the standard shape, whatever raised it."""

import json
from http import HTTPStatus

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("common.tests.urls")]


def assert_error_shape(response, status: HTTPStatus, error_type: str, code: str | None = None) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"type", "errors"}
    assert body["type"] == error_type
    assert body["errors"], "at least one error entry"
    for error in body["errors"]:
        assert set(error) == {"code", "detail", "attr"}
    if code is not None:
        assert body["errors"][0]["code"] == code
    return body


def test_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert_error_shape(response, HTTPStatus.NOT_FOUND, "client_error", "not_found")


def test_unknown_url_outside_api_keeps_djangos_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not response["Content-Type"].startswith("application/json")


def test_wrong_method_is_a_json_405(api_client):
    response = api_client.delete("/api/v1/health/")
    assert_error_shape(response, HTTPStatus.METHOD_NOT_ALLOWED, "client_error", "method_not_allowed")


def test_unsupported_media_type_is_a_json_415(api_client):
    response = api_client.post("/api/test/echo/", data="a=1", content_type="text/plain")
    assert_error_shape(response, HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "client_error", "unsupported_media_type")


@pytest.mark.parametrize("payload", ['{"a": ', "{'a': 1}", "[1, 2", "\x00"])
def test_malformed_json_is_a_json_400(api_client, payload):
    response = api_client.post("/api/test/echo/", data=payload, content_type="application/json")
    assert_error_shape(response, HTTPStatus.BAD_REQUEST, "client_error", "parse_error")


def test_valid_json_passes_through(api_client):
    response = api_client.post("/api/test/echo/", data={"a": [1, "ü"]}, format="json")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"a": [1, "ü"]}


def test_crash_in_a_view_is_a_json_500_without_details(client):
    client.raise_request_exception = False
    response = client.get("/api/test/crash/")
    body = assert_error_shape(response, HTTPStatus.INTERNAL_SERVER_ERROR, "server_error", "error")
    assert "secret internal detail" not in response.content.decode()
    assert body["errors"][0]["detail"] == "Server Error (500)"


def test_django_level_500_under_api_is_json(rf):
    from common.errors import server_error

    response = server_error(rf.get("/api/v1/anything/"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert json.loads(response.content)["type"] == "server_error"


def test_protected_endpoint_without_token_is_401_with_bearer_challenge(api_client, settings):
    # Any authenticated list will do; the test users list has AllowAny, so use the schema of a
    # default view: the default permission is IsAuthenticated.
    from rest_framework.test import APIRequestFactory
    from rest_framework.views import APIView

    class Protected(APIView):
        def get(self, request):
            raise AssertionError("never reached")

    response = Protected.as_view()(APIRequestFactory().get("/api/v1/protected/"))
    response.render()
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.data["type"] == "client_error"


def test_a_django_validation_error_from_a_service_is_a_400_keeping_field_and_code():
    from django.core.exceptions import ValidationError as DjangoValidationError

    from common.exceptions import APIExceptionHandler

    error = DjangoValidationError({"sku": DjangoValidationError("Taken.", code="unique")})
    response = APIExceptionHandler(error, {"view": None, "request": None}).run()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.data == {
        "type": "validation_error",
        "errors": [{"code": "unique", "detail": "Taken.", "attr": "sku"}],
    }
