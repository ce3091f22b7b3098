"""An admin turns a user's two-factor off: PATCH users/{id}/ and the Django admin's action on the user list."""

from http import HTTPStatus

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import LoginSession
from accounts.sessions import session_start
from accounts.tests.conftest import me_status
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent
from mfa.models import Authenticator, RecoveryCode
from mfa.tests.conftest import login_first_step, mfa_turn_on

pytestmark = pytest.mark.django_db


def assert_turned_off_by(user, admin, accesses) -> None:
    user.refresh_from_db()
    assert not user.mfa_enabled
    assert not Authenticator.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert all(me_status(access) == HTTPStatus.UNAUTHORIZED for access in accesses)
    assert not LoginSession.objects.filter(user=user, ended_at__isnull=True).exists()
    event = SecurityEvent.objects.get(event=Event.MFA_DISABLED)
    assert (event.user, event.actor) == (user, admin)


def test_an_admin_turns_two_factor_off_and_every_session_of_the_user_ends(admin, user, client_for):
    mfa_turn_on(user)
    accesses = [str(session_start(user=user).access) for _ in range(2)]
    response = client_for(admin).patch(f"/api/v1/users/{user.pk}/", {"mfa_enabled": False})
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["mfa_enabled"] is False
    assert_turned_off_by(user, admin, accesses)
    # Password alone logs in now.
    login = APIClient().post("/api/v1/auth/login/", {"username": user.username, "password": PASSWORD})
    assert login.status_code == HTTPStatus.OK


def test_turning_on_is_not_for_admins(admin, user, client_for):
    response = client_for(admin).patch(f"/api/v1/users/{user.pk}/", {"mfa_enabled": True})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "mfa_enabled"
    assert response.json()["errors"][0]["code"] == "only_off"
    user.refresh_from_db()
    assert not user.mfa_enabled


def test_turning_off_what_is_off_changes_nothing(admin, user, client_for):
    access = str(session_start(user=user).access)
    response = client_for(admin).patch(f"/api/v1/users/{user.pk}/", {"mfa_enabled": False})
    assert response.status_code == HTTPStatus.OK
    assert me_status(access) == HTTPStatus.OK
    assert not SecurityEvent.objects.filter(event=Event.MFA_DISABLED).exists()


@pytest.mark.parametrize("value", ["false", 0, None, [], {}])
def test_mfa_enabled_must_be_a_boolean(admin, user, client_for, value):
    response = client_for(admin).patch(f"/api/v1/users/{user.pk}/", {"mfa_enabled": value}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_user_cannot_turn_their_own_two_factor_off_through_me(user, client_for):
    mfa_turn_on(user)
    response = client_for(user).patch("/api/v1/auth/me/", {"mfa_enabled": False}, format="json")
    assert response.status_code == HTTPStatus.OK  # read-only there: ignored
    user.refresh_from_db()
    assert user.mfa_enabled


def test_non_admins_cannot_turn_someone_elses_two_factor_off(make_user, user, client_for):
    from accounts.models import Role

    mfa_turn_on(user)
    moderator = make_user(role=Role.MODERATOR)
    response = client_for(moderator).patch(f"/api/v1/users/{user.pk}/", {"mfa_enabled": False})
    assert response.status_code == HTTPStatus.FORBIDDEN
    user.refresh_from_db()
    assert user.mfa_enabled


def test_the_django_admin_action_turns_two_factor_off(admin, user, make_user):
    mfa_turn_on(user)
    untouched = mfa_turn_on(make_user())
    accesses = [str(session_start(user=user).access)]
    pending = login_first_step(user)["mfa_token"]
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "turn_off_two_factor", "_selected_action": [user.pk]},
        follow=True,
    )
    assert response.status_code == HTTPStatus.OK
    assert b"Two-factor authentication turned off for 1 user(s)." in response.content
    assert_turned_off_by(user, admin, accesses)
    untouched.user.refresh_from_db()
    assert untouched.user.mfa_enabled
    stale = APIClient().post("/api/v1/auth/login/mfa/", {"mfa_token": pending, "code": "123456"})
    assert stale.status_code == HTTPStatus.UNAUTHORIZED


def test_the_django_admin_never_shows_a_secret_or_hash(admin, user):
    mfa = mfa_turn_on(user)
    client = Client()
    client.force_login(admin)
    stored = Authenticator.objects.get(user=user).secret_encrypted
    hashes = list(RecoveryCode.objects.values_list("code_hash", flat=True))
    authenticator = Authenticator.objects.get(user=user)
    code = RecoveryCode.objects.filter(user=user).first()
    pages = [
        "/admin/mfa/authenticator/",
        f"/admin/mfa/authenticator/{authenticator.pk}/change/",
        "/admin/mfa/recoverycode/",
        f"/admin/mfa/recoverycode/{code.pk}/change/",
        f"/admin/accounts/user/{user.pk}/change/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == HTTPStatus.OK, page
        content = response.content.decode()
        for secret in [mfa.secret, stored, *hashes, *mfa.recovery_codes]:
            assert secret not in content, page
    assert client.get("/admin/mfa/authenticator/add/").status_code == HTTPStatus.FORBIDDEN
    assert client.get(f"/admin/mfa/authenticator/{authenticator.pk}/delete/").status_code == HTTPStatus.FORBIDDEN
