"""
gunicorn's threaded worker (gthread), with the connections spread evenly over the workers.

gthread workers share one listening socket and whichever wakes first accepts; a kept-alive connection then
stays on that worker until the client closes it. So a burst of connections (a client pool opening, a load
balancer reconnecting) can land on one worker, and when `max_requests` recycles a worker, its clients
reconnect to the others while it is replaced, and the replacement gets none of them back: one worker then
serves everything with one core's worth of Python while the other idles. Measured (2 workers x 4 threads,
64 kept-alive wrk connections on a post for 60 s, one run each): gthread had every request on one worker
from the first recycle on, 1,007 req/s; this worker kept them even through four recycles, 1,579 req/s
(1.57x), p99 146 ms against 147 ms. In 4-second rounds without a recycle, gthread still put 50-64 of the
64 connections on one worker in 4 rounds of 8 (780-875 req/s in the worst two, against 1,523-1,887).

Here the workers see each other's connection counts, in a table in shared memory that the master maps
before it forks them. A worker holding more than `threads` connections above the least loaded other worker

- stops accepting, so the other workers take the new connections, and
- closes half the difference's kept-alive connections after their current response (`Connection: close`,
  as gunicorn does when a worker stops; clients and proxies reconnect, and a request is never cut off).

The least loaded worker never holds back, so some worker always accepts. A worker that stops (graceful
shutdown, `max_requests`) leaves the table before it drains; one that was killed is ignored once its process
is gone or its entry has not moved for a second. Behind nginx, which opens a connection per request, the
same rule makes the workers least-connections balanced. Everything else is gthread's.
"""

import mmap
import os
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
# The longest a worker's loop waits (gthread's own is 1 s), so that an idle worker's entry stays fresh.
IDLE_TIMEOUT = 0.25

# Mapped at import, in the master (gunicorn imports the worker class before it forks): anonymous and
# shared, so every worker the master forks reads and writes the same memory.
table = memoryview(mmap.mmap(-1, SLOTS * FIELDS * 8)).cast("q")


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
        self.slot = next(slot for slot in range(SLOTS) if slot not in given)
        given[self.slot] = self
        self.entry = self.slot * FIELDS
        self.balanced_at = 0
        self.held_back = False
        # Connections still to close for balance, and those told to close that have not closed yet.
        self.surplus = 0
        self.closing = 0
        self.surplus_lock = threading.Lock()

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
        table[self.entry + SERVING] = int(self.alive)

    def wait_for_and_dispatch_events(self, timeout):
        if self.alive:
            self.balance()
        super().wait_for_and_dispatch_events(min(timeout, IDLE_TIMEOUT))

    def handle_request(self, req, conn):
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
