"""Bearer authentication: every bad token is a 401; roles come from the database; one query."""

import base64
import hashlib
import hmac
import json
import uuid
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.utils import aware_utcnow

from accounts.models import LoginSession, Role
from accounts.sessions import session_start
from accounts.tests.conftest import ME, USERS, assert_unauthorized, bearer
from accounts.tokens import VERIFIED_TOKENS_KEPT, SessionAccessToken, _verified_payload, token_pair_build

pytestmark = pytest.mark.django_db


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["user_id"] = str(int(claims["user_id"]) + 1)
    return f"{header}.{_b64(claims)}.{signature}"


def _alg_none(token: str) -> str:
    _, payload, _ = token.split(".")
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."


def _expired(user) -> str:
    pair = token_pair_build(user=user, sid=uuid.uuid4())
    pair.access.set_exp(from_time=pair.access.current_time - timedelta(days=1))
    return str(pair.access)


BAD_TOKENS = {
    "malformed": lambda user: "not-a-jwt",
    "tampered": lambda user: _tampered(str(session_start(user=user).access)),
    "alg none": lambda user: _alg_none(str(session_start(user=user).access)),
    "expired": _expired,
    "refresh used as access": lambda user: str(session_start(user=user).refresh),
    "without session claims": lambda user: str(AccessToken.for_user(user)),
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_bad_token_is_401_with_bearer_challenge(user, kind):
    assert_unauthorized(bearer(BAD_TOKENS[kind](user)).get(ME))


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer "])
def test_malformed_authorization_header_is_401(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_unauthorized(client.get(ME))


def test_missing_token_is_401_with_bearer_challenge(api_client):
    response = api_client.get(ME)
    assert_unauthorized(response)
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def _session_row_deleted(user) -> str:
    access = session_start(user=user).access
    LoginSession.objects.filter(sid=access["sid"]).delete()
    return str(access)


def _session_expired(user) -> str:
    access = session_start(user=user).access
    LoginSession.objects.filter(sid=access["sid"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    return str(access)


TOKENS_WITHOUT_A_LIVE_SESSION = {
    "signed but never issued": lambda user: str(token_pair_build(user=user, sid=uuid.uuid4()).access),
    "its session row deleted": _session_row_deleted,
    "its session expired": _session_expired,
}


@pytest.mark.parametrize("kind", TOKENS_WITHOUT_A_LIVE_SESSION)
def test_a_token_without_a_live_session_is_401(user, kind):
    assert_unauthorized(bearer(TOKENS_WITHOUT_A_LIVE_SESSION[kind](user)).get(ME))


def test_token_of_a_deleted_user_is_401(user):
    access = str(session_start(user=user).access)
    user.delete()
    assert_unauthorized(bearer(access).get(ME))


def test_role_claim_is_never_trusted(user):
    user.role = Role.ADMIN  # signed into the token, never saved
    forged = session_start(user=user).access
    assert bearer(str(forged)).get(USERS).status_code == HTTPStatus.FORBIDDEN


def test_demotion_takes_effect_on_the_next_request(make_user, client_for):
    admin, other_admin = make_user(role=Role.ADMIN), make_user(role=Role.ADMIN)
    client = client_for(admin)
    assert client.get(USERS).status_code == HTTPStatus.OK
    admin.role = Role.USER
    admin.save()
    assert client.get(USERS).status_code == HTTPStatus.FORBIDDEN
    assert other_admin.role == Role.ADMIN


def test_authenticated_request_costs_one_query(user, client_for, django_assert_num_queries):
    client = client_for(user)
    with django_assert_num_queries(1):
        response = client.get(ME)
    assert response.status_code == HTTPStatus.OK


def test_public_endpoints_ignore_a_stale_token():
    client = bearer("garbage")
    body = {"username": "newbie", "email": "newbie@example.com", "password": "a-long-unusual-passphrase"}
    assert client.post("/api/v1/auth/register/", body).status_code == HTTPStatus.CREATED
    assert client.post("/api/v1/auth/login/", body).status_code == HTTPStatus.OK


# --- the signature checked once per process (accounts.tokens.VerifiedOnceBackend) ------------------


def _resigned(token: str, key: str) -> str:
    """The same header and claims, signed with another key."""
    header, payload, _ = token.split(".")
    signing_input = f"{header}.{payload}".encode()
    signature = hmac.new(key.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def test_a_remembered_token_expires_on_time(user, monkeypatch):
    access = str(session_start(user=user).access)
    assert bearer(access).get(ME).status_code == HTTPStatus.OK  # verified, and remembered
    lifetime = SessionAccessToken.lifetime
    later = aware_utcnow() + lifetime + timedelta(seconds=1)
    monkeypatch.setattr("rest_framework_simplejwt.tokens.aware_utcnow", lambda: later)  # the library's clock
    assert_unauthorized(bearer(access).get(ME))


def test_a_remembered_tokens_claims_under_another_signature_are_401(user):
    access = str(session_start(user=user).access)
    assert bearer(access).get(ME).status_code == HTTPStatus.OK
    assert_unauthorized(bearer(_resigned(access, "another key")).get(ME))
    assert_unauthorized(bearer(_tampered(access)).get(ME))


def test_only_tokens_that_pass_are_remembered(user):
    _verified_payload.cache_clear()
    for make in BAD_TOKENS.values():
        bearer(make(user)).get(ME)
    # Each bad token was decoded and refused; the ones whose signature passed (expired, the refresh
    # token, the one without session claims) were refused by checks that run on every request.
    remembered = _verified_payload.cache_info().currsize
    good = str(session_start(user=user).access)
    bearer(good).get(ME)
    bearer(good).get(ME)
    info = _verified_payload.cache_info()
    assert (info.currsize, info.hits) == (remembered + 1, 1)
    assert remembered <= 2  # the refresh token and the one without session claims; never a forged one


def test_a_token_changing_its_payload_changes_nobody_elses(user):
    raw = str(session_start(user=user).access)
    first = SessionAccessToken(raw)
    first.payload["ver"] = 99
    assert SessionAccessToken(raw).payload["ver"] == user.token_version


def test_the_memory_is_bounded(user):
    _verified_payload.cache_clear()
    for _ in range(3):
        SessionAccessToken(str(session_start(user=user).access))
    assert _verified_payload.cache_info().maxsize == VERIFIED_TOKENS_KEPT
    assert _verified_payload.cache_info().currsize == 3
