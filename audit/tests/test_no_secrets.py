"""
No security event holds a secret: every flow that records events is driven with known secret
values, then every stored column and every event the API returns is searched for them.

A flow added later (password reset tokens, TOTP and recovery codes) adds one `@flow` function
that drives it and hands each secret it used to `secrets.add`.
"""

import io
import json
import re
import secrets as random_secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, TestCase
from rest_framework.test import APIClient

from audit.models import Event, SecurityEvent

pytestmark = pytest.mark.django_db

API = "/api/v1"
# Every kind of event the flows below cause; a new flow adds its own.
EXERCISED = {
    *(Event.LOGIN_SUCCEEDED, Event.LOGIN_FAILED, Event.REFRESH_REUSE_DETECTED, Event.LOGOUT, Event.LOGOUT_ALL),
    *(Event.PASSWORD_CHANGED, Event.USER_ROLE_CHANGED, Event.USER_DEACTIVATED, Event.USER_REACTIVATED),
    *(Event.PASSWORD_RESET_REQUESTED, Event.PASSWORD_RESET_COMPLETED),
    *(Event.EMAIL_VERIFIED, Event.EMAIL_CHANGE_REQUESTED, Event.EMAIL_CHANGED),
    *(Event.API_KEY_CREATED, Event.API_KEY_REVOKED),
    *(Event.MFA_ENABLED, Event.MFA_DISABLED, Event.MFA_FAILED, Event.RECOVERY_CODE_USED),
    Event.RECOVERY_CODES_REGENERATED,
    *(Event.NEW_DEVICE_LOGIN, Event.LOGIN_DISOWNED),
    *(Event.ACCOUNT_DELETION_REQUESTED, Event.ACCOUNT_DELETION_CANCELLED, Event.ACCOUNT_DELETED),
    *(Event.DATA_EXPORT_REQUESTED, Event.DATA_EXPORT_DOWNLOADED),
    *(Event.PASSKEY_ADDED, Event.PASSKEY_USED, Event.PASSKEY_CLONE_SUSPECTED, Event.PASSKEY_REMOVED),
}


@dataclass
class Secrets:
    """Every secret value a flow sent or received."""

    values: set[str] = field(default_factory=set)

    def add(self, *values: str) -> None:
        for value in values:
            self.values.add(value)
            if value.count(".") == 2:  # a JWT: its payload and signature must not leak on their own either
                self.values.update(part for part in value.split(".")[1:] if part)

    def password(self) -> str:
        value = f"Pw-{random_secrets.token_urlsafe(18)}"
        self.add(value)
        return value


@dataclass
class World:
    api: APIClient
    admin_api: APIClient
    admin_site: Client
    make_user: Callable
    admin: object


def login(world: World, secrets: Secrets, username: str, password: str) -> dict:
    body = world.api.post(f"{API}/auth/login/", {"username": username, "password": password}).json()
    secrets.add(body["access"], body["refresh"])
    return body


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def a_user(world: World, secrets: Secrets, **fields):
    """A fresh account registered through the API with a secret password; returns (user, password)."""
    password = secrets.password()
    name = f"u{random_secrets.token_hex(4)}"
    body = {"username": name, "email": f"{name}@example.com", "password": password}
    assert world.api.post(f"{API}/auth/register/", body).status_code == 201
    user = world.make_user._meta.model.objects.get(username=name)
    for key, value in fields.items():
        setattr(user, key, value)
    user.save()
    return user, password


FLOWS: list[Callable[[World, Secrets], None]] = []


def flow(function: Callable[[World, Secrets], None]) -> Callable[[World, Secrets], None]:
    FLOWS.append(function)
    return function


@flow
def logins_that_fail(world, secrets):
    user, password = a_user(world, secrets)
    wrong = secrets.password()
    world.api.post(f"{API}/auth/login/", {"username": user.username, "password": wrong})
    world.api.post(f"{API}/auth/login/", {"username": password, "password": password})  # password typed as the name
    world.api.post(f"{API}/auth/login/", {"username": "nobody-by-this-name", "password": wrong})


@flow
def admin_site_logins(world, secrets):
    user, password = a_user(world, secrets, role="admin")
    browser = Client()
    browser.post("/admin/login/", {"username": user.username, "password": secrets.password()})
    browser.post("/admin/login/", {"username": password, "password": password})  # password typed as the name
    assert browser.post("/admin/login/", {"username": user.username, "password": password}).status_code == 302
    browser.post("/admin/logout/")


