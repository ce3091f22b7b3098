"""GET /api/v1/health/: 200 with the database up, 503 without it."""

from http import HTTPStatus

import pytest

from common.tests.new_process import run_snippet

# Django's test client inside a fresh interpreter whose database is a closed port.
HEALTH_WITH_DEAD_DATABASE = """
import django, json
django.setup()
from django.test import Client
response = Client(HTTP_HOST="localhost").get("/api/v1/health/")
print(json.dumps({"status": response.status_code, "body": response.json(), "type": response["Content-Type"]}))
"""


@pytest.mark.django_db
def test_health_is_ok_without_authentication(api_client):
    response = api_client.get("/api/v1/health/")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_health_ignores_a_bad_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api_client.get("/api/v1/health/").status_code == HTTPStatus.OK


def test_health_is_503_when_the_database_is_unreachable():
    outcome, stderr = run_snippet(
        HEALTH_WITH_DEAD_DATABASE,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/unreachable",
        DB_CONNECT_TIMEOUT="2",
        DJANGO_DEBUG="False",
    )
    assert outcome["status"] == HTTPStatus.SERVICE_UNAVAILABLE
    assert outcome["body"] == {"status": "error", "database": "error"}
    assert outcome["type"].startswith("application/json")
    assert "Traceback" not in stderr
