"""
What `preload_app` (GUNICORN_PRELOAD_APP=true) does to gunicorn's workers: boot, memory, replacements, SIGHUP.

    .venv/bin/python -m bench.worker_boot            # 3 rounds, about 3 minutes

gunicorn's own gthread worker (GUNICORN_WORKER_CLASS=gthread), 2 workers x 4 threads, preload off and on,
alternated round by round (off, on, then on, off, ...). In each round, each setting starts two servers:

- recycles: GUNICORN_MAX_REQUESTS=500, jitter 0, wrk at 32 connections on /api/v1/health/ for 15 s, each
  request on a new connection (`Connection: close`, as the project's nginx sends them upstream), so that a
  replacement answers as soon as it accepts rather than when a kept-alive connection happens to reach it;
  the time from each worker's exit ("Worker exiting") to its replacement's first answered request, and
  the longest time without any answer;
- SIGHUP: no recycles, behind the project's nginx (e2e/nginx.py), wrk through nginx for 8 s and a SIGHUP
  to the master 3 s in: errors (non-2xx, socket), the longest time without an answer, and the time from
  the signal to the first answer of a new worker.

Every start is also a boot sample: the time from starting gunicorn to the first 200 from /api/v1/health/;
then, once both workers have answered, RSS (VmRSS) and PSS (smaps_rollup) of the master and the workers,
and the master's threads and sockets (a preloaded master shares whatever it holds with every worker).
Log lines are stamped as they appear (a thread reads gunicorn's log every 5 ms): gunicorn's own timestamps
are whole seconds. 127.0.0.1 only; every process is stopped by PID at the end, whatever happens.
`BENCH_DATABASE_URL`, default app_bench_boot (created and migrated if missing).
"""

import argparse
import contextlib
import itertools
import json
import os
import re
import signal
import statistics
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench import wrk
from bench.compare import behind_nginx, parse_env
from bench.server import Gunicorn, database_migrate

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/app_bench_boot"
PORT = 8461  # nginx, when in front: 8561 (bench.compare.behind_nginx)
HEALTH = "/api/v1/health/"
CONNECTIONS = 32
RECYCLE_SECONDS, HUP_SECONDS, HUP_AFTER = 15, 8, 3.0
SETTINGS = ("off", "on")
BOOTING = re.compile(rb"Booting worker with pid: (\d+)")
EXITING = re.compile(rb"Worker exiting \(pid: (\d+)\)")


class LogTail:
    """gunicorn's log, read by a thread every few milliseconds: answers, boots and exits, stamped as they appear."""

    def __init__(self, path: Path):
        self.path = path
        self.answers: list[tuple[float, int]] = []  # (monotonic time, worker pid) of each 2xx in the access log
        self.boots: list[tuple[float, int]] = []
        self.exits: list[tuple[float, int]] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.follow, daemon=True)

    def __enter__(self) -> "LogTail":
        self.path.touch()
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()

    def follow(self) -> None:
        pending = b""
        with self.path.open("rb") as log:
            while True:
                stopping = self.stopped.is_set()
                chunk = log.read()
                if chunk:
                    now = time.monotonic()
                    *lines, pending = (pending + chunk).split(b"\n")
                    for line in lines:
                        self.note(now, line)
                elif stopping:
                    return
                else:
                    time.sleep(0.005)

    def note(self, now: float, line: bytes) -> None:
        if line.startswith(b"{") and b'"worker"' in line:
            entry = json.loads(line)
            if 200 <= entry["status"] < 300:
                self.answers.append((now, int(entry["worker"].strip("<>"))))
        elif match := BOOTING.search(line):
            self.boots.append((now, int(match[1])))
        elif match := EXITING.search(line):
            self.exits.append((now, int(match[1])))

    def first_answers(self) -> dict[int, float]:
        first: dict[int, float] = {}
        for at, pid in list(self.answers):
            first.setdefault(pid, at)
        return first

    def longest_silence(self, since: float, until: float) -> float:
        """The longest time between two answers (any worker) from `since` to `until`."""
        times = [since] + [at for at, _ in list(self.answers) if since < at < until] + [until]
        return max(later - earlier for earlier, later in itertools.pairwise(times))


@dataclass
class Boot:
    seconds: float  # starting gunicorn -> first 200
    master_rss_mb: float
    worker_rss_mb: float  # mean of the workers
    pss_mb: float  # master + workers
    master_threads: int
    master_sockets: int


def status_field(pid: int, name: str, file: str = "status") -> int:
    line = next(line for line in Path(f"/proc/{pid}/{file}").read_text().splitlines() if line.startswith(name + ":"))
    return int(line.split()[1])


def master_sockets(pid: int) -> int:
    links = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            links.append(os.readlink(fd))
    return sum(link.startswith("socket:") for link in links)


