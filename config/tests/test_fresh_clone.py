"""
`make run` on a fresh clone with no configuration serves the API, and the `.env` it leaves
behind cannot make a production process insecure.

The clone is a copy of the project's files (tracked or new, never ignored ones such as `.env`
or `db.sqlite3`) in a temporary directory, run with this test run's virtualenv and an
environment that holds no setting at all.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from http import HTTPStatus
from pathlib import Path

import pytest

from accounts.demo import DEMO_PASSWORD
from common.tests.new_process import BASE_DIR
from e2e.live_server import free_port

pytestmark = pytest.mark.slow

VENV = Path(sys.executable).parent.parent
STATIC_URL = re.compile(r"""(?:src|href)="(/static/[^"]+)\"""")


def bare_environment(**env: str) -> dict[str, str]:
    """What a newcomer's shell holds: no DJANGO_*, DATABASE_URL or CACHE_URL."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8", **env}


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=BASE_DIR,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    target = tmp_path_factory.mktemp("clone")
    for name in filter(None, (file.decode() for file in files)):
        if (BASE_DIR / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(BASE_DIR / name, target / name)
    return target


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.fixture(scope="module")
def make_run(clone) -> str:
    """`make run` in the clone (this virtualenv stands in for the one it would create); yields its URL."""
    port = free_port()
    log = (clone / "make-run.log").open("w")
    # make, runserver and its autoreloader share a new process group, stopped together below.
    process = subprocess.Popen(
        ["make", "-o", f"{VENV}/bin/.installed", "run", f"VENV={VENV}", f"PORT={port}"],
        cwd=clone,
        env=bare_environment(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while get_or_none(f"{url}/api/v1/health/") != HTTPStatus.OK:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make run did not serve: {(clone / 'make-run.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
        log.close()


def get_or_none(url: str) -> int | None:
    try:
        return get(url)[0]
    except OSError:
        return None


@pytest.mark.parametrize("path", ["/api/v1/", "/api/docs/", "/api/redoc/", "/admin/login/"])
def test_make_run_on_a_fresh_clone_serves_pages_and_their_static_files(make_run, path):
    status, html = get(f"{make_run}{path}")
    assert status == HTTPStatus.OK
    for asset in STATIC_URL.findall(html):
        assert get(f"{make_run}{asset}")[0] == HTTPStatus.OK, asset


def test_make_run_leaves_a_debug_env_file_and_serves_demo_data(make_run, clone):
    assert "DJANGO_DEBUG=True" in (clone / ".env").read_text()
    with urllib.request.urlopen(
        urllib.request.Request(
            f"{make_run}/api/v1/auth/login/",
            data=json.dumps({"username": "user", "password": DEMO_PASSWORD}).encode(),
            headers={"Content-Type": "application/json"},
        ),
        timeout=10,
    ) as response:
        assert response.status == HTTPStatus.OK


def run_in_clone(clone: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=clone, env=bare_environment(**env), capture_output=True, text=True, timeout=60
    )


def test_production_settings_refuse_to_start_without_a_secret_despite_the_debug_env_file(make_run, clone):
    result = run_in_clone(clone, "manage.py", "check", DJANGO_SETTINGS_MODULE="config.settings.production")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_settings_turn_debug_off_despite_the_debug_env_file(make_run, clone):
    result = run_in_clone(
        clone,
        "-c",
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="a-production-secret-of-its-own-0123456789-abcdefghijklmnop",
        # Only debug is under test: the local-only switches production otherwise refuses, allowed by name.
        DJANGO_ALLOW_LOCAL_CACHE="true",
        DJANGO_ALLOW_LOCAL_MAIL="true",
        DJANGO_ALLOW_HTTP_FRONTEND="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
