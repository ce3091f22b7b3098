"""Fixtures of the breached-password tests: the range API on loopback, an address nothing listens on."""

import socket

import pytest
from django.core.cache import cache

from breaches.tests.range_api import range_api_running


@pytest.fixture
def range_api(settings):
    """A running range API; the settings point the check at it, with a short timeout and an empty cache."""
    with range_api_running() as api:
        settings.PWNED_PASSWORDS_URL = api.url
        settings.PWNED_PASSWORDS_TIMEOUT = 0.5
        cache.clear()
        yield api
    cache.clear()


@pytest.fixture
def closed_port_url():
    """A loopback address nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/range/"
