"""
Django's PostgreSQL backend, with a per-request connection health check that costs no round trip.

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

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
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
