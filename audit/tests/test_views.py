"""GET auth/events/ and GET audit-events/: who sees what, the event shape, filters, cursor pages, query counts."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import Event, SecurityEvent
from audit.tests.factories import SecurityEventFactory
from common.keyset_pagination import INVALID_CURSOR

pytestmark = pytest.mark.django_db

OWN = "/api/v1/auth/events/"
ALL = "/api/v1/audit-events/"
EVENT_KEYS = {"id", "at", "event", "user", "actor", "ip", "user_agent", "request_id", "detail"}


def make_events(count: int, **kwargs) -> list[SecurityEvent]:
    """`count` events one minute apart, oldest first."""
    start = timezone.now() - timedelta(days=1)
    return [SecurityEventFactory(at=start + timedelta(minutes=n), **kwargs) for n in range(count)]


def ids(response) -> list[int]:
    assert response.status_code == HTTPStatus.OK, response.content
    return [row["id"] for row in response.json()["results"]]


def walk(client, url: str, params: dict) -> list[int]:
    response = client.get(url, params)
    seen = ids(response)
    while response.json()["next"]:
        response = client.get(response.json()["next"])
        seen += ids(response)
    return seen


def test_own_events_are_the_callers_only_newest_first(client_for, user, make_user):
    mine = make_events(3, user=user)
    make_events(2, user=make_user())
    make_events(1, actor=user)  # done by the caller to someone else: not about the caller's account
    response = client_for(user).get(OWN)
    assert ids(response) == [e.pk for e in reversed(mine)]
    assert set(response.json()) == {"next", "previous", "results"}


def test_an_event_has_the_documented_shape(client_for, user, admin):
    event = SecurityEventFactory(
        event=Event.USER_ROLE_CHANGED, user=user, actor=admin, detail={"old_role": "user", "new_role": "moderator"}
    )
    row = client_for(user).get(OWN).json()["results"][0]
    assert set(row) == EVENT_KEYS
    assert row["user"] == {"id": user.pk, "username": user.username}
    assert row["actor"] == {"id": admin.pk, "username": admin.username}
    assert (row["event"], row["ip"], row["user_agent"], row["request_id"]) == (
        "user_role_changed",
        event.ip,
        event.user_agent,
        event.request_id,
    )
    assert row["detail"] == {"old_role": "user", "new_role": "moderator"}
    assert row["at"].endswith("Z")


def test_an_event_without_actor_shows_null(client_for, user):
    SecurityEventFactory(event=Event.LOGIN_FAILED, user=user, actor=None, ip=None)
    row = client_for(user).get(OWN).json()["results"][0]
    assert (row["actor"], row["ip"]) == (None, None)


@pytest.mark.parametrize("url", [OWN, ALL])
def test_anonymous_callers_get_401(api_client, url):
    response = api_client.get(url)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["type"] == "client_error"


@pytest.mark.parametrize(("role", "status"), [(Role.USER, 403), (Role.MODERATOR, 403), (Role.ADMIN, 200)])
def test_only_admins_list_every_event(client_for, make_user, role, status):
    response = client_for(make_user(role=role)).get(ALL)
    assert response.status_code == status
    if status == HTTPStatus.FORBIDDEN:
        assert response.json()["errors"][0]["detail"] == "Only an admin can do this."


@pytest.mark.parametrize("url", [OWN, ALL])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_log_cannot_be_written_through_the_api(client_for, admin, url, method):
    SecurityEventFactory(user=admin)
    response = getattr(client_for(admin), method)(url, {"event": "logout"})
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert SecurityEvent.objects.count() == 1


def test_admin_filters_by_event_user_and_actor(client_for, admin, make_user):
    target, other = make_user(), make_user()
    role_change = SecurityEventFactory(event=Event.USER_ROLE_CHANGED, user=target, actor=admin)
    login = SecurityEventFactory(event=Event.LOGIN_SUCCEEDED, user=target, actor=target)
    SecurityEventFactory(event=Event.LOGIN_FAILED, user=other)
    client = client_for(admin)
    assert ids(client.get(ALL, {"event": "user_role_changed"})) == [role_change.pk]
    assert ids(client.get(ALL, {"user": target.pk})) == [login.pk, role_change.pk]
    assert ids(client.get(ALL, {"actor": admin.pk})) == [role_change.pk]
    assert ids(client.get(ALL, {"user": target.pk, "event": "login_succeeded"})) == [login.pk]
    assert ids(client.get(ALL, {"user": 987654321})) == []


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"event": "logged_in"}, "event"),
        ({"event": ""}, "event"),
        ({"user": "abc"}, "user"),
        ({"user": "0"}, "user"),
        ({"user": "1.5"}, "user"),
        ({"user": str(2**63)}, "user"),
        ({"actor": "-3"}, "actor"),
        ({"actor": ""}, "actor"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_filter_values_are_400_in_the_standard_shape(client_for, admin, params, attr):
    response = client_for(admin).get(ALL, params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["type"] == "validation_error"
    assert response.json()["errors"][0]["attr"] == attr


@pytest.mark.parametrize("url", [OWN, ALL])
def test_a_bad_cursor_is_404(client_for, admin, url):
    response = client_for(admin).get(url, {"cursor": "garbage"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["errors"][0]["detail"] == INVALID_CURSOR


def test_next_links_walk_every_event_once_keeping_the_filter(client_for, admin, make_user):
    target = make_user()
    events = make_events(7, user=target)
    make_events(3)
    # Two events at the same instant: the id breaks the tie.
    twins = [SecurityEventFactory(at=events[3].at, user=target) for _ in range(2)]
    expected = sorted([*events, *twins], key=lambda e: (e.at, e.pk), reverse=True)
    assert walk(client_for(admin), ALL, {"user": target.pk, "page_size": 2}) == [e.pk for e in expected]


def test_previous_link_returns_to_the_first_page(client_for, user):
    events = make_events(5, user=user)
    client = client_for(user)
    second = client.get(client.get(OWN, {"page_size": 2}).json()["next"])
    assert ids(client.get(second.json()["previous"])) == [events[4].pk, events[3].pk]


@pytest.mark.parametrize("page_size", [1, 100])
def test_own_events_run_the_same_two_queries_for_any_page_size(
    client_for, user, admin, django_assert_num_queries, page_size
):
    make_events(2 * page_size + 1, user=user, actor=admin)
    client = client_for(user)
    with django_assert_num_queries(2):  # the caller's user row + one SELECT joining user and actor
        response = client.get(OWN, {"page_size": page_size})
    assert len(ids(response)) == page_size
    with django_assert_num_queries(2):
        assert len(ids(client.get(response.json()["next"]))) == page_size


@pytest.mark.parametrize("page_size", [1, 100])
def test_admin_list_runs_the_same_two_queries_for_any_page_size(
    client_for, admin, make_user, django_assert_num_queries, page_size
):
    for _ in range(2 * page_size + 1):
        SecurityEventFactory(user=make_user(), actor=admin, event=Event.USER_DEACTIVATED)
    client = client_for(admin)
    with django_assert_num_queries(2):
        response = client.get(ALL, {"page_size": page_size, "event": "user_deactivated", "actor": admin.pk})
    assert len(ids(response)) == page_size
    with django_assert_num_queries(2):
        assert len(ids(client.get(response.json()["next"]))) == page_size
