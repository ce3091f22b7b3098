"""Admin-only users endpoints: role matrix, filters, changes and the last-admin rule."""

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from accounts.services import LAST_ADMIN, user_admin_update
from accounts.tests.conftest import USERS, assert_unauthorized

pytestmark = pytest.mark.django_db

ENDPOINTS = [("get", "list"), ("get", "detail"), ("patch", "detail")]


def _url(kind: str, user) -> str:
    return USERS if kind == "list" else f"{USERS}{user.pk}/"


@pytest.mark.parametrize(("method", "kind"), ENDPOINTS)
def test_anonymous_caller_gets_401(api_client, user, method, kind):
    assert_unauthorized(getattr(api_client, method)(_url(kind, user), {}))


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
@pytest.mark.parametrize(("method", "kind"), ENDPOINTS)
def test_non_admin_gets_403(make_user, client_for, role, method, kind):
    caller = make_user(role=role)
    response = getattr(client_for(caller), method)(_url(kind, caller), {"role": "admin"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    caller.refresh_from_db()
    assert caller.role == role


@pytest.mark.parametrize(("method", "kind"), ENDPOINTS)
def test_admin_is_allowed(admin, user, client_for, method, kind):
    response = getattr(client_for(admin), method)(_url(kind, user), {})
    assert response.status_code == HTTPStatus.OK


def test_list_is_paginated_with_user_objects(admin, client_for, make_user):
    make_user.create_batch(3)
    body = client_for(admin).get(USERS, {"page_size": 2}).json()
    assert body["count"] == 4
    assert len(body["results"]) == 2
    assert body["next"] is not None
    assert set(body["results"][0]) == {
        *("id", "username", "email", "role", "is_active", "date_joined"),
        *("email_verified", "pending_email", "mfa_enabled"),
    }


@pytest.mark.parametrize("page_size", [5, 50])
def test_list_query_count_does_not_grow_with_the_page(
    admin, client_for, make_user, django_assert_num_queries, page_size
):
    make_user.create_batch(60)
    client = client_for(admin)
    with django_assert_num_queries(3):  # user + count + page
        response = client.get(USERS, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


def test_list_searches_username_and_email(admin, client_for, make_user):
    by_name = make_user(username="zebra")
    by_email = make_user(username="other", email="ZEBRA2@example.com")
    make_user(username="lion")
    ids = {row["id"] for row in client_for(admin).get(USERS, {"search": "zeb"}).json()["results"]}
    assert ids == {by_name.pk, by_email.pk}


def test_list_filters_by_role_and_active_flag(admin, client_for, make_user):
    moderator = make_user(role=Role.MODERATOR)
    inactive_moderator = make_user(role=Role.MODERATOR, is_active=False)
    client = client_for(admin)
    assert {r["id"] for r in client.get(USERS, {"role": "moderator"}).json()["results"]} == {
        moderator.pk,
        inactive_moderator.pk,
    }
    results = client.get(USERS, {"role": "moderator", "is_active": "false"}).json()["results"]
    assert [r["id"] for r in results] == [inactive_moderator.pk]


@pytest.mark.parametrize("query", [{"role": "superhero"}, {"is_active": "maybe"}, {"page": "999"}, {"page_size": "x"}])
def test_list_refuses_bad_query_values(admin, client_for, query):
    response = client_for(admin).get(USERS, query)
    assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND)
    assert response.json()["type"] in ("validation_error", "client_error")


def test_admin_changes_role_and_active_flag_but_nothing_else(admin, user, client_for):
    response = client_for(admin).patch(
        f"{USERS}{user.pk}/", {"role": "moderator", "is_active": False, "username": "hacked", "email": "h@x.com"}
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["role"] == Role.MODERATOR
    user.refresh_from_db()
    assert (user.role, user.is_active, user.username) == (Role.MODERATOR, False, user.username)
    assert user.username != "hacked"


def test_promotion_to_admin_makes_staff(admin, user, client_for):
    client_for(admin).patch(f"{USERS}{user.pk}/", {"role": "admin"})
    user.refresh_from_db()
    assert user.is_staff
    assert user.is_superuser


def test_invalid_role_is_400(admin, user, client_for):
    response = client_for(admin).patch(f"{USERS}{user.pk}/", {"role": "root"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "role"


def test_put_is_not_allowed_and_unknown_user_is_404(admin, client_for):
    client = client_for(admin)
    assert client.put(f"{USERS}{admin.pk}/", {"role": "user"}).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert client.get(f"{USERS}999999/").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("change", [{"role": "moderator"}, {"is_active": False}])
def test_the_last_active_admin_cannot_be_demoted_or_deactivated(admin, client_for, make_user, change):
    make_user(role=Role.ADMIN, is_active=False)  # an inactive admin does not count
    response = client_for(admin).patch(f"{USERS}{admin.pk}/", change)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["detail"] == LAST_ADMIN
    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == (Role.ADMIN, True)


def test_an_admin_can_be_demoted_while_another_stays(admin, client_for, make_user):
    other = make_user(role=Role.ADMIN)
    assert client_for(admin).patch(f"{USERS}{other.pk}/", {"role": "user"}).status_code == HTTPStatus.OK
    with pytest.raises(ValidationError):
        user_admin_update(user=admin, is_active=False)


def test_service_keeps_non_admin_changes_free(user):
    assert user_admin_update(user=user, role=Role.MODERATOR).role == Role.MODERATOR
    assert User.objects.get(pk=user.pk).role == Role.MODERATOR
