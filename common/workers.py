"""
gunicorn's threaded worker (gthread), with the connections spread evenly over the workers: an option
(`GUNICORN_WORKER_CLASS=common.workers.BalancedThreadWorker`) for clients that keep connections to
gunicorn itself. Behind a proxy that opens a connection per request, gunicorn's own gthread, the
default, measured within noise of it (docs/performance.md, "Serving, measured"). It overrides seven
gthread methods of gunicorn 27.0.1; a test pins their source, so an upgrade is read before it ships.

gthread workers share one listening socket and whichever wakes first accepts; a kept-alive connection then
stays on that worker until the client closes it. So a burst of connections (a client pool opening, a load
balancer reconnecting) can land on one worker, and when `max_requests` recycles a worker, its clients
reconnect to the others while it is replaced, and the replacement gets none of them back: one worker then
serves everything with one core's worth of Python while the other idles. Measured (2 workers x 4 threads,
64 kept-alive wrk connections on a post for 60 s, both in one run): gthread had every request on one worker
from the first recycle on, 1,004 req/s, p99 152 ms; this worker kept them even through every recycle,
1,807 req/s (1.80x), p99 100 ms.

The workers see each other's connection counts in a table of shared memory that the master maps before it
forks them. A worker holding more than `threads` connections above the least loaded other worker

- stops accepting, so the other workers take the new connections, and
- closes half the difference's kept-alive connections after their current response (`Connection: close`,
  as gunicorn does when a worker stops; clients and proxies reconnect, and a request is never cut off).

The least loaded worker never holds back, so some worker always accepts. A worker stops counting as soon as
it stops (graceful shutdown, `max_requests`), before it drains; one that was killed, once its process is
gone or its entry has not moved for a second. Behind nginx, which opens a connection per request, the same
rule makes the workers least-connections balanced.

Evenly loaded workers also reach `max_requests` together (with gunicorn's jitter, within about a second),
and replaced together they would leave nobody serving while the replacements load the app: answers stopped
for 0.5-0.6 s at each such recycle (e2e/test_worker_balance.py). So a worker recycles only while every
other worker serves, and otherwise serves on, `RECYCLE_WAIT` requests at a time (at most `max_requests`
more). Everything else is gthread's.
"""

import fcntl
import mmap
import os
import tempfile
import threading
import time

from gunicorn.workers.gthread import ThreadWorker

# Entries in the table: far more than one master's workers (a stopped worker's entry is given again).
SLOTS = 64
# An entry's fields, signed 64-bit integers: the worker's pid (0: free), its open connections, 1 while it
# serves (from its loop's start until it stops) and when it last wrote (monotonic clock, nanoseconds).
PID, CONNECTIONS, SERVING, WRITTEN = range(4)
FIELDS = 4
# How often a worker writes its count and compares it with the others' (nanoseconds).
BALANCE_INTERVAL_NS = 10_000_000
# An entry not written for this long belongs to a worker that hangs or was killed: ignored.
STALE_NS = 1_000_000_000
# Requests a worker serves on before it looks again whether it may recycle (`max_requests`).
RECYCLE_WAIT = 50
# The longest a worker's loop waits (gthread's own is 1 s), so that an idle worker's entry stays fresh.
IDLE_TIMEOUT = 0.25

# Made at import, in the master (gunicorn imports the worker class before it forks): a deleted temporary
# file mapped shared, so every worker the master forks reads and writes the same memory, and locks the file
# (a POSIX lock, released if its holder dies) to decide alone whether it may recycle.
table_file = tempfile.TemporaryFile(prefix="gunicorn-workers-")  # noqa: SIM115 (open for the process' life)
table_file.truncate(SLOTS * FIELDS * 8)
table = memoryview(mmap.mmap(table_file.fileno(), SLOTS * FIELDS * 8)).cast("q")


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's (a pid reused since)
        return True
    return True


