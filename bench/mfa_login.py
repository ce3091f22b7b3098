"""
Login latency with and without two-factor, in one run, under gunicorn with production settings.

    .venv/bin/python -m bench.mfa_login [--logins 50]

Creates and migrates `MFA_BENCH_DATABASE_URL` (default: the `app_mfa_bench` database on
127.0.0.1), sets up a plain user and a user with two-factor on (both with Argon2id hashes), then
times, alternating, N sequential logins of each over one kept-alive connection: the plain user's
`auth/login/` and the two-factor user's `auth/login/` (202) plus `auth/login/mfa/` with a current
TOTP code, both steps together. A code is accepted once per 30-second step (no replay), so between
two timed logins the bench clears the authenticator's `last_used_step` in the database, outside the
timed part. Prints p50/p95 as a table.
"""

import argparse
import http.client
import json
import os
import time

import psycopg

from bench.auth_bench import percentile
from bench.server import database_migrate, gunicorn_server, manage

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/app_mfa_bench"
PASSWORD = "bench-passphrase-not-common-42"
PLAIN, TWO_FACTOR = "bench-plain", "bench-two-factor"
SET_UP = f"""
from accounts.models import User
from mfa.models import Authenticator, RecoveryCode
from mfa import services, totp
import time
for name in ({PLAIN!r}, {TWO_FACTOR!r}):
    user, _ = User.objects.get_or_create(username=name, defaults={{"email": name + "@example.com"}})
    user.set_password({PASSWORD!r})
    user.is_active, user.mfa_enabled = True, False
    user.save()
    Authenticator.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
user = User.objects.get(username={TWO_FACTOR!r})
secret, _ = services.totp_enroll(user=user)
services.totp_confirm(user=user, code=totp.code_at_step(secret, totp.step_at(time.time())), keep_sid=None)
print(secret)
"""


def database_ready(database_url: str) -> str:
    """Create the bench database if needed, migrate it, (re)set both users; return the TOTP secret."""
    database_migrate(database_url, "-v0")
    return manage(database_url, "shell", "-c", SET_UP).strip().splitlines()[-1]


def post(conn: http.client.HTTPConnection, path: str, body: dict, expected: int) -> dict:
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    assert response.status == expected, (path, response.status, payload)
    return json.loads(payload)


def main() -> None:
    from mfa import totp

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=50)
    parser.add_argument("--port", type=int, default=8112)
    args = parser.parse_args()

    database_url = os.environ.get("MFA_BENCH_DATABASE_URL", DEFAULT_URL)
    secret = database_ready(database_url)

    def login_plain(conn) -> None:
        post(conn, "/api/v1/auth/login/", {"username": PLAIN, "password": PASSWORD}, 200)

    def login_two_factor(conn) -> None:
        challenge = post(conn, "/api/v1/auth/login/", {"username": TWO_FACTOR, "password": PASSWORD}, 202)
        code = totp.code_at_step(secret, totp.step_at(time.time()))
        post(conn, "/api/v1/auth/login/mfa/", {"mfa_token": challenge["mfa_token"], "code": code}, 200)

    timings: dict[str, list[float]] = {"plain": [], "two-factor": []}
    with gunicorn_server(database_url, port=args.port) as _, psycopg.connect(database_url, autocommit=True) as db:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)

        def replay_window_clear() -> None:
            db.execute(
                "UPDATE mfa_authenticator SET last_used_step = NULL WHERE user_id = "
                "(SELECT id FROM accounts_user WHERE username = %s)",
                [TWO_FACTOR],
            )

        replay_window_clear()
        login_plain(conn)  # warm-up of both paths
        login_two_factor(conn)
        for _ in range(args.logins):
            for name, login in (("plain", login_plain), ("two-factor", login_two_factor)):
                replay_window_clear()
                start = time.perf_counter()
                login(conn)
                timings[name].append((time.perf_counter() - start) * 1000)
        conn.close()

    print(f"\n{args.logins} sequential logins each, alternating, one kept-alive connection, gunicorn 2 x 4\n")
    print("| login | p50 | p95 |\n|---|---|---|")
    for name, values in timings.items():
        label = "plain user (auth/login/)" if name == "plain" else "two-factor user (auth/login/ + auth/login/mfa/)"
        print(f"| {label} | {percentile(values, 0.50):.1f} ms | {percentile(values, 0.95):.1f} ms |")
    ratio = percentile(timings["two-factor"], 0.5) / percentile(timings["plain"], 0.5)
    print(f"\np50 ratio two-factor / plain: {ratio:.2f}x")


if __name__ == "__main__":
    main()
