"""The Django admin: every user's keys and a revoke action; never the key or its hash, anywhere."""

from http import HTTPStatus

import pytest
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.tests.conftest import ME, assert_key_rejected
from apikeys.tests.factories import api_key_make, key_client
from audit.models import Event, SecurityEvent

pytestmark = pytest.mark.django_db

LIST = "/admin/apikeys/apikey/"


@pytest.fixture
def staff(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def keys(user, make_user):
    """Two keys of `user` (one used, one expiring) and one of someone else."""
    used, used_key = api_key_make(user, name="deploy", scopes="read", last_used_at=timezone.now())
    expiring, expiring_key = api_key_make(user, name="backup", expires_at=timezone.now() + timezone.timedelta(days=3))
    other, other_key = api_key_make(make_user(), name="another users script")
    return {used: used_key, expiring: expiring_key, other: other_key}


def _pages(staff, keys) -> str:
    """Every admin page that shows keys: the list, searches, filters, each key's page and history."""
    first = next(iter(keys))
    urls = [
        LIST,
        f"{LIST}?q={first.owner.username}",
        f"{LIST}?q={first.prefix}",
        f"{LIST}?owner__id__exact={first.owner_id}",
        f"{LIST}?revoked_at__isempty=1",
    ]
    for api_key in keys:
        urls += [f"{LIST}{api_key.pk}/change/", f"{LIST}{api_key.pk}/history/"]
    pages = []
    for url in urls:
        response = staff.get(url)
        assert response.status_code == HTTPStatus.OK, url
        pages.append(response.content.decode())
    return "\n".join(pages)


def test_the_list_shows_each_keys_details_and_owner(staff, keys, user):
    page = staff.get(LIST).content.decode()
    for api_key in keys:
        assert api_key.prefix in page
        assert api_key.name in page
        assert api_key.owner.username in page
    assert "read write" in page


def test_one_users_keys_are_listed_by_following_the_owner(staff, keys, user):
    page = staff.get(f"{LIST}?owner__id__exact={user.pk}").content.decode()
    assert f"?owner__id__exact={user.pk}" in staff.get(LIST).content.decode()
    assert [api_key.prefix in page for api_key in keys] == [True, True, False]


def test_no_page_shows_a_key_or_its_hash(staff, keys):
    pages = _pages(staff, keys)
    for api_key, key in keys.items():
        assert api_key.prefix in pages
        assert api_key.key_hash not in pages
        assert key not in pages
        assert key[13:] not in pages


def test_the_revoke_action_revokes_and_records_the_admin(staff, keys, admin):
    used, other = next(iter(keys)), list(keys)[2]
    response = staff.post(LIST, {"action": "revoke", "_selected_action": [used.pk, other.pk]}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert "Revoked 2 API key(s)." in response.content.decode()
    for api_key in (used, other):
        assert_key_rejected(key_client(keys[api_key]).get(ME))
    assert key_client(keys[list(keys)[1]]).get(ME).status_code == HTTPStatus.OK
    events = SecurityEvent.objects.filter(event=Event.API_KEY_REVOKED)
    assert sorted((e.user_id, e.actor_id) for e in events) == sorted((k.owner_id, admin.pk) for k in (used, other))


def test_revoking_an_already_revoked_key_changes_nothing(staff, keys):
    used = next(iter(keys))
    ApiKey.objects.filter(pk=used.pk).update(revoked_at=timezone.now())
    before = ApiKey.objects.get(pk=used.pk).revoked_at
    response = staff.post(LIST, {"action": "revoke", "_selected_action": [used.pk]}, follow=True)
    assert "already revoked" in response.content.decode()
    assert ApiKey.objects.get(pk=used.pk).revoked_at == before
    assert not SecurityEvent.objects.filter(event=Event.API_KEY_REVOKED).exists()


def test_keys_cannot_be_added_edited_or_deleted_here(staff, keys):
    api_key = next(iter(keys))
    assert staff.get(f"{LIST}add/").status_code == HTTPStatus.FORBIDDEN
    assert staff.post(f"{LIST}{api_key.pk}/change/", {"name": "renamed"}).status_code == HTTPStatus.FORBIDDEN
    assert staff.post(f"{LIST}{api_key.pk}/delete/", {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert ApiKey.objects.get(pk=api_key.pk).name == api_key.name


def test_non_admins_cannot_see_keys(client, user, keys):
    client.force_login(user)
    response = client.get(LIST)
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response["Location"]
