"""A user's data export (privacy, through accounts.personal_data) lists their passkeys, never key material."""

import json

import pytest
from fido2.utils import websafe_encode
from rest_framework.test import APIClient

from passkeys.models import Passkey
from passkeys.selectors import passkeys_of
from passkeys.tests.conftest import new_authenticator
from privacy.tests.conftest import DOWNLOAD, EXPORT, signed_in, token_of_mail_to

pytestmark = pytest.mark.django_db


def test_the_export_lists_the_passkeys_without_their_keys(user, passkey_of, run_jobs, mailoutbox):
    authenticator = new_authenticator(backup_eligible=True)
    passkey = passkey_of(user, authenticator, name="Phone")
    client, _ = signed_in(user)
    with run_jobs():
        client.post(EXPORT)
    token = token_of_mail_to(mailoutbox, user.email, "data export")
    raw = APIClient().post(DOWNLOAD, {"token": token}).content.decode()

    section = json.loads(raw)["passkeys"]
    assert [(p["name"], p["passwordless"], p["backup_eligible"]) for p in section] == [("Phone", True, True)]
    stored = Passkey.objects.get(pk=passkey.pk)
    material = [bytes(stored.credential_id), bytes(stored.public_key), bytes(stored.user_handle)]
    assert [value for value in material if websafe_encode(value) in raw or value.hex() in raw] == []


@pytest.mark.parametrize("count", [1, 5])
def test_the_export_section_takes_one_query_however_many_passkeys(user, passkey_of, count, django_assert_num_queries):
    for _ in range(count):
        passkey_of(user, new_authenticator())
    with django_assert_num_queries(1):
        assert len(passkeys_of(user)) == count
