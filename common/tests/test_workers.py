"""
The balanced gunicorn worker's decisions (common/workers.py), on gunicorn's own config, logger and a real
listening socket; e2e/test_worker_balance.py runs it under load in a real gunicorn.
"""

import fcntl
import hashlib
import inspect
import multiprocessing
import os
import selectors
import socket
import subprocess
import sys
import time

import gunicorn
import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker

from common import workers
from common.workers import CONNECTIONS, FIELDS, PID, SERVING, SLOTS, WRITTEN, BalancedThreadWorker, table

THREADS = 4


def table_clear() -> None:
    table[:] = memoryview(bytearray(SLOTS * FIELDS * 8)).cast("q")
    BalancedThreadWorker.slots_given.clear()


@pytest.fixture(autouse=True)
def empty_table():
    table_clear()
    yield
    table_clear()


@pytest.fixture
def listener():
    with socket.create_server(("127.0.0.1", 0)) as sock:
        yield sock


def new_worker(listeners=()) -> BalancedThreadWorker:
    cfg = Config()
    cfg.set("threads", THREADS)
    worker = BalancedThreadWorker(1, 1, list(listeners), None, 30, cfg, Logger(cfg))
    worker.poller = selectors.DefaultSelector()
    return worker


def exited_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def peer(slot: int, connections: int, pid: int | None = None, serving: int = 1, age_ns: int = 0) -> None:
    entry = slot * FIELDS
    table[entry + PID] = pid if pid is not None else os.getpid()
    table[entry + CONNECTIONS] = connections
    table[entry + SERVING] = serving
    table[entry + WRITTEN] = time.monotonic_ns() - age_ns


def balanced(worker: BalancedThreadWorker, connections: int) -> BalancedThreadWorker:
    worker.nr_conns = connections
    worker.balanced_at = 0  # whatever the interval
    worker.balance()
    return worker


def test_the_master_gives_each_worker_its_own_entry_and_reuses_a_dead_ones():
    first, second = new_worker(), new_worker()
    assert (first.slot, second.slot) == (0, 1)
    first.pid = exited_pid()
    second.pid = os.getpid()  # alive
    assert new_worker().slot == 0


def test_a_worker_above_the_least_loaded_by_more_than_its_threads_stops_accepting_and_closes_half_the_gap(listener):
    peer(5, connections=10)
    worker = new_worker([listener])
    worker.set_accept_enabled(True)
    assert worker._accepting

    balanced(worker, 10 + THREADS)
    assert (worker.held_back, worker._accepting, worker.surplus) == (False, True, 0)

    balanced(worker, 10 + THREADS + 6)  # 10 above
    assert (worker.held_back, worker._accepting, worker.surplus) == (True, False, 5)
    # gthread's loop asks to accept whenever it has room: not while held back.
    worker.set_accept_enabled(True)
    assert not worker._accepting

    worker.closing = 3  # told to close, not closed yet: only the rest is still to close
    balanced(worker, 10 + THREADS + 6)
    assert worker.surplus == 2

    balanced(worker, 12)  # the peer took them
    assert (worker.held_back, worker._accepting, worker.surplus) == (False, True, 0)


def test_the_least_loaded_of_three_never_holds_back(listener):
    peer(3, connections=30)
    peer(4, connections=20)
    worker = balanced(new_worker([listener]), 2)
    assert not worker.held_back
    assert balanced(worker, 25).held_back  # 5 above the 20


@pytest.mark.parametrize(
    "entry",
    [
        {"pid": "exited"},  # killed: its process is gone
        {"age_ns": 2_000_000_000},  # hangs: not written for 2 s
        {"serving": 0},  # stopping: it left before draining
        {"pid": 0},  # free
    ],
    ids=["dead", "stale", "stopping", "free"],
)
def test_workers_that_cannot_take_connections_do_not_hold_the_others_back(listener, entry):
    if entry.get("pid") == "exited":
        entry = {"pid": exited_pid()}
    peer(7, connections=0, **entry)
    worker = new_worker([listener])
    worker.set_accept_enabled(True)
    assert (balanced(worker, 64).held_back, worker._accepting, worker.surplus) == (False, True, 0)


def test_its_own_entry_is_written_and_not_compared_with(listener):
    worker = new_worker([listener])
    worker.set_accept_enabled(True)
    balanced(worker, 40)
    entry = worker.slot * FIELDS
    assert (table[entry + CONNECTIONS], table[entry + SERVING]) == (40, 1)
    assert not worker.held_back
    worker.alive = False
    worker.set_accept_enabled(False)  # gthread's graceful stop, before it drains
    assert table[entry + SERVING] == 0


