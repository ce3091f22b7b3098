"""`Authorization: Api-Key <key>`: who a key is, in one query; every bad key or header is a 401 naming both schemes."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.mail_tokens import password_reset_token
from accounts.models import Role
from accounts.password_reset import password_reset_complete
from accounts.services import user_admin_update, user_password_change
from accounts.sessions import user_logout_all
from apikeys.keys import PREFIX_LENGTH
from apikeys.tests.conftest import ME, USERS, assert_key_rejected
from apikeys.tests.factories import api_key_make, key_client

pytestmark = pytest.mark.django_db


def test_a_key_acts_as_its_owner(user):
    _, key = api_key_make(user)
    response = key_client(key).get(ME)
    assert response.status_code == HTTPStatus.OK
    assert response.json()["username"] == user.username


def test_the_scheme_word_is_case_insensitive(user):
    _, key = api_key_make(user)
    assert key_client(key, scheme="api-key").get(ME).status_code == HTTPStatus.OK
    assert key_client(key, scheme="API-KEY").get(ME).status_code == HTTPStatus.OK


def test_a_key_authenticated_request_costs_one_query(user, django_assert_num_queries):
    _, key = api_key_make(user, last_used_at=timezone.now())
    client = key_client(key)
    with django_assert_num_queries(1):
        response = client.get(ME)
    assert response.status_code == HTTPStatus.OK


def test_the_first_use_in_a_minute_adds_one_conditional_update(user, django_assert_num_queries):
    _, key = api_key_make(user)
    with django_assert_num_queries(2) as queries:
        assert key_client(key).get(ME).status_code == HTTPStatus.OK
    select, update = (query["sql"] for query in queries.captured_queries)
    assert select.startswith("SELECT")
    assert "JOIN" in select
    assert update.startswith("UPDATE")
    assert '"last_used_at" IS NULL' in update


def test_the_owners_current_role_applies(make_user):
    admin, other_admin = make_user(role=Role.ADMIN), make_user(role=Role.ADMIN)
    _, key = api_key_make(admin, scopes="read")
    client = key_client(key)
    assert client.get(USERS).status_code == HTTPStatus.OK
    user_admin_update(user=admin, role=Role.USER, actor=other_admin)
    assert client.get(USERS).status_code == HTTPStatus.FORBIDDEN
    user_admin_update(user=admin, role=Role.ADMIN, actor=other_admin)
    assert client.get(USERS).status_code == HTTPStatus.OK


def test_a_revoked_key_fails_on_the_next_request(user):
    api_key, key = api_key_make(user)
    client = key_client(key)
    assert client.get(ME).status_code == HTTPStatus.OK
    api_key.revoked_at = timezone.now()
    api_key.save()
    assert_key_rejected(client.get(ME))


def test_an_expired_key_fails(user):
    _, key = api_key_make(user, expires_at=timezone.now() - timedelta(seconds=1))
    assert_key_rejected(key_client(key).get(ME))


def test_a_key_that_has_not_expired_yet_works(user):
    _, key = api_key_make(user, expires_at=timezone.now() + timedelta(minutes=1))
    assert key_client(key).get(ME).status_code == HTTPStatus.OK


def test_deactivating_the_owner_stops_every_key_until_reactivated(user, admin):
    keys = [api_key_make(user)[1] for _ in range(2)]
    user_admin_update(user=user, is_active=False, actor=admin)
    for key in keys:
        assert_key_rejected(key_client(key).get(ME))
    # Keys are not revoked by a deactivation, only refused while it lasts (API.md; README).
    user_admin_update(user=user, is_active=True, actor=admin)
    assert key_client(keys[0]).get(ME).status_code == HTTPStatus.OK


def test_deleting_the_owner_deletes_their_keys(user):
    _, key = api_key_make(user)
    user.delete()
    assert_key_rejected(key_client(key).get(ME))


def test_logout_all_does_not_touch_keys_nor_a_password_change_or_reset_that_keeps_them(user):
    _, key = api_key_make(user)
    user_logout_all(user=user)
    user_password_change(user=user, new_password="a-brand-new-passphrase", actor=user, revoke_api_keys=False)
    password_reset_complete(
        token=password_reset_token.make(user), new_password="yet-another-passphrase", revoke_api_keys=False
    )
    assert key_client(key).get(ME).status_code == HTTPStatus.OK


def test_the_right_prefix_with_a_wrong_secret_fails(user):
    _, key = api_key_make(user)
    other_secret = key[: PREFIX_LENGTH + 1] + ("A" if key[-43] != "A" else "B") + key[PREFIX_LENGTH + 2 :]
    assert other_secret != key
    assert_key_rejected(key_client(other_secret).get(ME))


def test_a_key_of_another_user_is_that_users(user, make_user):
    other = make_user()
    _, key = api_key_make(other)
    assert key_client(key).get(ME).json()["id"] == other.pk


@pytest.fixture
def a_key(user) -> str:
    return api_key_make(user)[1]


BAD_HEADERS = {
    "scheme only": lambda key: "Api-Key",
    "scheme and a space": lambda key: "Api-Key ",
    "two credentials": lambda key: f"Api-Key {key} {key}",
    "key too short": lambda key: f"Api-Key {key[:-1]}",
    "key too long": lambda key: f"Api-Key {key}A",
    "wrong alphabet": lambda key: f"Api-Key {key[:-1]}+",
    "wrong marker": lambda key: f"Api-Key sk_{key[3:]}",
    "unknown key": lambda key: "Api-Key dak_AAAAAAAA_" + "A" * 43,
    "non-ASCII key": lambda key: "Api-Key dak_ÄÄÄÄÄÄÄÄ_" + "A" * 43,
    "a JWT as the key": lambda key: "Api-Key eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.c2ln",
    "the key as a bearer token": lambda key: f"Bearer {key}",
}


@pytest.mark.parametrize("kind", BAD_HEADERS)
def test_a_malformed_header_or_bad_key_is_401_with_both_challenges(a_key, kind):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=BAD_HEADERS[kind](a_key))
    assert_key_rejected(client.get(ME))


@pytest.mark.parametrize("scheme", ["ApiKey", "Token", "Key", "Basic", "X-Api-Key"])
def test_an_unknown_scheme_word_is_not_authenticated(a_key, scheme):
    response = key_client(a_key, scheme=scheme).get(ME)
    assert_key_rejected(response)
    assert response.json()["errors"][0]["code"] == "not_authenticated"


@pytest.mark.parametrize("header", ["X-Api-Key", "Api-Key"])
def test_a_key_in_another_header_is_not_read(a_key, header):
    response = APIClient().get(ME, headers={header: a_key})
    assert_key_rejected(response)


def test_a_request_without_credentials_is_challenged_for_both_schemes(api_client):
    assert_key_rejected(api_client.get(ME))


def test_a_bad_bearer_token_is_challenged_for_both_schemes_bearer_first(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get(ME)
    assert_key_rejected(response)
    assert response["WWW-Authenticate"] == 'Bearer realm="api", Api-Key realm="api"'
