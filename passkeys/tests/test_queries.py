"""The ceremonies' queries do not grow with how many passkeys a user has."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from passkeys.tests.conftest import LOGIN, REGISTRATION_OPTIONS, login_options, new_authenticator

pytestmark = pytest.mark.django_db


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == HTTPStatus.OK, response.content
    return len(captured)


def test_a_passwordless_login_takes_the_same_queries_with_one_passkey_or_many(make_user, passkey_of):
    counts = []
    for extra in (0, 6):
        user = make_user()
        for _ in range(extra):
            passkey_of(user, new_authenticator())
        authenticator = new_authenticator()
        passkey_of(user, authenticator)
        answer = authenticator.get(login_options())
        counts.append(queries_of(lambda answer=answer: APIClient().post(LOGIN, {"credential": answer}, format="json")))
    assert counts[0] == counts[1], counts


def test_registration_options_take_the_same_queries_with_one_passkey_or_many(make_user, passkey_of, client_for):
    counts = []
    for extra in (1, 7):
        user = make_user()
        for _ in range(extra):
            passkey_of(user, new_authenticator())
        client = client_for(user)
        counts.append(queries_of(lambda client=client: client.post(REGISTRATION_OPTIONS)))
    assert counts[0] == counts[1], counts
