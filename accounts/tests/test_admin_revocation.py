"""
Revocation seen from the Django admin: rows that hold a revocation cannot be deleted there (that would revive
tokens), staff end sessions with an action instead, and the API's revocations end the admin's cookie sessions.
"""

from http import HTTPStatus

import pytest
from django.contrib.auth import SESSION_KEY
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import LoginSession
from accounts.tests.conftest import bearer, me_status, refresh_status
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent
from mfa.tests.conftest import TOTP, TOTP_CONFIRM, code_now

pytestmark = pytest.mark.django_db

USERS_PAGE = "/admin/accounts/user/"


def _signed_in_to_admin(client) -> bool:
    response = client.get(USERS_PAGE)
    return response.status_code == HTTPStatus.OK and SESSION_KEY in client.session


@pytest.mark.parametrize(
    ("model", "page"),
    [(LoginSession, "accounts/loginsession"), (OutstandingToken, "token_blacklist/outstandingtoken")],
    ids=["login-session", "outstanding-token"],
)
def test_revocation_rows_cannot_be_deleted_in_the_admin(client, admin, user, login, model, page):
    login(user)
    row = model.objects.get(user=user)
    client.force_login(admin)
    listing = client.get(f"/admin/{page}/")
    assert listing.status_code == HTTPStatus.OK
    assert "delete_selected" not in listing.content.decode()
    assert client.get(f"/admin/{page}/{row.pk}/delete/").status_code == HTTPStatus.FORBIDDEN
    bulk = client.post(f"/admin/{page}/", {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    assert bulk.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    assert model.objects.filter(pk=row.pk).exists()


def test_a_blacklisted_refresh_token_stays_blacklisted_whatever_the_admin_posts(client, admin, user, login):
    tokens = login(user)
    assert bearer(tokens["access"]).post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}).status_code == 204
    row = BlacklistedToken.objects.get(token__user=user)
    client.force_login(admin)
    page = "/admin/token_blacklist/blacklistedtoken/"
    listing = client.get(page)
    assert listing.status_code == HTTPStatus.OK
    assert "delete_selected" not in listing.content.decode()
    assert client.get(f"{page}{row.pk}/delete/").status_code == HTTPStatus.FORBIDDEN
    assert client.post(f"{page}{row.pk}/delete/", {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert client.post(f"{page}{row.pk}/change/", {}).status_code == HTTPStatus.FORBIDDEN
    client.post(page, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    assert BlacklistedToken.objects.filter(pk=row.pk).exists()
    assert refresh_status(tokens["refresh"]) == HTTPStatus.UNAUTHORIZED


def test_end_selected_sessions_ends_them_and_records_who_did_it(client, admin, user, login, make_user):
    ended, kept = login(user), login(user)
    bystander = login(make_user())
    chosen = LoginSession.objects.filter(user=user).order_by("created_at").first()
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/loginsession/", {"action": "end_sessions", "_selected_action": [str(chosen.sid)]}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert me_status(ended["access"]) == HTTPStatus.UNAUTHORIZED
    assert refresh_status(ended["refresh"]) == HTTPStatus.UNAUTHORIZED
    assert me_status(kept["access"]) == HTTPStatus.OK
    assert me_status(bystander["access"]) == HTTPStatus.OK
    event = SecurityEvent.objects.get(event=Event.SESSION_REVOKED)
    assert (event.user, event.actor, event.detail) == (user, admin, {"session": chosen.sid.hex})


def test_ending_an_already_ended_session_records_nothing(client, admin, user, login):
    login(user)
    session = LoginSession.objects.get(user=user)
    client.force_login(admin)
    for _ in range(2):
        client.post("/admin/accounts/loginsession/", {"action": "end_sessions", "_selected_action": [str(session.sid)]})
    assert SecurityEvent.objects.filter(event=Event.SESSION_REVOKED).count() == 1


def test_an_api_logout_all_ends_the_users_admin_sessions(client, admin, login):
    client.force_login(admin)
    assert _signed_in_to_admin(client)
    assert bearer(login(admin)["access"]).post("/api/v1/auth/logout-all/").status_code == HTTPStatus.NO_CONTENT
    assert not _signed_in_to_admin(client)


def test_ending_a_session_on_the_api_sessions_page_ends_the_users_admin_sessions(client, admin, login):
    client.force_login(admin)
    keeper = login(admin)
    login(admin)
    other = LoginSession.objects.filter(user=admin).order_by("-created_at").first()
    assert bearer(keeper["access"]).delete(f"/api/v1/auth/sessions/{other.sid}/").status_code == 204
    assert not _signed_in_to_admin(client)
    assert me_status(keeper["access"]) == HTTPStatus.OK  # the API session making the call stays


def test_turning_two_factor_on_ends_the_users_admin_sessions(client, admin, login):
    client.force_login(admin)
    api = bearer(login(admin)["access"])
    enrolled = api.post(TOTP, {"password": PASSWORD})
    assert enrolled.status_code == HTTPStatus.CREATED
    assert _signed_in_to_admin(client)
    assert api.post(TOTP_CONFIRM, {"code": code_now(enrolled.json()["secret"])}).status_code == HTTPStatus.OK
    assert not _signed_in_to_admin(client)


def test_an_admin_session_survives_what_ends_no_session(client, admin, login):
    client.force_login(admin)
    login(admin)  # a new API login ends nothing
    assert _signed_in_to_admin(client)
