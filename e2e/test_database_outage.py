"""
PostgreSQL stops under load and comes back: gunicorn (production settings) answers only 503s
while it is down (never a 500, never a 401 for the good token), one log line each and no
traceback, serves 200s again within 2 s of the database's return, and is never restarted.

The database is a private cluster (e2e/postgres.py), so stopping it disturbs nobody else.
"""

import json
import time
from http import HTTPStatus

import pytest

from accounts.demo import DEMO_PASSWORD
from bench.server import Gunicorn, manage
from e2e.live_server import LiveServer, free_port
from e2e.load import Call, running_load, statuses_per_second
from e2e.postgres import postgres_bin_dir, private_postgres

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(postgres_bin_dir() is None, reason="needs PostgreSQL's server binaries (initdb, pg_ctl)"),
]

BEFORE_SECONDS, DOWN_SECONDS, AFTER_SECONDS = 3, 6, 5
RECOVERY_SECONDS = 2
CALLS = [
    Call("GET", "/api/v1/posts/"),
    Call("GET", "/api/v1/products/"),
    Call("GET", "/api/v1/auth/me/"),
    Call("POST", "/api/v1/posts/", {"title": "Written under load", "body": "Whatever the database is doing."}),
]
OK = {HTTPStatus.OK, HTTPStatus.CREATED}


def test_database_outage_gives_503s_then_service_resumes_without_a_restart(tmp_path, artifacts_dir):
    with private_postgres(free_port()) as postgres:
        database_url = postgres.create_database("outage")
        manage(database_url, "migrate", "--noinput")
        manage(database_url, "load_demo")
        # No worker recycling during the test, so unchanged worker PIDs mean nothing crashed; an
        # existing static root, so whitenoise has no warning to print whether collectstatic ran or not.
        server = Gunicorn(
            database_url,
            free_port(),
            tmp_path / "gunicorn.log",
            GUNICORN_MAX_REQUESTS="0",
            DJANGO_STATIC_ROOT=str(tmp_path),
        ).start()
        try:
            token = LiveServer(url=server.url, database_url=database_url).login("user", DEMO_PASSWORD)
            processes_before = (server.pid, server.worker_pids())
            log_size_before = len(server.log().splitlines())

            with running_load(server.url, CALLS, token, connections=16) as load:
                t0 = time.monotonic()
                time.sleep(BEFORE_SECONDS)
                going_down = time.monotonic()
                postgres.stop()
                down = time.monotonic()
                time.sleep(DOWN_SECONDS)
                coming_up = time.monotonic()
                postgres.start()
                up = time.monotonic()
                time.sleep(AFTER_SECONDS)
            outcomes = load.stop()
            processes_after = (server.pid, server.worker_pids())
        finally:
            server.stop()
        log_lines = server.log().splitlines()[log_size_before:]

    def phase_of(moment: float) -> str:
        return "before" if moment < going_down else "down" if moment < up else "after"

    table = statuses_per_second(outcomes, t0, phase_of)
    summary = (
        f"{len(outcomes)} requests, 16 connections; PostgreSQL stopped at {down - t0:.1f} s "
        f"(stop took {down - going_down:.2f} s), started at {coming_up - t0:.1f} s, up at {up - t0:.1f} s"
    )
    report = f"{summary}\nstatuses per second (by when each request ended):\n{table}\n"
    (artifacts_dir / "database-outage.txt").write_text(report)
    print(report)

    unexpected = [o for o in outcomes if o.status not in OK | {HTTPStatus.SERVICE_UNAVAILABLE}]
    assert not unexpected, f"only 2xx and 503 expected: {unexpected[:5]}"
    assert all(o.status in OK for o in outcomes if o.ended < going_down), "all good before the outage"
    while_down = [o for o in outcomes if o.started > down and o.ended < coming_up]
    assert while_down, "requests were sent while the database was down"
    assert {o.status for o in while_down} == {HTTPStatus.SERVICE_UNAVAILABLE}
    first_ok = min(o.ended for o in outcomes if o.started >= up and o.status in OK)
    assert first_ok - up <= RECOVERY_SECONDS, f"first success {first_ok - up:.2f} s after the database was back"
    assert all(o.status in OK for o in outcomes if o.started >= up + RECOVERY_SECONDS), "all good once recovered"
    assert processes_after == processes_before, "gunicorn's master and workers were never restarted"

    # One log line per failed request, each a JSON object; no traceback, nothing else.
    failed = sum(o.status == HTTPStatus.SERVICE_UNAVAILABLE for o in outcomes)
    app_lines = [json.loads(line) for line in log_lines if not line.startswith("[")]  # "[...]": gunicorn's own
    request_errors = [line for line in app_lines if line["logger"] == "config.request" and line["status"] == 503]
    assert len(request_errors) == failed
    assert all(line["error"].startswith("database unavailable: ") for line in request_errors)
    assert [line for line in app_lines if line["logger"] != "config.request"] == []
