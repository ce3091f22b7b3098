"""The product counts PostgreSQL keeps for the list (products.counts): right after every kind of write."""

import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Role
from products.counts import TABLE
from products.models import Product

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL keeps product counts (triggers, migration 0003)"
)
LIST = "/api/v1/products/"


def kept() -> tuple[int, int] | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT total, active FROM {TABLE} WHERE id = 1")
        return cursor.fetchone()


def counted() -> tuple[int, int]:
    return Product.objects.count(), Product.objects.filter(is_active=True).count()


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


WRITES = {
    "create an active product": lambda make: make(),
    "create an inactive product": lambda make: make(is_active=False),
    "bulk_create": lambda make: Product.objects.bulk_create(
        [make.build(is_active=index % 3 != 0) for index in range(7)]
    ),
    "deactivate one (save)": lambda make: _save_active(Product.objects.filter(is_active=True).first(), False),
    "activate one (save)": lambda make: _save_active(Product.objects.filter(is_active=False).first(), True),
    "deactivate several (queryset update)": lambda make: Product.objects.filter(pk__in=_some()).update(is_active=False),
    "activate every product (queryset update)": lambda make: Product.objects.update(is_active=True),
    "change prices only": lambda make: Product.objects.update(price=Decimal("3.00")),
    "delete one": lambda make: Product.objects.first().delete(),
    "delete several (queryset)": lambda make: Product.objects.filter(pk__in=_some()).delete(),
    "raw INSERT ... SELECT": lambda make: sql(
        "INSERT INTO products_product (name, sku, description, price, stock, is_active, created_at, updated_at) "
        "SELECT 'Raw ' || n, 'RAW-' || n, '', 1, 0, n %% 2 = 0, now(), now() FROM generate_series(1, 5) AS n"
    ),
    "raw DELETE of inactive ones": lambda make: sql("DELETE FROM products_product WHERE NOT is_active"),
    "TRUNCATE": lambda make: sql("TRUNCATE products_product"),
    "create after TRUNCATE": lambda make: make.create_batch(3),
}


def _save_active(product: Product, active: bool) -> None:
    product.is_active = active
    product.save()


def _some() -> list[int]:
    return list(Product.objects.order_by("pk").values_list("pk", flat=True)[:4])


@pytest.mark.django_db
def test_the_counts_follow_every_kind_of_write(make_product):
    make_product.create_batch(5)
    make_product.create_batch(2, is_active=False)
    assert kept() == counted() == (7, 5)
    for name, write in WRITES.items():
        write(make_product)
        assert kept() == counted(), name


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.USER, Role.ADMIN])
def test_the_list_answers_the_kept_count_and_counts_itself_without_the_row(make_product, client_for, make_user, role):
    make_product.create_batch(3)
    make_product(is_active=False)
    client = client_for(make_user(role=role))
    right = 4 if role == Role.ADMIN else 3
    assert client.get(LIST).json()["count"] == right

    sql(f"UPDATE {TABLE} SET total = 40, active = 30")  # what the list reads, not a COUNT(*)
    assert client.get(LIST).json()["count"] == (40 if role == Role.ADMIN else 30)

    sql(f"DELETE FROM {TABLE}")  # a missing row is slower, never wrong
    assert client.get(LIST).json()["count"] == right


@pytest.mark.django_db
def test_products_recount_repairs_counts_written_with_the_triggers_off(make_product):
    make_product.create_batch(2)
    sql("SET session_replication_role = replica")  # a bulk load's way of skipping triggers
    try:
        make_product.create_batch(3, is_active=False)
    finally:
        sql("SET session_replication_role = DEFAULT")
    assert kept() == (2, 2) != counted()

    out = StringIO()
    call_command("products_recount", stdout=out)
    assert kept() == counted() == (5, 2)
    assert out.getvalue() == "5 products, 2 active.\n"

    sql(f"DELETE FROM {TABLE}")  # a missing row is made again
    call_command("products_recount", stdout=StringIO())
    assert kept() == (5, 2)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_lose_no_count():
    """Eight transactions writing at once: each waits for the count row, none loses another's change."""
    start = threading.Barrier(8)
    errors = []

    def writer(index: int) -> None:
        try:
            start.wait(timeout=10)
            for number in range(10):
                Product.objects.create(
                    name=f"P{index}-{number}", sku=f"C-{index}-{number}", price=1, is_active=number % 2 == 0
                )
            Product.objects.filter(sku__startswith=f"C-{index}-", is_active=True).first().delete()
        except Exception as error:  # reported below, with the thread's traceback
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert kept() == counted() == (72, 32)


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_products_there_are_and_goes_back():
    Product.objects.create(name="A", sku="A-1", price=1)
    Product.objects.create(name="B", sku="B-1", price=1, is_active=False)
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("products", "0002_search_trigram_indexes")])
        assert TABLE not in connection.introspection.table_names()
        Product.objects.create(name="C", sku="C-1", price=1)  # written with no trigger
        executor.loader.build_graph()
        executor.migrate([("products", "0003_product_counts")])
        assert kept() == counted() == (3, 2)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