@flow
def login_refresh_reuse_and_logout(world, secrets):
    user, password = a_user(world, secrets)
    first = login(world, secrets, user.username, password)
    rotated = world.api.post(f"{API}/auth/token/refresh/", {"refresh": first["refresh"]}).json()
    secrets.add(rotated["access"], rotated["refresh"])
    world.api.post(f"{API}/auth/token/refresh/", {"refresh": first["refresh"]})  # reuse: revokes everything
    again = login(world, secrets, user.username, password)
    bearer(again["access"]).post(f"{API}/auth/logout/", {"refresh": "eyJ.not-mine.at-all"})
    bearer(again["access"]).post(f"{API}/auth/logout/", {"refresh": again["refresh"]})
    bearer(login(world, secrets, user.username, password)["access"]).post(f"{API}/auth/logout-all/")


@flow
def password_changes(world, secrets):
    user, password = a_user(world, secrets)
    client = bearer(login(world, secrets, user.username, password)["access"])
    client.post(f"{API}/auth/password/change/", {"old_password": secrets.password(), "new_password": "x"})
    client.post(f"{API}/auth/password/change/", {"old_password": password, "new_password": secrets.password()})
    by_admin = secrets.password()
    form = {"password1": by_admin, "password2": by_admin, "usable_password": "true"}
    world.admin_site.post(f"/admin/accounts/user/{user.pk}/password/", form)
    world.admin_site.post(
        f"/admin/accounts/user/{user.pk}/password/", {"usable_password": "false", "unset-password": 1}
    )
    command_password = secrets.password()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("getpass.getpass", lambda prompt="": command_password)
        call_command("changepassword", user.username, stdout=io.StringIO())


@flow
def admin_changes_to_a_user(world, secrets):
    user, _ = a_user(world, secrets)
    for change in ({"role": "moderator"}, {"is_active": False}, {"is_active": True}):
        world.admin_api.patch(f"{API}/users/{user.pk}/", change)
    user.refresh_from_db()
    form = {
        **{"username": user.username, "email": user.email, "first_name": "", "last_name": ""},
        **{"role": "admin", "last_login_0": "", "last_login_1": ""},
        **{"date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"},
    }
    world.admin_site.post(f"/admin/accounts/user/{user.pk}/change/", form)  # promoted and deactivated


def mailed_token(secrets: Secrets, to: str) -> str:
    """The token of the latest mail to `to` (password reset, email verification), kept as a secret."""
    message = [m for m in mail.outbox if m.to == [to]][-1]
    token = re.search(r"token=([A-Za-z0-9_.:-]+)", message.body).group(1)
    secrets.add(token)
    return token


