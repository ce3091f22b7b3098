"""The sessions page: a login session per login, listed with where it was last used, and ended on request."""

import uuid
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import LoginSession
from accounts.sessions import session_start, user_sessions_end
from accounts.tests.conftest import LOGIN, LOGOUT, LOGOUT_ALL, PASSWORD_CHANGE, REFRESH, assert_unauthorized, bearer
from accounts.tests.factories import PASSWORD
from apikeys.services import api_key_create
from audit.models import Event, SecurityEvent

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/auth/sessions/"
PHONE, LAPTOP = "Phone/1.0 (test)", "Laptop/2.0 (test)"


def _login(user, *, user_agent: str = LAPTOP, ip: str = "127.0.0.1", **extra) -> dict:
    response = APIClient().post(
        LOGIN,
        {"username": user.username, "password": PASSWORD},
        HTTP_USER_AGENT=user_agent,
        REMOTE_ADDR=ip,
        **extra,
    )
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()


def _sid(tokens: dict) -> str:
    """The session id of a login's tokens, as the API shows it."""
    return str(uuid.UUID(hex=AccessToken(tokens["access"])["sid"]))


def _listed(tokens: dict, **params) -> dict:
    response = bearer(tokens["access"]).get(SESSIONS, params)
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()


def _revoke(tokens: dict, session_id: str):
    return bearer(tokens["access"]).delete(f"{SESSIONS}{session_id}/")


# --- what a session records -------------------------------------------------------------------


def test_login_records_the_client_address_and_user_agent(user):
    tokens = _login(user, user_agent=LAPTOP, ip="203.0.113.7")
    (session,) = _listed(tokens)["results"]
    assert session == {
        "id": _sid(tokens),
        "created_at": session["created_at"],
        "last_used_at": session["created_at"],
        "ip": "203.0.113.7",
        "user_agent": LAPTOP,
        "current": True,
    }


def test_refresh_keeps_the_session_and_records_its_last_use(user):
    tokens = _login(user, user_agent=LAPTOP, ip="203.0.113.7")
    before = LoginSession.objects.get()
    response = APIClient().post(
        REFRESH, {"refresh": tokens["refresh"]}, HTTP_USER_AGENT=PHONE, REMOTE_ADDR="198.51.100.9"
    )
    assert response.status_code == HTTPStatus.OK
    after = LoginSession.objects.get()
    assert (after.sid, after.created_at) == (before.sid, before.created_at)
    assert (after.ip, after.user_agent) == ("198.51.100.9", PHONE)
    assert after.last_used_at > before.last_used_at
    assert after.expires_at >= before.expires_at
    (listed,) = _listed(response.json())["results"]
    assert listed["id"] == str(before.sid)
    assert listed["current"] is True


