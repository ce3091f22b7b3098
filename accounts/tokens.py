"""
The API's JWTs: a refresh and an access token per login session.

Both carry `user_id`, `role` (for clients only, never trusted by the server), `ver` (the
user's token version when issued), `sid` (the login session, kept through rotation), and OIDC's
`auth_time` (when the user last proved who they are in the session, seconds since the epoch)
and `amr` (how: RFC 8176 names such as "pwd", "otp", "mfa"), copied from the session's row.
Blacklisting is done by the services under a row lock, not by SimpleJWT's mixin.
"""

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rest_framework_simplejwt import state
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from accounts.models import User

ROLE_CLAIM = "role"
VERSION_CLAIM = "ver"
SESSION_CLAIM = "sid"
AUTH_TIME_CLAIM = "auth_time"
AMR_CLAIM = "amr"
SESSION_CLAIMS = (api_settings.USER_ID_CLAIM, VERSION_CLAIM, SESSION_CLAIM)


# Access tokens whose signature this process has verified, remembered (least recently used first out).
VERIFIED_TOKENS_KEPT = 2048


class VerifiedOnceBackend:
    """
    SimpleJWT's token backend for access tokens, checking each token's signature once per process.

    A client sends the same access token with every request for its 15 minutes, and verifying
    it (PyJWT: base64, JSON, HMAC, claim checks) was 16 % of the Python time of a request for a
    post (py-spy). Only a token that passed every check is remembered, by its exact bytes, so a
    forged or altered token is never answered from here; what can change with time is checked
    on every request all the same: the expiry (`Token.verify`, after this decode) and whether
    the session, the user or the token version still allow it (`accounts.authentication`, one
    query). At most `VERIFIED_TOKENS_KEPT` (a few MB); a new signing key means a restart, which
    forgets them all. Measured: docs/performance.md.
    """

    def __init__(self, backend: TokenBackend):
        self.backend = backend

    def decode(self, token: Any, verify: bool = True) -> dict[str, Any]:
        if not verify:
            return self.backend.decode(token, verify=False)
        return dict(_verified_payload(self.backend, token))  # a copy: the token may change its own

    def encode(self, payload: dict[str, Any]) -> str:
        return self.backend.encode(payload)

    def get_leeway(self):
        return self.backend.get_leeway()


@functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)
def _verified_payload(backend: TokenBackend, token: Any) -> dict[str, Any]:
    return backend.decode(token, verify=True)  # an exception is never remembered


class SessionAccessToken(Token):
    """Short-lived bearer token for API calls."""

    token_type = "access"
    lifetime = api_settings.ACCESS_TOKEN_LIFETIME
    _token_backend = VerifiedOnceBackend(state.token_backend)


class SessionRefreshToken(Token):
    """Long-lived token that can be exchanged, once, for a new pair."""

    token_type = "refresh"
    lifetime = api_settings.REFRESH_TOKEN_LIFETIME


@dataclass(frozen=True)
class TokenPair:
    refresh: SessionRefreshToken
    access: SessionAccessToken

    @property
    def expires_in(self) -> int:
        """The access token's lifetime in seconds."""
        return int(SessionAccessToken.lifetime.total_seconds())


def token_pair_build(
    *, user: User, sid: uuid.UUID, auth_time: datetime | None = None, amr: Sequence[str] = ()
) -> TokenPair:
    """
    Sign a new refresh/access pair for `user` in login session `sid` (no database access);
    `auth_time` and `amr` are the session's (no `auth_time`: never recently authenticated).
    """
    claims = {
        api_settings.USER_ID_CLAIM: str(user.pk),
        ROLE_CLAIM: user.role,
        VERSION_CLAIM: user.token_version,
        SESSION_CLAIM: sid.hex,
        AMR_CLAIM: list(amr),
    }
    if auth_time is not None:
        claims[AUTH_TIME_CLAIM] = int(auth_time.timestamp())
    refresh, access = SessionRefreshToken(), SessionAccessToken()
    refresh.payload.update(claims)
    access.payload.update(claims)
    return TokenPair(refresh=refresh, access=access)


def request_session_id(request) -> uuid.UUID | None:
    """The login session of a request's bearer token (already verified); None for other credentials (an API key)."""
    return token_session_claims(request.auth)[2] if isinstance(request.auth, Token) else None


def token_session_claims(token: Token) -> tuple[int, int, uuid.UUID]:
    """(user id, token version, session id) of a verified token; ValueError if any is missing or malformed."""
    try:
        user_id, version, sid = (token[claim] for claim in SESSION_CLAIMS)
        return int(user_id), int(version), uuid.UUID(hex=str(sid))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("token lacks session claims") from exc


def token_auth_time(token: Token) -> int | None:
    """The `auth_time` claim of a verified token (seconds since the epoch), None when it has none."""
    value = token.get(AUTH_TIME_CLAIM)
    return value if type(value) is int else None
