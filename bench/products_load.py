"""
Load test of the product catalogue: the list with a filter and an ordering, and a detail.

    .venv/bin/python -m bench.products_load            # 10,000 products, 64 connections, 10 s per scenario

Seeds `BENCH_PRODUCTS` products (default 10,000; 10 % inactive, 20 % sold out) into
`BENCH_DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/app_products_bench, created if
missing), serves the app under gunicorn with production settings on 127.0.0.1:`BENCH_PORT`
(default 8300) and loads it with wrk as a signed-in `user`. Prints one markdown table.
"""

import json
import os
import secrets
import urllib.request
from urllib.parse import urlsplit

import psycopg

from bench import wrk
from bench.server import database_migrate, gunicorn_server, manage

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/app_products_bench")
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))
PORT = int(os.environ.get("BENCH_PORT", "8300"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))

# Deterministic data: prices 0.50-999.99 spread by a multiplicative hash, exact numerics in SQL.
SEED_SQL = """
INSERT INTO products_product (name, sku, description, price, stock, is_active, created_at, updated_at)
SELECT 'Bench product ' || i,
       'BENCH-' || lpad(i::text, 7, '0'),
       'Sample product number ' || i || ' for the load test.',
       ((i * 7919) %% 99950 + 50)::numeric / 100,
       CASE WHEN i %% 5 = 0 THEN 0 ELSE i %% 97 + 1 END,
       i %% 10 <> 0,
       now() - make_interval(mins => i),
       now()
FROM generate_series(1, %(count)s) AS i
"""

# Runs in `manage.py shell` with the server's settings and secret, so the server accepts the token.
TOKEN_SNIPPET = """
from accounts.models import Role, User
from accounts.sessions import session_start
user, _ = User.objects.update_or_create(
    username="bench-products", defaults={"email": "bench-products@example.com", "role": Role.USER, "is_active": True}
)
print("TOKEN", session_start(user=user).access)
"""


def products_seed(url: str, count: int) -> int:
    """(Re)fill the catalogue with `count` generated products; return the id of an active one."""
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT count(*) FROM products_product").fetchone()[0] != count:
            conn.execute("TRUNCATE products_product RESTART IDENTITY")
            conn.execute(SEED_SQL, {"count": count})
            conn.execute("ANALYZE products_product")
        return conn.execute(
            "SELECT id FROM products_product WHERE is_active ORDER BY id OFFSET %s LIMIT 1", [count // 2]
        ).fetchone()[0]


def token_mint(url: str) -> str:
    """An access token for a plain `user`, minted in-process with the server's signing key."""
    output = manage(url, "shell", "-c", TOKEN_SNIPPET)
    return next(line.split()[1] for line in output.splitlines() if line.startswith("TOKEN "))


# Per-request cost without HTTP (Django test client, same settings), median of 200 after a warm-up;
# steadier than req/s on a shared machine. Health (one `SELECT 1`, small JSON) is the yardstick.
COST_SNIPPET = """
import json, statistics, sys, time
from django.test import Client
client = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION="Bearer " + sys.argv[-1])
for path in json.loads(sys.argv[-2]):
    for _ in range(20):
        assert client.get(path).status_code == 200, path
    times = []
    for _ in range(200):
        start = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - start)
    print("COST", path, statistics.median(times) * 1000)
"""


def inprocess_costs(url: str, paths: list[str], token: str) -> dict[str, float]:
    """Median milliseconds per request for each path, in one process with production settings."""
    script = COST_SNIPPET.replace("sys.argv[-2]", repr(json.dumps(paths))).replace("sys.argv[-1]", repr(token))
    output = manage(url, "shell", "-c", script)
    return {line.split()[1]: float(line.split()[2]) for line in output.splitlines() if line.startswith("COST ")}


def check(url: str, token: str) -> dict:
    """Fail fast if a scenario does not answer 200 (a benchmark of errors measures nothing)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def main() -> None:
    # One secret for the token minting and the server (bench.server reads it from the environment).
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    database_migrate(DATABASE_URL)
    product_id = products_seed(DATABASE_URL, PRODUCTS)
    token = token_mint(DATABASE_URL)

    with gunicorn_server(DATABASE_URL, port=PORT) as base:
        api = f"{base}/api/v1/products/"
        scenarios = [
            ("health (baseline: one SELECT 1, small JSON)", f"{base}/api/v1/health/"),
            ("product list (20, newest first)", api),
            ("product list ?min_price=10&ordering=-price", f"{api}?min_price=10&ordering=-price"),
            (
                "product list ?in_stock=true&max_price=100&ordering=name",
                f"{api}?in_stock=true&max_price=100&ordering=name",
            ),
            ("product list ?search=product 12", f"{api}?search=product%2012"),
            ("product detail", f"{api}{product_id}/"),
        ]
        filtered = check(scenarios[2][1], token)
        print(
            f"{PRODUCTS:,} products; ?min_price=10 matches {filtered['count']:,} active ones; first page prices "
            f"{[row['price'] for row in filtered['results'][:3]]}"
        )
        for _, url in scenarios:
            check(url, token)
        results = [wrk.run(name, url, token, connections=CONNECTIONS, seconds=SECONDS) for name, url in scenarios]

    # After the server has stopped, so the two measurements never compete for the CPU.
    paths = [urlsplit(url)._replace(scheme="", netloc="").geturl() for _, url in scenarios]
    costs = inprocess_costs(DATABASE_URL, paths, token)
    baseline = costs[paths[0]]
    print("\nIn-process cost per request (median of 200, no HTTP):\n")
    print("| scenario | ms | x health |\n|---|---|---|")
    for (name, _), path in zip(scenarios, paths, strict=True):
        print(f"| {name} | {costs[path]:.2f} | {costs[path] / baseline:.1f} |")

    print(
        f"\n{CONNECTIONS} connections, {SECONDS} s each, gunicorn gthread 2 workers x 4 threads, production settings\n"
    )
    print(wrk.HEADER)
    for result in results:
        print(result.row())


if __name__ == "__main__":
    main()
