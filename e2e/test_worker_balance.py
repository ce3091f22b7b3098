"""
The opt-in balanced worker (common/workers.py) keeps kept-alive connections even over gunicorn's workers.
Under 32 kept-alive connections, one worker is stopped gracefully, as `max_requests` does: its clients
reconnect to the others while the master replaces it, and with gunicorn's own gthread worker they stay
there, the replacement serving nothing. Here, once the replacement has loaded the app, every worker serves
its share within seconds, and no request fails meanwhile. And workers that `max_requests` recycles take
turns, so that answers never stop while replacements load the app.
"""

import itertools
import json
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from accounts.demo import DEMO_PASSWORD
from bench.server import Gunicorn, manage
from e2e.live_server import LiveServer, free_port, fresh_database_url
from e2e.load import Call, running_load

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# The opt-in worker this module tests (gunicorn's own gthread is the default).
WORKER_CLASS = "common.workers.BalancedThreadWorker"
CONNECTIONS = 32
THREADS = 4
SETTLE_SECONDS, WINDOW_SECONDS = 3, 3
RECYCLE_DEADLINE_SECONDS = 30


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> str:
    url = fresh_database_url(os.environ.get("DATABASE_URL", ""), "balance", tmp_path_factory.mktemp("balance"))
    manage(url, "migrate", "--noinput")
    manage(url, "load_demo")
    return url


def recycles(log: str) -> int:
    """Workers the master replaced after `max_requests`, from gunicorn's error log."""
    return log.count("Autorestarting worker")


def requests_per_worker(log_lines: list[str]) -> Counter:
    """Requests per worker pid, from gunicorn's access log lines (gunicorn.conf.py's format)."""
    served = Counter()
    for line in log_lines:
        if line.startswith("{") and '"worker"' in line:
            served[int(json.loads(line)["worker"].strip("<>"))] += 1
    return served


