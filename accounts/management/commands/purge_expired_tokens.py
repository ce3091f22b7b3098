"""`python manage.py purge_expired_tokens`: drop tokens and ended sessions nobody can use any more."""

from django.core.management.base import BaseCommand

from accounts.sessions import tokens_purge_expired


class Command(BaseCommand):
    help = (
        "Delete expired outstanding refresh tokens (with their blacklist entries) and revoked "
        "sessions whose tokens have all expired. Superset of SimpleJWT's flushexpiredtokens; run it daily."
    )

    def handle(self, *args, **options):
        tokens, sessions = tokens_purge_expired()
        self.stdout.write(f"Purged {tokens} token rows and {sessions} revoked sessions.")
