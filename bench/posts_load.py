"""
Load test of the posts API at 10,000 and 1,000,000 posts (5 votes each), in one run.

    .venv/bin/python -m bench.posts_load                    # BENCH_DATABASE_URL, default app_posts_bench
    .venv/bin/python -m bench.posts_load --sizes 10000 --seconds 5

For each size: seed the database (bench.posts_seed), print the query plans of the feed's first
and deep pages, start gunicorn with production settings (bench.server) and run wrk at 64
connections against: the feed's first page, a deep feed page (a cursor at the middle of the
table, newest-first and by score), a post's detail and voting (POST {"value": 1} by one user on
one post: a 201 then 200s, every request taking the post's row lock). Prints one table and the
1M/10k p95 ratios of the feed. Only ever talks to 127.0.0.1.
"""

import argparse
import json
import os
import secrets
import time
import urllib.request

from bench import wrk
from bench.posts_seed import BENCH_USERNAME, DEFAULT_DATABASE_URL, configure_django, seed
from bench.server import database_migrate, gunicorn_server

FEED = "/api/v1/posts/"


def explain(label: str, queryset) -> None:
    plan = queryset.explain(analyze=True)
    print(f"-- EXPLAIN ANALYZE {label}\n{plan}\n")


def targets(user) -> dict[str, str]:
    """Paths of the scenarios, with deep cursors at the middle of the table."""
    from common.keyset_pagination import cursor_encode
    from posts.filters import ORDERINGS
    from posts.models import Post
    from posts.selectors import post_list

    middle = Post.objects.count() // 2
    paths = {"feed, first page": FEED}
    for ordering in ("-created_at", "-score"):
        fields = ORDERINGS[ordering]
        names = [name.lstrip("-") for name in fields]
        key = list(Post.objects.order_by(*fields).values_list(*names)[middle])
        token = cursor_encode(fields, key)
        paths[f"feed, deep page {ordering} (middle row)"] = f"{FEED}?ordering={ordering}&cursor={token}"
        explain(f"feed deep page {ordering}", post_list(user=user).order_by(*fields).filter(_beyond(names, key))[:21])
    explain("feed first page", post_list(user=user)[:21])
    post_id = Post.objects.order_by("id").values_list("id", flat=True)[middle]
    paths["post detail"] = f"{FEED}{post_id}/"
    paths["vote (POST value 1)"] = f"{FEED}{post_id}/vote/"
    return paths


def _beyond(names: list[str], key: list):
    """The keyset condition the pagination uses for a newest-first / highest-first page after `key`."""
    from django.db.models import F, Value
    from django.db.models.lookups import LessThan

    from common.keyset_pagination import Row

    return LessThan(Row(*(F(n) for n in names)), Row(*(Value(v) for v in key)))


def check(base_url: str, path: str, token: str, body: bytes | None = None) -> int:
    request = urllib.request.Request(
        base_url + path,
        data=body,
        method="POST" if body else "GET",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def run_size(posts: int, database_url: str, port: int, seconds: int) -> list[wrk.Result]:
    from django.db.models import Sum

    from accounts.models import User
    from accounts.sessions import session_start
    from posts.models import Post, Vote

    started = time.perf_counter()
    timings = seed(posts)
    print(f"seeded {posts:,} posts in {time.perf_counter() - started:.1f}s ({timings})")
    user = User.objects.get(username=BENCH_USERNAME)
    token = str(session_start(user=user).access)
    paths = targets(user)
    vote_body = json.dumps({"value": 1})
    results = []
    with gunicorn_server(database_url, port) as base_url:
        for name, path in paths.items():
            is_vote = name.startswith("vote")
            first = check(base_url, path, token, vote_body.encode() if is_vote else None)
            result = wrk.run(
                f"{posts:,} posts: {name}",
                base_url + path,
                token,
                method="POST" if is_vote else "GET",
                body=vote_body if is_vote else None,
                seconds=seconds,
            )
            results.append(result)
            if is_vote:
                post_id = int(path.rstrip("/").split("/")[-2])
                score = Post.objects.get(pk=post_id).score
                total = Vote.objects.filter(post_id=post_id).aggregate(total=Sum("value"))["total"]
                print(f"vote: first request {first}, then {result.requests:,} repeats; score {score} == sum {total}")
                assert score == total
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Load test of the posts API at two table sizes.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8201)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    # One key for this process (token minting) and the server it starts; tokens outlive the run.
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ACCESS_TOKEN_MINUTES", "240")
    configure_django(database_url)
    database_migrate(database_url)
    results = {size: run_size(size, database_url, args.port, args.seconds) for size in args.sizes}
    print(wrk.HEADER)
    for rows in results.values():
        for result in rows:
            print(result.row())
    if len(args.sizes) == 2:
        small, large = (results[size] for size in args.sizes)
        for small_row, large_row in zip(small, large, strict=True):
            if "feed" in small_row.name:
                scenario = small_row.name.split(": ", 1)[1]
                ratio = large_row.p95_ms / small_row.p95_ms
                print(f"p95 {args.sizes[1]:,} / {args.sizes[0]:,} posts, {scenario}: {ratio:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
