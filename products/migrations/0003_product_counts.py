"""
How many products there are (all, and active), kept by PostgreSQL triggers on every write.

The unfiltered product list reads its `count` from this one row instead of running `COUNT(*)`
over the whole catalogue on every request (`products.counts.product_count_kept`). It is a
table of the database's own, not a Django model: `flush`, `dumpdata` and `loaddata` never see
it, and the triggers keep it right whoever writes the products (the ORM, the admin, a bulk
update, `COPY`, `TRUNCATE`, a raw statement). SQLite, the zero-setup database, gets none of
this; its list counts the rows as before. docs/performance.md has the measured gain.
"""

from django.db import migrations

from products.counts import RECOUNT

CREATE = """
CREATE TABLE products_product_counts (
    id smallint PRIMARY KEY CHECK (id = 1),
    total bigint NOT NULL CHECK (total >= 0),
    active bigint NOT NULL CHECK (active >= 0)
);

-- One function for every kind of write; each trigger hands it the rows the statement changed.
CREATE FUNCTION products_product_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added_total bigint := 0;
    added_active bigint := 0;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE products_product_counts SET total = 0, active = 0;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT added_total + count(*), added_active + count(*) FILTER (WHERE is_active)
        INTO added_total, added_active FROM new_rows;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        SELECT added_total - count(*), added_active - count(*) FILTER (WHERE is_active)
        INTO added_total, added_active FROM old_rows;
    END IF;
    -- An edit that activates or deactivates nothing leaves the row alone (and unlocked).
    IF added_total <> 0 OR added_active <> 0 THEN
        UPDATE products_product_counts SET total = total + added_total, active = active + added_active;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER products_product_counts_insert AFTER INSERT ON products_product
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION products_product_counts_keep();
CREATE TRIGGER products_product_counts_update AFTER UPDATE ON products_product
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION products_product_counts_keep();
CREATE TRIGGER products_product_counts_delete AFTER DELETE ON products_product
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION products_product_counts_keep();
CREATE TRIGGER products_product_counts_truncate AFTER TRUNCATE ON products_product
    FOR EACH STATEMENT EXECUTE FUNCTION products_product_counts_keep();
"""


DROP = """
DROP TRIGGER products_product_counts_truncate ON products_product;
DROP TRIGGER products_product_counts_delete ON products_product;
DROP TRIGGER products_product_counts_update ON products_product;
DROP TRIGGER products_product_counts_insert ON products_product;
DROP FUNCTION products_product_counts_keep();
DROP TABLE products_product_counts;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        # After the triggers: creating them locks the table against writes until the migration
        # commits, so the rows counted here are exactly the rows there are.
        schema_editor.execute(RECOUNT)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("products", "0002_search_trigram_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
