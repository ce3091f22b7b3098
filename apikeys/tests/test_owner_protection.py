"""A stolen session must not become a lasting credential: a new key is mailed to its owner, and a
password change or reset revokes the keys (unless asked not to); making one needs a recent login."""

import uuid
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.mail_tokens import password_reset_token
from accounts.permissions import RecentAuthentication
from accounts.sessions import session_start
from accounts.tests.factories import PASSWORD
from accounts.tokens import token_pair_build
from apikeys.models import ApiKey
from apikeys.tests.conftest import KEYS, ME
from apikeys.tests.factories import api_key_make, key_client
from audit.models import Event, SecurityEvent

pytestmark = pytest.mark.django_db

PASSWORD_CHANGE = "/api/v1/auth/password/change/"
PASSWORD_RESET_CONFIRM = "/api/v1/auth/password/reset/confirm/"
NEW_PASSWORD = "a-brand-new-passphrase"


def test_making_a_key_mails_its_owner_without_the_key(user, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(KEYS, {"name": "nightly backup", "scopes": ["read"]}, format="json")
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    [message] = mail.outbox
    assert message.to == [user.email]
    assert "API key" in message.subject
    assert body["prefix"] in message.body
    assert "nightly backup" in message.body
    assert body["key"] not in message.body
    assert body["key"] not in message.alternatives[0][0]


def test_no_mail_when_the_key_was_not_made(user, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(KEYS, {"name": "x", "scopes": ["write"]}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert mail.outbox == []


def test_making_a_key_needs_a_recent_login(user):
    sid = uuid.UUID(hex=session_start(user=user).access["sid"])
    stale = token_pair_build(user=user, sid=sid, auth_time=timezone.now() - timedelta(minutes=6), amr=["pwd"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {stale.access}")
    response = client.post(KEYS, {"name": "x", "scopes": ["read"]}, format="json")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["errors"][0]["code"] == "reauthentication_required"
    assert client.get(KEYS).status_code == HTTPStatus.OK  # listing needs no recent login
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", KEYS, {"name": "x", "scopes": ["read"]}),
        ("post", PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}),
        ("patch", ME, {"email": "elsewhere@example.com"}),
    ],
)
def test_an_api_key_never_reaches_a_credential_change(user, method, path, body):
    _, key = api_key_make(user, scopes="read write")
    response = getattr(key_client(key), method)(path, body, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert user.pending_email is None


class _Guarded(APIView):
    permission_classes = [IsAuthenticated, RecentAuthentication]

    def post(self, request):
        return Response(status=HTTPStatus.NO_CONTENT)


def test_the_recent_login_rule_refuses_a_credential_without_a_login_session(user):
    # Should a key ever be let past the `auth/` rule (apikeys.scopes), the permission still fails closed.
    api_key, _ = api_key_make(user, scopes="read write")
    request = APIRequestFactory().post("/guarded/")
    force_authenticate(request, user=user, token=api_key)
    response = _Guarded.as_view()(request)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.data["errors"][0]["code"] == "reauthentication_required"
    assert 'error="insufficient_user_authentication"' in response["WWW-Authenticate"]


def test_a_password_change_revokes_the_keys_by_default(user, client_for):
    api_key, key = api_key_make(user)
    response = client_for(user).post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert key_client(key).get(ME).status_code == HTTPStatus.UNAUTHORIZED
    event = SecurityEvent.objects.get(event=Event.API_KEY_REVOKED)
    assert (event.user, event.actor, event.detail["reason"]) == (user, user, "password_changed")
    assert event.detail["prefix"] == api_key.prefix
    changed = SecurityEvent.objects.get(event=Event.PASSWORD_CHANGED)
    assert changed.detail == {"integrations_revoked": 1}


def test_a_password_change_can_keep_the_keys(user, client_for):
    _, key = api_key_make(user)
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "revoke_api_keys": False}
    assert client_for(user).post(PASSWORD_CHANGE, body, format="json").status_code == HTTPStatus.NO_CONTENT
    assert key_client(key).get(ME).status_code == HTTPStatus.OK


@pytest.mark.parametrize("value", ["no", 0, None])
def test_revoke_api_keys_must_be_a_boolean(user, client_for, value):
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "revoke_api_keys": value}
    response = client_for(user).post(PASSWORD_CHANGE, body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "revoke_api_keys"


def test_a_password_reset_revokes_the_keys_by_default(user, api_client):
    _, key = api_key_make(user)
    token = password_reset_token.make(user)
    response = api_client.post(PASSWORD_RESET_CONFIRM, {"token": token, "new_password": NEW_PASSWORD})
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert key_client(key).get(ME).status_code == HTTPStatus.UNAUTHORIZED
    assert SecurityEvent.objects.get(event=Event.API_KEY_REVOKED).detail["reason"] == "password_reset"


def test_a_password_reset_can_keep_the_keys(user, api_client):
    _, key = api_key_make(user)
    body = {"token": password_reset_token.make(user), "new_password": NEW_PASSWORD, "revoke_api_keys": False}
    assert api_client.post(PASSWORD_RESET_CONFIRM, body, format="json").status_code == HTTPStatus.NO_CONTENT
    assert key_client(key).get(ME).status_code == HTTPStatus.OK


def test_revoking_on_a_reset_never_touches_another_users_keys(user, make_user, api_client):
    _, others = api_key_make(make_user())
    body = {"token": password_reset_token.make(user), "new_password": NEW_PASSWORD}
    assert api_client.post(PASSWORD_RESET_CONFIRM, body).status_code == HTTPStatus.NO_CONTENT
    assert key_client(others).get(ME).status_code == HTTPStatus.OK
