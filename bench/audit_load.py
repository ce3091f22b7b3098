"""
Load test of the security log at 10,000 and 1,000,000 events, then a purge of 900,000 old ones.

    .venv/bin/python -m bench.audit_load                    # BENCH_DATABASE_URL, default app_audit_bench
    .venv/bin/python -m bench.audit_load --sizes 10000 --seconds 5

For each size: fill `audit_securityevent` by COPY (90 % of the events older than the retention
period, 10 % from the last 30 days), start gunicorn with production settings and run wrk at 64
connections on the admin's API list (`audit-events/`: first page, a filtered page, a deep cursor
page) and on the Django admin's changelist (first page and filtered by event), as an admin.
After the largest size, purge the old events with `manage.py purge_audit_events` while one client
keeps reading both lists; print how long the purge took and the lists' latency before and during it.
Prints one table and the p95 ratios of the largest to the smallest size (target <= 1.5).
Only ever talks to 127.0.0.1.
"""

import argparse
import json
import os
import random
import secrets
import statistics
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta

from bench import wrk
from bench.posts_seed import _copy, _drop_secondary, configure_django
from bench.server import database_migrate, gunicorn_server, manage, production_env

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/app_audit_bench"
ADMIN = "bench-audit-admin"
USERS = 2_000
OLD_SHARE = 0.9
RETENTION_DAYS = 365
_EVENTS = ["login_succeeded"] * 6 + ["login_failed"] * 2 + ["logout", "password_changed", "user_role_changed"]
_AGENTS = ["Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0", "curl/8.5.0", "okhttp/4.12.0", "python-requests/2.32"]


def seed(events: int, user_ids: list[int]) -> float:
    """Replace the security log with `events` generated events; return seconds taken."""
    from django.db import connection, transaction

    rng = random.Random(11)  # benchmark data, not secrets
    started = time.perf_counter()
    now = datetime.now(UTC)
    old = int(events * OLD_SHARE)

    def rows():
        for n in range(events):
            if n < old:  # spread over the year before the retention cutoff
                at = now - timedelta(days=RETENTION_DAYS + 1, seconds=(old - n) * (365 * 86400 / max(old, 1)))
            else:
                at = now - timedelta(seconds=(events - n) * (30 * 86400 / max(events - old, 1)))
            user = rng.choice(user_ids)
            event = rng.choice(_EVENTS)
            actor = user if event != "login_failed" else "\\N"
            detail = json.dumps({"session": secrets.token_hex(16)} if event.startswith("log") else {})
            ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            yield f"{at.isoformat()}\t{event}\t{user}\t{actor}\t{ip}\t{rng.choice(_AGENTS)}\t{n:032x}\t{detail}\n"

    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute("TRUNCATE audit_securityevent RESTART IDENTITY")
        raw.execute("SET LOCAL synchronous_commit = off")
        dropped = _drop_secondary(raw, "audit_securityevent")
        columns = "at, event, user_id, actor_id, ip, user_agent, request_id, detail"
        _copy(raw, f"COPY audit_securityevent ({columns}) FROM STDIN", rows())
        raw.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _table, statement in dropped:
            raw.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE audit_securityevent")
    return time.perf_counter() - started


