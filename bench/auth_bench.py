"""
Login latency and authenticated throughput under gunicorn with production settings.

    .venv/bin/python -m bench.auth_bench [--logins 50] [--seconds 10] [--connections 64]

Creates and migrates `AUTH_BENCH_DATABASE_URL` (default: the `app_accounts_bench` database on
127.0.0.1), adds a bench user with an Argon2id hash, then measures:

- sequential logins through the server (p50/p95), each right after a bare Argon2id verify in
  this process (the floor of any login), to check "login p50 <= verify + 15 ms" on a noisy machine;
- `GET /api/v1/auth/me/` with a bearer token under wrk (req/s, p50/p99).
"""

import argparse
import http.client
import json
import os
import statistics
import time

import argon2

from accounts.hashers import Argon2idHasher
from bench import wrk
from bench.server import database_migrate, gunicorn_server, manage

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/app_accounts_bench"
USERNAME, PASSWORD = "bench-user", "bench-passphrase-not-common-42"
CREATE_USER = f"""
from accounts.models import User
user, _ = User.objects.get_or_create(username={USERNAME!r}, defaults={{"email": "bench@example.com"}})
user.set_password({PASSWORD!r})
user.is_active = True
user.save()
"""


def database_ready(database_url: str) -> None:
    """Create the bench database if needed, migrate it and (re)set the bench user."""
    database_migrate(database_url, "-v0")
    manage(database_url, "shell", "-c", CREATE_USER)


HASHER = argon2.PasswordHasher(
    time_cost=Argon2idHasher.time_cost,
    memory_cost=Argon2idHasher.memory_cost,
    parallelism=Argon2idHasher.parallelism,
    type=argon2.Type.ID,
)
ENCODED = HASHER.hash(PASSWORD)


def argon2_verify_ms() -> float:
    """One bare Argon2id verify with the project's parameters, in milliseconds."""
    start = time.perf_counter()
    HASHER.verify(ENCODED, PASSWORD)
    return (time.perf_counter() - start) * 1000


def login(conn: http.client.HTTPConnection) -> dict:
    """One login over a kept-alive connection, as a real client would send it."""
    body = json.dumps({"username": USERNAME, "password": PASSWORD})
    conn.request("POST", "/api/v1/auth/login/", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    assert response.status == 200, payload
    return json.loads(payload)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--port", type=int, default=8110)
    args = parser.parse_args()

    database_url = os.environ.get("AUTH_BENCH_DATABASE_URL", DEFAULT_URL)
    database_ready(database_url)

    with gunicorn_server(database_url, port=args.port) as base_url:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
        token = login(conn)["access"]  # warm-up, and the token for wrk
        # The machine is shared and its load swings: time a bare verify right before every
        # login, so each login is compared with the hashing cost of the same moment.
        timings, verifies = [], []
        for _ in range(args.logins):
            verifies.append(argon2_verify_ms())
            start = time.perf_counter()
            login(conn)
            timings.append((time.perf_counter() - start) * 1000)
        conn.close()
        me = wrk.run(
            "GET /api/v1/auth/me/ (bearer)",
            f"{base_url}/api/v1/auth/me/",
            token=token,
            connections=args.connections,
            seconds=args.seconds,
        )

    verify_ms = statistics.median(verifies)
    overhead_ms = statistics.median(login - verify for login, verify in zip(timings, verifies, strict=True))
    p50, p95 = percentile(timings, 0.50), percentile(timings, 0.95)
    print(
        f"\nArgon2id m={Argon2idHasher.memory_cost} KiB, t={Argon2idHasher.time_cost}, p={Argon2idHasher.parallelism}\n"
    )
    print("| measurement | value |\n|---|---|")
    print(f"| Argon2id verify (bare, median of {args.logins}) | {verify_ms:.1f} ms |")
    print(f"| login p50 ({args.logins} sequential, HTTP) | {p50:.1f} ms |")
    print(f"| login p95 | {p95:.1f} ms |")
    print(f"| login p50 - verify p50 (target <= 15 ms) | {p50 - verify_ms:.1f} ms |")
    print(f"| median of (login - verify just before it) | {overhead_ms:.1f} ms |")
    print(f"\n{wrk.HEADER}\n{me.row()}")


if __name__ == "__main__":
    main()
