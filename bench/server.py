"""
Start the API under gunicorn with production settings for a benchmark, and stop it after.

    with gunicorn_server(database_url, port=8200) as base_url:
        ...

Talks only to 127.0.0.1; the server is killed when the block exits, whatever happens.
"""

import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# One secret for every process this module starts, so tokens minted by one are valid in another.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)


def database_migrate(url: str, *options: str) -> None:
    """Create the benchmark database when it does not exist yet, then apply every migration (production settings)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    manage(url, "migrate", "--noinput", *options)


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """
    Environment of a production process on plain HTTP at 127.0.0.1.

    Production refuses a per-process cache, a mail backend that delivers nothing and a plain-HTTP
    frontend unless each is allowed by name; on this machine each is allowed only when it is what
    the process really gets (a CACHE_URL=redis://… or EMAIL_URL=smtp://… passed in needs no flag).
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        # Benchmarks measure the app, not the throttle: limits never reached, over one-second windows.
        # DRF's throttle keeps (and pickles) a timestamp per request of the window, so a one-minute
        # window at benchmark rates would hold tens of thousands, where production (600/min) holds
        # at most 600; a second at 300-2,000 req/s is the realistic size.
        "THROTTLE_ANON": "100000000/s",
        "THROTTLE_USER": "100000000/s",
        "THROTTLE_LOGIN": "100000000/s",
        "THROTTLE_REGISTER": "100000000/s",
        "THROTTLE_PASSWORD_RESET": "100000000/s",
        "GUNICORN_ACCESSLOG": "",
        # No breached-password lookups leave this machine (tests that want them serve the range API on loopback).
        "PWNED_PASSWORDS_URL": "",
        "DJANGO_LOG_LEVEL": "WARNING",
        **extra,
    }
    cache_url, email_url = env.get("CACHE_URL", ""), env.get("EMAIL_URL", "")
    if not cache_url or cache_url.startswith(("locmemcache:", "dummycache:")):
        env.setdefault("DJANGO_ALLOW_LOCAL_CACHE", "true")
    if not email_url or email_url.startswith(("consolemail:", "memorymail:")):
        env.setdefault("DJANGO_ALLOW_LOCAL_MAIL", "true")
    if not env.get("FRONTEND_URL", "").startswith("https://"):
        env.setdefault("DJANGO_ALLOW_HTTP_FRONTEND", "true")  # links in mails are never followed here
    if env.get("DJANGO_NUM_PROXIES"):
        # The only proxy here is a local nginx (e2e/nginx.py), whose peer address is 127.0.0.1.
        env.setdefault("DJANGO_TRUSTED_PROXIES", "127.0.0.1/32")
    return env


def manage(database_url: str, *args: str, **extra: str) -> str:
    """Run `manage.py` with production settings; return its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=production_env(database_url, **extra),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


class Gunicorn:
    """
    One gunicorn master (production settings) on 127.0.0.1:`port`, started and stopped by PID.

    Its output goes to a log file (appended across restarts), never to a pipe nobody reads,
    which would block the server once it filled up.
    """

    def __init__(
        self,
        database_url: str,
        port: int,
        log_path: Path,
        workers: int | None = 2,
        threads: int | None = 4,
        base_dir: Path = BASE_DIR,
        venv_bin: Path = VENV_BIN,
        **extra: str,
    ):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.base_dir, self.venv_bin = base_dir, venv_bin
        # `workers` / `threads` None: the checkout's own gunicorn.conf.py defaults (unless `extra` sets them).
        sizing = {"GUNICORN_WORKERS": workers, "GUNICORN_THREADS": threads}
        self.env = production_env(
            database_url,
            GUNICORN_BIND=f"127.0.0.1:{port}",
            **{name: str(value) for name, value in sizing.items() if value is not None},
            **extra,
        )
        for name, value in sizing.items():
            if value is None and name not in extra:
                self.env.pop(name, None)
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self, timeout: float = 30, poll: float = 0.2) -> "Gunicorn":
        """Start the master and wait until health answers 200 (asked every `poll` seconds)."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(self.venv_bin / "gunicorn"), "-c", "gunicorn.conf.py", "config.wsgi"],
                cwd=self.base_dir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/health/", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start: {self.log()[-2000:]}")
            time.sleep(poll)

    def worker_pids(self) -> set[int]:
        """The master's current workers (Linux: from /proc)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        return {int(pid) for pid in children.split()}

    def stop(self, timeout: float = 35) -> int | None:
        """SIGTERM (gunicorn's graceful shutdown), SIGKILL after `timeout`; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process and self.process.returncode
        self.process.terminate()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.contextmanager
def gunicorn_server(
    database_url: str,
    port: int,
    workers: int | None = 2,
    threads: int | None = 4,
    base_dir: Path = BASE_DIR,
    venv_bin: Path = VENV_BIN,
    **extra: str,
) -> Iterator[str]:
    """
    Serve the app in `base_dir` (another checkout for a comparison) on 127.0.0.1:`port`; yield its base URL.

    `workers` / `threads` None: the checkout's own gunicorn.conf.py defaults.
    """
    with tempfile.TemporaryDirectory(prefix="gunicorn-") as tmp:
        server = Gunicorn(
            database_url,
            port,
            Path(tmp) / "gunicorn.log",
            workers=workers,
            threads=threads,
            base_dir=base_dir,
            venv_bin=venv_bin,
            **extra,
        )
        try:
            yield server.start().url
        finally:
            server.stop(timeout=15)
