"""
API key authentication next to JWT authentication, on the feed, in one run.

    .venv/bin/python -m bench.apikeys_load                  # BENCH_DATABASE_URL, default app_apikeys_bench
    .venv/bin/python -m bench.apikeys_load --rounds 4 --seconds 10 --posts 10000

Seeds the posts tables (bench.posts_seed), makes a bearer token and a read-only API key for the
bench user, then:

- in process (no HTTP; the less noisy comparison): the queries of `GET auth/me/` and
  `GET posts/` with each credential, the median cost of each authentication class alone (its
  query included) and of a whole `GET posts/` through Django's test client, the credentials
  alternating call by call;
- over HTTP: gunicorn with production settings (2 workers x 4 threads); one client alternating
  the credentials request by request (the less noisy over-HTTP comparison), then wrk at 64
  connections on `GET posts/`, JWT and key runs alternating for `--rounds` rounds (JWT first in
  odd rounds, the key first in even ones), so the drift of a shared machine hits both alike.

Prints both tables and the key/JWT ratios (target: key authentication costs no more than JWT
authentication). Only ever talks to 127.0.0.1.
"""

import argparse
import http.client
import os
import statistics
import time

from bench import wrk
from bench.posts_seed import BENCH_USERNAME, configure_django, seed
from bench.server import database_migrate, gunicorn_server, production_env

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/app_apikeys_bench"
FEED, ME = "/api/v1/posts/", "/api/v1/auth/me/"


def credentials() -> dict[str, str]:
    """Authorization headers of the bench user: a bearer token and a read-only API key (a fresh one each run)."""
    from accounts.models import User
    from accounts.sessions import session_start
    from apikeys.models import ApiKey
    from apikeys.services import api_key_create

    user = User.objects.get(username=BENCH_USERNAME)
    ApiKey.objects.filter(owner=user).delete()
    _, key = api_key_create(owner=user, name="bench", scopes=["read"])
    return {"JWT": f"Bearer {session_start(user=user).access}", "API key": f"Api-Key {key}"}


