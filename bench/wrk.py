"""
Run wrk (Debian package `wrk`) against one URL and return requests/s and latency percentiles.

A small Lua script adds the bearer header (or any `headers`), an optional JSON body (or bodies sent in turn)
and method, and prints the percentiles and the non-2xx count as one JSON line that this module parses.
"""

import json
import subprocess
import tempfile
from dataclasses import dataclass

LUA = r"""
wrk.method = "%(method)s"
%(headers)s
wrk.headers["Content-Type"] = "application/json"
wrk.body = %(body)s
%(cycle)s

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.timeout + summary.errors.status
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "seconds": %%.3f, "p50_ms": %%.2f, "p95_ms": %%.2f, "p99_ms": %%.2f, "errors": %%d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors))
end
"""


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def row(self) -> str:
        return (
            f"| {self.name} | {self.rps:,.0f} | {self.p50_ms:.1f} | {self.p95_ms:.1f} | "
            f"{self.p99_ms:.1f} | {self.errors} |"
        )


HEADER = "| scenario | req/s | p50 ms | p95 ms | p99 ms | errors (non-2xx/3xx, socket) |\n|---|---|---|---|---|---|"


def run(
    name: str,
    url: str,
    token: str = "",
    method: str = "GET",
    body: str | None = None,
    connections: int = 64,
    threads: int = 2,
    seconds: int = 10,
    headers: dict[str, str] | None = None,
    bodies: list[str] | None = None,
) -> Result:
    """Load `url` for `seconds` with `connections` open connections; never leaves 127.0.0.1."""
    assert url.startswith(("http://127.0.0.1", "http://localhost")), "benchmarks only target this machine"
    headers = headers if headers is not None else {"Authorization": f"Bearer {token}" if token else ""}
    script = LUA % {
        "method": method,
        "headers": "\n".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()),
        "body": json.dumps(body) if body is not None else "nil",
        # Each connection sends `bodies` in turn (wrk.format keeps the method, path and headers).
        "cycle": (
            f"local bodies = {{{', '.join(json.dumps(b) for b in bodies)}}}\nlocal sent = 0\n"
            "request = function()\n  sent = sent + 1\n"
            "  return wrk.format(nil, nil, nil, bodies[(sent % #bodies) + 1])\nend"
            if bodies
            else ""
        ),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        output = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", lua.name, url],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    return Result(name=name, **json.loads(line.removeprefix("WRK_JSON ")))