class BalancedThreadWorker(ThreadWorker):
    # In the master: entry -> the worker it was given to.
    slots_given: dict[int, "BalancedThreadWorker"] = {}

    def __init__(self, *args, **kwargs):
        # Runs in the master, before the fork: an entry no live worker holds.
        super().__init__(*args, **kwargs)
        given = BalancedThreadWorker.slots_given
        for slot, worker in list(given.items()):
            if isinstance(worker.pid, int) and not process_alive(worker.pid):
                del given[slot]
        free = [slot for slot in range(SLOTS) if slot not in given]
        if not free:
            raise RuntimeError(f"common.workers.BalancedThreadWorker keeps at most {SLOTS} workers per master")
        self.slot = free[0]
        given[self.slot] = self
        self.entry = self.slot * FIELDS
        self.balanced_at = 0
        self.held_back = False
        self.leaving = False
        # Connections still to close for balance, and those told to close that have not closed yet.
        self.surplus = 0
        self.closing = 0
        self.surplus_lock = threading.Lock()
        # Postponed recycling ends here at the latest.
        self.recycle_by = self.max_requests * 2 if self.cfg.max_requests > 0 else self.max_requests

    def init_process(self):
        entry = self.entry
        table[entry + SERVING] = 0
        table[entry + CONNECTIONS] = 0
        table[entry + WRITTEN] = time.monotonic_ns()
        table[entry + PID] = os.getpid()
        super().init_process()

    def run(self):
        try:
            super().run()
        finally:
            table[self.entry + SERVING] = 0
            table[self.entry + PID] = 0

    def fewest_elsewhere(self, now: int) -> int | None:
        """The fewest connections another live, serving worker holds (None when there is none)."""
        fewest = None
        for entry in range(0, SLOTS * FIELDS, FIELDS):
            pid = table[entry + PID]
            if not pid or entry == self.entry or not table[entry + SERVING]:
                continue
            connections = table[entry + CONNECTIONS]
            if fewest is not None and connections >= fewest:
                continue
            if now - table[entry + WRITTEN] > STALE_NS or not process_alive(pid):
                continue
            fewest = connections
        return fewest

    def balance(self) -> None:
        """Write this worker's count; hold back (not accept, close the surplus) while it is above its share."""
        now = time.monotonic_ns()
        if now - self.balanced_at < BALANCE_INTERVAL_NS:
            return
        self.balanced_at = now
        mine = self.nr_conns
        table[self.entry + CONNECTIONS] = mine
        table[self.entry + WRITTEN] = now
        fewest = self.fewest_elsewhere(now)
        above = mine - fewest if fewest is not None else 0
        held_back = above > self.cfg.threads
        with self.surplus_lock:
            # Closing half the difference evens the two: the other worker accepts what this one closes.
            self.surplus = max(above // 2 - self.closing, 0) if held_back else 0
        if held_back != self.held_back:
            self.held_back = held_back
            super().set_accept_enabled(not held_back and self.nr_conns < self.worker_connections)

    def set_accept_enabled(self, enabled):
        # gthread's loop asks to accept whenever it has room for a connection; not while held back.
        super().set_accept_enabled(enabled and not self.held_back)
        table[self.entry + SERVING] = int(self.alive and not self.leaving)

    def wait_for_and_dispatch_events(self, timeout):
        if self.alive:
            self.balance()
        super().wait_for_and_dispatch_events(min(timeout, IDLE_TIMEOUT))

    def others_all_serving(self, now: int) -> bool:
        """Whether the master's other workers all serve: none is loading the app, draining or yet to be forked."""
        serving = 0
        for entry in range(0, SLOTS * FIELDS, FIELDS):
            pid = table[entry + PID]
            if not pid or entry == self.entry or not process_alive(pid):
                continue
            if not table[entry + SERVING]:
                return False
            serving += now - table[entry + WRITTEN] <= STALE_NS
        return serving >= self.cfg.workers - 1

    def recycle_allowed(self) -> bool:
        """Whether this worker may recycle now (every other one serves); if so, it stops serving at once."""
        try:
            fcntl.lockf(table_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another worker is deciding
            return False
        try:
            if not self.others_all_serving(time.monotonic_ns()):
                return False
            # Not serving from now on, so that no other worker decides to recycle too before this one stops.
            self.leaving = True
            table[self.entry + SERVING] = 0
            return True
        finally:
            fcntl.lockf(table_file, fcntl.LOCK_UN)

    def handle_request(self, req, conn):
        # gthread recycles when this request makes `nr` reach `max_requests`: only if no other worker is away.
        if (
            self.nr + 1 >= self.max_requests
            and not self.leaving
            and self.max_requests < self.recycle_by
            and not self.recycle_allowed()
        ):
            self.max_requests = min(self.nr + RECYCLE_WAIT, self.recycle_by)
        if self.surplus:
            with self.surplus_lock:
                if self.surplus > 0:
                    self.surplus -= 1
                    self.closing += 1
                    conn.closing_for_balance = True
                    # gunicorn answers "Connection: close" and closes the connection after the response.
                    req.must_close = True
        return super().handle_request(req, conn)

    def finish_request(self, conn, fs):
        super().finish_request(conn, fs)
        if getattr(conn, "closing_for_balance", False):
            conn.closing_for_balance = False
            with self.surplus_lock:
                self.closing -= 1
