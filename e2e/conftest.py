"""Fixtures for tests that drive a real gunicorn server from outside."""

import os
from pathlib import Path

import pytest

from e2e.live_server import BASE_DIR, LiveServer, live_server

ARTIFACTS_DIR = Path(os.environ.get("E2E_ARTIFACTS_DIR", BASE_DIR / "artifacts" / "e2e"))


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> LiveServer:
    """One server with demo data, shared by the browser and generated-client tests."""
    with live_server(os.environ.get("DATABASE_URL", ""), "shared", tmp_path_factory.mktemp("e2e")) as running:
        yield running
