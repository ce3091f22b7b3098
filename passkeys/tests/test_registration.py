"""Adding a passkey: the options, the browser's answer checked by fido2, and every way an answer is refused."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core import mail
from django.utils import timezone
from fido2.utils import websafe_decode
from rest_framework.test import APIClient

from accounts.tests.test_reauthentication import stale_access
from audit.models import Event, SecurityEvent
from passkeys import services
from passkeys.models import Ceremony, Passkey
from passkeys.tests.conftest import (
    REGISTRATION,
    REGISTRATION_OPTIONS,
    assert_error,
    new_authenticator,
    options_of,
    register,
)

pytestmark = pytest.mark.django_db


def test_registration_options_ask_for_a_discoverable_verified_passkey_of_this_relying_party(user, client_for, settings):
    options = options_of(client_for(user).post(REGISTRATION_OPTIONS))

    assert options["rp"] == {"id": settings.WEBAUTHN_RP_ID, "name": settings.WEBAUTHN_RP_NAME}
    selection = options["authenticatorSelection"]
    assert (selection["residentKey"], selection["userVerification"]) == ("preferred", "preferred")
    assert options["extensions"] == {"credProps": True}
    assert options["attestation"] == "none"
    assert options["timeout"] == 300_000
    assert options["user"]["name"] == user.username
    assert websafe_decode(options["user"]["id"]) != str(user.pk).encode(), "the user handle is not the id"
    assert len(websafe_decode(options["challenge"])) >= 16
    assert Ceremony.objects.filter(user=user, purpose=Ceremony.Purpose.REGISTRATION).count() == 1


def test_registering_keeps_the_passkey_records_it_and_mails_the_owner(user, client_for, run_jobs):
    authenticator = new_authenticator(backup_eligible=True, backed_up=True)
    with run_jobs():
        body = register(client_for(user), authenticator, name="Phone")

    passkey = Passkey.objects.get(pk=body["id"])
    assert bytes(passkey.credential_id) == authenticator.credential_id
    assert passkey.user == user
    assert passkey.name == "Phone"
    assert (passkey.discoverable, passkey.user_verified, passkey.passwordless) == (True, True, True)
    assert (passkey.backup_eligible, passkey.backup_state) == (True, True)
    assert passkey.transports == ["internal", "hybrid"]
    assert body["passwordless"] is True
    assert body["last_used_at"] is None
    assert set(body) == {
        "id",
        "name",
        "created_at",
        "last_used_at",
        "passwordless",
        "discoverable",
        "user_verified",
        "backup_eligible",
        "backup_state",
        "transports",
        "aaguid",
    }
    event = SecurityEvent.objects.get(event=Event.PASSKEY_ADDED)
    assert event.user == user
    assert event.actor == user
    assert event.detail["name"] == "Phone"
    assert event.detail["signs_in_alone"] is True
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "Phone" in mail.outbox[0].body
    assert mail.outbox[0].alternatives


def test_a_passkey_without_user_verification_or_not_discoverable_is_a_second_factor_only(user, client_for):
    client = client_for(user)
    no_uv = register(client, new_authenticator(user_verification=False), name="Key")
    not_discoverable = register(client, new_authenticator(resident_key=False), name="Old key")

    assert (no_uv["user_verified"], no_uv["passwordless"]) == (False, False)
    assert (not_discoverable["discoverable"], not_discoverable["passwordless"]) == (False, False)


def test_the_options_exclude_the_users_passkeys_so_one_authenticator_is_not_registered_twice(user, client_for):
    client = client_for(user)
    first, second = new_authenticator(), new_authenticator()
    register(client, first)
    register(client, second, name="Other")

    options = options_of(client.post(REGISTRATION_OPTIONS))
    excluded = {websafe_decode(item["id"]) for item in options["excludeCredentials"]}
    assert excluded == {first.credential_id, second.credential_id}
    assert options["excludeCredentials"][0]["transports"] == ["internal", "hybrid"]


def test_every_passkey_of_a_user_gets_the_same_user_handle(user, client_for):
    client = client_for(user)
    first = options_of(client.post(REGISTRATION_OPTIONS))["user"]["id"]
    register(client, new_authenticator())
    assert options_of(client.post(REGISTRATION_OPTIONS))["user"]["id"] == first


@pytest.mark.parametrize(
    ("create", "code"),
    [
        ({"origin": "https://evil.example"}, "origin_not_allowed"),
        ({"origin": "http://localhost:9999"}, "origin_not_allowed"),
        ({"rp_id": "example.com"}, "rp_id_mismatch"),
    ],
)
def test_an_answer_from_another_origin_or_for_another_rp_id_is_a_400_with_its_code(user, client_for, create, code):
    client = client_for(user)
    options = options_of(client.post(REGISTRATION_OPTIONS))
    response = client.post(REGISTRATION, {"name": "X", "credential": new_authenticator().create(options, **create)})

    assert_error(response, HTTPStatus.BAD_REQUEST, code, "credential")
    assert not Passkey.objects.exists()
    assert not SecurityEvent.objects.filter(event=Event.PASSKEY_ADDED).exists()


def test_a_challenge_works_once(user, client_for):
    client = client_for(user)
    options = options_of(client.post(REGISTRATION_OPTIONS))
    assert (
        client.post(REGISTRATION, {"name": "A", "credential": new_authenticator().create(options)}).status_code == 201
    )

    replay = client.post(REGISTRATION, {"name": "B", "credential": new_authenticator().create(options)})
    assert_error(replay, HTTPStatus.BAD_REQUEST, "challenge_invalid", "credential")
    assert Passkey.objects.count() == 1


def test_a_refused_answer_spends_its_challenge_too(user, client_for):
    client = client_for(user)
    options = options_of(client.post(REGISTRATION_OPTIONS))
    authenticator = new_authenticator()
    wrong = client.post(REGISTRATION, {"name": "A", "credential": authenticator.create(options, rp_id="example.com")})
    assert_error(wrong, HTTPStatus.BAD_REQUEST, "rp_id_mismatch", "credential")

    retry = client.post(REGISTRATION, {"name": "A", "credential": authenticator.create(options)})
    assert_error(retry, HTTPStatus.BAD_REQUEST, "challenge_invalid", "credential")


def test_an_expired_challenge_is_refused(user, client_for):
    client = client_for(user)
    options = options_of(client.post(REGISTRATION_OPTIONS))
    Ceremony.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(REGISTRATION, {"name": "A", "credential": new_authenticator().create(options)})
    assert_error(response, HTTPStatus.BAD_REQUEST, "challenge_invalid", "credential")


def test_another_users_challenge_is_refused(user, make_user, client_for):
    options = options_of(client_for(make_user()).post(REGISTRATION_OPTIONS))
    response = client_for(user).post(REGISTRATION, {"name": "A", "credential": new_authenticator().create(options)})
    assert_error(response, HTTPStatus.BAD_REQUEST, "challenge_invalid", "credential")


def test_a_login_challenge_cannot_register_a_passkey(user, client_for):
    options = options_of(APIClient().post("/api/v1/auth/login/passkey/options/"))
    response = client_for(user).post(REGISTRATION, {"name": "A", "credential": new_authenticator().create(options)})
    assert_error(response, HTTPStatus.BAD_REQUEST, "challenge_invalid", "credential")


def test_a_passkey_registered_already_is_a_400(user, make_user, client_for):
    authenticator = new_authenticator()
    register(client_for(user), authenticator)
    other = client_for(make_user())
    options = options_of(other.post(REGISTRATION_OPTIONS))

    response = other.post(REGISTRATION, {"name": "Same", "credential": authenticator.create(options)})
    assert_error(response, HTTPStatus.BAD_REQUEST, "already_registered", "credential")
    assert Passkey.objects.get().user == user


@pytest.mark.parametrize(
    ("body", "code", "attr"),
    [
        ({"name": "A"}, "required", "credential"),
        ({"credential": {}}, "required", "name"),
        ({"name": "A", "credential": "not an object"}, "not_a_dict", "credential"),
        ({"name": "A", "credential": {"id": "x"}}, "invalid", "credential"),
        (
            {"name": "A", "credential": {"id": "AA", "rawId": "AA", "response": {"clientDataJSON": "!!"}}},
            "invalid",
            "credential",
        ),
        ({"name": "", "credential": {}}, "blank", "name"),
        ({"name": "x" * 65, "credential": {}}, "max_length", "name"),
    ],
)
def test_bad_input_is_a_400_on_its_field(user, client_for, body, code, attr):
    client = client_for(user)
    client.post(REGISTRATION_OPTIONS)
    response = client.post(REGISTRATION, body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    errors = {(e["code"], e["attr"]) for e in response.json()["errors"]}
    assert (code, attr) in errors, errors


def test_a_registration_answer_built_with_a_garbled_attestation_is_a_400(user, client_for):
    client = client_for(user)
    credential = new_authenticator().create(options_of(client.post(REGISTRATION_OPTIONS)))
    credential["response"]["attestationObject"] = "bm90IGNib3I"
    assert_error(client.post(REGISTRATION, {"name": "A", "credential": credential}), 400, "invalid", "credential")


def test_registering_needs_a_recent_authentication(user):
    access, _ = stale_access(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    for path in (REGISTRATION_OPTIONS, REGISTRATION):
        response = client.post(path, {}, format="json")
        assert_error(response, HTTPStatus.UNAUTHORIZED, "reauthentication_required")


def test_registering_needs_a_login():
    for path in (REGISTRATION_OPTIONS, REGISTRATION):
        assert APIClient().post(path, {}, format="json").status_code == HTTPStatus.UNAUTHORIZED


def test_an_account_has_at_most_so_many_passkeys(user, client_for, monkeypatch):
    monkeypatch.setattr(services, "PASSKEYS_PER_USER", 1)
    client = client_for(user)
    register(client, new_authenticator())

    assert_error(client.post(REGISTRATION_OPTIONS), HTTPStatus.BAD_REQUEST, "too_many_passkeys", "non_field_errors")


@pytest.mark.parametrize(
    ("create", "code"),
    [
        ({"attested": False}, "invalid_credential"),
        ({"cose_key": {1: 2, 3: -999, -1: 1}}, "unsupported_algorithm"),
    ],
)
def test_an_answer_without_a_usable_credential_is_a_400(user, client_for, create, code):
    client = client_for(user)
    options = options_of(client.post(REGISTRATION_OPTIONS))
    response = client.post(REGISTRATION, {"name": "A", "credential": new_authenticator().create(options, **create)})
    assert_error(response, HTTPStatus.BAD_REQUEST, code, "credential")
    assert not Passkey.objects.exists()
