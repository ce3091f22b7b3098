"""auth/api-keys/ over HTTP: shapes, the key shown once, the caller's keys only, revocation, and every bad input."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.tests.conftest import KEYS, ME, assert_key_rejected
from apikeys.tests.factories import api_key_make, key_client
from audit.models import Event, SecurityEvent

pytestmark = pytest.mark.django_db

KEY_FIELDS = {"id", "name", "prefix", "scopes", "created_at", "expires_at", "last_used_at"}


def test_a_new_key_is_returned_once_with_its_details(user, client_for):
    expires = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    response = client_for(user).post(
        KEYS, {"name": "nightly backup", "scopes": ["read"], "expires_at": expires.isoformat()}, format="json"
    )
    assert response.status_code == HTTPStatus.CREATED, response.content
    body = response.json()
    assert set(body) == KEY_FIELDS | {"key"}
    assert body["key"].startswith("dak_")
    assert body["key"].startswith(body["prefix"])
    assert len(body["prefix"]) == 12
    assert (body["name"], body["scopes"], body["last_used_at"]) == ("nightly backup", ["read"], None)
    assert body["expires_at"] == expires.isoformat().replace("+00:00", "Z")
    assert key_client(body["key"]).get(ME).json()["id"] == user.pk

    listed = client_for(user).get(KEYS).json()["results"]
    assert [set(row) for row in listed] == [KEY_FIELDS]
    assert body["key"] not in str(listed)


def test_write_then_read_is_shown_in_the_canonical_order(user, client_for):
    response = client_for(user).post(KEYS, {"name": "n", "scopes": ["write", "read"]}, format="json")
    assert response.json()["scopes"] == ["read", "write"]


def test_the_list_holds_the_callers_unrevoked_keys_newest_first(user, make_user, client_for):
    older, _ = api_key_make(user, name="older", created_at=timezone.now() - timedelta(days=2))
    expired, _ = api_key_make(user, name="expired", expires_at=timezone.now() - timedelta(days=1))
    api_key_make(user, name="revoked", revoked_at=timezone.now())
    api_key_make(make_user(), name="someone else's")
    body = client_for(user).get(KEYS).json()
    assert [row["id"] for row in body["results"]] == [expired.pk, older.pk]
    assert body["count"] == 2


@pytest.mark.parametrize("page_size", [1, 20])
def test_the_list_costs_the_same_queries_whatever_the_page_size(user, client_for, page_size, django_assert_num_queries):
    for _ in range(25):
        api_key_make(user)
    client = client_for(user)
    # Authentication, the count and the page.
    with django_assert_num_queries(3):
        response = client.get(KEYS, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


def test_revoking_a_key_stops_it_at_once_and_is_recorded(user, client_for):
    api_key, key = api_key_make(user)
    assert key_client(key).get(ME).status_code == HTTPStatus.OK
    response = client_for(user).delete(f"{KEYS}{api_key.pk}/")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert_key_rejected(key_client(key).get(ME))
    assert client_for(user).get(KEYS).json()["results"] == []
    event = SecurityEvent.objects.get(event=Event.API_KEY_REVOKED)
    assert (event.user, event.actor) == (user, user)


def test_another_users_key_id_is_404_and_stays_usable(user, make_user, client_for):
    other_key, key = api_key_make(make_user())
    response = client_for(user).delete(f"{KEYS}{other_key.pk}/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["type"] == "client_error"
    assert key_client(key).get(ME).status_code == HTTPStatus.OK


@pytest.mark.parametrize("key_id", ["99999999999999999999999", "0", "-1", "abc", "1.5", "1%00"])
def test_an_unknown_or_absurd_key_id_is_404(user, client_for, key_id):
    response = client_for(user).delete(f"{KEYS}{key_id}/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["type"] == "client_error"


def test_revoking_twice_is_404_the_second_time(user, client_for):
    api_key, _ = api_key_make(user)
    client = client_for(user)
    assert client.delete(f"{KEYS}{api_key.pk}/").status_code == HTTPStatus.NO_CONTENT
    assert client.delete(f"{KEYS}{api_key.pk}/").status_code == HTTPStatus.NOT_FOUND
    assert SecurityEvent.objects.filter(event=Event.API_KEY_REVOKED).count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_callers_get_401_with_both_challenges(api_client, method):
    assert_key_rejected(getattr(api_client, method)(KEYS, {"name": "n", "scopes": ["read"]}, format="json"))


def test_there_is_no_detail_view_or_update(user, client_for):
    api_key, _ = api_key_make(user)
    client = client_for(user)
    for method in ("get", "put", "patch"):
        response = getattr(client, method)(f"{KEYS}{api_key.pk}/", {"name": "renamed"}, format="json")
        assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert ApiKey.objects.get(pk=api_key.pk).name == api_key.name


VALID = {"name": "n", "scopes": ["read"]}
PAST = (timezone.now() - timedelta(days=1)).isoformat()
BAD_BODIES = [
    ({"scopes": ["read"]}, "name", "required"),
    ({**VALID, "name": ""}, "name", "blank"),
    ({**VALID, "name": "   "}, "name", "blank"),
    ({**VALID, "name": "x" * 101}, "name", "max_length"),
    ({**VALID, "name": 5}, "name", "invalid"),
    ({**VALID, "name": None}, "name", "null"),
    ({"name": "n"}, "scopes", "required"),
    ({**VALID, "scopes": []}, "scopes", "min_length"),
    ({**VALID, "scopes": "read"}, "scopes", "not_a_list"),
    ({**VALID, "scopes": {"read": True}}, "scopes", "not_a_list"),
    ({**VALID, "scopes": None}, "scopes", "null"),
    ({**VALID, "scopes": ["delete"]}, "scopes", "invalid_choice"),
    ({**VALID, "scopes": ["read", "admin"]}, "scopes", "admin_requires_write"),
    ({**VALID, "scopes": ["READ"]}, "scopes", "invalid_choice"),
    ({**VALID, "scopes": [1]}, "scopes", "invalid_choice"),
    ({**VALID, "scopes": [["read"]]}, "scopes", "invalid_choice"),
    ({**VALID, "scopes": ["read", "read"]}, "scopes", "duplicate"),
    ({**VALID, "scopes": ["read", "write", "admin", "write"]}, "scopes", "max_length"),
    ({**VALID, "scopes": ["write"]}, "scopes", "write_requires_read"),
    ({**VALID, "expires_at": PAST}, "expires_at", "not_in_future"),
    ({**VALID, "expires_at": "0001-01-01T00:00:00Z"}, "expires_at", "not_in_future"),
    ({**VALID, "expires_at": "tomorrow"}, "expires_at", "invalid"),
    ({**VALID, "expires_at": "2099-02-30T00:00:00Z"}, "expires_at", "invalid"),
    ({**VALID, "expires_at": "10000-01-01T00:00:00Z"}, "expires_at", "invalid"),
    ({**VALID, "expires_at": 4102444800}, "expires_at", "invalid"),
    ({**VALID, "expires_at": ["2099-01-01T00:00:00Z"]}, "expires_at", "invalid"),
]


@pytest.mark.parametrize(("body", "attr", "code"), BAD_BODIES, ids=[f"{a}-{c}" for _, a, c in BAD_BODIES])
def test_bad_input_is_a_400_on_the_field_and_makes_no_key(user, client_for, body, attr, code):
    response = client_for(user).post(KEYS, body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    assert (body["errors"][0]["attr"], body["errors"][0]["code"]) == (attr, code)
    assert not ApiKey.objects.exists()
    assert not SecurityEvent.objects.filter(event=Event.API_KEY_CREATED).exists()


def test_null_expiry_means_never(user, client_for):
    response = client_for(user).post(KEYS, {**VALID, "expires_at": None}, format="json")
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["expires_at"] is None


def test_too_many_keys_is_a_400(user, client_for, monkeypatch):
    monkeypatch.setattr("apikeys.services.KEYS_PER_USER", 2)
    client = client_for(user)
    assert [client.post(KEYS, VALID, format="json").status_code for _ in range(3)] == [201, 201, 400]
    assert client.post(KEYS, VALID, format="json").json()["errors"][0]["code"] == "too_many_keys"
