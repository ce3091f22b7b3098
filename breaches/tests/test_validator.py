"""BreachedPasswordValidator on register, password change and reset, against a range API on loopback."""

import hashlib
import logging
from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

from accounts.mail_tokens import password_reset_token
from accounts.models import User
from accounts.tests.conftest import LOGIN, PASSWORD_CHANGE, PASSWORD_RESET_CONFIRM, REGISTER, bearer
from accounts.tests.factories import PASSWORD
from breaches.validators import BREACHED, CHECK_UNAVAILABLE

pytestmark = pytest.mark.django_db

LEAKED = "summer-breeze-4821"
FRESH = "quiet-lantern-7395"


def register(password: str):
    return APIClient().post(REGISTER, {"username": "newcomer", "email": "newcomer@example.com", "password": password})


def password_errors(response) -> list[tuple[str, str]]:
    return [(e["code"], e["detail"]) for e in response.json()["errors"] if e["attr"] == "password"]


def sha1(password: str) -> str:
    return hashlib.sha1(password.encode()).hexdigest().upper()


def test_a_breached_password_is_refused_at_registration(range_api):
    range_api.add(LEAKED, 42)
    response = register(LEAKED)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert password_errors(response) == [("password_breached", BREACHED)]
    assert not User.objects.filter(username="newcomer").exists()


def test_only_a_five_character_prefix_leaves_the_server_with_the_padding_header(range_api):
    range_api.add(LEAKED, 42)
    assert register(FRESH).status_code == HTTPStatus.CREATED
    [request] = range_api.requests
    digest = sha1(FRESH)
    assert request["path"] == f"/range/{digest[:5]}"
    assert request["headers"]["Add-Padding"] == "true"
    assert all(digest[5:] not in value and digest[5:].lower() not in value for value in request["headers"].values())


def test_padding_lines_never_count_as_a_breach(range_api):
    # The padded answer holds made-up suffixes seen 0 times; a password whose suffix is one of them passes.
    assert register(FRESH).status_code == HTTPStatus.CREATED


@pytest.mark.parametrize(("seen", "min_count", "refused"), [(3, 5, False), (5, 5, True), (1, 1, True)])
def test_min_count_sets_how_often_a_password_must_have_been_seen(range_api, settings, seen, min_count, refused):
    settings.PWNED_PASSWORDS_MIN_COUNT = min_count
    range_api.add(LEAKED, seen)
    assert register(LEAKED).status_code == (HTTPStatus.BAD_REQUEST if refused else HTTPStatus.CREATED)


def test_a_password_change_to_a_breached_password_is_refused(range_api, user):
    range_api.add(LEAKED, 7)
    access = APIClient().post(LOGIN, {"username": user.username, "password": PASSWORD}).json()["access"]
    response = bearer(access).post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": LEAKED})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("new_password", "password_breached")]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_reset_to_a_breached_password_is_refused_and_the_token_still_works(range_api, user):
    range_api.add(LEAKED, 7)
    token = password_reset_token.make(user)
    response = APIClient().post(PASSWORD_RESET_CONFIRM, {"token": token, "new_password": LEAKED})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("new_password", "password_breached")]
    assert APIClient().post(PASSWORD_RESET_CONFIRM, {"token": token, "new_password": FRESH}).status_code == 204


def test_the_common_password_list_stays_the_floor_without_any_request(range_api):
    response = register("password123")
    assert "password_too_common" in {code for code, _ in password_errors(response)}


def test_a_slow_api_never_blocks_a_signup_by_default_and_is_logged(range_api, caplog):
    range_api.delay = 2  # the check gives up after PWNED_PASSWORDS_TIMEOUT (0.5 s here)
    range_api.add(LEAKED, 42)
    with caplog.at_level(logging.WARNING, logger="breaches.validators"):
        response = register(LEAKED)
    assert response.status_code == HTTPStatus.CREATED
    assert "breached-password check unavailable, password accepted" in caplog.text


def test_fail_closed_refuses_with_its_own_code_when_the_api_is_slow(range_api, settings):
    settings.PWNED_PASSWORDS_FAIL_CLOSED = True
    range_api.delay = 2
    response = register(FRESH)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert password_errors(response) == [("password_check_unavailable", CHECK_UNAVAILABLE)]


@pytest.mark.parametrize("fail_closed", [False, True])
def test_an_api_that_is_down_passes_or_refuses_as_configured(settings, closed_port_url, fail_closed):
    settings.PWNED_PASSWORDS_URL = closed_port_url
    settings.PWNED_PASSWORDS_FAIL_CLOSED = fail_closed
    response = register(FRESH)
    assert response.status_code == (HTTPStatus.BAD_REQUEST if fail_closed else HTTPStatus.CREATED)


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, "oops"), (200, "<html>maintenance</html>"), (200, "ABCDEF:12\r\n"), (429, ""), (200, "\xff\xfe")],
)
def test_an_api_that_answers_garbage_counts_as_unavailable(range_api, settings, status, body):
    settings.PWNED_PASSWORDS_FAIL_CLOSED = True
    range_api.status, range_api.body = status, body
    response = register(FRESH)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert password_errors(response) == [("password_check_unavailable", CHECK_UNAVAILABLE)]


def test_an_answer_is_cached_so_a_second_check_sends_no_request(range_api):
    range_api.add(LEAKED, 42)
    assert register(LEAKED).status_code == HTTPStatus.BAD_REQUEST
    assert register(LEAKED).status_code == HTTPStatus.BAD_REQUEST
    assert len(range_api.requests) == 1


def test_a_failed_lookup_is_not_cached(range_api, settings):
    settings.PWNED_PASSWORDS_FAIL_CLOSED = True
    range_api.status = 503
    assert register(FRESH).status_code == HTTPStatus.BAD_REQUEST
    range_api.status = 200
    assert register(FRESH).status_code == HTTPStatus.CREATED
    assert len(range_api.requests) == 2


def test_an_empty_url_turns_the_check_off(range_api, settings):
    settings.PWNED_PASSWORDS_URL = ""
    range_api.add(LEAKED, 42)
    assert register(LEAKED).status_code == HTTPStatus.CREATED
    assert range_api.requests == []