def connections_per_worker(port: int, pids: set[int]) -> dict[int, int]:
    """Established connections to 127.0.0.1:`port` each process holds (Linux: /proc/net/tcp and the fds)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, state = int(fields[1].split(":")[1], 16), fields[3]
        if local_port == port and state == "01":  # ESTABLISHED
            inodes.add(fields[9])
    held = {}
    for pid in pids:
        sockets = []
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                sockets.append(os.readlink(fd))
            except OSError:  # closed meanwhile
                continue
        held[pid] = sum(link.startswith("socket:[") and link[8:-1] in inodes for link in sockets)
    return held


@pytest.mark.parametrize("workers", [2, 3])
def test_a_replaced_worker_gets_its_share_of_connections_back(database_url, tmp_path, artifacts_dir, workers):
    server = Gunicorn(
        database_url,
        free_port(),
        tmp_path / "gunicorn.log",
        workers=workers,
        threads=THREADS,
        GUNICORN_ACCESSLOG="-",
        GUNICORN_WORKER_CLASS=WORKER_CLASS,
        GUNICORN_MAX_REQUESTS="0",  # only the stop below replaces a worker
        DJANGO_STATIC_ROOT=str(tmp_path),
    ).start()
    try:
        token = LiveServer(url=server.url, database_url=database_url).login("user", DEMO_PASSWORD)
        with running_load(server.url, [Call("GET", "/api/v1/posts/")], token, connections=CONNECTIONS) as load:
            time.sleep(2)
            before = server.worker_pids()
            stopped = min(before)
            os.kill(stopped, signal.SIGTERM)  # a graceful stop: the worker drains, the master replaces it
            deadline = time.monotonic() + 20
            while (now := server.worker_pids()) == before or stopped in now or len(now) < workers:
                assert time.monotonic() < deadline, f"worker {stopped} was not replaced: {server.log()[-2000:]}"
                time.sleep(0.1)
            # The replacement loads the app first, which takes seconds on two cores the load keeps busy.
            replaced_at, deadline = time.monotonic(), time.monotonic() + 30
            while not all(requests_per_worker(server.log().splitlines())[pid] for pid in now - before):
                if time.monotonic() > deadline:
                    pytest.fail(f"replacement {now - before} served nothing in 30 s: {server.log()[-2000:]}")
                time.sleep(0.1)
            booted_in = time.monotonic() - replaced_at
            time.sleep(SETTLE_SECONDS)
            mark = len(server.log().splitlines())
            held = []
            for _ in range(WINDOW_SECONDS * 2):
                held.append(connections_per_worker(server.port, now))
                time.sleep(0.5)
            window = server.log().splitlines()[mark:]
        outcomes = load.outcomes
    finally:
        server.stop()

    served = requests_per_worker(window)
    total = sum(served.values())
    with (artifacts_dir / "worker-balance.txt").open("a") as report:
        report.write(
            f"{workers} workers, {CONNECTIONS} connections, worker {stopped} stopped and replaced by "
            f"{sorted(now - before)}, serving {booted_in:.1f} s later; requests per worker over {WINDOW_SECONDS} s "
            f"after {SETTLE_SECONDS} s more: "
            f"{dict(served)} of {total}, connections each held every 0.5 s: {held} "
            f"({len(outcomes)} requests in all, "
            f"{sum(o.status != 200 for o in outcomes)} failed)\n"
        )
    assert total > 100, window[-20:]
    # Each worker holds its share of the connections, give or take a worker's threads (the balance it keeps)
    # and a connection or two between a close and its reconnection; a replacement left out would hold 0.
    fewest = CONNECTIONS // workers - THREADS - 2
    assert all(min(sample.values()) >= fewest for sample in held), (held, now - before)
    # ...and serves a share of the requests (their rates differ with each process' share of the CPU).
    shares = {pid: round(served[pid] / total, 2) for pid in now}
    assert min(shares.values()) >= 0.4 / workers, (shares, now - before)
    failed = [outcome for outcome in outcomes if outcome.status != 200]
    assert not failed, failed[:5]


def test_workers_recycled_by_max_requests_take_turns(database_url, tmp_path, artifacts_dir):
    # Evenly loaded workers reach max_requests together; were they replaced together, nobody would serve
    # while both replacements boot. Without jitter, every 600 requests per worker (about a second here).
    server = Gunicorn(
        database_url,
        free_port(),
        tmp_path / "gunicorn.log",
        workers=2,
        threads=THREADS,
        GUNICORN_WORKER_CLASS=WORKER_CLASS,
        GUNICORN_MAX_REQUESTS="600",
        GUNICORN_MAX_REQUESTS_JITTER="0",
        DJANGO_STATIC_ROOT=str(tmp_path),
    ).start()
    try:
        token = LiveServer(url=server.url, database_url=database_url).login("user", DEMO_PASSWORD)
        first = server.worker_pids()
        started = time.monotonic()
        with running_load(server.url, [Call("GET", "/api/v1/posts/")], token, connections=CONNECTIONS) as load:
            # Four recycles, however fast this machine serves; bounded so that a stalled server fails the test.
            while recycles(server.log()) < 4 and time.monotonic() - started < RECYCLE_DEADLINE_SECONDS:
                time.sleep(0.25)
        elapsed = time.monotonic() - started
        outcomes = load.outcomes
        replaced = recycles(server.log())
    finally:
        server.stop()
    ends = sorted(outcome.ended for outcome in outcomes)
    gaps = sorted((later - earlier for earlier, later in itertools.pairwise(ends)), reverse=True)
    with (artifacts_dir / "worker-balance.txt").open("a") as report:
        report.write(
            f"max_requests 600: {replaced} workers recycled in {elapsed:.1f} s ({sorted(first)} at the start), "
            f"{len(outcomes)} requests, the longest times without an answer: {[round(g, 3) for g in gaps[:5]]} s\n"
        )
    assert replaced >= 4
    assert all(outcome.status == 200 for outcome in outcomes)
    # A worker's replacement takes about a second to load the app; one worker always serving keeps answers
    # coming every few milliseconds.
    assert gaps[0] < 0.3, gaps[:5]
