"""
`Authorization: Api-Key <key>`: API keys beside the bearer JWTs (accounts.authentication).

One query per request, as for a JWT: the key's row and its owner's, together
(`api_key_for_authentication`). A revoked or expired key, or one whose owner is deactivated, is
rejected by that same read, so every worker and server sees a revocation on the next request.
The request then acts as the owner with the owner's current role, within the key's scopes
(`apikeys.scopes`, checked here so that every view gets it).
"""

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from apikeys.keys import key_matches, key_prefix
from apikeys.scopes import api_key_may_be_refused, api_key_refusal
from apikeys.selectors import api_key_for_authentication
from apikeys.services import LAST_USED_RESOLUTION, api_key_mark_used

SCHEME = "Api-Key"
BAD_HEADER = "Authorization header must be `Api-Key <key>`."
KEY_REJECTED = "API key is invalid, expired or revoked."


class ApiKeyAuthentication(BaseAuthentication):
    """API keys: the owner's identity and current role, limited by the key's scopes."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        # The scheme word is case-insensitive (RFC 9110); any other scheme is for another class.
        if not parts or parts[0].lower() != SCHEME.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(BAD_HEADER)
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(KEY_REJECTED) from exc
        prefix = key_prefix(key)
        api_key = api_key_for_authentication(prefix=prefix) if prefix else None
        now = timezone.now()
        if api_key is None or not key_matches(key, api_key.key_hash) or not api_key.is_usable(now=now):
            raise AuthenticationFailed(KEY_REJECTED)
        if api_key.last_used_at is None or api_key.last_used_at <= now - LAST_USED_RESOLUTION:
            api_key_mark_used(api_key=api_key, now=now)
        refusal = api_key_refusal(
            can_write=api_key.can_write, can_admin=api_key.can_admin, method=request.method, path=request.path
        )
        if refusal:
            raise PermissionDenied(refusal)
        return api_key.owner, api_key

    @staticmethod
    def may_refuse(*, method: str, path: str) -> bool:
        """Whether a key can be refused this operation with a 403 (the schema documents it, common.openapi)."""
        return api_key_may_be_refused(method=method, path=path)

    def authenticate_header(self, request) -> str:
        return f'{SCHEME} realm="api"'
