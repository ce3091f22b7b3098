"""
A real server for the tests in e2e/: a fresh database, migrations, demo data, collectstatic,
and gunicorn with production settings (debug off) on a free port of 127.0.0.1.
"""

import contextlib
import json
import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import environ
import psycopg

from bench.server import BASE_DIR, gunicorn_server, manage


@dataclass
class LiveServer:
    url: str
    database_url: str

    def request(
        self, method: str, path: str, body: dict | None = None, token: str = "", api_key: str = ""
    ) -> tuple[int, dict]:
        """One JSON request, with a bearer `token` or an `api_key`; returns (status, parsed body or {})."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if api_key:
            headers["Authorization"] = f"Api-Key {api_key}"
        request = urllib.request.Request(f"{self.url}{path}", data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else {}

    def login(self, username: str, password: str) -> str:
        status, body = self.request("POST", "/api/v1/auth/login/", {"username": username, "password": password})
        assert status == 200, body
        return body["access"]

    def manage(self, *args: str) -> str:
        return manage(self.database_url, *args)


# The Redis the machine runs for the tests (broker and shared cache under a prefix of each test's own).
REDIS = ("127.0.0.1", 6379)


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database_url(base_url: str, suffix: str, tmp_dir: Path) -> str:
    """A new empty database beside `base_url`'s (PostgreSQL), or an SQLite file in `tmp_dir`."""
    config = environ.Env.db_url_config(base_url) if base_url else {}
    if config.get("ENGINE") != "django.db.backends.postgresql":
        return f"sqlite:///{tmp_dir / f'e2e_{suffix}.sqlite3'}"
    name = f"{config['NAME']}_e2e_{suffix}"
    admin_dsn = f"host={config['HOST']} port={config['PORT'] or 5432} user={config['USER']} dbname=postgres"
    if config.get("PASSWORD"):
        admin_dsn += f" password={config['PASSWORD']}"
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + f"/{name}"


@contextlib.contextmanager
def live_server(base_database_url: str, suffix: str, tmp_dir: Path) -> Iterator[LiveServer]:
    database_url = fresh_database_url(base_database_url, suffix, tmp_dir)
    manage(database_url, "migrate", "--noinput")
    manage(database_url, "load_demo")
    manage(database_url, "collectstatic", "--noinput", "-v0")
    with gunicorn_server(database_url, port=free_port(), workers=2, threads=4) as url:
        yield LiveServer(url=url, database_url=database_url)


__all__ = ["BASE_DIR", "LiveServer", "live_server"]
