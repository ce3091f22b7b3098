"""
Before/after over HTTP: this checkout against an earlier commit, side by side in one run.

    .venv/bin/python -m bench.compare                        # against 3e7bfc5 (issue 14's baseline)
    .venv/bin/python -m bench.compare --before HEAD~1 --rounds 3 --seconds 5
    .venv/bin/python -m bench.compare --after-env DB_PREPARED_STATEMENTS=false   # the gain of one switch
    .venv/bin/python -m bench.compare --before HEAD --nginx              # A/A: the noise of one run, behind nginx

Checks the `--before` commit out into a temporary `git worktree` (removed at the end), with its
own virtual environment when its requirements.txt differs from this checkout's (built from the
same pinned wheels), else this one's. Seeds one PostgreSQL database both serve
(`BENCH_DATABASE_URL`, default app_compare_bench: 10,000 posts with 5 votes each, 2,000 users,
10,000 products), migrated by this checkout, so it must not hold migrations the earlier commit
cannot run with (a view gives commits before accounts 0005 the revoked-sessions table they read).
Starts both under gunicorn with production settings, each with its own gunicorn.conf.py defaults
(or `--workers/--threads` for both), each alone behind the project's nginx with `--nginx`
(e2e/nginx.py, docker/nginx-proxy.conf: a new upstream connection per request), and for every
scenario runs wrk at 64 connections against one server at a time, alternating
before/after/after/before over the rounds so drift on this shared
machine hits both alike. Prints one before/after table: req/s summed over rounds, the worst p99 of
any round and the median of the rounds' p99s, errors (non-2xx and socket errors).
Target (issue 14): after ≥ 2.2 x before on every scenario, 0 errors, p99 no worse.
"""

import argparse
import contextlib
import filecmp
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bench import wrk
from bench.server import BASE_DIR, VENV_BIN, database_migrate, gunicorn_server

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/app_compare_bench"
BASELINE = "3e7bfc5"
TARGET = 2.2


@contextlib.contextmanager
def checkout(ref: str) -> Iterator[tuple[Path, Path]]:
    """(directory, venv bin) of `ref` in a temporary git worktree; removed on exit."""
    parent = Path(tempfile.mkdtemp(prefix="bench-before-"))
    tree = parent / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), ref], cwd=BASE_DIR, check=True)
    try:
        venv_bin = VENV_BIN
        if not filecmp.cmp(tree / "requirements.txt", BASE_DIR / "requirements.txt", shallow=False):
            print(f"{ref}: requirements.txt differs, building its own virtual environment")
            subprocess.run([sys.executable, "-m", "venv", str(parent / "venv")], check=True)
            venv_bin = parent / "venv" / "bin"
            pip = [str(venv_bin / "pip"), "install", "-q", "-r", str(tree / "requirements.txt")]
            subprocess.run(pip, check=True)
        yield tree, venv_bin
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=BASE_DIR, check=False)
        shutil.rmtree(parent, ignore_errors=True)


def data_ready(database_url: str) -> dict[str, tuple[str, str, list[str] | None]]:
    """Seed the database; return {scenario: (path, role of the caller, JSON bodies a POST sends in turn, or None)}."""
    from accounts.models import Role, User
    from bench.inprocess import data_ensure
    from common.keyset_pagination import cursor_encode
    from posts.filters import ORDERINGS
    from posts.models import Post

    database_migrate(database_url)
    earlier_schema_compatible()
    data_ensure(database_url)
    User.objects.update_or_create(
        username="bench-admin", defaults={"email": "bench-admin@example.com", "role": Role.ADMIN}
    )
    middle = Post.objects.count() // 2
    fields = ORDERINGS["-created_at"]
    key = list(Post.objects.order_by(*fields).values_list("created_at", "id")[middle])
    post_id = Post.objects.order_by("id").values_list("id", flat=True)[middle]
    return {
        "feed, first page": ("/api/v1/posts/", "user", None),
        "feed, deep page (middle of 10,000)": (f"/api/v1/posts/?cursor={cursor_encode(fields, key)}", "user", None),
        "post detail": (f"/api/v1/posts/{post_id}/", "user", None),
        # The same vote again and again (a client retrying), as measured since issue 4...
        "vote (POST value 1)": (f"/api/v1/posts/{post_id}/vote/", "user", [json.dumps({"value": 1})]),
        # ...and a switch every time: each request changes the vote and the score under the post's lock.
        "vote, switching 1 / -1": (
            f"/api/v1/posts/{post_id}/vote/",
            "user",
            [json.dumps({"value": 1}), json.dumps({"value": -1})],
        ),
        "admin user list": ("/api/v1/users/", "admin", None),
        "product list": ("/api/v1/products/", "user", None),
    }


# Commits before accounts' migration 0005 read ended sessions from `accounts_revokedsession`, which that
# migration renamed: a view shows them the ended login sessions under the old name and columns.
REVOKED_SESSIONS_VIEW = """
CREATE OR REPLACE VIEW accounts_revokedsession AS
SELECT sid, user_id, ended_at AS revoked_at, expires_at FROM accounts_loginsession WHERE ended_at IS NOT NULL
"""


