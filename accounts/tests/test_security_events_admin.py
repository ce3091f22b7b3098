"""The Django admin (its forms, login and logout) and manage.py record the same events as the API, with their actor."""

import io
from http import HTTPStatus

import pytest
from django.core.management import call_command

from accounts.models import Role
from accounts.tests.factories import PASSWORD
from accounts.tests.test_admin_site import _change_form
from audit.models import Event, SecurityEvent

pytestmark = pytest.mark.django_db

CLIENT = {"REMOTE_ADDR": "203.0.113.50", "HTTP_USER_AGENT": "admin-browser/2.0"}


def events() -> list[tuple]:
    """(event, user id, actor id, detail), oldest first, leaving out the fixtures' force_login."""
    recorded = SecurityEvent.objects.exclude(event=Event.LOGIN_SUCCEEDED, ip=None).order_by("at", "id")
    return list(recorded.values_list("event", "user_id", "actor_id", "detail"))


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def change(admin_client, user, **changes):
    url = f"/admin/accounts/user/{user.pk}/change/"
    return admin_client.post(url, _change_form(user, **changes), **CLIENT)


def test_a_role_change_in_the_admin_is_recorded_as_done_by_the_admin(admin_client, admin, user):
    response = change(admin_client, user, role=Role.MODERATOR)
    assert response.status_code == HTTPStatus.FOUND
    assert events() == [(Event.USER_ROLE_CHANGED, user.pk, admin.pk, {"old_role": "user", "new_role": "moderator"})]
    event = SecurityEvent.objects.latest("at", "id")
    assert (event.ip, event.user_agent, event.request_id) == (
        "203.0.113.50",
        "admin-browser/2.0",
        response["X-Request-ID"],
    )


def test_deactivation_and_reactivation_in_the_admin_are_recorded(admin_client, admin, user):
    assert change(admin_client, user, is_active=None).status_code == HTTPStatus.FOUND
    user.refresh_from_db()
    assert change(admin_client, user, is_active="on").status_code == HTTPStatus.FOUND
    assert events() == [
        (Event.USER_DEACTIVATED, user.pk, admin.pk, {}),
        (Event.USER_REACTIVATED, user.pk, admin.pk, {}),
    ]


def test_a_profile_only_change_in_the_admin_records_nothing(admin_client, user):
    assert change(admin_client, user, first_name="Grace").status_code == HTTPStatus.FOUND
    assert events() == []


def test_a_refused_last_admin_change_in_the_admin_records_nothing(admin_client, admin):
    assert change(admin_client, admin, role=Role.USER).status_code == HTTPStatus.OK  # the form, with the error
    assert events() == []


@pytest.mark.parametrize("usable", [True, False])
def test_a_password_set_in_the_admin_is_recorded_as_done_by_the_admin(admin_client, admin, user, usable):
    new = "an-entirely-new-passphrase-7"
    form = {"password1": new, "password2": new, "usable_password": "true"} if usable else {"usable_password": "false"}
    if not usable:
        form["unset-password"] = "1"
    response = admin_client.post(f"/admin/accounts/user/{user.pk}/password/", form, **CLIENT)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.has_usable_password() is usable
    assert events() == [(Event.PASSWORD_CHANGED, user.pk, admin.pk, {"integrations_revoked": 0})]
    assert SecurityEvent.objects.latest("at", "id").ip == "203.0.113.50"


def test_an_invalid_password_form_in_the_admin_records_nothing(admin_client, user):
    form = {"password1": "a-long-passphrase-1", "password2": "something-else-2", "usable_password": "true"}
    assert admin_client.post(f"/admin/accounts/user/{user.pk}/password/", form).status_code == HTTPStatus.OK
    assert events() == []


def test_manage_py_changepassword_is_recorded_without_actor(user, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a-brand-new-passphrase-42")
    call_command("changepassword", user.username, stdout=io.StringIO())
    assert events() == [(Event.PASSWORD_CHANGED, user.pk, None, {"via": "changepassword"})]


# --- the admin site's own login and logout -----------------------------------------------------


def admin_site_login(client, username: str, password: str):
    return client.post("/admin/login/", {"username": username, "password": password}, **CLIENT)


def test_an_admin_site_login_is_recorded(client, admin):
    response = admin_site_login(client, admin.username.upper(), PASSWORD)
    assert response.status_code == HTTPStatus.FOUND
    assert events() == [(Event.LOGIN_SUCCEEDED, admin.pk, admin.pk, {"via": "django_admin"})]
    assert SecurityEvent.objects.get().ip == CLIENT["REMOTE_ADDR"]


@pytest.mark.parametrize(
    ("case", "reason"),
    [("wrong password", "wrong_password"), ("inactive", "inactive_account"), ("unknown", "unknown_account")],
)
def test_a_failed_admin_site_login_is_recorded_without_the_typed_name(client, make_user, case, reason):
    target = make_user(role=Role.ADMIN, username="dora", is_active=case != "inactive")
    username = "nobody-called-that" if case == "unknown" else "dora"
    password = "not-the-password" if case == "wrong password" else PASSWORD
    assert admin_site_login(client, username, password).status_code == HTTPStatus.OK  # the form again
    user_id = None if case == "unknown" else target.pk
    assert events() == [(Event.LOGIN_FAILED, user_id, None, {"via": "django_admin", "reason": reason})]


def test_an_admin_site_logout_is_recorded(client, admin):
    admin_site_login(client, admin.username, PASSWORD)
    assert client.post("/admin/logout/", **CLIENT).status_code == HTTPStatus.OK
    assert events()[-1] == (Event.LOGOUT, admin.pk, admin.pk, {"via": "django_admin"})
