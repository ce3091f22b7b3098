from django.db import migrations

from common.migration_operations import trigram_search_indexes


class Migration(migrations.Migration):
    atomic = False  # the indexes are built CONCURRENTLY
    dependencies = [("posts", "0001_posts_and_votes")]

    operations = [trigram_search_indexes("posts_post", ["title", "body"])]
