"""
With CACHE_URL=redis://…, throttling counters are shared by every process, as API.md says, and
`?key_prefix=` keeps two deployments that share one Redis apart.

Every test uses prefixes of its own, so a second run within the throttle's minute starts afresh.
"""

import uuid
from http import HTTPStatus
from pathlib import Path

import pytest

from common.tests.new_process import run_snippet
from e2e.live_server import redis_reachable

# One request in a fresh interpreter: a new process with its own Django and its own cache client.
ONE_REGISTER_ATTEMPT = """
import django, json
django.setup()
from django.conf import settings
from django.test import Client
response = Client(HTTP_HOST="localhost").post("/api/v1/auth/register/", {}, content_type="application/json")
cache = settings.CACHES["default"]
print(json.dumps({"status": response.status_code, "backend": cache["BACKEND"], "key_prefix": cache.get("KEY_PREFIX")}))
"""


def register_in_a_new_process(cache_url: str, tmp_path: Path, **extra: str) -> dict:
    outcome, _ = run_snippet(
        ONE_REGISTER_ATTEMPT,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="shared-cache-test-secret-key-0123456789-abcdefghijklmnop",
        DJANGO_DEBUG="False",
        DJANGO_SECURE_SSL_REDIRECT="False",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        CACHE_URL=cache_url,
        THROTTLE_REGISTER="1/min",
        # No mail is sent here (the body is empty) and no link made: only the cache is under test.
        DJANGO_ALLOW_LOCAL_MAIL="true",
        DJANGO_ALLOW_HTTP_FRONTEND="true",
        **extra,
    )
    return outcome


@pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379 (redis-server)")
def test_throttle_counts_are_shared_between_processes_through_redis(tmp_path):
    prefix = unique_prefix()
    cache_url = f"redis://127.0.0.1:6379/0?key_prefix={prefix}"
    first = register_in_a_new_process(cache_url, tmp_path)
    second = register_in_a_new_process(cache_url, tmp_path)
    assert first["backend"] == "django.core.cache.backends.redis.RedisCache"
    assert first["key_prefix"] == prefix
    assert first["status"] == HTTPStatus.BAD_REQUEST  # allowed through, then rejected for its empty body
    assert second["status"] == HTTPStatus.TOO_MANY_REQUESTS


def unique_prefix() -> str:
    return f"test-{uuid.uuid4().hex}"


@pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379 (redis-server)")
def test_two_key_prefixes_on_one_redis_count_apart(tmp_path):
    first, second = (f"redis://127.0.0.1:6379/0?key_prefix={unique_prefix()}" for _ in range(2))
    statuses = [register_in_a_new_process(url, tmp_path)["status"] for url in (first, second, first)]
    # The second deployment's first attempt is its own; the first deployment's second is over its limit.
    assert statuses == [HTTPStatus.BAD_REQUEST, HTTPStatus.BAD_REQUEST, HTTPStatus.TOO_MANY_REQUESTS]


def test_cache_url_options_reach_djangos_cache_settings():
    prefix = unique_prefix()
    outcome, _ = run_snippet(
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CACHES['default']))",
        DJANGO_SETTINGS_MODULE="config.settings.test",
        CACHE_URL=f"redis://127.0.0.1:6379/0?key_prefix={prefix}&timeout=30",
    )
    assert outcome["KEY_PREFIX"] == prefix
    assert outcome["TIMEOUT"] == 30
    assert not {"key_prefix", "timeout"} & set(outcome)


def test_with_the_local_memory_cache_allowed_each_process_counts_alone(tmp_path):
    first = register_in_a_new_process("locmemcache://", tmp_path, DJANGO_ALLOW_LOCAL_CACHE="true")
    second = register_in_a_new_process("locmemcache://", tmp_path, DJANGO_ALLOW_LOCAL_CACHE="true")
    assert first["backend"] == "django.core.cache.backends.locmem.LocMemCache"
    assert (first["status"], second["status"]) == (HTTPStatus.BAD_REQUEST, HTTPStatus.BAD_REQUEST)
