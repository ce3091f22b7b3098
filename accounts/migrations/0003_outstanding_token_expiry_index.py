"""
Index SimpleJWT's outstanding tokens by expiry so `purge_expired_tokens` stays cheap.

The table belongs to a third-party app, so the index is plain SQL (valid on PostgreSQL and
SQLite) with no model state; reversing drops it.
"""

from django.db import migrations

INDEX = "accounts_outstandingtoken_expires_at_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_token_version_and_revoked_sessions"),
        ("token_blacklist", "0013_alter_blacklistedtoken_options_and_more"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {INDEX} ON token_blacklist_outstandingtoken (expires_at)",
            reverse_sql=f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
