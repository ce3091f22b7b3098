"""A range API on loopback that serves the format of Have I Been Pwned's, from passwords a test adds."""

import contextlib
import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PADDING_LINES = 20


@dataclass
class RangeApi:
    """What the server serves (`add`), how it misbehaves (`delay`, `status`, `body`), and what it was asked."""

    url: str = ""
    ranges: dict[str, dict[str, int]] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)
    delay: float = 0
    status: int = 200
    body: str | None = None

    def add(self, password: str, count: int) -> None:
        digest = hashlib.sha1(password.encode()).hexdigest().upper()
        self.ranges.setdefault(digest[:5], {})[digest[5:]] = count

    def answer(self, prefix: str, padded: bool) -> str:
        lines = [f"{suffix}:{count}" for suffix, count in self.ranges.get(prefix, {}).items()]
        if padded:  # as the real API pads: made-up suffixes seen 0 times
            lines += [hashlib.sha1(f"pad{i}".encode()).hexdigest().upper()[5:] + ":0" for i in range(PADDING_LINES)]
        # Real answers end lines with CRLF and mix the case of nothing; lines come in any order.
        return "\r\n".join(sorted(lines))


def range_handler(api: RangeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            api.requests.append({"path": self.path, "headers": dict(self.headers)})
            if api.delay:
                time.sleep(api.delay)
            prefix = self.path.rsplit("/", 1)[-1]
            body = api.body if api.body is not None else api.answer(prefix, self.headers.get("Add-Padding") == "true")
            payload = body.encode()
            try:
                self.send_response(api.status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up first (a timeout test)
                pass

        def log_message(self, *args) -> None:
            pass

    return Handler


@contextlib.contextmanager
def range_api_running() -> Iterator[RangeApi]:
    """A range API on a free port of 127.0.0.1, stopped on leaving."""
    api = RangeApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), range_handler(api))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}/range/"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
