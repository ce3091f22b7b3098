"""TOTP secrets at rest: encrypted, decryptable with every configured key, rotatable."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command

from mfa import crypto
from mfa.models import Authenticator
from mfa.tests.conftest import mfa_turn_on

pytestmark = pytest.mark.django_db


def test_the_secret_is_stored_only_encrypted(user):
    mfa = mfa_turn_on(user)
    stored = Authenticator.objects.get(user=user).secret_encrypted
    assert mfa.secret not in stored
    assert crypto.secret_decrypt(stored) == mfa.secret


def test_without_keys_configured_the_key_is_derived_from_the_secret_key(settings):
    settings.MFA_ENCRYPTION_KEYS = []
    assert crypto.encryption_keys() == (crypto.derived_key(settings.SECRET_KEY),)
    Fernet(crypto.derived_key(settings.SECRET_KEY))  # a valid Fernet key
    assert crypto.derived_key("one secret") != crypto.derived_key("another secret")


def test_a_new_first_key_encrypts_and_the_old_one_still_decrypts(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEYS = [old]
    encrypted = crypto.secret_encrypt("JBSWY3DPEHPK3PXP")
    settings.MFA_ENCRYPTION_KEYS = [new, old]
    assert crypto.secret_decrypt(encrypted) == "JBSWY3DPEHPK3PXP"
    settings.MFA_ENCRYPTION_KEYS = [new]
    with pytest.raises(InvalidToken):
        crypto.secret_decrypt(encrypted)


def test_the_rotate_command_reencrypts_every_secret_with_the_first_key(settings, make_user):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEYS = [old]
    secrets = [mfa_turn_on(make_user()).secret for _ in range(3)]
    settings.MFA_ENCRYPTION_KEYS = [new, old]
    call_command("mfa_keys", "rotate")
    settings.MFA_ENCRYPTION_KEYS = [new]
    stored = Authenticator.objects.order_by("pk").values_list("secret_encrypted", flat=True)
    assert [crypto.secret_decrypt(value) for value in stored] == secrets


def test_a_malformed_key_in_the_environment_refuses_to_start(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "MFA_ENCRYPTION_KEYS": "not-a-fernet-key", "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "MFA_ENCRYPTION_KEYS" in result.stderr
