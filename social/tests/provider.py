"""
A provider on loopback for the unit tests: discovery, JWKS, token, user info (and GitHub's API), with
RSA keys the test makes and ID tokens it signs. It checks PKCE as a real provider does, and it can be
told to misbehave (`status`, `body` per path) or be stopped.
"""

import base64
import contextlib
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "client-1"
CLIENT_SECRET = "client-secret-1"
_KEYS: dict[str, RSAKey] = {}


def rsa_key(kid: str) -> RSAKey:
    """A 2048-bit RSA key named `kid`, made once per test run (making one takes a while)."""
    if kid not in _KEYS:
        _KEYS[kid] = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})
    return _KEYS[kid]


@dataclass
class FakeProvider:
    url: str = ""
    issuer: str = ""
    keys: list[RSAKey] = field(default_factory=lambda: [rsa_key("key-1")])
    # code -> (claims for the ID token, the PKCE challenge it was issued for)
    codes: dict[str, tuple[dict, str]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    # path -> (status, raw body) to answer instead of the real document
    overrides: dict[str, tuple[int, str]] = field(default_factory=dict)
    userinfo: dict = field(default_factory=dict)
    github_user: dict = field(default_factory=dict)
    github_emails: list = field(default_factory=list)
    id_token_in_response: bool = True

    def sign(self, claims: dict, *, key: RSAKey | None = None, header: dict | None = None) -> str:
        key = key or self.keys[0]
        return jwt.encode({"alg": "RS256", "kid": key.kid, **(header or {})}, claims, key)

    def claims(self, **overrides) -> dict:
        now = int(time.time())
        base = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "subject-1",
            "iat": now,
            "exp": now + 300,
            "email": "someone@example.com",
            "email_verified": True,
        }
        return {key: value for key, value in {**base, **overrides}.items() if value is not None}

    def authorize(self, authorization_url: str, **claims) -> tuple[str, str]:
        """What a user's consent at the provider gives the browser: (code, state) for the callback."""
        query = {key: values[0] for key, values in parse_qs(urlsplit(authorization_url).query).items()}
        assert query["code_challenge_method"] == "S256", query
        code = secrets.token_urlsafe(16)
        nonce = {"nonce": query["nonce"]} if "nonce" in query else {}
        self.codes[code] = (self.claims(**{**nonce, **claims}), query["code_challenge"])
        return code, query["state"]

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "userinfo_endpoint": f"{self.url}/userinfo",
        }

    def token(self, form: dict) -> tuple[int, dict]:
        code, verifier = form.get("code", ""), form.get("code_verifier", "")
        if code not in self.codes:
            return 400, {"error": "invalid_grant"}
        claims, challenge = self.codes.pop(code)  # a code works once
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if digest != challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        body = {"access_token": "access-" + secrets.token_hex(8), "token_type": "Bearer", "expires_in": 300}
        if self.id_token_in_response:
            body["id_token"] = self.sign(claims)
        self.userinfo = {**self.userinfo, "sub": claims["sub"]} if not self.userinfo else self.userinfo
        return 200, body


def _handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body) -> None:
            payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _route(self, form: dict) -> None:
            path = urlsplit(self.path).path
            provider.requests.append(path)
            if path in provider.overrides:
                return self._send(*provider.overrides[path])
            routes = {
                "/.well-known/openid-configuration": lambda: (200, provider.discovery()),
                "/jwks": lambda: (200, {"keys": [key.as_dict(private=False) for key in provider.keys]}),
                "/token": lambda: provider.token(form),
                "/userinfo": lambda: (200, provider.userinfo),
                "/user": lambda: (200, provider.github_user),
                "/user/emails": lambda: (200, provider.github_emails),
            }
            if path not in routes:
                return self._send(404, {"error": "not_found"})
            return self._send(*routes[path]())

        def do_GET(self) -> None:
            self._route({})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
            self._route(form)

        def log_message(self, *args) -> None:
            pass

    return Handler


@contextlib.contextmanager
def fake_provider_running() -> Iterator[FakeProvider]:
    """A provider on a free port of 127.0.0.1, stopped on leaving."""
    provider = FakeProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider.url = provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
