"""Settings for the test suite: real database from DATABASE_URL, fast hashing, no throttling noise."""

import ipaddress
import os
import secrets

# The suite runs on a fresh clone with no .env: a secret made for this run only, exported so the
# servers and fresh processes the tests start (bench.server, common/tests/new_process.py) share it.
if not os.environ.get("DJANGO_SECRET_KEY"):
    os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, THROTTLE_RATES, env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")

# Hashing cost is measured by the benchmarks, not paid in every test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests that exercise throttling set their own rates; the rest must never hit a limit.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {scope: "100000/min" for scope in THROTTLE_RATES},
}
LOGIN_FAILURES_PER_ACCOUNT = MFA_FAILURES_PER_ACCOUNT = "100000/1m"

# The test client's own address and the private one the tests give their proxies are proxies of
# ours (tests of untrusted peers set their own list); the environment's list is not read here, and
# none of this reaches the servers the e2e tests start, which get production settings.
TRUSTED_PROXIES = [ipaddress.ip_network(network) for network in ("127.0.0.0/8", "::1/128", "10.0.0.0/8")]

# Jobs run in the test process (tests capture on-commit callbacks to run them), whatever the
# environment says; the e2e tests start a real worker on Redis for the rest.
CELERY_BROKER_URL = ""

# No breached-password lookups on the network: breaches' tests serve the range API on loopback themselves.
PWNED_PASSWORDS_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