def after_boot(server: Gunicorn, tail: LogTail, seconds: float) -> Boot:
    """Ask health on new connections until every worker has answered (each has then loaded the URLconf)."""
    deadline = time.monotonic() + 10
    while not server.worker_pids() <= set(tail.first_answers()) and time.monotonic() < deadline:
        with urllib.request.urlopen(server.url + HEALTH, timeout=5) as response:
            response.read()
        time.sleep(0.02)
    time.sleep(0.3)
    workers = sorted(server.worker_pids())
    kb = 1024
    return Boot(
        seconds=seconds,
        master_rss_mb=status_field(server.pid, "VmRSS") / kb,
        worker_rss_mb=statistics.mean(status_field(pid, "VmRSS") for pid in workers) / kb,
        pss_mb=sum(status_field(pid, "Pss", "smaps_rollup") for pid in [server.pid, *workers]) / kb,
        master_threads=status_field(server.pid, "Threads"),
        master_sockets=master_sockets(server.pid),
    )


@contextlib.contextmanager
def serving(database_url: str, preload: str, **extra: str) -> Iterator[tuple[Gunicorn, LogTail, Boot]]:
    """gunicorn (gthread, 2 x 4, preload `preload`) with its log followed; every process it forked stopped after."""
    with tempfile.TemporaryDirectory(prefix="worker-boot-") as tmp:
        server = Gunicorn(
            database_url,
            PORT,
            Path(tmp) / "gunicorn.log",
            workers=2,
            threads=4,
            GUNICORN_WORKER_CLASS="gthread",
            GUNICORN_PRELOAD_APP="true" if preload == "on" else "false",
            GUNICORN_ACCESSLOG="-",
            DJANGO_STATIC_ROOT=tmp,
            **extra,
        )
        with LogTail(server.log_path) as tail:
            try:
                started = time.monotonic()
                server.start(poll=0.01)
                boot = after_boot(server, tail, time.monotonic() - started)
                yield server, tail, boot
            finally:
                server.stop(timeout=15)
                # A worker the master could not reap (it was killed after the timeout): by its pid.
                for _, pid in tail.boots:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)


def recycles(database_url: str, preload: str, extra: dict[str, str]) -> tuple[Boot, dict]:
    recycling = {"GUNICORN_MAX_REQUESTS": "500", "GUNICORN_MAX_REQUESTS_JITTER": "0"}
    with serving(database_url, preload, **(recycling | extra)) as (server, tail, boot):
        began = time.monotonic()
        result = wrk.run(
            "recycles",
            server.url + HEALTH,
            connections=CONNECTIONS,
            seconds=RECYCLE_SECONDS,
            headers={"Connection": "close"},
        )
        ended = time.monotonic()
        time.sleep(0.05)
        first = tail.first_answers()
        exits = [at for at, _ in tail.exits if began <= at <= ended]
        replacements = [(at, pid) for at, pid in tail.boots if at >= began]
        # The master forks a replacement after it reaps the worker that exited: paired in order.
        pairs = [
            (exited, forked, first.get(pid, ended)) for exited, (forked, pid) in zip(exits, replacements, strict=False)
        ]
        return boot, {
            "waits": [answered - exited for exited, _, answered in pairs],
            "forks": [forked - exited for exited, forked, _ in pairs],
            "boots": [answered - forked for _, forked, answered in pairs],
            "silence": tail.longest_silence(began + 0.5, ended - 0.5),
            "rps": result.rps,
            "errors": result.errors,
        }


def sighup(database_url: str, preload: str, extra: dict[str, str]) -> tuple[Boot, dict]:
    with (
        serving(database_url, preload, **({"GUNICORN_MAX_REQUESTS": "0"} | extra)) as (server, tail, boot),
        behind_nginx(server.url) as nginx_url,
    ):
        results: list[wrk.Result] = []
        load = threading.Thread(
            target=lambda: results.append(
                wrk.run("sighup", nginx_url + HEALTH, connections=CONNECTIONS, seconds=HUP_SECONDS, headers={})
            ),
            daemon=True,
        )
        began = time.monotonic()
        load.start()
        time.sleep(HUP_AFTER)
        before = server.worker_pids()
        hup_at = time.monotonic()
        os.kill(server.pid, signal.SIGHUP)
        load.join(HUP_SECONDS + 30)
        ended = time.monotonic()
        time.sleep(0.05)
        first = tail.first_answers()
        new = [pid for at, pid in tail.boots if at >= hup_at and pid not in before]
        return boot, {
            "first_new": min((first[pid] for pid in new if pid in first), default=ended) - hup_at,
            "silence": tail.longest_silence(began + 0.5, ended - 0.5),
            "errors": results[0].errors if results else -1,
            "replaced": len(new),
        }