def jobs_run():
    """Run the background jobs (the mails) queued inside the block when it ends, as after a commit."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@flow
def password_resets(world, secrets):
    user, _ = a_user(world, secrets)
    with jobs_run():
        world.api.post(f"{API}/auth/password/reset/", {"email": user.email})
        world.api.post(f"{API}/auth/password/reset/", {"email": "nobody-by-this-address@example.com"})
    token = mailed_token(secrets, user.email)
    confirm = f"{API}/auth/password/reset/confirm/"
    world.api.post(confirm, {"token": token, "new_password": "1"})  # refused: the token stays usable
    world.api.post(confirm, {"token": token, "new_password": secrets.password()})
    world.api.post(confirm, {"token": token, "new_password": secrets.password()})  # used
    with jobs_run():  # the Django admin's action
        world.admin_site.post("/admin/accounts/user/", {"action": "send_password_reset", "_selected_action": [user.pk]})
    mailed_token(secrets, user.email)


@flow
def email_verification_and_change(world, secrets):
    with jobs_run():
        user, password = a_user(world, secrets)
    verify = f"{API}/auth/email/verify/"
    world.api.post(verify, {"token": mailed_token(secrets, user.email)})
    client = bearer(login(world, secrets, user.username, password)["access"])
    new_email = f"new-{user.username}@example.com"
    with jobs_run():
        client.patch(f"{API}/auth/me/", {"email": new_email})
        client.post(f"{API}/auth/email/verify/resend/")
    world.api.post(verify, {"token": mailed_token(secrets, new_email)})
    world.api.post(verify, {"token": mailed_token(secrets, new_email)})  # used


@flow
def api_keys(world, secrets):
    from apikeys.keys import key_hash

    user, password = a_user(world, secrets)
    client = bearer(login(world, secrets, user.username, password)["access"])
    made = []
    for scopes in (["read"], ["read", "write"]):
        body = client.post(f"{API}/auth/api-keys/", {"name": "script", "scopes": scopes}, format="json").json()
        # The key, its secret part on its own, and its hash: none may be recorded.
        secrets.add(body["key"], body["key"].removeprefix(body["prefix"]), key_hash(body["key"]))
        made.append(body)
    keyed = APIClient()
    keyed.credentials(HTTP_AUTHORIZATION=f"Api-Key {made[1]['key']}")
    keyed.get(f"{API}/auth/me/")
    keyed.post(f"{API}/posts/", {"title": "by a script", "body": "hello"}, format="json")
    keyed.post(f"{API}/auth/api-keys/", {"name": "refused", "scopes": ["read"]}, format="json")
    client.delete(f"{API}/auth/api-keys/{made[0]['id']}/")
    world.admin_site.post("/admin/apikeys/apikey/", {"action": "revoke", "_selected_action": [made[1]["id"]]})


def totp_codes_recorded_nowhere(codes: set[str]) -> None:
    """Six digits may turn up by chance in a timestamp: TOTP codes are searched for in what events keep of a request."""
    kept = json.dumps(list(SecurityEvent.objects.values_list("detail", "user_agent", "request_id")))
    for code in codes:
        assert code not in kept, "an event holds a TOTP code"


@flow
def two_factor(world, secrets):
    import time

    from mfa import recovery_codes, totp
    from mfa.models import Authenticator, LoginChallenge
    from mfa.services import _token_hash

    user, password = a_user(world, secrets)
    client = bearer(login(world, secrets, user.username, password)["access"])
    client.post(f"{API}/auth/mfa/totp/", {"password": secrets.password()})  # wrong password
    enrolled = client.post(f"{API}/auth/mfa/totp/", {"password": password}).json()
    secret = enrolled["secret"]
    secrets.add(secret, enrolled["otpauth_url"], Authenticator.objects.get(user=user).secret_encrypted)
    step = totp.step_at(time.time())
    codes = {totp.code_at_step(secret, step + offset) for offset in (-1, 0, 1)}
    first_set = client.post(f"{API}/auth/mfa/totp/confirm/", {"code": totp.code_at_step(secret, step)}).json()
    secrets.add(*first_set["recovery_codes"])
    replaced = client.post(f"{API}/auth/mfa/recovery-codes/", {"code": first_set["recovery_codes"][0]})
    recovery = replaced.json()["recovery_codes"]
    for code in recovery:
        secrets.add(code, code.replace("-", ""), recovery_codes.code_hash(code))

    def first_step() -> str:
        body = world.api.post(f"{API}/auth/login/", {"username": user.username, "password": password}).json()
        secrets.add(body["mfa_token"], _token_hash(body["mfa_token"]))
        return body["mfa_token"]

    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in codes)
    token = first_step()
    world.api.post(f"{API}/auth/login/mfa/", {"mfa_token": token, "code": wrong})
    done = world.api.post(f"{API}/auth/login/mfa/", {"mfa_token": token, "code": totp.code_at_step(secret, step + 1)})
    secrets.add(done.json()["access"], done.json()["refresh"])
    world.api.post(f"{API}/auth/login/mfa/", {"mfa_token": first_step(), "code": recovery[0]})
    world.api.post(f"{API}/auth/login/mfa/", {"mfa_token": first_step(), "code": recovery[0]})  # used: mfa_failed
    assert LoginChallenge.objects.filter(user=user).exists()
    client.post(f"{API}/auth/mfa/disable/", {"code": wrong})  # mfa_failed
    client.post(f"{API}/auth/mfa/disable/", {"code": recovery[1]})
    totp_codes_recorded_nowhere(codes | {wrong})
    # Turned off by an admin, through the API and through the Django admin's action.
    for turn_off in (
        lambda other: world.admin_api.patch(f"{API}/users/{other.pk}/", {"mfa_enabled": False}),
        lambda other: world.admin_site.post(
            "/admin/accounts/user/", {"action": "turn_off_two_factor", "_selected_action": [other.pk]}
        ),
    ):
        other, other_password = a_user(world, secrets)
        other_client = bearer(login(world, secrets, other.username, other_password)["access"])
        other_secret = other_client.post(f"{API}/auth/mfa/totp/", {"password": other_password}).json()["secret"]
        secrets.add(other_secret)
        confirmed = other_client.post(f"{API}/auth/mfa/totp/confirm/", {"code": totp.code_at_step(other_secret, step)})
        secrets.add(*confirmed.json()["recovery_codes"])
        turn_off(other)


@flow
def new_device_alerts(world, secrets):
    user, password = a_user(world, secrets)
    with jobs_run():
        login(world, secrets, user.username, password)
    with jobs_run():
        body = {"username": user.username, "password": password}
        tokens = APIClient().post(f"{API}/auth/login/", body, HTTP_USER_AGENT="Firefox/121.0", REMOTE_ADDR="10.9.9.9")
        secrets.add(tokens.json()["access"], tokens.json()["refresh"])
    with jobs_run():
        world.api.post(f"{API}/auth/login/disown/", {"token": mailed_token(secrets, user.email)})
    mailed_token(secrets, user.email)  # the password reset the link started


@flow
def account_deletion_and_data_export(world, secrets):
    user, password = a_user(world, secrets)
    client = bearer(login(world, secrets, user.username, password)["access"])
    with jobs_run():
        client.post(f"{API}/auth/me/export/")
    download = f"{API}/auth/account/export/download/"
    token = mailed_token(secrets, user.email)
    world.api.post(download, {"token": token})
    world.api.post(download, {"token": token})  # used
    with jobs_run():
        client.delete(f"{API}/auth/me/")
    cancel = f"{API}/auth/account/deletion/cancel/"
    token = mailed_token(secrets, user.email)
    world.api.post(cancel, {"token": token})
    world.api.post(cancel, {"token": token})  # used
    leaver, leaver_password = a_user(world, secrets)
    with jobs_run():
        bearer(login(world, secrets, leaver.username, leaver_password)["access"]).delete(f"{API}/auth/me/")
    mailed_token(secrets, leaver.email)
    from privacy.purge import accounts_purge_due
    from privacy.tests.conftest import deletion_make_due

    deletion_make_due(leaver)
    assert accounts_purge_due() == 1


@flow
def passkeys(world, secrets):
    from fido2.utils import websafe_encode

    from passkeys.tests.conftest import LOGIN as PASSKEY_LOGIN
    from passkeys.tests.conftest import login_options, new_authenticator, options_of, register

    user, password = a_user(world, secrets)
    client = bearer(login(world, secrets, user.username, password)["access"])
    authenticator = new_authenticator(counter=5)
    with jobs_run():
        passkey = register(client, authenticator, name="Laptop")
    secrets.add(websafe_encode(authenticator.credential_id), websafe_encode(authenticator.user_handle))
    answer = authenticator.get(login_options())
    secrets.add(answer["response"]["signature"], answer["response"]["authenticatorData"])
    body = world.api.post(PASSKEY_LOGIN, {"credential": answer}, format="json").json()
    secrets.add(body["access"], body["refresh"])
    world.api.post(PASSKEY_LOGIN, {"credential": authenticator.get(login_options(), counter=1)}, format="json")
    options = options_of(client.post(f"{API}/auth/reauthenticate/passkey/options/"))
    client.post(f"{API}/auth/reauthenticate/", {"passkey": authenticator.get(options, counter=9)}, format="json")
    with jobs_run():
        client.delete(f"{API}/auth/passkeys/{passkey['id']}/")


def stored_text() -> str:
    """Every column of every stored event, as text."""
    rows = SecurityEvent.objects.values_list("event", "user_id", "actor_id", "ip", "user_agent", "request_id", "detail")
    return "\n".join(json.dumps(row, default=str) for row in rows)


def returned_text(world: World) -> str:
    """Every event the API returns: the admin's list, page by page (users' own lists are subsets, same serializer)."""
    pages, url = [], f"{API}/audit-events/?page_size=100"
    while url:
        body = world.admin_api.get(url).json()
        pages.append(json.dumps(body))
        url = body["next"]
    return "\n".join(pages)


def test_no_event_stored_or_returned_holds_a_secret(api_client, admin, make_user, client_for, client):
    cache.clear()  # the mail limits count in the cache, which outlives other tests' transactions
    client.force_login(admin)
    world = World(api=api_client, admin_api=client_for(admin), admin_site=client, make_user=make_user, admin=admin)
    secrets = Secrets()
    for drive in FLOWS:
        drive(world, secrets)

    recorded = set(SecurityEvent.objects.values_list("event", flat=True))
    assert recorded >= EXERCISED, f"the flows should record every kind of event, missing {EXERCISED - recorded}"
    stored, returned = stored_text(), returned_text(world)
    assert SecurityEvent.objects.count() == returned.count('"event":'), "the admin list should return every event"
    assert len(secrets.values) > 20
    for secret in secrets.values:
        assert secret not in stored, f"a stored event holds the secret {secret[:12]}..."
        assert secret not in returned, f"the API returns an event holding the secret {secret[:12]}..."
