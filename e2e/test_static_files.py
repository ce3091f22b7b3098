"""
What an operator deploying without Docker runs: `python manage.py collectstatic` (manage.py's
default settings, or any other module), then gunicorn with production settings. The admin and
the documentation answer 200 with every asset they reference; without collectstatic they still
answer 200 (their assets are then missing, not the pages).
"""

import os
import re
import subprocess
import sys
import urllib.request
from http import HTTPStatus

import pytest

from bench.server import BASE_DIR, Gunicorn, production_env
from e2e.live_server import free_port

pytestmark = pytest.mark.e2e

PAGES = ["/admin/login/", "/api/docs/", "/api/redoc/"]
STATIC_URL = re.compile(r"""(?:src|href)="(/static/[^"]+)\"""")
HASHED_ADMIN_CSS = re.compile(r"/static/admin/css/base\.[0-9a-f]{12}\.css")


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def collectstatic(static_root, settings_module: str | None) -> None:
    env = production_env("", DJANGO_STATIC_ROOT=str(static_root))
    del env["DJANGO_SETTINGS_MODULE"], env["DATABASE_URL"]
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True
    )


def serve(static_root, tmp_path) -> Gunicorn:
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    return Gunicorn(
        database_url, free_port(), tmp_path / "gunicorn.log", workers=1, threads=4, DJANGO_STATIC_ROOT=str(static_root)
    ).start()


@pytest.mark.parametrize("settings_module", [None, "config.settings.test"], ids=["manage.py default", "test"])
def test_production_serves_what_collectstatic_wrote_under_any_settings_module(tmp_path, settings_module):
    static_root = tmp_path / "static"
    collectstatic(static_root, settings_module)
    assert (static_root / "staticfiles.json").exists()
    server = serve(static_root, tmp_path)
    try:
        for page in PAGES:
            status, html = get(f"{server.url}{page}")
            assert status == HTTPStatus.OK, page
            assets = STATIC_URL.findall(html)
            assert assets, page
            for asset in assets:
                assert get(f"{server.url}{asset}")[0] == HTTPStatus.OK, asset
        assert HASHED_ADMIN_CSS.search(get(f"{server.url}/admin/login/")[1]), "manifest names are served"
    finally:
        server.stop()
    assert "Traceback" not in server.log()


def test_without_collectstatic_the_pages_still_answer_200_and_say_why_once(tmp_path):
    server = serve(tmp_path / "never-collected", tmp_path)
    try:
        for _ in range(2):
            for page in PAGES:
                assert get(f"{server.url}{page}")[0] == HTTPStatus.OK, page
    finally:
        server.stop()
    log = server.log()
    assert "Traceback" not in log
    warnings = [line for line in log.splitlines() if "run collectstatic" in line]
    assert len(warnings) == 1, warnings
