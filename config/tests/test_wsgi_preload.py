"""
With `preload_app` gunicorn's master loads config.wsgi and then forks every worker from itself: a thread,
socket or database connection opened while loading would be shared by all the workers (or missing in them).
"""

from common.tests.new_process import run_snippet

LOAD_THE_APP_AS_THE_MASTER_DOES = """
import json, os, threading
import config.wsgi
from django.db import connections
from config import celery_app
links = []
for fd in os.listdir("/proc/self/fd"):
    try:
        links.append(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:  # the listing's own descriptor, closed by now
        pass
print(json.dumps({
    "threads": [thread.name for thread in threading.enumerate()],
    "sockets": [link for link in links if link.startswith("socket:")],
    "database_connections": [alias for alias in connections if connections[alias].connection is not None],
    "broker_pool": celery_app._pool is not None,
}))
"""

# Nothing listens on port 1: whatever tried to connect while loading would fail the snippet.
UNREACHABLE = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_DEBUG": "False",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-the-check-0123456789",
    "DATABASE_URL": "postgres://nobody@127.0.0.1:1/unreachable",
    "CACHE_URL": "redis://127.0.0.1:1/0",
    "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
    "EMAIL_URL": "smtp+tls://mailer:password@127.0.0.1:1",
    "FRONTEND_URL": "https://app.example.com",
    "JWT_SIGNING_KEY": None,
}


def test_loading_the_app_opens_no_thread_socket_or_connection_a_forked_worker_would_share():
    held, _ = run_snippet(LOAD_THE_APP_AS_THE_MASTER_DOES, **UNREACHABLE)
    assert held == {"threads": ["MainThread"], "sockets": [], "database_connections": [], "broker_pool": False}
