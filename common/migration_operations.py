"""Reusable migration operations."""

from django.db import migrations


def trigram_search_indexes(table: str, columns: list[str]) -> migrations.RunPython:
    """
    GIN trigram indexes that serve DRF's `?search=` (`icontains`) on PostgreSQL; nothing elsewhere.

    Django compiles `column__icontains` to `UPPER("column"::text) LIKE UPPER('%term%')` on
    PostgreSQL; without an index on that expression a search for a rare word reads the whole
    table (seconds at a million rows). pg_trgm is a trusted extension, so the database owner
    may create it. SQLite, the zero-setup database, gets no index and needs none at its scale.

    Indexes are built CONCURRENTLY so a live table keeps taking writes: the migration using this
    must set `atomic = False`.
    """
    names = {column: f"{table}_{column}_trgm" for column in columns}

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column, name in names.items():
            expression = f'UPPER("{column}"::text) gin_trgm_ops'
            schema_editor.execute(
                f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{table}" USING gin ({expression})'
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in names.values():
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')

    return migrations.RunPython(create, drop, elidable=False)
