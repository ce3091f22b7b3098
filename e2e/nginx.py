"""
A real nginx (Debian's package) as the load balancer in front of app instances, for e2e tests:
a generated config in a temporary directory, 127.0.0.1 only, round robin, stopped by PID.

The proxy settings themselves are the project's: `docker/nginx-proxy.conf`, which
docker/nginx.conf includes too, so the test proves what the Docker setup ships.
"""

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.server import BASE_DIR

PROXY_CONF = BASE_DIR / "docker" / "nginx-proxy.conf"
# As in docker/nginx.conf: an instance that refused a connection is skipped for 2 s only, so a
# restarted one is back in rotation before the next one is restarted (nginx's default is 10 s).
SERVER_PARAMETERS = "max_fails=1 fail_timeout=2s"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def config(port: int, upstreams: list[str], directory: Path) -> str:
    servers = "\n".join(f"        server {address} {SERVER_PARAMETERS};" for address in upstreams)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {directory / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
daemon off;
worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log {directory / "access.log"};
{temp_paths}
    upstream app {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            include {PROXY_CONF};
            proxy_pass http://app;
            # Tests only: which instance answered.
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


class Nginx:
    def __init__(self, port: int, upstreams: list[str]):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        # Not under pytest's tmp_path (mode 700): nginx's workers run as an unprivileged user.
        self.dir = Path(tempfile.mkdtemp(prefix="e2e-nginx-"))
        self.dir.chmod(0o755)
        (self.dir / "nginx.conf").write_text(config(port, upstreams, self.dir))
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10) -> "Nginx":
        conf = str(self.dir / "nginx.conf")
        subprocess.run([nginx_binary(), "-t", "-q", "-c", conf, "-e", str(self.dir / "error.log")], check=True)
        self.process = subprocess.Popen(
            [nginx_binary(), "-c", conf, "-p", str(self.dir), "-e", str(self.dir / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return self
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {self.error_log()[-2000:]}")
            time.sleep(0.1)

    def error_log(self) -> str:
        path = self.dir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """SIGQUIT by PID: nginx's graceful shutdown (SIGKILL if it hangs)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def nginx_balancer(port: int, upstreams: list[str]) -> Iterator[Nginx]:
    balancer = Nginx(port, upstreams)
    try:
        yield balancer.start()
    finally:
        balancer.remove()
