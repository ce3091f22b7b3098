"""
Schemathesis against the running API: every operation, every check, as a regular user and as
an admin, with bearer tokens obtained through the API, and every operation open to API keys
with a moderator's read-write key. The run must find nothing.

Every check is on by default; `e2e/schemathesis.toml` holds the few narrow per-operation
exceptions and their reasons (a `--checks all` on the command line would override them).
"""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from accounts.demo import DEMO_PASSWORD
from e2e.live_server import BASE_DIR, live_server

pytestmark = pytest.mark.e2e

CONFIG = BASE_DIR / "e2e" / "schemathesis.toml"
ST = Path(sys.executable).parent / "st"
LOGOUT_ALL = "/api/v1/auth/logout-all/"
DELETE_ME = "DELETE /api/v1/auth/me/"
LEAVER = {"username": "fuzz-leaver", "email": "fuzz-leaver@example.com", "password": "fuzz-leaver-passphrase"}


def schemathesis(server_url: str, authorization: str, report: Path, *filters: str) -> tuple[int, str]:
    command = [
        str(ST),
        "--config-file",
        str(CONFIG),
        "run",
        f"{server_url}/api/schema/?format=json",
        "--header",
        f"Authorization: {authorization}",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--seed",
        os.environ.get("SCHEMATHESIS_SEED", "20261121"),
        "--no-color",
        *filters,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)
    return result.returncode, result.stdout + result.stderr


def cases_per_operation(report: Path) -> Counter:
    """Generated cases per operation, from schemathesis' ndjson event stream."""
    counts: Counter = Counter()
    for line in report.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if finished and finished.get("recorder"):
            label = finished["recorder"]["label"]
            counts[label] += len(finished["recorder"].get("cases", {}))
    return counts


def test_schemathesis_finds_no_failures(tmp_path_factory, artifacts_dir):
    with live_server(os.environ.get("DATABASE_URL", ""), "fuzz", tmp_path_factory.mktemp("fuzz")) as server:
        # Tokens first: a later run may deactivate or rename the other users.
        tokens = {name: server.login(name, DEMO_PASSWORD) for name in ("user", "admin", "moderator")}
        # The moderator's API key, made before its logout-all run (which leaves keys alone, API.md).
        status, api_key = server.request(
            "POST", "/api/v1/auth/api-keys/", {"name": "fuzz", "scopes": ["read", "write"]}, tokens["moderator"]
        )
        assert status == 201, api_key
        # Deleting the account deactivates it: a user of its own, logged in just before its run (a recent login).
        assert server.request("POST", "/api/v1/auth/register/", LEAVER)[0] == 201

        def leaver() -> str:
            return f"Bearer {server.login(LEAVER['username'], LEAVER['password'])}"

        runs = [
            # `logout-all` revokes the caller's own token: it gets a user of its own, and the
            # other runs leave it out so their tokens live to the end.
            ("logout-all", f"Bearer {tokens['moderator']}", ["--include-path", LOGOUT_ALL]),
            ("user", f"Bearer {tokens['user']}", ["--exclude-path", LOGOUT_ALL, "--exclude-name", DELETE_ME]),
            # The demo admin is the only admin, so the last-admin guard keeps it from demoting itself.
            ("admin", f"Bearer {tokens['admin']}", ["--exclude-path", LOGOUT_ALL, "--exclude-name", DELETE_ME]),
            # Every operation a key may call, with a key (`auth/` answers keys 403, tested in apikeys/tests).
            ("api-key", f"Api-Key {api_key['key']}", ["--exclude-path-regex", "^/api/v1/auth/"]),
            ("delete-account", leaver, ["--include-name", DELETE_ME]),
        ]
        summary, failures = [], []
        for name, token, filters in runs:
            report = artifacts_dir / f"schemathesis-{name}.ndjson"
            code, output = schemathesis(server.url, token() if callable(token) else token, report, *filters)
            (artifacts_dir / f"schemathesis-{name}.txt").write_text(output)
            counts = cases_per_operation(report)
            summary.append(f"[{name}] " + ", ".join(f"{op}: {n}" for op, n in sorted(counts.items())))
            if code != 0:
                failures.append(f"--- schemathesis as {name} (exit {code}) ---\n{output[-6000:]}")
        (artifacts_dir / "schemathesis-cases.txt").write_text("\n".join(summary) + "\n")
    assert not failures, "\n".join(failures)
