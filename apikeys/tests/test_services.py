"""API key services without HTTP: create (hash only), revoke, and `last_used_at` at most once a minute."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys import services
from apikeys.keys import key_hash
from apikeys.models import ApiKey
from apikeys.selectors import api_key_for_authentication
from apikeys.tests.conftest import ME
from apikeys.tests.factories import api_key_make, key_client
from audit.models import Event, SecurityEvent

pytestmark = pytest.mark.django_db


def test_create_stores_only_the_hash_and_returns_the_key_once(user):
    api_key, key = services.api_key_create(owner=user, name="cron", scopes=["read"])
    stored = ApiKey.objects.filter(pk=api_key.pk).values().get()
    assert stored["key_hash"] == key_hash(key)
    assert all(key not in str(value) for value in stored.values())
    assert stored["prefix"] == key[:12]
    assert stored["scopes"] == "read"
    assert (stored["last_used_at"], stored["revoked_at"], stored["expires_at"]) == (None, None, None)


@pytest.mark.parametrize(
    ("scopes", "stored"), [(["read"], "read"), (["read", "write"], "read write"), (["write", "read"], "read write")]
)
def test_scopes_are_stored_as_one_of_two_sets(user, scopes, stored):
    api_key, _ = services.api_key_create(owner=user, name="n", scopes=scopes)
    assert ApiKey.objects.get(pk=api_key.pk).scopes == stored


@pytest.mark.parametrize("scopes", [[], ["write"], ["read", "read"], ["admin"], ["read", "admin"], ["delete"]])
def test_any_other_scope_set_is_refused(user, scopes):
    with pytest.raises(ValidationError) as raised:
        services.api_key_create(owner=user, name="n", scopes=scopes)
    assert raised.value.error_dict["scopes"][0].code == "invalid_scopes"
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("delta", [timedelta(0), timedelta(seconds=-1), timedelta(days=-400)])
def test_an_expiry_not_in_the_future_is_refused(user, delta):
    with pytest.raises(ValidationError) as raised:
        services.api_key_create(owner=user, name="n", scopes=["read"], expires_at=timezone.now() + delta)
    assert raised.value.error_dict["expires_at"][0].code == "not_in_future"


def test_an_account_has_a_bounded_number_of_keys_revoked_ones_aside(user, settings):
    for _ in range(services.KEYS_PER_USER):
        api_key_make(user)
    with pytest.raises(ValidationError) as raised:
        services.api_key_create(owner=user, name="one too many", scopes=["read"])
    assert raised.value.error_list[0].code == "too_many_keys"
    ApiKey.objects.filter(pk=user.api_keys.first().pk).update(revoked_at=timezone.now())
    services.api_key_create(owner=user, name="room again", scopes=["read"])


def test_creating_a_key_is_recorded_without_the_key(user):
    api_key, key = services.api_key_create(owner=user, name="deploy", scopes=["read", "write"])
    event = SecurityEvent.objects.get(event=Event.API_KEY_CREATED)
    assert (event.user, event.actor) == (user, user)
    assert event.detail == {"prefix": api_key.prefix, "name": "deploy", "scopes": ["read", "write"]}
    assert key not in str(event.detail)


def test_revoking_is_recorded_with_the_actor(user, admin):
    api_key, _ = api_key_make(user)
    services.api_key_revoke(api_key_id=api_key.pk, actor=admin)
    event = SecurityEvent.objects.get(event=Event.API_KEY_REVOKED)
    assert (event.user, event.actor, event.detail["prefix"]) == (user, admin, api_key.prefix)
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None


def test_an_owner_can_revoke_only_their_own_key_once(user, make_user):
    theirs, _ = api_key_make(make_user())
    mine, _ = api_key_make(user)
    with pytest.raises(ApiKey.DoesNotExist):
        services.api_key_revoke(api_key_id=theirs.pk, owner=user, actor=user)
    services.api_key_revoke(api_key_id=mine.pk, owner=user, actor=user)
    with pytest.raises(ApiKey.DoesNotExist):
        services.api_key_revoke(api_key_id=mine.pk, owner=user, actor=user)
    assert ApiKey.objects.get(pk=theirs.pk).revoked_at is None
    assert SecurityEvent.objects.filter(event=Event.API_KEY_REVOKED).count() == 1


def _columns(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_the_authentication_lookup_loads_the_key_and_its_owner_in_one_query(user, django_assert_num_queries):
    api_key, _ = api_key_make(
        user, expires_at=timezone.now() + timedelta(days=1), last_used_at=timezone.now(), name="Zoë's key"
    )
    api_key_make(user)  # another row the lookup must not return
    with django_assert_num_queries(1):
        found = api_key_for_authentication(prefix=api_key.prefix)
        owner = found.owner
    # What the compiled statement stands for, as the ORM reads it.
    orm = ApiKey.objects.select_related("owner").get(prefix=api_key.prefix)
    assert _columns(found) == _columns(orm)
    assert _columns(owner) == _columns(orm.owner)
    assert api_key_for_authentication(prefix="dak_00000000") is None


@pytest.mark.skipif(
    connection.settings_dict["OPTIONS"].get("server_side_binding") is not True,
    reason="prepared statements need PostgreSQL with server-side binding (DB_PREPARED_STATEMENTS, on by default)",
)
def test_the_authentication_lookup_is_a_prepared_statement_as_the_jwts_is(user):
    _, key = api_key_make(user)
    assert key_client(key).get(ME).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "apikeys_apikey" INNER JOIN "accounts_user"' in statement for statement in prepared)


def _last_used(api_key: ApiKey):
    return ApiKey.objects.values_list("last_used_at", flat=True).get(pk=api_key.pk)


def test_last_used_is_written_on_first_use_then_at_most_once_a_minute(user):
    api_key, key = api_key_make(user)
    client = key_client(key)
    client.get(ME)
    first = _last_used(api_key)
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            client.get(ME)
    assert _last_used(api_key) == first
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now() - timedelta(seconds=61))
    client.get(ME)
    assert _last_used(api_key) > first


def test_the_update_itself_skips_a_row_another_worker_just_wrote(user):
    # Two workers read the key when its last use was old; the first writes, the second must not.
    api_key, _ = api_key_make(user, last_used_at=timezone.now() - timedelta(minutes=5))
    stale_copy = ApiKey.objects.get(pk=api_key.pk)
    first_write = timezone.now()
    services.api_key_mark_used(api_key=api_key, now=first_write)
    services.api_key_mark_used(api_key=stale_copy, now=first_write + timedelta(seconds=30))
    assert _last_used(api_key) == first_write
