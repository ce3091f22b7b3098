"""The Django admin's security log: read-only for everyone, searchable, filterable, never counting the table."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from audit.admin import CappedCountPaginator
from audit.models import Event, SecurityEvent
from audit.tests.factories import SecurityEventFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/audit/securityevent/"


@pytest.fixture
def staff_client(client, admin):
    assert admin.is_superuser
    client.force_login(admin)
    return client


def test_the_list_shows_events_to_admins(staff_client, user):
    event = SecurityEventFactory(user=user, request_id="req-visible")
    response = staff_client.get(LIST)
    assert response.status_code == HTTPStatus.OK
    assert "req-visible" in response.content.decode()
    assert response.context["cl"].result_count == SecurityEvent.objects.count()
    assert staff_client.get(f"{LIST}{event.pk}/change/").status_code == HTTPStatus.OK  # the read-only view


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
def test_non_admins_cannot_see_the_list(client, make_user, role):
    client.force_login(make_user(role=role))
    assert client.get(LIST).status_code == HTTPStatus.FOUND


def test_even_a_superuser_cannot_add_an_event(staff_client):
    assert staff_client.get(f"{LIST}add/").status_code == HTTPStatus.FORBIDDEN
    before = SecurityEvent.objects.count()
    response = staff_client.post(f"{LIST}add/", {"event": "logout", "detail": "{}"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert SecurityEvent.objects.count() == before


def test_even_a_superuser_cannot_change_an_event(staff_client):
    event = SecurityEventFactory(event=Event.LOGIN_FAILED)
    page = staff_client.get(f"{LIST}{event.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    staff_client.post(f"{LIST}{event.pk}/change/", {"event": "logout", "ip": "1.1.1.1", "detail": "{}"})
    stored = SecurityEvent.objects.get(pk=event.pk)
    assert (stored.event, stored.ip) == (Event.LOGIN_FAILED, event.ip)


def test_even_a_superuser_cannot_delete_an_event(staff_client):
    event = SecurityEventFactory()
    assert staff_client.get(f"{LIST}{event.pk}/delete/").status_code == HTTPStatus.FORBIDDEN
    assert staff_client.post(f"{LIST}{event.pk}/delete/", {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    bulk = staff_client.post(LIST, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert bulk.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    assert SecurityEvent.objects.filter(pk=event.pk).exists()
    assert "delete_selected" not in staff_client.get(LIST).content.decode()


def listed(client, **params) -> set[int]:
    response = client.get(LIST, params)
    assert response.status_code == HTTPStatus.OK, response.content[:300]
    return {event.pk for event in response.context["cl"].result_list}


def test_search_finds_an_exact_username_ip_or_request_id(staff_client, make_user):
    alice, bob = make_user(username="Alice"), make_user(username="bob")
    about_alice = SecurityEventFactory(user=alice, ip="198.51.100.1", request_id="r-1")
    by_alice = SecurityEventFactory(user=bob, actor=alice, ip="198.51.100.2", request_id="r-2")
    other = SecurityEventFactory(user=bob, ip="2001:db8::5", request_id="r-3")
    assert listed(staff_client, q="alice") == {about_alice.pk, by_alice.pk}
    assert listed(staff_client, q=" 198.51.100.2 ") == {by_alice.pk}
    assert listed(staff_client, q="2001:DB8::5") == {other.pk}
    assert listed(staff_client, q="r-3") == {other.pk}
    assert listed(staff_client, q="ali") == set()  # exact values only: each is an index lookup


def test_a_search_with_a_nul_character_is_refused_by_the_form_not_the_database(staff_client):
    response = staff_client.get(LIST, {"q": "nul\x00byte"})
    assert response.status_code == HTTPStatus.OK
    assert "Null characters are not allowed." in response.content.decode()


def test_filters_by_event_and_date(staff_client):
    failed = SecurityEventFactory(event=Event.LOGIN_FAILED)
    SecurityEventFactory(event=Event.LOGOUT)
    assert listed(staff_client, event="login_failed") == {failed.pk}
    old = SecurityEventFactory(at=failed.at - timedelta(days=3))
    since_yesterday = (failed.at - timedelta(days=1)).isoformat()
    assert old.pk not in listed(staff_client, at__gte=since_yesterday)
    assert failed.pk in listed(staff_client, at__gte=since_yesterday)


def test_the_list_never_counts_the_whole_table(staff_client, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    SecurityEventFactory.create_batch(5)
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(LIST)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the paginator should count (a capped number of) rows"
    assert all("LIMIT 3" in sql for sql in counts), counts
    assert response.context["cl"].result_count == 3
    assert "3+ security events" in " ".join(response.content.decode().split())
