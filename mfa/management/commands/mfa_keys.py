"""
`manage.py mfa_keys generate | rotate | derived`: make a key, re-encrypt every TOTP secret with the
first key of MFA_ENCRYPTION_KEYS, print the key derived from the secret key (README: rotation).
"""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from mfa import crypto
from mfa.models import Authenticator

BATCH_SIZE = 500


class Command(BaseCommand):
    help = (
        "Two-factor encryption keys: generate a key, rotate the stored secrets to the first key, show the derived key."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["generate", "rotate", "derived"])

    def handle(self, *args, action: str, **options):
        if action == "generate":
            self.stdout.write(Fernet.generate_key().decode())
        elif action == "derived":
            # The key in use while MFA_ENCRYPTION_KEYS is unset: put it last in MFA_ENCRYPTION_KEYS
            # before changing DJANGO_SECRET_KEY, or the stored secrets can no longer be read.
            self.stdout.write(crypto.derived_key(settings.SECRET_KEY))
        else:
            self.stdout.write(f"Re-encrypted {self._rotate()} TOTP secret(s) with the first key.")

    @staticmethod
    def _rotate() -> int:
        done, last_pk = 0, 0
        while True:
            with transaction.atomic():
                batch = list(
                    Authenticator.objects.select_for_update().filter(pk__gt=last_pk).order_by("pk")[:BATCH_SIZE]
                )
                for authenticator in batch:
                    authenticator.secret_encrypted = crypto.secret_reencrypt(authenticator.secret_encrypted)
                Authenticator.objects.bulk_update(batch, ["secret_encrypted"])
            if not batch:
                return done
            done += len(batch)
            last_pk = batch[-1].pk
