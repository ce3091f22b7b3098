"""
The configured providers (`SOCIAL_PROVIDERS`) and what their servers publish: the discovery
document and the signing keys (JWKS), fetched over `requests` and kept in the shared cache.

Keys are cached for an hour; a token signed with a key id the cached set lacks refetches the set
(a provider rotated its keys), at most once a minute per provider, so tokens with made-up key ids
cannot make us hammer the provider.
"""

import json
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from social.errors import ProviderError, ProviderUnavailable

DISCOVERY_SECONDS = 60 * 60
JWKS_SECONDS = 60 * 60
JWKS_REFETCH_SECONDS = 60
# Microsoft's multi-tenant endpoints name the issuer with this placeholder for the token's `tid`.
MICROSOFT_TENANT_PLACEHOLDER = "{tenantid}"
GITHUB_ISSUER = "https://github.com"
GITHUB_AUTHORIZE_URL = "https://github.com/login/oauth/authorize"
GITHUB_TOKEN_URL = "https://github.com/login/oauth/access_token"
GITHUB_API_URL = "https://api.github.com"
OIDC_SCOPES = "openid email profile"
GITHUB_SCOPES = "read:user user:email"
MAX_DOCUMENT_BYTES = 512 * 1024
UNKNOWN_PROVIDER = "No such sign-in provider."


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str
    preset: str
    client_id: str
    client_secret: str
    trusted: bool
    discovery_url: str = ""
    tenant: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def is_oidc(self) -> bool:
        return self.preset != "github"

    @property
    def scopes(self) -> str:
        return OIDC_SCOPES if self.is_oidc else GITHUB_SCOPES


def provider_get(slug: str) -> Provider:
    """The provider `slug` as configured; 404 for one that is not."""
    config = settings.SOCIAL_PROVIDERS.get(slug)
    if config is None:
        raise Http404(UNKNOWN_PROVIDER)
    config = dict(config)
    if config.get("preset") == "microsoft" and not config.get("discovery_url"):
        tenant = config.get("tenant") or "common"
        config["discovery_url"] = f"https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration"
    known = {"name", "preset", "client_id", "client_secret", "trusted", "discovery_url", "tenant"}
    return Provider(
        slug=slug,
        **{key: value for key, value in config.items() if key in known},
        extra={key: value for key, value in config.items() if key not in known},
    )


def providers_all() -> list[Provider]:
    return [provider_get(slug) for slug in settings.SOCIAL_PROVIDERS]


def http_json(method: str, url: str, *, expect: type = dict, **kwargs):
    """A JSON object (or `expect=list`, array) from the provider; 503 when it cannot be reached, 502 when not one."""
    headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
    try:
        response = requests.request(method, url, headers=headers, timeout=settings.SOCIAL_HTTP_TIMEOUT, **kwargs)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise ProviderUnavailable() from exc
    except requests.RequestException as exc:
        raise ProviderError() from exc
    if response.status_code >= 500:
        raise ProviderUnavailable() if response.status_code in (502, 503, 504) else ProviderError()
    if response.status_code >= 400 or len(response.content) > MAX_DOCUMENT_BYTES:
        raise ProviderError()
    try:
        body = response.json()
    except ValueError as exc:
        raise ProviderError() from exc
    if not isinstance(body, expect):
        raise ProviderError()
    return body


def _cache_key(provider: Provider, what: str) -> str:
    return f"social:{what}:{provider.slug}:{provider.discovery_url or provider.preset}"


def discovery(provider: Provider) -> dict:
    """The provider's OpenID configuration (cached), with the fields a login needs."""
    if provider.preset == "github":
        return {
            "issuer": GITHUB_ISSUER,
            "authorization_endpoint": provider.extra.get("authorization_endpoint", GITHUB_AUTHORIZE_URL),
            "token_endpoint": provider.extra.get("token_endpoint", GITHUB_TOKEN_URL),
            "api_url": provider.extra.get("api_url", GITHUB_API_URL),
        }
    key = _cache_key(provider, "discovery")
    document = cache.get(key)
    if document is None:
        document = http_json("GET", provider.discovery_url)
        needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if not all(isinstance(document.get(name), str) and document[name] for name in needed):
            raise ProviderError()
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def _jwks_fetch(provider: Provider) -> dict:
    document = http_json("GET", discovery(provider)["jwks_uri"])
    try:
        KeySet.import_key_set(document)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ProviderError() from exc
    cache.set(_cache_key(provider, "jwks"), document, JWKS_SECONDS)
    return document


def signing_keys(provider: Provider, *, kid: str | None) -> KeySet:
    """The provider's keys; refetched when `kid` is not among the cached ones (a key rotation)."""
    document = cache.get(_cache_key(provider, "jwks"))
    if document is None or (
        kid is not None
        and kid not in {key.get("kid") for key in document.get("keys", [])}
        # add() is atomic in the shared cache: of many workers seeing the new kid, one refetches.
        and cache.add(_cache_key(provider, "jwks-refetch"), json.dumps(kid), JWKS_REFETCH_SECONDS)
    ):
        document = _jwks_fetch(provider)
    return KeySet.import_key_set(document)