def queries_per_request(headers: dict[str, str]) -> list[tuple[str, str, int, int]]:
    """(credential, path, status, queries) of one request each, after a warm-up request (last_used_at written)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client, rows = Client(HTTP_HOST="127.0.0.1"), []
    for name, header in headers.items():
        for path in (ME, FEED):
            client.get(path, HTTP_AUTHORIZATION=header)
            with CaptureQueriesContext(connection) as captured:
                status = client.get(path, HTTP_AUTHORIZATION=header).status_code
            rows.append((name, path, status, len(captured.captured_queries)))
    return rows


def inprocess_ms(headers: dict[str, str], requests: int) -> dict[str, float]:
    """Median milliseconds of `GET posts/` per credential, the credentials alternating request by request."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    timings: dict[str, list[float]] = {name: [] for name in headers}
    for _ in range(requests):
        for name, header in headers.items():
            started = time.perf_counter()
            response = client.get(FEED, HTTP_AUTHORIZATION=header)
            timings[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content
    return {name: statistics.median(values) for name, values in timings.items()}


def authentication_us(headers: dict[str, str], calls: int) -> dict[str, float]:
    """Median microseconds of the authentication class alone (its query included) per credential, alternating."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from accounts.authentication import JWTAuthentication
    from apikeys.authentication import ApiKeyAuthentication

    classes = {"JWT": JWTAuthentication(), "API key": ApiKeyAuthentication()}
    requests = {name: Request(APIRequestFactory().get(FEED, HTTP_AUTHORIZATION=h)) for name, h in headers.items()}
    timings: dict[str, list[float]] = {name: [] for name in headers}
    for _ in range(calls):
        for name in headers:
            started = time.perf_counter()
            user, _ = classes[name].authenticate(requests[name])
            timings[name].append((time.perf_counter() - started) * 1_000_000)
            assert user.username == BENCH_USERNAME
    return {name: statistics.median(values) for name, values in timings.items()}


def one_client_ms(port: int, headers: dict[str, str], requests: int) -> dict[str, float]:
    """Median ms of `GET posts/` over one kept-alive connection, the credentials alternating request by request."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    timings: dict[str, list[float]] = {name: [] for name in headers}
    try:
        for _ in range(requests):
            for name, header in headers.items():
                started = time.perf_counter()
                conn.request("GET", FEED, headers={"Authorization": header})
                response = conn.getresponse()
                response.read()
                timings[name].append((time.perf_counter() - started) * 1000)
                assert response.status == 200, response.status
    finally:
        conn.close()
    return {name: statistics.median(values) for name, values in timings.items()}


def over_http(
    database_url: str, port: int, headers: dict[str, str], rounds: int, seconds: int, requests: int
) -> tuple[dict[str, float], list[wrk.Result]]:
    results = []
    with gunicorn_server(database_url, port) as base_url:
        for name, header in headers.items():  # warm every worker's connection and statement caches
            wrk.run(f"warm-up {name}", base_url + FEED, headers={"Authorization": header}, seconds=2)
        sequential = one_client_ms(port, headers, requests)
        for round_number in range(1, rounds + 1):
            # JWT then key, key then JWT, ...: a machine whose load drifts favours neither.
            order = list(headers.items()) if round_number % 2 else list(headers.items())[::-1]
            for name, header in order:
                results.append(
                    wrk.run(
                        f"GET posts/, {name}, round {round_number}",
                        base_url + FEED,
                        headers={"Authorization": header},
                        seconds=seconds,
                    )
                )
    return sequential, results


def median_of(results: list[wrk.Result], name: str, attribute: str) -> float:
    return statistics.median(getattr(result, attribute) for result in results if f", {name}, " in result.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--inprocess-requests", type=int, default=300)
    parser.add_argument("--port", type=int, default=8221)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SECRET_KEY", production_env(database_url)["DJANGO_SECRET_KEY"])
    os.environ.setdefault("ACCESS_TOKEN_MINUTES", "240")
    configure_django(database_url)
    database_migrate(database_url)
    print(f"seeded {args.posts:,} posts: {seed(args.posts)}")
    headers = credentials()

    queries = queries_per_request(headers)
    auth_costs = authentication_us(headers, args.inprocess_requests * 5)
    costs = inprocess_ms(headers, args.inprocess_requests)
    sequential, results = over_http(
        database_url, args.port, headers, args.rounds, args.seconds, args.inprocess_requests * 3
    )

    print("\n| credential | request | status | queries |\n|---|---|---|---|")
    for name, path, status, count in queries:
        print(f"| {name} | GET {path} | {status} | {count} |")
    print(f"\n| in process, the authentication class alone (median of {args.inprocess_requests * 5}) | µs |\n|---|---|")
    for name, cost in auth_costs.items():
        print(f"| {name} | {cost:.0f} |")
    print(f"| API key / JWT | {auth_costs['API key'] / auth_costs['JWT']:.2f} (target <= 1.0) |")
    print(f"\n| in process, GET posts/ (median of {args.inprocess_requests}, alternating) | ms |\n|---|---|")
    for name, cost in costs.items():
        print(f"| {name} | {cost:.2f} |")
    print(f"| API key / JWT | {costs['API key'] / costs['JWT']:.2f} (target <= 1.0, within noise) |")
    print(f"\n| over HTTP, one client, GET posts/ (median of {args.inprocess_requests * 3}, alternating) | ms |")
    print("|---|---|")
    for name, cost in sequential.items():
        print(f"| {name} | {cost:.2f} |")
    print(f"| API key / JWT | {sequential['API key'] / sequential['JWT']:.2f} (target <= 1.0) |")
    print(f"\n{wrk.HEADER}")
    for result in results:
        print(result.row())
    medians = {name: [median_of(results, name, field) for field in ("rps", "p50_ms", "p99_ms")] for name in headers}
    print(
        f"\n| medians of {args.rounds} rounds | req/s | p50 ms | p99 ms | errors (all rounds) |\n|---|---|---|---|---|"
    )
    for name, (rps, p50, p99) in medians.items():
        errors = sum(result.errors for result in results if f", {name}, " in result.name)
        print(f"| GET posts/, {name} | {rps:,.0f} | {p50:.1f} | {p99:.1f} | {errors} |")
    (key_rps, key_p50, _), (jwt_rps, jwt_p50, _) = medians["API key"], medians["JWT"]
    print(f"| API key / JWT | {key_rps / jwt_rps:.2f} (target >= 1.0) | {key_p50 / jwt_p50:.2f} (target <= 1.0) | | |")


if __name__ == "__main__":
    main()
