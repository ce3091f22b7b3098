"""With CACHE_URL=redis://…, throttling counters are shared by every process, as API.md says."""

import socket
import uuid
from http import HTTPStatus
from pathlib import Path

import pytest

from config.tests.new_process import run_snippet

REDIS = ("127.0.0.1", 6379)

# One request in a fresh interpreter: a new process with its own Django and its own cache client.
ONE_REGISTER_ATTEMPT = """
import django, json
django.setup()
from django.conf import settings
from django.test import Client
response = Client(HTTP_HOST="localhost").post("/api/v1/auth/register/", {}, content_type="application/json")
print(json.dumps({"status": response.status_code, "backend": settings.CACHES["default"]["BACKEND"]}))
"""


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def register_in_a_new_process(cache_url: str, tmp_path: Path) -> dict:
    outcome, _ = run_snippet(
        ONE_REGISTER_ATTEMPT,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="shared-cache-test-secret-key-0123456789-abcdefghijklmnop",
        DJANGO_DEBUG="False",
        DJANGO_SECURE_SSL_REDIRECT="False",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        CACHE_URL=cache_url,
        THROTTLE_REGISTER="1/min",
    )
    return outcome


@pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379 (redis-server)")
def test_throttle_counts_are_shared_between_processes_through_redis(tmp_path):
    cache_url = f"redis://127.0.0.1:6379/0?key_prefix=test-{uuid.uuid4().hex}"
    first = register_in_a_new_process(cache_url, tmp_path)
    second = register_in_a_new_process(cache_url, tmp_path)
    assert first["backend"] == "django.core.cache.backends.redis.RedisCache"
    assert first["status"] == HTTPStatus.BAD_REQUEST  # allowed through, then rejected for its empty body
    assert second["status"] == HTTPStatus.TOO_MANY_REQUESTS


def test_with_the_default_local_memory_cache_each_process_counts_alone(tmp_path):
    first = register_in_a_new_process("locmemcache://", tmp_path)
    second = register_in_a_new_process("locmemcache://", tmp_path)
    assert first["backend"] == "django.core.cache.backends.locmem.LocMemCache"
    assert (first["status"], second["status"]) == (HTTPStatus.BAD_REQUEST, HTTPStatus.BAD_REQUEST)
