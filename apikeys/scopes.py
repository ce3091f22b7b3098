"""
What an API key may do: the one rule every API view gets, whatever its own permission classes.

`ApiKeyAuthentication` applies it to every request it authenticates (so a view cannot forget
it), and the OpenAPI schema lists the API key scheme exactly where it lets a key through.
A key acts with its owner's current role on top of this: the view's permissions still apply.

- `read` allows GET, HEAD and OPTIONS; `write` allows every other method.
- Nothing under `auth/` but reading `auth/me/`: keys cannot make keys, change a password,
  manage two-factor or sessions, or read the security log. New `auth/` endpoints are closed
  to keys without anyone having to remember it.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

WRITE_SCOPE_REQUIRED = "This API key has the `read` scope only: it can send GET, HEAD and OPTIONS requests."
AUTH_ENDPOINT_CLOSED = (
    "API keys cannot be used on `auth/` endpoints other than reading `auth/me/`: log in to manage the account."
)


@functools.lru_cache(maxsize=16)
def _auth_paths(script_prefix: str, urlconf: str) -> tuple[str, str]:
    # Reversing costs ~25 µs a call, on every key-authenticated request; the answer only changes
    # with the script prefix and the URLconf (the arguments are the cache's key).
    return reverse("api-index", urlconf=urlconf) + "auth/", reverse("auth-me", urlconf=urlconf)


def path_open_to_keys(*, method: str, path: str) -> bool:
    """Whether an API key (with the right scope) may call `method` on `path`, the request's full path."""
    auth_root, me = _auth_paths(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    if not path.startswith(auth_root):
        return True
    return path == me and method in READ_METHODS


def api_key_refusal(*, can_write: bool, method: str, path: str) -> str | None:
    """Why a key with these scopes may not send this request (a 403's message); None when it may."""
    if not path_open_to_keys(method=method, path=path):
        return AUTH_ENDPOINT_CLOSED
    if method not in READ_METHODS and not can_write:
        return WRITE_SCOPE_REQUIRED
    return None


def api_key_may_be_refused(*, method: str, path: str) -> bool:
    """Whether some key may be refused this operation (the schema documents a 403 for it)."""
    return method not in READ_METHODS or not path_open_to_keys(method=method, path=path)
