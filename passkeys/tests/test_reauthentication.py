"""A passkey as a factor of auth/reauthenticate/ (accounts.reauthentication)."""

from http import HTTPStatus

import pytest
from rest_framework_simplejwt.tokens import UntypedToken

from accounts.models import LoginSession
from audit.models import Event, SecurityEvent
from passkeys.tests.conftest import (
    REAUTHENTICATE,
    REAUTHENTICATION_OPTIONS,
    assert_error,
    new_authenticator,
    options_of,
)
from passkeys.uses import REAUTHENTICATION_AMR

pytestmark = pytest.mark.django_db


def test_a_passkey_reauthenticates_the_session(user, passkey_of, authenticator, client_for):
    passkey_of(user, authenticator)
    client = client_for(user)
    options = options_of(client.post(REAUTHENTICATION_OPTIONS))
    assert len(options["allowCredentials"]) == 1

    response = client.post(REAUTHENTICATE, {"passkey": authenticator.get(options)}, format="json")

    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["amr"] == list(REAUTHENTICATION_AMR)
    sid = UntypedToken(response.json()["access"]).payload["sid"]
    assert LoginSession.objects.get(sid=sid).amr == list(REAUTHENTICATION_AMR)
    assert SecurityEvent.objects.get(event=Event.REAUTHENTICATED).detail["factor"] == "passkey"
    assert SecurityEvent.objects.get(event=Event.PASSKEY_USED).detail["purpose"] == "reauthentication"


def test_a_wrong_answer_is_a_400_on_passkey(user, passkey_of, authenticator, client_for):
    passkey_of(user, authenticator)
    client = client_for(user)
    options = options_of(client.post(REAUTHENTICATION_OPTIONS))

    response = client.post(REAUTHENTICATE, {"passkey": new_authenticator().get(options)}, format="json")
    assert_error(response, HTTPStatus.BAD_REQUEST, "wrong_passkey", "passkey")
    assert SecurityEvent.objects.get(event=Event.REAUTHENTICATION_FAILED).detail["factor"] == "passkey"


def test_an_answer_works_once(user, passkey_of, authenticator, client_for):
    passkey_of(user, authenticator)
    client = client_for(user)
    answer = authenticator.get(options_of(client.post(REAUTHENTICATION_OPTIONS)))
    assert client.post(REAUTHENTICATE, {"passkey": answer}, format="json").status_code == HTTPStatus.OK
    assert_error(client.post(REAUTHENTICATE, {"passkey": answer}, format="json"), 400, "wrong_passkey", "passkey")


def test_another_users_options_do_not_reauthenticate(user, make_user, passkey_of, authenticator, client_for):
    other = make_user()
    other_key = new_authenticator()
    passkey_of(other, other_key)
    passkey_of(user, authenticator)
    options = options_of(client_for(other).post(REAUTHENTICATION_OPTIONS))

    response = client_for(user).post(REAUTHENTICATE, {"passkey": authenticator.get(options)}, format="json")
    assert_error(response, HTTPStatus.BAD_REQUEST, "wrong_passkey", "passkey")


def test_without_a_passkey_there_are_no_options_and_the_factor_is_unavailable(user, client_for):
    client = client_for(user)
    assert_error(client.post(REAUTHENTICATION_OPTIONS), HTTPStatus.BAD_REQUEST, "no_passkey", "non_field_errors")
    response = client.post(REAUTHENTICATE, {"passkey": {"id": "x"}}, format="json")
    assert_error(response, HTTPStatus.BAD_REQUEST, "unavailable", "passkey")


def test_a_passkey_answer_that_is_not_an_object_is_a_400(user, client_for):
    response = client_for(user).post(REAUTHENTICATE, {"passkey": "text"}, format="json")
    assert_error(response, HTTPStatus.BAD_REQUEST, "not_a_dict", "passkey")


def test_the_options_need_a_login(api_client):
    assert api_client.post(REAUTHENTICATION_OPTIONS).status_code == HTTPStatus.UNAUTHORIZED
