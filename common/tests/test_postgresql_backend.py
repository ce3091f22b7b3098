"""The health check of a reused connection (common/postgresql/base.py): no round trip, and still no dead connection."""

import psycopg
import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the backend is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),  # outside a transaction, as a request's connection is
]


def from_another_connection(sql: str, pid: int):
    """`sql` about the backend `pid`, run on a connection of its own; the first value."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], dbname=settings["NAME"]
    ) as other:
        return other.execute(sql, [pid]).fetchone()[0]


def last_statement_of(pid: int) -> str:
    return from_another_connection("SELECT query FROM pg_stat_activity WHERE pid = %s", pid)


def terminate(pid: int) -> None:
    """What a restart or an administrator does: FATAL, then the socket closes (waited for, up to 5 s)."""
    assert from_another_connection("SELECT pg_terminate_backend(%s, 5000)", pid) is True


def a_new_request() -> None:
    """What Django does between requests for a connection it keeps (CONN_MAX_AGE)."""
    connection.close_if_unusable_or_obsolete()
    assert connection.connection is not None
    assert connection.health_check_done is False


def test_the_backend_is_the_projects():
    assert type(connections["default"]).__module__ == "common.postgresql.base"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_quiet_connection_is_reused_without_a_query():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last statement'")
    pid = connection.connection.info.backend_pid
    a_new_request()

    with connection.cursor() as cursor:  # the request's first query: health check first
        assert connection.health_check_done is True
        assert last_statement_of(pid) == "SELECT 'the last statement'"  # no SELECT 1 was sent
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] == pid


def test_a_connection_the_server_ended_is_replaced_before_the_query():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    pid = connection.connection.info.backend_pid
    a_new_request()
    terminate(pid)

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        new_pid = cursor.fetchone()[0]
    assert new_pid != pid