@pytest.mark.parametrize(
    ("num_proxies", "expected"),
    [(None, "127.0.0.1"), (1, "198.51.100.20"), (2, "203.0.113.5")],
)
def test_the_recorded_address_honours_the_number_of_proxies(user, settings, num_proxies, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    tokens = _login(user, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5, 198.51.100.20")
    assert LoginSession.objects.get(sid=_sid(tokens)).ip == expected


def test_a_long_or_control_character_user_agent_is_cleaned_and_cut(user):
    tokens = _login(user, user_agent="Evil\x00Agent\n" + "x" * 2000)
    (session,) = _listed(tokens)["results"]
    assert session["user_agent"].startswith("EvilAgent")
    assert len(session["user_agent"]) == LoginSession._meta.get_field("user_agent").max_length


# --- the list ----------------------------------------------------------------------------------


def test_the_list_shows_the_callers_active_sessions_newest_first(user, make_user):
    first = _login(user, user_agent=PHONE)
    second = _login(user, user_agent=LAPTOP)
    _login(make_user())  # someone else's session is never listed
    results = _listed(first)["results"]
    assert [(s["id"], s["user_agent"], s["current"]) for s in results] == [
        (_sid(second), LAPTOP, False),
        (_sid(first), PHONE, True),
    ]


@pytest.mark.parametrize(
    "end",
    [
        pytest.param(
            lambda c, o: bearer(o["access"]).post(LOGOUT, {"refresh": o["refresh"]}),
            id="logout",
        ),
        pytest.param(lambda c, o: c.delete(f"{SESSIONS}{_sid(o)}/"), id="revoked"),
        pytest.param(
            lambda c, o: LoginSession.objects.filter(sid=_sid(o)).update(expires_at=timezone.now()), id="expired"
        ),
    ],
)
def test_ended_sessions_are_not_listed(user, end):
    caller, other = _login(user), _login(user)
    client = bearer(caller["access"])
    end(client, other)
    assert [s["id"] for s in _listed(caller)["results"]] == [_sid(caller)]


@pytest.mark.parametrize(
    ("path", "body"),
    [(LOGOUT_ALL, {}), (PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": "another-long-passphrase-77"})],
)
def test_after_logout_all_or_a_password_change_no_earlier_session_is_listed(user, path, body):
    old, caller = _login(user), _login(user)
    assert bearer(caller["access"]).post(path, body).status_code == HTTPStatus.NO_CONTENT
    fresh = APIClient().post(LOGIN, {"username": user.username, "password": body.get("new_password", PASSWORD)})
    assert [s["id"] for s in _listed(fresh.json())["results"]] == [_sid(fresh.json())]
    assert LoginSession.objects.get(sid=_sid(old)).ended_at is not None


def test_the_list_is_paginated(user):
    for _ in range(3):
        session_start(user=user)
    caller = _login(user)
    body = _listed(caller, page_size=2)
    assert (body["count"], len(body["results"])) == (4, 2)
    assert body["next"].endswith("page=2&page_size=2")


@pytest.mark.parametrize("page_size", [2, 20])
def test_the_list_costs_the_same_queries_however_many_sessions(user, page_size, django_assert_num_queries):
    for _ in range(25):
        session_start(user=user)
    client = bearer(str(session_start(user=user).access))
    # The authenticating user lookup, the count and the page.
    with django_assert_num_queries(3):
        response = client.get(SESSIONS, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"page_size": "-1"}, {"page": "99"}])
def test_a_bad_page_is_a_4xx(user, params):
    response = bearer(str(session_start(user=user).access)).get(SESSIONS, params)
    assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND)
    assert response.json()["type"] in ("client_error", "validation_error")


# --- ending one ----------------------------------------------------------------------------------


def test_revoking_a_session_rejects_its_access_and_refresh_and_keeps_the_others(user):
    caller, other = _login(user), _login(user)
    response = _revoke(caller, _sid(other))
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert_unauthorized(bearer(other["access"]).get(SESSIONS))
    assert_unauthorized(APIClient().post(REFRESH, {"refresh": other["refresh"]}))
    # The revoked device refreshing is not refresh-token reuse: the caller's session lives on.
    assert bearer(caller["access"]).get(SESSIONS).status_code == HTTPStatus.OK
    assert APIClient().post(REFRESH, {"refresh": caller["refresh"]}).status_code == HTTPStatus.OK
    assert not SecurityEvent.objects.filter(event=Event.REFRESH_REUSE_DETECTED).exists()


def test_revoking_the_current_session_signs_the_caller_out(user):
    caller = _login(user)
    assert _revoke(caller, _sid(caller)).status_code == HTTPStatus.NO_CONTENT
    assert_unauthorized(bearer(caller["access"]).get(SESSIONS))


def test_revoking_records_a_session_revoked_event(user):
    caller, other = _login(user), _login(user)
    _revoke(caller, _sid(other))
    event = SecurityEvent.objects.get(event=Event.SESSION_REVOKED)
    assert (event.user, event.actor, event.detail) == (user, user, {"session": uuid.UUID(_sid(other)).hex})


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("someone else's", id="other user"),
        pytest.param("ended", id="ended"),
        pytest.param(str(uuid.uuid4()), id="unknown"),
        pytest.param("not-a-uuid", id="malformed"),
        pytest.param("-" * 36, id="dashes only"),
    ],
)
def test_revoking_a_session_that_is_not_the_callers_active_one_is_404(user, make_user, target):
    caller = _login(user)
    theirs = _login(make_user())
    if target == "someone else's":
        target = _sid(theirs)
    elif target == "ended":
        ended = _login(user)
        target = _sid(ended)
        assert _revoke(caller, target).status_code == HTTPStatus.NO_CONTENT
    response = _revoke(caller, target)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["type"] == "client_error"
    assert bearer(theirs["access"]).get(SESSIONS).status_code == HTTPStatus.OK


def test_the_sessions_page_needs_a_login(user):
    assert_unauthorized(APIClient().get(SESSIONS))
    assert_unauthorized(APIClient().delete(f"{SESSIONS}{uuid.uuid4()}/"))


def test_an_api_key_cannot_see_or_end_sessions(user):
    _, key = api_key_create(owner=user, name="ci", scopes=["read", "write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get(SESSIONS).status_code == HTTPStatus.FORBIDDEN
    assert client.delete(f"{SESSIONS}{_sid(_login(user))}/").status_code == HTTPStatus.FORBIDDEN
    assert LoginSession.objects.filter(ended_at__isnull=True).count() == 1


def test_user_sessions_end_keeps_only_the_named_session(user):
    kept, ended = session_start(user=user), session_start(user=user)
    assert user_sessions_end(user=user, keep_sid=uuid.UUID(hex=kept.access["sid"])) == 1
    assert bearer(str(kept.access)).get(SESSIONS).status_code == HTTPStatus.OK
    assert_unauthorized(bearer(str(ended.access)).get(SESSIONS))


def test_revoking_an_expired_session_is_404(user):
    # Its row stays until the purge, but the session is over: nothing to end.
    caller, old = _login(user), _login(user)
    LoginSession.objects.filter(sid=_sid(old)).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _revoke(caller, _sid(old)).status_code == HTTPStatus.NOT_FOUND
