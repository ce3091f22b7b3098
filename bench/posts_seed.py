"""
Load N posts with 5 votes each into a benchmark database, fast (PostgreSQL COPY via psycopg 3).

    .venv/bin/python -m bench.posts_seed 1000000   # into BENCH_DATABASE_URL

Users first (the ORM, so they follow the current user model; kept between runs), then posts and votes by COPY with
each post's `score` computed from the random ±1 values of its votes. Replaces whatever the
posts tables held; both tables' foreign keys, unique constraints and indexes are dropped for
the load and rebuilt after it in one pass each, which is
several times faster than maintaining them row by row.
At 1,000,000 posts expect a few minutes on a 2-core machine.
"""

import argparse
import os
import random
import time
from array import array
from datetime import UTC, datetime, timedelta

VOTES_PER_POST = 5
USERS = 2_000
BATCH_ROWS = 50_000
BENCH_USERNAME = "bench-0"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/app_posts_bench"

_WORDS = [
    "django", "rest", "api", "cursor", "keyset", "index", "postgres", "vote", "score", "feed", "author", "title",
    "body", "page", "query", "lock", "row", "thread", "worker", "cache", "token", "latency", "million", "scale",
]  # fmt: skip


def configure_django(database_url: str) -> None:
    """Point Django (production settings) at `database_url` in this process and set it up."""
    from bench.server import production_env

    os.environ.update(production_env(database_url))
    import django

    django.setup()


def seed(posts: int, *, seed_value: int = 1) -> dict[str, float]:
    """Replace users, posts and votes with `posts` posts and 5 votes each; return timings in seconds."""
    from django.db import connection, transaction

    from accounts.models import User

    rng = random.Random(seed_value)  # benchmark data, not secrets
    timings = {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE posts_vote, posts_post RESTART IDENTITY")
    usernames = [f"bench-{n}" for n in range(USERS)]
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    User.objects.bulk_create(
        [User(username=name, email=f"{name}@example.com", password="!") for name in usernames if name not in existing],
        batch_size=1000,
    )
    user_ids = list(User.objects.filter(username__startswith="bench-").order_by("id").values_list("id", flat=True))
    timings["users"] = time.perf_counter() - started

    bodies = [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(20, 60))).capitalize() + "." for _ in range(64)]
    start_at = datetime.now(UTC) - timedelta(seconds=posts * 30)
    created = [
        (start_at + timedelta(seconds=post_id * 30 + rng.random() * 29)).isoformat() for post_id in range(posts + 1)
    ]
    scores = array("b", bytes(posts + 1))
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
        raw.execute("SET LOCAL synchronous_commit = off")
        dropped = [*_drop_secondary(raw, "posts_vote"), *_drop_secondary(raw, "posts_post")]
        timings["drop indexes"] = time.perf_counter() - started
        started = time.perf_counter()

        def vote_rows():
            for post_id in range(1, posts + 1):
                for voter in rng.sample(user_ids, VOTES_PER_POST):
                    value = rng.choice((1, -1))
                    scores[post_id] += value
                    yield f"{voter}\t{post_id}\t{value}\t{created[post_id]}\n"

        _copy(raw, "COPY posts_vote (user_id, post_id, value, created_at) FROM STDIN", vote_rows())
        timings["votes"] = time.perf_counter() - started
        started = time.perf_counter()

        def post_rows():
            for post_id in range(1, posts + 1):
                title = f"Post {post_id}: {rng.choice(_WORDS)} {rng.choice(_WORDS)}"
                yield (
                    f"{post_id}\t{rng.choice(user_ids)}\t{title}\t{rng.choice(bodies)}\t{scores[post_id]}"
                    f"\t{created[post_id]}\t{created[post_id]}\n"
                )

        _copy(
            raw, "COPY posts_post (id, author_id, title, body, score, created_at, updated_at) FROM STDIN", post_rows()
        )
        timings["posts"] = time.perf_counter() - started
        started = time.perf_counter()
        raw.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _table, statement in dropped:
            raw.execute(statement)
        raw.execute("SELECT setval(pg_get_serial_sequence('posts_post', 'id'), %s)", [max(posts, 1)])
        timings["indexes and keys"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE posts_post")
        cursor.execute("VACUUM ANALYZE posts_vote")
    timings["analyze"] = time.perf_counter() - started
    return timings


def _copy(raw, statement: str, rows) -> None:
    with raw.copy(statement) as copy:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                copy.write("".join(batch))
                batch.clear()
        copy.write("".join(batch))


def _drop_secondary(raw, table: str) -> list[tuple[str, str]]:
    """Drop the table's foreign keys, unique constraints and indexes (not the primary key); return re-create SQL."""
    raw.execute(
        """
        SELECT format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', %s::text, conname, pg_get_constraintdef(oid)),
               format('ALTER TABLE %%I DROP CONSTRAINT %%I', %s::text, conname)
        FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('f', 'u')
        UNION ALL
        SELECT pg_get_indexdef(i.oid), format('DROP INDEX %%I', i.relname)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,
        [table, table, table, table],
    )
    rows = raw.fetchall()
    for _, drop in rows:
        raw.execute(drop)
    return [(table, create) for create, _ in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("posts", type=int)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    configure_django(database_url)
    from bench.server import database_migrate

    database_migrate(database_url)
    started = time.perf_counter()
    timings = seed(args.posts)
    total = time.perf_counter() - started
    detail = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in timings.items())
    print(f"seeded {args.posts:,} posts and {args.posts * VOTES_PER_POST:,} votes in {total:.1f}s ({detail})")


if __name__ == "__main__":
    main()