def test_balancing_runs_at_most_once_per_interval(listener):
    peer(2, connections=0)
    worker = balanced(new_worker([listener]), 0)
    worker.nr_conns = 50
    worker.balance()  # within the interval: nothing read or written
    assert not worker.held_back
    worker.balanced_at -= workers.BALANCE_INTERVAL_NS
    worker.balance()
    assert worker.held_back


def recycling_worker(workers: int) -> BalancedThreadWorker:
    worker = new_worker()
    worker.cfg.set("workers", workers)
    worker.set_accept_enabled(True)  # its loop's start (no listening socket needed here)
    assert table[worker.slot * FIELDS + SERVING] == 1
    return worker


def test_a_worker_recycles_only_while_every_other_worker_serves():
    worker = recycling_worker(3)
    peer(1, connections=10)
    peer(2, connections=0, serving=0)  # loading the app, or draining
    assert not worker.recycle_allowed()
    assert not worker.leaving

    peer(2, connections=10)
    assert worker.recycle_allowed()
    # At once out of the serving workers, so that no other one recycles before this one has stopped.
    assert worker.leaving
    assert table[worker.slot * FIELDS + SERVING] == 0
    worker.set_accept_enabled(False)
    assert table[worker.slot * FIELDS + SERVING] == 0


def test_a_worker_does_not_recycle_while_another_is_yet_to_be_forked_or_hangs():
    worker = recycling_worker(3)
    peer(1, connections=10)
    assert not worker.recycle_allowed()  # the master has not forked the third one yet
    peer(2, connections=10, age_ns=2_000_000_000)  # serving, but its loop has not moved for 2 s
    assert not worker.recycle_allowed()
    peer(2, connections=10)
    assert worker.recycle_allowed()


def test_a_dead_workers_entry_does_not_stop_a_recycle():
    worker = recycling_worker(2)
    peer(1, connections=10)
    peer(2, connections=0, serving=0, pid=exited_pid())  # killed while draining
    assert worker.recycle_allowed()


def test_a_worker_does_not_recycle_while_another_decides():
    worker = recycling_worker(2)
    peer(1, connections=10)
    context = multiprocessing.get_context("fork")
    locked, release = context.Event(), context.Event()

    def decide_elsewhere():
        fcntl.lockf(workers.table_file, fcntl.LOCK_EX)
        locked.set()
        release.wait(10)

    other = context.Process(target=decide_elsewhere)
    other.start()
    try:
        assert locked.wait(10)
        assert not worker.recycle_allowed()
    finally:
        release.set()
        other.join(10)
    assert worker.recycle_allowed()  # the lock went with the other process


def test_more_workers_than_entries_is_a_clear_error():
    for _ in range(SLOTS):
        new_worker().pid = os.getpid()
    with pytest.raises(RuntimeError, match="at most 64 workers"):
        new_worker()


# gthread's methods the balanced worker overrides, as gunicorn 27.0.1 writes them (a hash of each one's source).
GTHREAD_PINNED = {
    "__init__": "5681b8b542ea91bf",
    "finish_request": "616e7bb15a009ff7",
    "handle_request": "6d0de5b919102efc",
    "init_process": "e4fc63a1a68e4f48",
    "run": "f92c7394d85715a4",
    "set_accept_enabled": "140150ebfd3cae34",
    "wait_for_and_dispatch_events": "ea969b352482bd5c",
}


def test_the_gthread_methods_it_overrides_are_the_ones_it_was_written_against():
    """
    An upgrade of gunicorn that changes any gthread method the opt-in worker overrides fails here: read the new
    method, carry its change into common/workers.py (or drop the worker), then pin the new hashes.
    """
    overridden = {
        name for name, value in vars(BalancedThreadWorker).items() if callable(value) and hasattr(ThreadWorker, name)
    }
    assert overridden == set(GTHREAD_PINNED), "pin every gthread method the worker overrides"
    found = {
        name: hashlib.sha256(inspect.getsource(getattr(ThreadWorker, name)).encode()).hexdigest()[:16]
        for name in GTHREAD_PINNED
    }
    assert (gunicorn.__version__, found) == ("27.0.1", GTHREAD_PINNED)
