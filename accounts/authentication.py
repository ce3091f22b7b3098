"""
Bearer JWT authentication for the API: the single place requests are authenticated.

One query per request: the user row, annotated with whether the token's login session was
revoked. The token must also carry the user's current `token_version`, so logout-all, password
change, deactivation and refresh reuse reject earlier tokens in every process at once.
"""

from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import TokenError

from accounts.models import User
from accounts.selectors import user_for_token
from accounts.sessions import TOKEN_INVALID, TOKEN_REVOKED
from accounts.tokens import SessionAccessToken, token_session_claims

BAD_HEADER = "Authorization header must be `Bearer <access token>`."


class JWTAuthentication(authentication.JWTAuthentication):
    """Bearer access tokens checked against the user row, its token version and revoked sessions."""

    def get_raw_token(self, header: bytes) -> bytes | None:
        parts = header.split()
        if parts and parts[0] in authentication.AUTH_HEADER_TYPE_BYTES and len(parts) != 2:
            raise AuthenticationFailed(BAD_HEADER)
        return super().get_raw_token(header)

    def get_validated_token(self, raw_token: bytes) -> SessionAccessToken:
        try:
            return SessionAccessToken(raw_token)
        except TokenError as exc:
            raise AuthenticationFailed(TOKEN_INVALID) from exc

    def get_user(self, validated_token: SessionAccessToken) -> User:
        try:
            user_id, version, sid = token_session_claims(validated_token)
        except ValueError as exc:
            raise AuthenticationFailed(TOKEN_INVALID) from exc
        user = user_for_token(user_id=user_id, sid=sid)
        if user is None or not user.is_active or user.token_version != version or user.session_revoked:
            raise AuthenticationFailed(TOKEN_REVOKED)
        return user
