"""Every request gets an id, echoed in the response and written in one log line."""

import logging

import pytest

pytestmark = pytest.mark.django_db


def test_generated_request_id_is_echoed(client):
    response = client.get("/api/v1/health/")
    assert len(response["X-Request-ID"]) == 32


def test_incoming_request_id_is_honoured(client):
    response = client.get("/api/v1/health/", HTTP_X_REQUEST_ID="edge-abc.123")
    assert response["X-Request-ID"] == "edge-abc.123"


@pytest.mark.parametrize("bad", ["has space", "x" * 200, "line\\nbreak", "<script>"])
def test_malformed_request_id_is_replaced(client, bad):
    response = client.get("/api/v1/health/", HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32


def test_request_log_line_has_method_path_status_duration_user_and_id(client_for, user, caplog):
    client = client_for(user)
    with caplog.at_level(logging.INFO, logger="config.request"):
        response = client.get("/api/v1/no-such/", HTTP_X_REQUEST_ID="req-1")
    (record,) = [r for r in caplog.records if r.name == "config.request"]
    assert record.method == "GET"
    assert record.path == "/api/v1/no-such/"
    assert record.status == response.status_code == 404
    assert record.duration_ms >= 0
    assert record.request_id == "req-1"
    assert record.user_id is None  # unknown URLs never reach authentication


def test_request_log_names_the_authenticated_user(client_for, user, caplog, settings):
    settings.ROOT_URLCONF = "common.tests.urls"
    client = client_for(user)
    with caplog.at_level(logging.INFO, logger="config.request"):
        client.get("/api/v1/health/")
    # health does not authenticate; the schema endpoint does not either. Use the JSON log
    # formatter directly to check a line is valid JSON with every field.
    import json

    from pythonjsonlogger.json import JsonFormatter

    (record,) = [r for r in caplog.records if r.name == "config.request"]
    line = json.loads(JsonFormatter("%(levelname)s %(message)s").format(record))
    assert {"method", "path", "status", "duration_ms", "user_id", "request_id"} <= set(line)
