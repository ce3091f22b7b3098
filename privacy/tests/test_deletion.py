"""DELETE auth/me/: the account is deactivated at once, its credentials die, and the mailed link cancels it."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.sessions import session_start
from accounts.tests.factories import PASSWORD
from accounts.tests.test_reauthentication import assert_reauthentication_required, stale_access
from apikeys.services import api_key_create
from audit.models import Event, SecurityEvent
from privacy.deletion import CANCEL_LINK_INVALID
from privacy.links import DELETION_CANCEL_SALT, EXPORT_DOWNLOAD_SALT, link_token_make
from privacy.models import DeletionRequest
from privacy.tests.conftest import (
    CANCEL,
    LOGIN,
    ME,
    REFRESH,
    assert_invalid_token,
    bearer,
    deletion_make_due,
    signed_in,
    token_of_mail_to,
)

pytestmark = pytest.mark.django_db

SUBJECT = "will be deleted"


def delete_account(user, run_jobs) -> tuple[object, APIClient]:
    user.refresh_from_db()  # tokens carry the current token version
    client, _ = signed_in(user)
    with run_jobs():
        response = client.delete(ME)
    return response, client


def test_deleting_the_account_deactivates_it_and_answers_when_it_is_purged(user, run_jobs):
    before = timezone.now()
    response, _ = delete_account(user, run_jobs)

    assert response.status_code == HTTPStatus.ACCEPTED, response.content
    purge_after = DeletionRequest.objects.get(user=user).purge_after
    assert timedelta(days=7) <= purge_after - before < timedelta(days=7, seconds=5)
    assert response.json()["purge_after"] == purge_after.isoformat().replace("+00:00", "Z")
    user.refresh_from_db()
    assert user.is_active is False
    event = SecurityEvent.objects.get(event=Event.ACCOUNT_DELETION_REQUESTED)
    assert (event.user, event.actor) == (user, user)
    assert event.detail["purge_after"] == purge_after.isoformat()


def test_the_grace_period_is_account_deletion_grace_days(user, run_jobs, settings):
    settings.ACCOUNT_DELETION_GRACE_DAYS = 30
    delete_account(user, run_jobs)
    request = DeletionRequest.objects.get(user=user)
    assert request.purge_after - request.requested_at == timedelta(days=30)


def test_every_token_session_and_api_key_of_the_account_is_refused_at_once(user, run_jobs):
    other_client, other_refresh = signed_in(user)
    _, key = api_key_create(owner=user, name="script", scopes=["read"])
    assert APIClient().get("/api/v1/posts/", HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == HTTPStatus.OK

    response, client = delete_account(user, run_jobs)
    assert response.status_code == HTTPStatus.ACCEPTED

    assert client.get(ME).status_code == HTTPStatus.UNAUTHORIZED
    assert other_client.get(ME).status_code == HTTPStatus.UNAUTHORIZED
    assert APIClient().post(REFRESH, {"refresh": other_refresh}).status_code == HTTPStatus.UNAUTHORIZED
    assert APIClient().get("/api/v1/posts/", HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 401
    assert not user.login_sessions.filter(ended_at__isnull=True).exists()
    assert not user.api_keys.filter(revoked_at__isnull=True).exists()
    revoked = SecurityEvent.objects.get(event=Event.API_KEY_REVOKED)
    assert revoked.detail["reason"] == "account_deletion"
    # Nobody can log in to it while it waits.
    assert APIClient().post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code == 401


def test_the_mail_carries_a_link_that_cancels_the_deletion_once(user, run_jobs, mailoutbox):
    delete_account(user, run_jobs)
    token = token_of_mail_to(mailoutbox, user.email, SUBJECT)
    assert "/cancel-account-deletion?token=" in mailoutbox[0].body

    response = APIClient().post(CANCEL, {"token": token})

    assert response.status_code == HTTPStatus.NO_CONTENT, response.content
    user.refresh_from_db()
    assert user.is_active is True
    assert DeletionRequest.objects.get(user=user).cancelled_at is not None
    event = SecurityEvent.objects.get(event=Event.ACCOUNT_DELETION_CANCELLED)
    assert (event.user, event.actor) == (user, None)
    # Used once: the same link again is refused and records nothing.
    assert_invalid_token(APIClient().post(CANCEL, {"token": token}))
    assert SecurityEvent.objects.filter(event=Event.ACCOUNT_DELETION_CANCELLED).count() == 1


def test_after_a_cancel_the_old_tokens_and_keys_stay_dead_and_the_user_logs_in_anew(user, run_jobs, mailoutbox):
    _, key = api_key_create(owner=user, name="script", scopes=["read"])
    _, client = delete_account(user, run_jobs)
    APIClient().post(CANCEL, {"token": token_of_mail_to(mailoutbox, user.email, SUBJECT)})

    assert client.get(ME).status_code == HTTPStatus.UNAUTHORIZED
    assert APIClient().get("/api/v1/posts/", HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 401
    login = APIClient().post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert login.status_code == HTTPStatus.OK
    assert bearer(login.json()["access"]).get(ME).status_code == HTTPStatus.OK


def test_a_cancel_link_is_refused_once_the_purge_is_due(user, run_jobs, mailoutbox):
    delete_account(user, run_jobs)
    token = token_of_mail_to(mailoutbox, user.email, SUBJECT)
    deletion_make_due(user)

    assert_invalid_token(APIClient().post(CANCEL, {"token": token}))
    user.refresh_from_db()
    assert user.is_active is False


def test_a_link_of_an_earlier_deletion_does_not_cancel_a_later_one(user, run_jobs, mailoutbox):
    delete_account(user, run_jobs)
    first = token_of_mail_to(mailoutbox, user.email, SUBJECT)
    APIClient().post(CANCEL, {"token": first})
    mailoutbox.clear()
    delete_account(user, run_jobs)

    assert_invalid_token(APIClient().post(CANCEL, {"token": first}))
    assert APIClient().post(CANCEL, {"token": token_of_mail_to(mailoutbox, user.email, SUBJECT)}).status_code == 204


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a" * 400,
        "WzEsMV0:1tVx:bad-signature",
    ],
)
def test_a_garbage_cancel_token_is_a_400_on_token(user, token):
    response = APIClient().post(CANCEL, {"token": token})
    assert_invalid_token(response)
    assert response.json()["errors"][0]["detail"] == CANCEL_LINK_INVALID


def test_a_token_of_another_kind_or_for_another_account_is_refused(user, make_user, run_jobs):
    delete_account(user, run_jobs)
    request = DeletionRequest.objects.get(user=user)
    export_kind = link_token_make(salt=EXPORT_DOWNLOAD_SALT, row_id=request.pk, user_id=user.pk)
    other_user = link_token_make(salt=DELETION_CANCEL_SALT, row_id=request.pk, user_id=make_user().pk)

    assert_invalid_token(APIClient().post(CANCEL, {"token": export_kind}))
    assert_invalid_token(APIClient().post(CANCEL, {"token": other_user}))
    user.refresh_from_db()
    assert user.is_active is False


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "required"), ({"token": ""}, "blank"), ({"token": 5}, "invalid"), ({"token": "x" * 600}, "max_length")],
)
def test_a_cancel_without_a_usable_token_field_is_a_400(body, code):
    response = APIClient().post(CANCEL, body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("token", code)]


def test_deleting_needs_a_recent_authentication(user):
    access, _ = stale_access(user)
    assert_reauthentication_required(bearer(access).delete(ME))
    user.refresh_from_db()
    assert user.is_active is True
    assert not DeletionRequest.objects.exists()


def test_deleting_needs_a_login(api_client):
    response = api_client.delete(ME)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_an_api_key_cannot_delete_the_account(user):
    _, key = api_key_create(owner=user, name="script", scopes=["read", "write"])
    response = APIClient().delete(ME, HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == HTTPStatus.FORBIDDEN
    user.refresh_from_db()
    assert user.is_active is True


def test_the_last_active_admin_cannot_delete_themselves(admin, run_jobs, mailoutbox):
    response, _ = delete_account(admin, run_jobs)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("non_field_errors", "last_admin")]
    admin.refresh_from_db()
    assert admin.is_active is True
    assert not DeletionRequest.objects.exists()
    assert not SecurityEvent.objects.filter(event=Event.ACCOUNT_DELETION_REQUESTED).exists()
    assert mailoutbox == []


def test_an_admin_can_delete_themselves_while_another_admin_remains(admin, make_user, run_jobs):
    make_user(role=Role.ADMIN)
    response, _ = delete_account(admin, run_jobs)
    assert response.status_code == HTTPStatus.ACCEPTED
    assert User.objects.get(pk=admin.pk).is_active is False


def test_a_rolled_back_deletion_mails_nothing(user, mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    from privacy.deletion import account_deletion_request

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                account_deletion_request(user=user)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mailoutbox == []
    user.refresh_from_db()
    assert user.is_active is True


def test_the_request_takes_the_same_queries_whatever_the_sessions_plus_one_event_per_key(make_user):
    def queries_to_delete(*, sessions: int, keys: int) -> int:
        account = make_user()
        for n in range(keys):
            api_key_create(owner=account, name=f"key {n}", scopes=["read"])
        for _ in range(sessions - 1):
            session_start(user=account)
        client, _ = signed_in(account)
        with CaptureQueriesContext(connection) as queries:
            assert client.delete(ME).status_code == HTTPStatus.ACCEPTED
        return len(queries)

    few = queries_to_delete(sessions=1, keys=1)
    # Authentication, the locks, the request row, deactivation, revocation, the events.
    assert few <= 21
    assert queries_to_delete(sessions=6, keys=1) == few
    assert queries_to_delete(sessions=1, keys=4) == few + 3  # one api_key_revoked per key


def test_no_event_holds_the_cancel_token(user, run_jobs, mailoutbox):
    delete_account(user, run_jobs)
    token = token_of_mail_to(mailoutbox, user.email, SUBJECT)
    APIClient().post(CANCEL, {"token": token})
    stored = [str(row) for row in SecurityEvent.objects.values_list("detail", "user_agent", "request_id")]
    assert len(stored) >= 2
    assert not [row for row in stored if token in row or token.split(":")[-1] in row]
