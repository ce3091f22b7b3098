"""
What an API key may do: the one rule every API view gets, whatever its own permission classes.

`ApiKeyAuthentication` applies it to every request it authenticates (so a view cannot forget
it), and the OpenAPI schema lists the API key scheme exactly where it lets a key through.
A key acts with its owner's current role on top of this: the view's permissions still apply.

- `read` allows GET, HEAD and OPTIONS; `write` allows every other method.
- Changes through `users/` (roles, activation, two-factor) need the `admin` scope too, which only
  an admin's key can have and nobody gets by default: an admin's ordinary key automates the
  catalogue, not the taking over of accounts.
- Nothing under `auth/` but reading `auth/me/`: keys cannot make keys, change a password,
  manage two-factor or sessions, or read the security log. New `auth/` endpoints are closed
  to keys without anyone having to remember it.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

WRITE_SCOPE_REQUIRED = "This API key has the `read` scope only: it can send GET, HEAD and OPTIONS requests."
ADMIN_SCOPE_REQUIRED = "Changes through `users/` need an API key with the `admin` scope (or a login)."
AUTH_ENDPOINT_CLOSED = (
    "API keys cannot be used on `auth/` endpoints other than reading `auth/me/`: log in to manage the account."
)


@functools.lru_cache(maxsize=16)
def _paths(script_prefix: str, urlconf: str) -> tuple[str, str, str]:
    # Reversing costs ~25 µs a call, on every key-authenticated request; the answer only changes
    # with the script prefix and the URLconf (the arguments are the cache's key).
    root = reverse("api-index", urlconf=urlconf)
    return root + "auth/", reverse("auth-me", urlconf=urlconf), root + "users/"


def _current_paths() -> tuple[str, str, str]:
    return _paths(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def path_open_to_keys(*, method: str, path: str) -> bool:
    """Whether an API key (with the right scope) may call `method` on `path`, the request's full path."""
    auth_root, me, _ = _current_paths()
    if not path.startswith(auth_root):
        return True
    return path == me and method in READ_METHODS


def path_needs_admin_scope(*, method: str, path: str) -> bool:
    """Whether a key needs the `admin` scope for this request: a change through `users/`."""
    return method not in READ_METHODS and path.startswith(_current_paths()[2])


def api_key_refusal(*, can_write: bool, can_admin: bool, method: str, path: str) -> str | None:
    """Why a key with these scopes may not send this request (a 403's message); None when it may."""
    if not path_open_to_keys(method=method, path=path):
        return AUTH_ENDPOINT_CLOSED
    if method not in READ_METHODS and not can_write:
        return WRITE_SCOPE_REQUIRED
    if not can_admin and path_needs_admin_scope(method=method, path=path):
        return ADMIN_SCOPE_REQUIRED
    return None


def api_key_may_be_refused(*, method: str, path: str) -> bool:
    """Whether some key may be refused this operation (the schema documents a 403 for it)."""
    return method not in READ_METHODS or not path_open_to_keys(method=method, path=path)
