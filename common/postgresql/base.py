"""
Django's PostgreSQL backend, with a per-request connection health check that costs no round trip,
and `cursor.execute_prepared` for the statements compiled once (`common.statements`).

With `CONN_HEALTH_CHECKS`, Django checks a reused connection before a request's first query by
sending `SELECT 1`, so a connection the server ended (a restart, a failover, an idle timeout) is
replaced instead of failing the request. That round trip, on every request, was 8 % of the
app's CPU and a quarter of the database's for a post's detail (README, "What made it fast").
A server that ends a connection says so: it sends a FATAL error and closes the socket. So an
idle connection whose socket has nothing to read has heard nothing from the server since its
last answer and is taken as it is; anything to read (the server's goodbye, an EOF, a rare
notice) and Django's own check runs (`SELECT 1`), which closes it if it is unusable. A server
that vanished without a word (a host gone, a cut cable) fails the first query either way:
`SELECT 1` would have waited for the same TCP timeout; the request gets a 503
(`common.outage`) and Django drops the connection after it.
"""

import select

from django.db.backends import utils
from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class PreparedExecute:
    """
    `execute_prepared(sql, params)` on Django's cursor: psycopg's per-call `prepare=True, binary=True`.

    Prepared: PostgreSQL parses and plans the statement once per connection instead of on every
    request (planning was 0.24 of the feed query's 0.26 ms). Only the statements compiled once ask
    for it (`prepare_threshold` stays None for every other query): an ORM query whose best plan
    depends on its values, such as a search pattern served by a trigram index, would get a generic
    plan after five runs, and a feed search took 51-61 ms instead of 5-7 ms that way (measured).
    Binary rows: psycopg parses no text for timestamps and numbers (a feed page of 20: 0.96 ->
    0.69 ms from execute to rendered rows, measured); the values are the same Python objects.
    It goes through Django's execute wrappers and, in a debug cursor, is logged and counted like
    any query. Without server-side binding (`DB_PREPARED_STATEMENTS=false`) it is a plain execute.
    """

    def execute_prepared(self, sql, params):
        return self._execute_with_wrappers(sql, params, many=False, executor=self._execute_prepared)

    def _execute_prepared(self, sql, params, *ignored_wrapper_args):
        if not self.db.server_side_binding:
            return self._execute(sql, params)
        self.db.validate_no_broken_transaction()
        with self.db.wrap_database_errors:
            return self.cursor.execute(sql, params, prepare=True, binary=True)


class CursorWrapper(PreparedExecute, utils.CursorWrapper):
    pass


class CursorDebugWrapper(PreparedExecute, base.CursorDebugWrapper):
    def execute_prepared(self, sql, params):
        with self.debug_sql(sql, params, use_last_executed_query=True):
            return super().execute_prepared(sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def server_side_binding(self) -> bool:
        return self.settings_dict["OPTIONS"].get("server_side_binding") is True

    def make_cursor(self, cursor):
        return CursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor):
        return CursorDebugWrapper(cursor, self)

    def close_if_health_check_failed(self):
        due = self.connection is not None and self.health_check_enabled and not self.health_check_done
        if due and not self.pool and self._heard_nothing():
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _heard_nothing(self) -> bool:
        """Whether this idle connection is open and its socket has nothing to read (checked without waiting)."""
        connection = self.connection
        if connection.closed or connection.broken or connection.info.transaction_status != TransactionStatus.IDLE:
            return False
        poller = select.poll()
        try:
            poller.register(connection.fileno(), select.POLLIN)
            return not poller.poll(0)
        except (OSError, ValueError):
            return False
