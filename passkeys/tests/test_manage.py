"""auth/passkeys/: the caller's passkeys listed, renamed and removed; the admin's view and removal; the purge."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.test_reauthentication import stale_access
from audit.models import Event, SecurityEvent
from passkeys.ceremonies import ceremonies_purge
from passkeys.models import Ceremony, Passkey
from passkeys.tests.conftest import PASSKEYS, assert_error, login_options, new_authenticator, passwordless

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_passkeys(user):
    """`count` passkeys of `user` made straight in the database (the list reads only rows)."""

    def build(count: int) -> list[Passkey]:
        return Passkey.objects.bulk_create(
            Passkey(
                user=user,
                credential_id=bytes([n]) * 16,
                public_key=b"\xa0",
                aaguid="00000000-0000-0000-0000-000000000000",
                user_handle=b"h",
                name=f"Key {n}",
                created_at=timezone.now() - timedelta(minutes=n),
            )
            for n in range(count)
        )

    return build


def test_the_list_is_the_callers_passkeys_newest_first(user, make_user, passkey_of, client_for):
    passkey_of(make_user(), new_authenticator(), name="Not mine")
    older = passkey_of(user, new_authenticator(), name="Older")
    newer = passkey_of(user, new_authenticator(), name="Newer")

    body = client_for(user).get(PASSKEYS).json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_takes_the_same_queries_however_many_passkeys(
    user, client_for, many_passkeys, count, django_assert_num_queries
):
    many_passkeys(count)
    client = client_for(user)
    # authentication (user + session), the count, the page
    with django_assert_num_queries(3):
        response = client.get(PASSKEYS, {"page_size": 25})
    assert len(response.json()["results"]) == min(count, 25)


def test_the_list_is_paginated(user, client_for, many_passkeys):
    many_passkeys(3)
    body = client_for(user).get(PASSKEYS, {"page_size": 2}).json()
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)
    assert "page=2" in body["next"]
    assert client_for(user).get(PASSKEYS, {"page": 9}).status_code == HTTPStatus.NOT_FOUND


def test_the_list_needs_a_login():
    assert APIClient().get(PASSKEYS).status_code == HTTPStatus.UNAUTHORIZED


def test_renaming_a_passkey(user, passkey_of, client_for):
    passkey = passkey_of(user, new_authenticator())
    response = client_for(user).patch(f"{PASSKEYS}{passkey.pk}/", {"name": "Work laptop"})
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["name"] == "Work laptop"
    passkey.refresh_from_db()
    assert passkey.name == "Work laptop"


@pytest.mark.parametrize(("name", "code"), [("", "blank"), ("x" * 65, "max_length"), (None, "null"), (3, "invalid")])
def test_a_bad_name_is_a_400(user, passkey_of, client_for, name, code):
    passkey = passkey_of(user, new_authenticator())
    response = client_for(user).patch(f"{PASSKEYS}{passkey.pk}/", {"name": name}, format="json")
    assert_error(response, HTTPStatus.BAD_REQUEST, code, "name")


def test_someone_elses_passkey_is_a_404(user, make_user, passkey_of, client_for):
    passkey = passkey_of(make_user(), new_authenticator())
    client = client_for(user)
    assert client.patch(f"{PASSKEYS}{passkey.pk}/", {"name": "Mine"}).status_code == HTTPStatus.NOT_FOUND
    assert client.delete(f"{PASSKEYS}{passkey.pk}/").status_code == HTTPStatus.NOT_FOUND
    assert client.delete(f"{PASSKEYS}999999/").status_code == HTTPStatus.NOT_FOUND
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_removing_a_passkey_records_it_mails_the_owner_and_it_cannot_log_in(user, passkey_of, client_for, run_jobs):
    authenticator = new_authenticator()
    passkey = passkey_of(user, authenticator, name="Phone")
    mail.outbox.clear()

    with run_jobs():
        response = client_for(user).delete(f"{PASSKEYS}{passkey.pk}/")

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not Passkey.objects.exists()
    removed = SecurityEvent.objects.get(event=Event.PASSKEY_REMOVED)
    assert (removed.user, removed.actor, removed.detail["name"]) == (user, user, "Phone")
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "removed" in mail.outbox[0].subject
    assert "by an administrator" not in mail.outbox[0].body
    assert passwordless(authenticator).status_code == HTTPStatus.UNAUTHORIZED


def test_removing_a_passkey_needs_a_recent_authentication(user, passkey_of):
    passkey = passkey_of(user, new_authenticator())
    access, _ = stale_access(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert_error(client.delete(f"{PASSKEYS}{passkey.pk}/"), HTTPStatus.UNAUTHORIZED, "reauthentication_required")
    assert client.get(PASSKEYS).status_code == HTTPStatus.OK, "listing does not"


@pytest.mark.parametrize("method", ["put", "post"])
def test_passkeys_are_not_made_or_replaced_through_the_list(user, client_for, method):
    response = getattr(client_for(user), method)(PASSKEYS, {}, format="json")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_staff_see_a_users_passkeys_and_remove_them(admin, user, passkey_of, client, run_jobs):
    admin.is_staff = True
    admin.save()
    passkey = passkey_of(user, new_authenticator(), name="Tablet")
    passkey_of(admin, new_authenticator(), name="Someone else's")
    mail.outbox.clear()
    client.force_login(admin)
    changelist = reverse("admin:passkeys_passkey_changelist")

    page = client.get(changelist, {"user__id__exact": user.pk})
    assert page.status_code == HTTPStatus.OK
    assert "Tablet" in page.text
    assert user.username in page.text
    assert "Someone else" not in page.text, "the owner link shows one user's passkeys"
    with run_jobs():
        done = client.post(changelist, {"action": "remove", "_selected_action": [passkey.pk]})

    assert done.status_code == HTTPStatus.FOUND
    assert not Passkey.objects.filter(user=user).exists()
    assert Passkey.objects.filter(user=admin).exists()
    removed = SecurityEvent.objects.get(event=Event.PASSKEY_REMOVED)
    assert (removed.user, removed.actor) == (user, admin)
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "by an administrator" in mail.outbox[0].body


def test_the_admin_cannot_add_or_edit_a_passkey(admin, user, passkey_of, client):
    admin.is_staff = True
    admin.save()
    passkey = passkey_of(user, new_authenticator())
    client.force_login(admin)
    assert client.get(reverse("admin:passkeys_passkey_add")).status_code == HTTPStatus.FORBIDDEN
    page = client.get(reverse("admin:passkeys_passkey_change", args=[passkey.pk]))
    assert page.status_code == HTTPStatus.OK
    assert 'name="_save"' not in page.text


def test_the_purge_deletes_only_expired_ceremonies():
    login_options()
    login_options()
    Ceremony.objects.filter(pk=Ceremony.objects.first().pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ceremonies_purge() == 1
    assert Ceremony.objects.count() == 1


def test_beat_runs_the_ceremony_purge_daily(settings):
    from celery.schedules import crontab

    from config.celery import app as celery_app
    from passkeys.tasks import purge_passkey_ceremonies

    celery_app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["purge-passkey-ceremonies"]
    assert entry["task"] == purge_passkey_ceremonies.name
    assert entry["task"] in celery_app.tasks
    assert isinstance(entry["schedule"], crontab)
    login_options()
    Ceremony.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert purge_passkey_ceremonies.apply().get() == 1
