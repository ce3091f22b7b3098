"""
Start the API under gunicorn with production settings for a benchmark, and stop it after.

    with gunicorn_server(database_url, port=8200) as base_url:
        ...

Talks only to 127.0.0.1; the server is killed when the block exits, whatever happens.
"""

import contextlib
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# One secret for every process this module starts, so tokens minted by one are valid in another.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """Environment of a production process on plain HTTP at 127.0.0.1."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        # Benchmarks measure the app, not the throttle.
        "THROTTLE_ANON": "100000000/min",
        "THROTTLE_USER": "100000000/min",
        "THROTTLE_LOGIN": "100000000/min",
        "THROTTLE_REGISTER": "100000000/min",
        "GUNICORN_ACCESSLOG": "",
        "DJANGO_LOG_LEVEL": "WARNING",
        **extra,
    }


def manage(database_url: str, *args: str, **extra: str) -> str:
    """Run `manage.py` with production settings; return its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=production_env(database_url, **extra),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@contextlib.contextmanager
def gunicorn_server(database_url: str, port: int, workers: int = 2, threads: int = 4, **extra: str) -> Iterator[str]:
    """Serve the app on 127.0.0.1:`port`; yield its base URL."""
    env = production_env(
        database_url,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(workers),
        GUNICORN_THREADS=str(threads),
        **extra,
    )
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/api/v1/health/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
