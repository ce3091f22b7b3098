"""
In-process cost of one feed page vs a plain Django JSON view, measured in the same run.

    .venv/bin/python -m bench.posts_inprocess      # on BENCH_DATABASE_URL, seeded by bench.posts_seed

Django's test client (no HTTP, no server), production settings, the full middleware stack for
both: the feed page is GET /api/v1/posts/ (20 posts with author, score and the caller's vote)
with a bearer JWT, so it includes authentication's user query, filtering, the keyset query
and rendering. Rounds alternate the two so machine noise hits both; the medians are compared.
Target in PERFORMANCE.md: the feed ≤ 8 times the plain view.
"""

import os
import statistics
import time

from bench.posts_seed import BENCH_USERNAME, DEFAULT_DATABASE_URL, configure_django

ROUNDS = 15
REQUESTS_PER_ROUND = 200


def per_request_ms(client, url: str, **headers) -> float:
    started = time.perf_counter()
    for _ in range(REQUESTS_PER_ROUND):
        response = client.get(url, **headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return elapsed / REQUESTS_PER_ROUND * 1000


def measure() -> tuple[float, float]:
    """Median per-request milliseconds of (plain view, feed page)."""
    from django.test import Client
    from django.test.utils import override_settings

    from accounts.models import User
    from accounts.sessions import session_start

    user = User.objects.get(username=BENCH_USERNAME)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {session_start(user=user).access}"}
    client = Client()
    plain, feed = [], []
    with override_settings(ROOT_URLCONF="bench.plain_urls"):
        per_request_ms(client, "/bench/plain/")  # warm up
        per_request_ms(client, "/api/v1/posts/", **auth)
        for _ in range(ROUNDS):
            plain.append(per_request_ms(client, "/bench/plain/"))
            feed.append(per_request_ms(client, "/api/v1/posts/", **auth))
    return statistics.median(plain), statistics.median(feed)


def main() -> None:
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    configure_django(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    plain, feed = measure()
    print("| in-process, per request | ms |\n|---|---|")
    print(f"| plain Django JSON view | {plain:.3f} |")
    print(f"| feed page of 20 (JWT, author, score, my_vote) | {feed:.3f} |")
    print(f"| ratio feed / plain (target ≤ 8) | {feed / plain:.1f} x |")


if __name__ == "__main__":
    main()
