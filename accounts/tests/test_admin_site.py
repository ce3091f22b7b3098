"""The Django admin: only admins get in; the last active admin stays; deactivation revokes tokens."""

from http import HTTPStatus

import pytest

from accounts.models import LoginSession, Role
from accounts.services import LAST_ADMIN
from accounts.sessions import session_start
from accounts.tests.conftest import me_status

pytestmark = pytest.mark.django_db


def _change_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "role": user.role,
        "is_active": "on" if user.is_active else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
def test_non_admins_cannot_use_the_admin_site(client, make_user, role):
    client.force_login(make_user(role=role))
    response = client.get("/admin/accounts/user/")
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response["Location"]


def test_admin_can_use_the_admin_site(client, admin):
    client.force_login(admin)
    assert client.get("/admin/accounts/user/").status_code == HTTPStatus.OK


@pytest.mark.parametrize("change", [{"role": Role.USER}, {"is_active": None}])
def test_the_last_active_admin_cannot_be_demoted_in_the_admin(client, admin, change):
    client.force_login(admin)
    response = client.post(f"/admin/accounts/user/{admin.pk}/change/", _change_form(admin, **change))
    assert response.status_code == HTTPStatus.OK  # the form again, with the error
    assert LAST_ADMIN in response.content.decode()
    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == (Role.ADMIN, True)


def test_deactivation_in_the_admin_revokes_the_users_tokens(client, admin, user, login):
    tokens = login(user)
    client.force_login(admin)
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", _change_form(user, is_active=None))
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    user.refresh_from_db()
    assert not user.is_active
    assert me_status(tokens["access"]) == HTTPStatus.UNAUTHORIZED


def test_password_set_in_the_admin_revokes_the_users_tokens(client, admin, user, login):
    tokens = login(user)
    client.force_login(admin)
    new = "an-entirely-new-passphrase-7"
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    assert me_status(tokens["access"]) == HTTPStatus.UNAUTHORIZED
    assert me_status(login(user, new)["access"]) == HTTPStatus.OK


def test_the_login_sessions_page_lists_sessions_read_only(client, admin, user):
    session_start(user=user)
    session = LoginSession.objects.get(user=user)
    client.force_login(admin)
    listing = client.get("/admin/accounts/loginsession/", {"ended_at__isempty": "1", "q": user.username})
    assert listing.status_code == HTTPStatus.OK
    assert str(session.sid) in listing.content.decode()
    assert client.get("/admin/accounts/loginsession/", {"q": "127.0.0.1"}).status_code == HTTPStatus.OK
    assert client.get("/admin/accounts/loginsession/add/").status_code == HTTPStatus.FORBIDDEN
    change = client.post(f"/admin/accounts/loginsession/{session.sid}/change/", {"ended_at_0": "2024-01-01"})
    assert change.status_code == HTTPStatus.FORBIDDEN
    assert LoginSession.objects.get(sid=session.sid).ended_at is None