def rounded(outcome: dict) -> dict:
    def cut(value):
        return [cut(item) for item in value] if isinstance(value, list) else round(value, 2)

    return {name: cut(value) for name, value in outcome.items()}


def median_max(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} / {max(values):.2f}" if values else "-"


def table(boots: dict, recycled: dict, hupped: dict, rounds: int) -> str:
    def boot(attribute: str, digits: int = 0) -> list[str]:
        cells = []
        for setting in SETTINGS:
            values = [getattr(sample, attribute) for sample in boots[setting]]
            cells.append(f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})")
        return cells

    def each(runs: list[dict], key: str) -> str:
        return ", ".join(f"{run[key]:.2f}" if isinstance(run[key], float) else str(run[key]) for run in runs)

    n = len(boots["off"])
    rows = [
        (f"boot: start -> first 200, s (median, range of {n})", *boot("seconds", 2)),
        ("RSS after boot: master, MB", *boot("master_rss_mb")),
        ("RSS after boot: each worker, MB", *boot("worker_rss_mb")),
        ("PSS after boot: master + 2 workers, MB", *boot("pss_mb")),
        (
            "master after boot: threads / sockets (gunicorn's own: the listener, its control socket)",
            *(f"{b[0].master_threads} / {b[0].master_sockets}" for b in (boots["off"], boots["on"])),
        ),
        (
            f"recycles (max_requests 500): replacements in {rounds} x {RECYCLE_SECONDS} s",
            *(str(sum(len(run["waits"]) for run in recycled[s])) for s in SETTINGS),
        ),
        (
            "recycles: worker exit -> replacement's first answer, s (median / max)",
            *(median_max([w for run in recycled[s] for w in run["waits"]]) for s in SETTINGS),
        ),
        (
            "... of which the exit (logged) -> the replacement forked, s (median / max)",
            *(median_max([w for run in recycled[s] for w in run["forks"]]) for s in SETTINGS),
        ),
        (
            "... and the fork -> its first answer, s (median / max)",
            *(median_max([w for run in recycled[s] for w in run["boots"]]) for s in SETTINGS),
        ),
        ("recycles: longest time without an answer, s (each round)", *(each(recycled[s], "silence") for s in SETTINGS)),
        (
            "recycles: req/s / errors (each round)",
            *(", ".join(f"{run['rps']:,.0f} / {run['errors']}" for run in recycled[s]) for s in SETTINGS),
        ),
        ("SIGHUP behind nginx: errors, non-2xx + socket (each round)", *(each(hupped[s], "errors") for s in SETTINGS)),
        ("SIGHUP: longest time without an answer, s (each round)", *(each(hupped[s], "silence") for s in SETTINGS)),
        (
            "SIGHUP: signal -> a new worker's first answer, s (each round)",
            *(each(hupped[s], "first_new") for s in SETTINGS),
        ),
    ]
    lines = ["| measure | preload off | preload on |", "|---|---|---|"]
    lines += [f"| {name} | {off} | {on} |" for name, off, on in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--rounds", type=int, default=3, help="rounds per setting, alternated (off, on, on, off, ...)")
    parser.add_argument("--env", nargs="*", default=[], metavar="KEY=VALUE", help="for both settings")
    args = parser.parse_args()
    extra = parse_env(args.env)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    database_migrate(database_url)
    load_before, started = os.getloadavg(), time.monotonic()

    boots: dict[str, list[Boot]] = {setting: [] for setting in SETTINGS}
    recycled: dict[str, list[dict]] = {setting: [] for setting in SETTINGS}
    hupped: dict[str, list[dict]] = {setting: [] for setting in SETTINGS}
    for round_number in range(args.rounds):
        for setting in SETTINGS if round_number % 2 == 0 else reversed(SETTINGS):
            for scenario, runs in ((recycles, recycled), (sighup, hupped)):
                boot, outcome = scenario(database_url, setting, extra)
                boots[setting].append(boot)
                runs[setting].append(outcome)
                print(
                    f"  round {round_number + 1}, preload {setting}, {scenario.__name__}: boot {boot.seconds:.2f} s, "
                    f"{rounded(outcome)}",
                    flush=True,
                )

    load_after = os.getloadavg()
    print(
        f"\ngunicorn gthread, 2 workers x 4 threads, {CONNECTIONS} connections, {args.rounds} rounds per setting, "
        f"alternated{f', {extra}' if extra else ''}; {time.monotonic() - started:.0f} s in all; "
        "load average (1/5/15 min) "
        f"{', '.join(f'{v:.2f}' for v in load_before)} at the start, {', '.join(f'{v:.2f}' for v in load_after)} "
        f"at the end, {os.cpu_count()} CPUs\n"
    )
    print(table(boots, recycled, hupped, args.rounds))


if __name__ == "__main__":
    main()