def earlier_schema_compatible() -> None:
    """Let an earlier commit's server run on this checkout's schema (only the tables it reads)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(REVOKED_SESSIONS_VIEW)


def tokens() -> dict[str, str]:
    from accounts.models import User
    from accounts.sessions import session_start

    return {
        role: str(session_start(user=User.objects.get(username=name)).access)
        for role, name in (("user", "bench-0"), ("admin", "bench-admin"))
    }


def check(base_url: str, path: str, token: str, bodies: list[str] | None, attempts: int = 3) -> None:
    """
    Fail fast unless the scenario answers 2xx on this server (a benchmark of errors measures nothing).

    A 502 (nginx found the worker it was given gone: a recycle) is printed and asked again, so the run
    goes on and wrk counts such errors in the table.
    """
    request = urllib.request.Request(
        base_url + path,
        data=bodies[0].encode() if bodies else None,
        method="POST" if bodies else "GET",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            assert 200 <= response.status < 300, (base_url, path, response.status)
    except urllib.error.HTTPError as error:
        if error.code != 502 or attempts <= 1:
            raise
        print(f"  check: 502 from {base_url}{path}, asking again")
        check(base_url, path, token, bodies, attempts - 1)


@contextlib.contextmanager
def behind_nginx(base_url: str) -> Iterator[str]:
    """The project's nginx in front of one server, on the server's port + 100; yields its URL."""
    from e2e.nginx import nginx_balancer

    upstream = base_url.removeprefix("http://")
    with nginx_balancer(int(upstream.rsplit(":", 1)[1]) + 100, [upstream]) as balancer:
        yield balancer.url


def parse_env(pairs: list[str]) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--before", default=BASELINE, help="commit to compare with (default: issue 14's baseline)")
    parser.add_argument("--rounds", type=int, default=2, help="before/after alternations per scenario")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration of one measurement")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers for both (default: each's own)")
    parser.add_argument("--threads", type=int, default=None, help="gunicorn threads for both (default: each's own)")
    parser.add_argument("--before-env", nargs="*", default=[], metavar="KEY=VALUE")
    parser.add_argument("--after-env", nargs="*", default=[], metavar="KEY=VALUE")
    parser.add_argument("--nginx", action="store_true", help="measure each server behind its own nginx")
    parser.add_argument("--only", nargs="*", default=None, help="scenario names to run (prefixes)")
    args = parser.parse_args()

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    # One key for the token minting here and both servers (bench.server reads it from the environment).
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ACCESS_TOKEN_MINUTES", "240")
    from bench.posts_seed import configure_django

    configure_django(database_url)
    scenarios = data_ready(database_url)
    if args.only:
        scenarios = {name: spec for name, spec in scenarios.items() if name.startswith(tuple(args.only))}
    bearer = tokens()
    sizing = {"workers": args.workers, "threads": args.threads}
    results: dict[str, dict[str, list[wrk.Result]]] = {name: {"before": [], "after": []} for name in scenarios}

    with (
        contextlib.ExitStack() as stack,
        checkout(args.before) as (tree, venv_bin),
        gunicorn_server(
            database_url, 8411, base_dir=tree, venv_bin=venv_bin, **sizing, **parse_env(args.before_env)
        ) as before_url,
        gunicorn_server(database_url, 8412, **sizing, **parse_env(args.after_env)) as after_url,
    ):
        servers = {"before": before_url, "after": after_url}
        if args.nginx:
            servers = {side: stack.enter_context(behind_nginx(url)) for side, url in servers.items()}
        for name, (path, role, body) in scenarios.items():
            for base_url in servers.values():
                check(base_url, path, bearer[role], body)
            for round_number in range(args.rounds):
                order = ("before", "after") if round_number % 2 == 0 else ("after", "before")
                for side in order:
                    result = wrk.run(
                        f"{name} ({side})",
                        servers[side] + path,
                        bearer[role],
                        method="POST" if body else "GET",
                        bodies=body,
                        connections=args.connections,
                        seconds=args.seconds,
                    )
                    results[name][side].append(result)
                    print(
                        f"  {result.name}: {result.rps:,.0f} req/s, p99 {result.p99_ms:.1f} ms, {result.errors} errors"
                    )

    print(
        f"\n{args.connections} connections, {args.rounds} x {args.seconds} s per side and scenario, alternated; "
        f"before = {args.before} {parse_env(args.before_env) or ''}, after = this checkout "
        f"{parse_env(args.after_env) or ''}{' behind nginx' if args.nginx else ''}; "
        f"gunicorn {sizing if any(sizing.values()) else 'each its own defaults'}\n"
    )
    # p99: the worst of any round (what the verdict uses) and the median of the rounds' p99s, which one
    # noisy round (all connections on one gunicorn worker, docs/performance.md) cannot move.
    print(
        "| scenario | before req/s | after req/s | after / before | before p99 ms (worst / median) "
        "| after p99 ms (worst / median) | errors b/a |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, sides in results.items():
        rps = {side: sum(r.requests for r in rows) / sum(r.seconds for r in rows) for side, rows in sides.items()}
        p99 = {side: max(r.p99_ms for r in rows) for side, rows in sides.items()}
        p99_median = {side: statistics.median(r.p99_ms for r in rows) for side, rows in sides.items()}
        errors = {side: sum(r.errors for r in rows) for side, rows in sides.items()}
        ratio = rps["after"] / rps["before"]
        verdict = "ok" if ratio >= TARGET and p99["after"] <= p99["before"] and not any(errors.values()) else "MISS"
        print(
            f"| {name} | {rps['before']:,.0f} | {rps['after']:,.0f} | {ratio:.2f} x ({verdict}) | "
            f"{p99['before']:.1f} / {p99_median['before']:.1f} | {p99['after']:.1f} / {p99_median['after']:.1f} | "
            f"{errors['before']}/{errors['after']} |"
        )


if __name__ == "__main__":
    main()
