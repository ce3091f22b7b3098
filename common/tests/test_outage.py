"""
While the database is unreachable: 503 in the standard shape with Retry-After, one log line per
request and no traceback, in DRF views and outside them (admin, session middleware).
"""

import json
from http import HTTPStatus

import pytest

from common.outage import RETRY_AFTER_SECONDS, SERVICE_UNAVAILABLE
from common.tests.new_process import run_snippet

API_503 = {
    "type": "server_error",
    "errors": [{"code": "service_unavailable", "detail": SERVICE_UNAVAILABLE, "attr": None}],
}


def assert_api_503(response) -> None:
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json() == API_503


def logged(caplog, logger: str) -> list:
    return [record for record in caplog.records if record.name == logger]


@pytest.mark.urls("common.tests.urls")
@pytest.mark.parametrize("path", ["/api/test/database-gone/", "/api/test/database-gone-outside-drf/"])
def test_a_lost_database_connection_under_the_api_is_a_503_logged_once_without_traceback(client, caplog, path):
    client.raise_request_exception = False
    assert_api_503(client.get(path))
    records = [record for record in caplog.records if record.levelname in ("WARNING", "ERROR", "CRITICAL")]
    assert [record.name for record in records] == ["config.request"]
    assert records[0].exc_info is None
    assert records[0].error.startswith("database unavailable: ")
    assert "\n" not in records[0].getMessage()


@pytest.mark.urls("common.tests.urls")
def test_a_lost_database_connection_outside_the_api_is_a_503_page(client, caplog):
    client.raise_request_exception = False
    response = client.get("/test/database-gone/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert b"Service Unavailable" in response.content
    assert [record.name for record in caplog.records if record.levelname == "ERROR"] == ["config.request"]


@pytest.mark.urls("common.tests.urls")
def test_a_bug_outside_drf_still_logs_its_traceback(client, caplog):
    client.raise_request_exception = False
    assert client.get("/test/crash/").status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    (django_record,) = logged(caplog, "django.request")
    assert django_record.exc_info[0] is RuntimeError


# Requests against a database on a closed port, in a fresh interpreter with production settings.
REQUESTS_WITH_DEAD_DATABASE = """
import django, json, uuid
django.setup()
from django.test import Client
from accounts.models import User
from accounts.tokens import token_pair_build

token = token_pair_build(user=User(pk=1, role="user", token_version=0), sid=uuid.uuid4()).access
bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
client = Client(HTTP_HOST="localhost", raise_request_exception=False)
session = Client(HTTP_HOST="localhost", raise_request_exception=False)
session.cookies["sessionid"] = "x" * 32
calls = [
    ("get /api/v1/posts/ with a good token", lambda: client.get("/api/v1/posts/", **bearer)),
    ("get /api/v1/auth/me/ with a good token", lambda: client.get("/api/v1/auth/me/", **bearer)),
    ("post /api/v1/posts/ with a good token", lambda: client.post(
        "/api/v1/posts/", {"title": "t", "body": "b"}, content_type="application/json", **bearer)),
    ("post /api/v1/auth/login/", lambda: client.post(
        "/api/v1/auth/login/", {"username": "u", "password": "p"}, content_type="application/json")),
    ("get /api/v1/health/", lambda: client.get("/api/v1/health/")),
    ("get /api/v1/", lambda: client.get("/api/v1/")),
    ("get /admin/ with a session", lambda: session.get("/admin/")),
    ("post /admin/login/", lambda: client.post("/admin/login/", {"username": "u", "password": "p"})),
]
results = {}
for name, call in calls:
    response = call()
    body = response.json() if response["Content-Type"].startswith("application/json") else None
    results[name] = {"status": response.status_code, "retry_after": response.get("Retry-After"), "body": body}
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def dead_database_run():
    return run_snippet(
        REQUESTS_WITH_DEAD_DATABASE,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECURE_SSL_REDIRECT="False",
        DJANGO_LOG_LEVEL="INFO",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/unreachable",
        DB_CONNECT_TIMEOUT="2",
        # One process, no mail sent, no link made: production's local-only switches, allowed by name.
        DJANGO_ALLOW_LOCAL_CACHE="true",
        DJANGO_ALLOW_LOCAL_MAIL="true",
        DJANGO_ALLOW_HTTP_FRONTEND="true",
        # A fresh clone has no collected static files yet; whitenoise's warning about that (a line
        # of plain text on stderr, as pytest.ini also ignores it) is not a request's log line.
        PYTHONWARNINGS="ignore:No directory at:UserWarning",
    )


@pytest.mark.parametrize(
    "name",
    [
        "get /api/v1/posts/ with a good token",
        "get /api/v1/auth/me/ with a good token",
        "post /api/v1/posts/ with a good token",
        "post /api/v1/auth/login/",
    ],
)
def test_with_the_database_down_api_calls_are_503_never_401_or_500(dead_database_run, name):
    outcome = dead_database_run[0][name]
    assert (outcome["status"], outcome["retry_after"]) == (HTTPStatus.SERVICE_UNAVAILABLE, str(RETRY_AFTER_SECONDS))
    assert outcome["body"] == API_503


def test_with_the_database_down_health_is_503_and_the_index_still_answers(dead_database_run):
    results = dead_database_run[0]
    assert results["get /api/v1/health/"]["status"] == HTTPStatus.SERVICE_UNAVAILABLE
    assert results["get /api/v1/health/"]["body"] == {"status": "error", "database": "error"}
    assert results["get /api/v1/"]["status"] == HTTPStatus.OK


@pytest.mark.parametrize("name", ["get /admin/ with a session", "post /admin/login/"])
def test_with_the_database_down_the_admin_is_503_not_500(dead_database_run, name):
    outcome = dead_database_run[0][name]
    assert (outcome["status"], outcome["retry_after"]) == (HTTPStatus.SERVICE_UNAVAILABLE, str(RETRY_AFTER_SECONDS))


def test_with_the_database_down_each_request_logs_one_json_line_without_traceback(dead_database_run):
    results, stderr = dead_database_run
    lines = [json.loads(line) for line in stderr.splitlines()]  # a traceback line would not parse
    assert [line["logger"] for line in lines] == ["config.request"] * len(results)
    failed = [line for line in lines if line["status"] == HTTPStatus.SERVICE_UNAVAILABLE]
    assert len(failed) == len(results) - 1  # all but the index
    assert all(line["error"].startswith("database unavailable: ") for line in failed)


@pytest.mark.django_db
def test_the_schema_documents_the_503_of_endpoints_that_need_the_database(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    response = schema["paths"]["/api/v1/posts/"]["get"]["responses"]["503"]
    assert response["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse503")
    health = schema["paths"]["/api/v1/health/"]["get"]["responses"]["503"]
    assert health["content"]["application/json"]["schema"]["$ref"].endswith("/Health")
