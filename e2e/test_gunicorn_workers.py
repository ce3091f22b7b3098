"""
gunicorn as `gunicorn.conf.py` sets it up (2 workers x 4 threads here): kept-alive connections
spread over the workers instead of piling onto the one that accepted first.

A kept-alive connection stays with the worker that accepted it. With gunicorn's default
`worker_connections` (1000), 64 connections opened at once all landed on one worker in 2 of 6
runs, which then served them on one core at half the requests/s; `GUNICORN_WORKER_CONNECTIONS`
(8 per thread, 32 here) makes a worker stop accepting at its share.
"""

import socket
import subprocess
from collections import Counter
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.e2e

CONNECTIONS = 64
PER_WORKER = 4 * 8  # gunicorn.conf.py: GUNICORN_THREADS x 8, with the 4 threads the live server runs


def answered(sock: socket.socket) -> bytes:
    """The status line of one response read whole from `sock` (headers, then Content-Length bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection before answering"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    headers = head.lower().split(b"\r\n")
    length = next(int(line.split(b":")[1]) for line in headers if line.startswith(b"content-length"))
    while len(body) < length:
        body += sock.recv(65536)
    return head.split(b"\r\n")[0]


def connections_by_process(port: int) -> Counter:
    """Established connections to `port` on this machine, by the process holding the server's end."""
    listing = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True, check=True
    ).stdout
    return Counter(line.split("pid=")[1].split(",")[0] for line in listing.splitlines() if "pid=" in line)


def test_kept_alive_connections_spread_over_the_workers(server):
    port = urlsplit(server.url).port
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(CONNECTIONS)]
    try:
        for sock in sockets:
            sock.sendall(b"GET /api/v1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        statuses = [answered(sock) for sock in sockets]
        by_worker = connections_by_process(port)
    finally:
        for sock in sockets:
            sock.close()
    assert statuses == [b"HTTP/1.1 200 OK"] * CONNECTIONS
    assert len(by_worker) == 2, by_worker  # both workers hold connections...
    assert max(by_worker.values()) <= PER_WORKER, by_worker  # ...and neither more than its share
