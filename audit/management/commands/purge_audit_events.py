"""`python manage.py purge_audit_events`: delete security events older than the retention period, in batches."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.services import PURGE_BATCH_SIZE, security_events_purge


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Delete security events older than AUDIT_RETENTION_DAYS (or --days), oldest first, a batch per "
        "short transaction so the log stays writable and readable meanwhile. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=positive_int, default=None, help="Keep this many days (default: setting).")
        parser.add_argument("--batch-size", type=positive_int, default=PURGE_BATCH_SIZE, help="Rows per transaction.")
        parser.add_argument("--pause", type=float, default=0.0, help="Seconds to wait between batches.")

    def handle(self, *args, days=None, batch_size=PURGE_BATCH_SIZE, pause=0.0, **options):
        if pause < 0:
            raise CommandError("--pause must not be negative.")
        days = days or settings.AUDIT_RETENTION_DAYS
        deleted = security_events_purge(older_than_days=days, batch_size=batch_size, pause_seconds=pause)
        self.stdout.write(f"Purged {deleted} security events older than {days} days.")
