"""Bodies that cannot be parsed are 4xx in the standard shape, never a 500."""

from http import HTTPStatus

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("common.tests.urls")]


def post_raw(client, body: bytes | str, content_type: str = "application/json"):
    return client.post("/api/test/echo/", data=body, content_type=content_type)


def test_json_nested_deeper_than_the_parser_can_go_is_400(api_client):
    response = post_raw(api_client, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_json_body_over_the_upload_limit_is_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_raw(api_client, '{"a": "' + "x" * 2000 + '"}')
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"][0]["code"] == "request_too_large"


def test_json_body_at_the_upload_limit_is_parsed(api_client, settings):
    payload = '{"a": "' + "x" * 100 + '"}'
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(payload)
    assert post_raw(api_client, payload).status_code == HTTPStatus.OK


@pytest.mark.parametrize("payload", [b'{"a": "\xff\xfe"}', b"\xc3\x28"])
def test_invalid_utf8_is_400(api_client, payload):
    assert post_raw(api_client, payload).status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize("payload", ['{"a": NaN}', '{"a": Infinity}'])
def test_non_standard_json_constants_are_400(api_client, payload):
    assert post_raw(api_client, payload).status_code == HTTPStatus.BAD_REQUEST


def test_form_body_over_the_upload_limit_is_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = post_raw(api_client, "a=" + "x" * 500, "application/x-www-form-urlencoded")
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json()["errors"][0]["code"] == "request_too_large"


def test_form_with_too_many_fields_is_400(api_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = post_raw(api_client, "&".join(f"f{i}=1" for i in range(20)), "application/x-www-form-urlencoded")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["type"] == "validation_error"


def test_search_with_a_nul_character_is_400(api_client, make_user):
    make_user(username="alice")
    response = api_client.get("/api/test/users/", {"search": "ali\x00ce"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "search"


def test_search_still_filters(api_client, make_user):
    make_user(username="alice")
    make_user(username="bob")
    body = api_client.get("/api/test/users/", {"search": "ALI"}).json()
    assert [row["username"] for row in body["results"]] == ["alice"]
