"""
A real OpenID Connect provider for the e2e tests: panva's oidc-provider (OpenID Certified) from
e2e/oidc/ (`npm ci --prefix e2e/oidc`), run by Node on 127.0.0.1, started and stopped by PID.
Each start makes a new signing key (a new `kid`), as a provider that rotated its keys.
"""

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
NODE = os.environ.get("NODE_PATH_BINARY", shutil.which("node") or "node")


def require_oidc_provider() -> None:
    """Skip when Node or `npm ci --prefix e2e/oidc` is missing on a developer machine; CI fails instead."""
    missing = [] if shutil.which(NODE) or os.path.exists(NODE) else ["node"]
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        missing.append("e2e/oidc/node_modules (run `npm ci --prefix e2e/oidc`)")
    if missing:
        message = f"the OpenID provider needs {', '.join(missing)}"
        if os.environ.get("E2E_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


class OidcProvider:
    """oidc-provider on 127.0.0.1:`port` with one confidential client and the accounts given."""

    def __init__(self, *, port: int, client_id: str, client_secret: str, redirect_uri: str, accounts: dict, log: Path):
        self.port, self.log_path = port, log
        self.issuer = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "OIDC_PORT": str(port),
            "OIDC_CLIENT_ID": client_id,
            "OIDC_CLIENT_SECRET": client_secret,
            "OIDC_REDIRECT_URI": redirect_uri,
            "OIDC_ACCOUNTS": json.dumps(accounts),
        }
        self.process: subprocess.Popen | None = None
        self.kid = ""

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self, timeout: float = 30) -> "OidcProvider":
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [NODE, "provider.mjs"], cwd=OIDC_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.issuer}/jwks", timeout=2) as response:
                    self.kid = json.loads(response.read())["keys"][0]["kid"]
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"oidc-provider did not start: {self.log_path.read_text()[-2000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
