"""`manage.py products_recount`: count the products again, after a load that ran with triggers turned off."""

from django.core.management.base import BaseCommand, CommandError

from products.counts import counts_kept, product_counts_recount


class Command(BaseCommand):
    help = "Count every product again into the counts PostgreSQL keeps for the product list."

    def handle(self, *args, **options):
        if not counts_kept():
            raise CommandError("Only PostgreSQL keeps product counts; this database counts the rows on every list.")
        total, active = product_counts_recount()
        self.stdout.write(f"{total} products, {active} active.")
