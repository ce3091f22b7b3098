"""
ID token validation (OpenID Connect Core 3.1.3.7): the signature by one of the provider's keys,
then `iss`, `aud` (and `azp` when several audiences), `exp`, `iat` and `nonce`.

Microsoft's multi-tenant endpoints publish the issuer as `https://login.microsoftonline.com/{tenantid}/v2.0`:
the token's `iss` must be that template filled with the token's own `tid`, and with a tenant id
configured (`SOCIAL_MICROSOFT_TENANT`), that `tid` must be it.
"""

import re

from joserfc import jws, jwt
from joserfc.errors import JoseError

from social.providers import MICROSOFT_TENANT_PLACEHOLDER, Provider, discovery, signing_keys

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
LEEWAY_SECONDS = 60
ID_TOKEN_INVALID = "The ID token is invalid, expired or not for this application."
MICROSOFT_SHARED_TENANTS = {"common", "organizations", "consumers"}
TENANT_ID = re.compile(r"^[0-9a-fA-F-]{36}$")


class IdTokenInvalid(Exception):
    """The ID token failed a check; `reason` says which (kept in the security log, never shown)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _expected_issuer(provider: Provider, claims: dict) -> str:
    issuer = discovery(provider)["issuer"]
    if provider.preset != "microsoft" or MICROSOFT_TENANT_PLACEHOLDER not in issuer:
        return issuer
    tid = claims.get("tid")
    if not isinstance(tid, str) or not TENANT_ID.match(tid):
        raise IdTokenInvalid("tid")
    if provider.tenant not in MICROSOFT_SHARED_TENANTS and tid.lower() != provider.tenant.lower():
        raise IdTokenInvalid("tid")
    return issuer.replace(MICROSOFT_TENANT_PLACEHOLDER, tid)


def id_token_validate(provider: Provider, raw: str, *, nonce: str | None) -> dict:
    """The claims of `raw` once every check passed; `IdTokenInvalid` otherwise. `nonce=None`: not checked."""
    try:
        header = jws.extract_compact(raw.encode()).headers()
    except (JoseError, ValueError, TypeError, UnicodeError) as exc:
        raise IdTokenInvalid("malformed") from exc
    kid = header.get("kid")
    keys = signing_keys(provider, kid=kid if isinstance(kid, str) else None)
    try:
        token = jwt.decode(raw, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError, TypeError) as exc:
        raise IdTokenInvalid("signature") from exc
    claims = token.claims
    options = {
        "iss": {"essential": True, "value": _expected_issuer(provider, claims)},
        "aud": {"essential": True, "value": provider.client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }
    if nonce is not None:
        options["nonce"] = {"essential": True, "value": nonce}
    try:
        jwt.JWTClaimsRegistry(leeway=LEEWAY_SECONDS, **options).validate(claims)
    except (JoseError, ValueError, TypeError) as exc:
        raise IdTokenInvalid(getattr(exc, "claim", None) or "claims") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise IdTokenInvalid("azp")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise IdTokenInvalid("sub")
    return claims