def accounts() -> tuple[list[int], str, str]:
    """Bench users (kept between runs), an admin's bearer token and an admin-site session cookie."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import Role, User
    from accounts.sessions import session_start

    names = [f"bench-audit-{n}" for n in range(USERS)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create(
        [User(username=n, email=f"{n}@example.com", password="!") for n in names if n not in existing], batch_size=1000
    )
    admin, _ = User.objects.update_or_create(
        username=ADMIN, defaults={"email": f"{ADMIN}@example.com", "role": Role.ADMIN, "is_active": True}
    )
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(admin.pk), "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    session.create()
    ids = list(User.objects.filter(username__in=names).values_list("id", flat=True))
    return ids, str(session_start(user=admin).access), f"sessionid={session.session_key}"


def targets(user_id: int) -> dict[str, tuple[str, bool]]:
    """Scenario name -> (path, is the Django admin)."""
    from audit.models import SecurityEvent
    from audit.selectors import EVENT_ORDERING
    from common.keyset_pagination import cursor_encode

    middle = SecurityEvent.objects.order_by(*EVENT_ORDERING).values_list("at", "id")[SecurityEvent.objects.count() // 2]
    deep = cursor_encode(EVENT_ORDERING, list(middle))
    return {
        "API audit-events/, first page": ("/api/v1/audit-events/", False),
        "API audit-events/?event=login_failed": ("/api/v1/audit-events/?event=login_failed", False),
        "API audit-events/?user=<id>": (f"/api/v1/audit-events/?user={user_id}", False),
        "API audit-events/, deep page (middle row)": (f"/api/v1/audit-events/?cursor={deep}", False),
        "admin changelist, first page": ("/admin/audit/securityevent/", True),
        "admin changelist ?event=login_failed": ("/admin/audit/securityevent/?event__exact=login_failed", True),
    }


def get(base_url: str, path: str, headers: dict[str, str]) -> float:
    """One GET; its latency in ms (raises on a non-2xx answer)."""
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(base_url + path, headers=headers), timeout=30) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


SEQUENTIAL = 200  # requests per scenario from one client, one after the other


def run_size(events: int, database_url: str, port: int, seconds: int) -> tuple[list[wrk.Result], dict]:
    """wrk results per scenario, and (p50, p95) ms per scenario from one sequential client."""
    from audit.selectors import security_event_list

    user_ids, token, cookie = accounts()
    print(f"seeded {events:,} events in {seed(events, user_ids):.1f}s")
    print(f"-- EXPLAIN ANALYZE first page at {events:,}\n{security_event_list()[:21].explain(analyze=True)}\n")
    results, sequential = [], {}
    with gunicorn_server(database_url, port) as base_url:
        for name, (path, is_admin) in targets(user_ids[len(user_ids) // 2]).items():
            headers = {"Cookie": cookie} if is_admin else {"Authorization": f"Bearer {token}"}
            get(base_url, path, headers)  # fails loudly on a 4xx/5xx before measuring
            timings = [get(base_url, path, headers) for _ in range(SEQUENTIAL)]
            sequential[name] = (statistics.median(timings), _p95(timings))
            results.append(wrk.run(f"{events:,} events: {name}", base_url + path, headers=headers, seconds=seconds))
    return results, sequential


def purge_while_reading(database_url: str, port: int) -> None:
    """Time `purge_audit_events` on the current data while one client keeps reading both lists."""
    from audit.models import SecurityEvent

    _, token, cookie = accounts()
    before = SecurityEvent.objects.count()
    paths = [
        ("/api/v1/audit-events/", {"Authorization": f"Bearer {token}"}),
        ("/admin/audit/securityevent/", {"Cookie": cookie}),
    ]
    with gunicorn_server(database_url, port) as base_url:
        baseline = {path: [get(base_url, path, headers) for _ in range(50)] for path, headers in paths}
        during: dict[str, list[float]] = {path: [] for path, _ in paths}
        errors: list[str] = []
        done = threading.Event()

        def reader():
            while not done.is_set():
                for path, headers in paths:
                    try:
                        during[path].append(get(base_url, path, headers))
                    except OSError as error:
                        errors.append(repr(error))

        thread = threading.Thread(target=reader)
        thread.start()
        started = time.perf_counter()
        output = manage(database_url, "purge_audit_events", "--days", str(RETENTION_DAYS))
        took = time.perf_counter() - started
        done.set()
        thread.join()
    after = SecurityEvent.objects.count()
    print(f"\npurge: {output.strip()} in {took:.1f}s ({before:,} -> {after:,} events); reader errors: {len(errors)}")
    print("| list (one client, sequential) | before: p50 / p95 ms | during: p50 / p95 / max ms | requests during |")
    print("|---|---|---|---|")
    for path, _ in paths:
        b, d = baseline[path], during[path]
        print(
            f"| {path} | {statistics.median(b):.1f} / {_p95(b):.1f} | "
            f"{statistics.median(d):.1f} / {_p95(d):.1f} / {max(d):.1f} | {len(d)} |"
        )


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description="Load test of the security log at two table sizes, then a purge.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8211)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SECRET_KEY", production_env(database_url)["DJANGO_SECRET_KEY"])
    os.environ.setdefault("ACCESS_TOKEN_MINUTES", "240")
    configure_django(database_url)
    database_migrate(database_url)
    manage(database_url, "collectstatic", "--noinput", "-v0")  # the admin pages link the manifest's files
    runs = {size: run_size(size, database_url, args.port, args.seconds) for size in args.sizes}
    purge_while_reading(database_url, args.port)
    print("\n" + wrk.HEADER)
    for rows, _ in runs.values():
        for result in rows:
            print(result.row())
    small, large = min(args.sizes), max(args.sizes)
    print(f"\n| scenario | one client p50 / p95 ms at {small:,} | at {large:,} | p95 ratio | wrk p95 ratio |")
    print("|---|---|---|---|---|")
    for small_row, large_row in zip(runs[small][0], runs[large][0], strict=True):
        scenario = small_row.name.split(": ", 1)[1]
        (p50_s, p95_s), (p50_l, p95_l) = runs[small][1][scenario], runs[large][1][scenario]
        print(
            f"| {scenario} | {p50_s:.1f} / {p95_s:.1f} | {p50_l:.1f} / {p95_l:.1f} | {p95_l / p95_s:.2f} "
            f"| {large_row.p95_ms / small_row.p95_ms:.2f} |"
        )
    print("(target: p95 ratio <= 1.5)")


if __name__ == "__main__":
    main()
