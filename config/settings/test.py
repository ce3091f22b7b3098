"""Settings for the test suite: real database from DATABASE_URL, fast hashing, no throttling noise."""

import os

# The suite must run on a fresh clone with no .env; a secret made for tests only.
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-any-real-deployment-0123456789")

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, STORAGES, THROTTLE_RATES

DEBUG = False

# Hashing cost is measured by the benchmarks, not paid in every test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# Tests that exercise throttling set their own rates; the rest must never hit a limit.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {scope: "100000/min" for scope in THROTTLE_RATES},
}
