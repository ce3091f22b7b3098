"""event_record: what it writes, in whose transaction, and what it refuses; the log is append-only."""

import pytest
from django.db import IntegrityError, connection, transaction

from audit.context import RequestContext
from audit.models import APPEND_ONLY, Event, SecurityEvent
from audit.services import SecretInDetailError, event_record
from audit.tests.factories import SecurityEventFactory

pytestmark = pytest.mark.django_db

CONTEXT = RequestContext(ip="203.0.113.7", user_agent="curl/8.5", request_id="req-42")


def test_event_record_writes_every_column(user, admin):
    event = event_record(
        event=Event.USER_ROLE_CHANGED,
        user=user,
        actor=admin,
        context=CONTEXT,
        detail={"old_role": "user", "new_role": "moderator"},
    )
    stored = SecurityEvent.objects.get(pk=event.pk)
    assert (stored.event, stored.user, stored.actor) == (Event.USER_ROLE_CHANGED, user, admin)
    assert (stored.ip, stored.user_agent, stored.request_id) == ("203.0.113.7", "curl/8.5", "req-42")
    assert stored.detail == {"old_role": "user", "new_role": "moderator"}
    assert stored.at is not None


def test_event_record_without_context_or_people_stores_blanks():
    stored = SecurityEvent.objects.get(pk=event_record(event=Event.LOGIN_FAILED).pk)
    assert (stored.user, stored.actor, stored.ip, stored.user_agent, stored.request_id, stored.detail) == (
        None,
        None,
        None,
        "",
        "",
        {},
    )


def test_an_event_recorded_in_a_rolled_back_transaction_is_gone(user):
    def change_that_fails():
        with transaction.atomic():
            event_record(event=Event.LOGOUT_ALL, user=user, actor=user)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert not SecurityEvent.objects.exists()


def test_an_unknown_event_name_is_refused():
    with pytest.raises(ValueError, match="Unknown security event 'logged_in'"):
        event_record(event="logged_in")
    assert not SecurityEvent.objects.exists()


def test_the_database_refuses_an_unknown_event_name_too():
    with pytest.raises(IntegrityError):
        SecurityEvent.objects.create(event="made_up")


@pytest.mark.parametrize(
    "detail",
    [
        {"password": "x"},
        {"new_password": "x"},
        {"oldPassword": "x"},
        {"refresh": "x"},
        {"access_token": "x"},
        {"apiToken": "x"},
        {"resettoken": "x"},
        {"code": "123456"},
        {"recovery_codes": ["a", "b"]},
        {"api-key": "x"},
        {"otp": "x"},
        {"client_secret": "x"},
        {"hash": "x"},
        {"session": {"refresh_token": "x"}},
        {"changes": [{"field": "email", "key": "x"}]},
        {"note": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"},
    ],
)
def test_a_detail_that_looks_like_a_secret_is_refused(detail):
    with pytest.raises(SecretInDetailError):
        event_record(event=Event.PASSWORD_CHANGED, detail=detail)
    assert not SecurityEvent.objects.exists()


@pytest.mark.parametrize(
    "detail",
    [{"old_role": "user", "new_role": "admin"}, {"reason": "wrong_password"}, {"session": "9f1c"}, {"prefix": "dak_"}],
)
def test_ordinary_details_are_kept(detail):
    assert event_record(event=Event.LOGOUT, detail=detail).detail == detail


def test_an_event_cannot_be_changed_or_deleted_through_the_orm():
    event = SecurityEventFactory()
    event.event = Event.LOGOUT
    with pytest.raises(TypeError, match=APPEND_ONLY):
        event.save()
    with pytest.raises(TypeError, match=APPEND_ONLY):
        event.delete()
    with pytest.raises(TypeError, match=APPEND_ONLY):
        SecurityEvent.objects.update(event=Event.LOGOUT)
    with pytest.raises(TypeError, match=APPEND_ONLY):
        SecurityEvent.objects.filter(pk=event.pk).delete()
    assert SecurityEvent.objects.get(pk=event.pk).event == Event.LOGIN_SUCCEEDED


def test_deleting_a_user_keeps_their_events_with_user_and_actor_null(make_user):
    target, admin = make_user(), make_user()
    event = event_record(event=Event.USER_DEACTIVATED, user=target, actor=admin)
    target.delete()
    admin.delete()
    stored = SecurityEvent.objects.get(pk=event.pk)
    assert (stored.user_id, stored.actor_id) == (None, None)


def test_the_list_filters_and_the_purge_are_served_by_indexes():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, SecurityEvent._meta.db_table)
    indexed = {tuple(c["columns"]) for c in constraints.values() if c["index"]}
    assert {("at", "id"), ("event", "at", "id"), ("user_id", "at", "id"), ("actor_id", "at", "id")} <= indexed
