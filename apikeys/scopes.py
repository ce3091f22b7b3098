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

from django.urls import reverse

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

WRITE_SCOPE_REQUIRED = "This API key has the `read` scope only: it can send GET, HEAD and OPTIONS requests."
AUTH_ENDPOINT_CLOSED = (
    "API keys cannot be used on `auth/` endpoints other than reading `auth/me/`: log in to manage the account."
)


def path_open_to_keys(*, method: str, path: str) -> bool:
    """Whether an API key (with the right scope) may call `method` on `path`, the request's full path."""
    if not path.startswith(reverse("api-index") + "auth/"):
        return True
    return path == reverse("auth-me") and method in READ_METHODS


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
