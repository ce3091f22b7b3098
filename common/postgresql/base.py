"""
Django's PostgreSQL backend, with a per-request connection health check that costs no round trip,
and `cursor.execute_prepared` for the statements compiled once (docs/performance.md has both
measured).

Django's `CONN_HEALTH_CHECKS` sends `SELECT 1` before a request's first query on a reused
connection. A server that ends a connection says so (a FATAL error, then it closes the socket), so
an idle connection whose socket has nothing to read is taken as it is; anything to read and
Django's own check runs, which closes it if it is unusable. A server that vanished without a word
fails the first query either way (`SELECT 1` would wait for the same TCP timeout): a 503
(`common.outage`), and Django drops the connection after it.
"""

import select

from django.db.backends import utils
from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class PreparedExecute:
    """
    `execute_prepared(sql, params)` on Django's cursor: psycopg's per-call `prepare=True, binary=True`.

    Only the statements compiled once ask for it: an ORM query whose best plan depends on its values
    (a search served by a trigram index) must never get a generic plan. It goes through Django's
    execute wrappers, so a debug cursor logs and counts it like any query; without server-side
    binding (`DB_PREPARED_STATEMENTS=false`) it is a plain execute.
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
