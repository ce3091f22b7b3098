"""
A bounded HTTP load from this machine: N threads, each on its own keep-alive connection, sending
a fixed mix of requests until stopped (or `max_seconds`); every request's start, end and status
(or the error that stood in for one) is recorded, so a test can say what happened when.
"""

import contextlib
import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: dict | None = None


@dataclass(frozen=True)
class Outcome:
    call: Call
    started: float  # time.monotonic()
    ended: float
    status: int | None  # None: no HTTP answer at all
    error: str = ""
    served_by: str = ""  # the X-Upstream header a test load balancer adds


@dataclass
class Load:
    base_url: str
    calls: list[Call]
    token: str
    connections: int = 16
    max_seconds: float = 60
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._worker, args=(n,), daemon=True) for n in range(self.connections)]

    def _worker(self, number: int) -> None:
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        deadline = time.monotonic() + self.max_seconds
        sent = number  # threads start at different places in the mix
        while not self._stop.is_set() and time.monotonic() < deadline:
            call = self.calls[sent % len(self.calls)]
            sent += 1
            body = json.dumps(call.body) if call.body is not None else None
            started = time.monotonic()
            try:
                connection.request(call.method, call.path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                outcome = Outcome(
                    call, started, time.monotonic(), response.status, "", response.getheader("X-Upstream", "")
                )
            except (OSError, http.client.HTTPException) as exc:
                outcome = Outcome(call, started, time.monotonic(), None, f"{type(exc).__name__}: {exc}")
                connection.close()  # a fresh connection for the next request
            with self._lock:
                self.outcomes.append(outcome)
        connection.close()

    def start(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> list[Outcome]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        return sorted(self.outcomes, key=lambda outcome: outcome.started)


@contextlib.contextmanager
def running_load(base_url: str, calls: list[Call], token: str, **options) -> Iterator[Load]:
    load = Load(base_url, calls, token, **options).start()
    try:
        yield load
    finally:
        load.stop()


def statuses_per_second(outcomes: list[Outcome], since: float, phase_of) -> str:
    """A table: one row per second since `since` (by when requests ended), its phase and its statuses."""
    rows: dict[int, Counter] = {}
    for outcome in outcomes:
        rows.setdefault(int(outcome.ended - since), Counter())[outcome.status or "error"] += 1
    statuses = sorted({status for row in rows.values() for status in row}, key=str)
    lines = ["second  phase         " + "".join(f"{status!s:>7}" for status in statuses)]
    for second in sorted(rows):
        cells = "".join(f"{rows[second][status]:>7}" for status in statuses)
        phases = dict.fromkeys((phase_of(since + second), phase_of(since + second + 0.999)))
        lines.append(f"{second:>6}  {'>'.join(phases):<13} {cells}")
    return "\n".join(lines)
