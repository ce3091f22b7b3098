"""`manage.py purge_deleted_accounts`: what the periodic housekeeping does, on demand."""

from django.core.management.base import BaseCommand

from privacy.archive import data_exports_purge
from privacy.purge import accounts_purge_due


class Command(BaseCommand):
    help = "Purge the accounts whose deletion grace period is over, and drop expired data exports."

    def handle(self, *args, **options) -> None:
        accounts, exports = accounts_purge_due(), data_exports_purge()
        self.stdout.write(f"Purged {accounts} account(s); dropped {exports} data export(s).")
