from django.db import migrations

from common.migration_operations import trigram_search_indexes


class Migration(migrations.Migration):
    atomic = False  # the indexes are built CONCURRENTLY
    dependencies = [("products", "0001_product")]

    operations = [trigram_search_indexes("products_product", ["name", "sku", "description"])]
