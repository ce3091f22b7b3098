"""gunicorn settings, read from the environment (`gunicorn -c gunicorn.conf.py config.wsgi`)."""

import os

# Loopback unless told otherwise: outside a container only a proxy on the same host reaches the app
# (docs/security.md, "Trusted proxies"); the image sets GUNICORN_BIND=0.0.0.0:8000.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads suit a database-bound API on few cores better than more processes: gunicorn's gthread, behind
# a proxy that opens a connection per request (docker/nginx-proxy.conf; docs/performance.md, "Serving").
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# SO_REUSEPORT: a listening socket per worker, the kernel spreading new connections over them; off by
# default, because a worker that exits (max_requests) resets the connections queued on its socket.
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "false").lower() in ("1", "true", "yes")
# Load the app once in the master before forking: a replacement answers 0.2 s after its fork instead of 1 s,
# and the workers share its memory (docs/performance.md). SIGHUP then reloads no code: restart for a release.
preload_app = os.environ.get("GUNICORN_PRELOAD_APP", "true").lower() in ("1", "true", "yes")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# The most connections one worker holds (kept-alive ones included); past it the worker stops accepting and
# the others, or the listen backlog, take new ones. gunicorn's default.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak can never take a server down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "1000"))
# Access log and errors to stdout/stderr, where container platforms collect them.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
access_log_format = (
    '{"remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, '
    '"bytes": "%(B)s", "duration_ms": %(M)s, "request_id": "%({x-request-id}o)s", "worker": "%(p)s"}'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# The longest request line and header gunicorn reads (8190 is its maximum; 0 would mean unlimited).
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
