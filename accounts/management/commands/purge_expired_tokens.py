"""`python manage.py purge_expired_tokens`: drop tokens and login sessions nobody can use any more."""

from django.core.management.base import BaseCommand

from accounts.mail import sent_mail_purge
from accounts.sessions import tokens_purge_expired


class Command(BaseCommand):
    help = (
        "Delete expired outstanding refresh tokens (with their blacklist entries) and login "
        "sessions whose tokens have all expired, and sent-mail markers no mail job can need any more. "
        "Superset of SimpleJWT's flushexpiredtokens; `celery -A config beat` runs it daily."
    )

    def handle(self, *args, **options):
        tokens, sessions = tokens_purge_expired()
        mails = sent_mail_purge()
        self.stdout.write(f"Purged {tokens} token rows and {sessions} expired sessions.")
        self.stdout.write(f"Purged {mails} sent-mail markers.")
