"""
In-process cost of the feed, the admin user list and the product list against their floor views.

    .venv/bin/python -m bench.inprocess      # BENCH_DATABASE_URL (default app_posts_bench)

Seeds what is missing (10,000 posts with 5 votes each and 2,000 users by bench.posts_seed,
10,000 products by bench.products_load), then, with Django's test client (no HTTP, no server)
and production settings, times each endpoint's first page (20 rows, bearer JWT) and its
hand-written floor views (bench.floor_views: JWT decode, the same queries through
`connection.cursor()`, `json.dumps`), `plain` (`cursor.execute`, the issue's floor) and
`prepared` (the statements prepared and read in binary, as the app runs its own). Rounds
alternate endpoint and floors so machine noise hits all; medians are compared. Checks first
that each floor answers the same JSON. Target (issue 14): every endpoint at most 1.5 times its floor.
"""

import json
import os
import statistics
import time

from bench.posts_seed import BENCH_USERNAME, DEFAULT_DATABASE_URL, configure_django

ROUNDS = 15
REQUESTS_PER_ROUND = 200
TARGET = 1.5
PAIRS = [
    ("feed page of 20 (author, score, my_vote)", "/api/v1/posts/", "posts", "user"),
    ("admin user list, page of 20 (count)", "/api/v1/users/", "users", "admin"),
    ("product list, page of 20 (count)", "/api/v1/products/", "products", "user"),
]
FLOORS = ("plain", "prepared")


def per_request_ms(client, url: str, headers: dict) -> float:
    started = time.perf_counter()
    for _ in range(REQUESTS_PER_ROUND):
        response = client.get(url, headers=headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return elapsed / REQUESTS_PER_ROUND * 1000


def data_ensure(database_url: str) -> None:
    """Seed posts and products when the database does not hold the benchmark's data yet."""
    from posts.models import Post
    from products.models import Product

    if Post.objects.count() != 10_000:
        from bench.posts_seed import seed

        seed(10_000)
    if Product.objects.count() != 10_000:
        from bench.products_load import products_seed

        products_seed(database_url, 10_000)


def tokens() -> dict[str, str]:
    """Bearer headers of a plain user (bench-0) and of an admin."""
    from accounts.models import Role, User
    from accounts.sessions import session_start

    user = User.objects.get(username=BENCH_USERNAME)
    admin, _ = User.objects.update_or_create(
        username="bench-admin", defaults={"email": "bench-admin@example.com", "role": Role.ADMIN}
    )
    return {
        role: {"Authorization": f"Bearer {session_start(user=who).access}"}
        for role, who in (("user", user), ("admin", admin))
    }


def measure() -> list[tuple[str, float, dict[str, float]]]:
    """(name, endpoint ms, {floor kind: ms}) per page, medians of alternated rounds."""
    from django.test import Client
    from django.test.utils import override_settings

    headers = tokens()
    client = Client()
    results = []
    with override_settings(ROOT_URLCONF="bench.plain_urls"):
        for name, url, floor, role in PAIRS:
            floors = {kind: f"/api/bench-floor/{kind}/{floor}/" for kind in FLOORS}
            app_body = json.loads(client.get(url, headers=headers[role]).content)
            for floor_url in floors.values():
                floor_body = json.loads(client.get(floor_url, headers=headers[role]).content)
                assert app_body == floor_body, f"{name}: {floor_url} does not answer the same page"
            for each in (url, *floors.values()):  # warm up (and prepare statements)
                per_request_ms(client, each, headers[role])
            app_ms, floor_ms = [], {kind: [] for kind in FLOORS}
            for _ in range(ROUNDS):
                app_ms.append(per_request_ms(client, url, headers[role]))
                for kind, floor_url in floors.items():
                    floor_ms[kind].append(per_request_ms(client, floor_url, headers[role]))
            medians = {kind: statistics.median(times) for kind, times in floor_ms.items()}
            results.append((name, statistics.median(app_ms), medians))
    return results


def main() -> None:
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    configure_django(database_url)
    from bench.server import database_migrate

    database_migrate(database_url)
    data_ensure(database_url)
    rows = measure()
    print(
        f"| in-process, per request (median of {ROUNDS} x {REQUESTS_PER_ROUND}) | endpoint ms | plain floor ms "
        "| ratio | prepared floor ms | ratio |"
    )
    print("|---|---|---|---|---|---|")
    for name, app_ms, floor_ms in rows:
        ratios = {kind: app_ms / floor_ms[kind] for kind in FLOORS}
        cells = " | ".join(
            f"{floor_ms[kind]:.3f} | {ratios[kind]:.2f} x ({'ok' if ratios[kind] <= TARGET else f'over {TARGET}'})"
            for kind in FLOORS
        )
        print(f"| {name} | {app_ms:.3f} | {cells} |")


if __name__ == "__main__":
    main()
