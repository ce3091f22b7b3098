"""
Role and ownership permissions shared by every app.

Roles are read from the user row that authentication loaded, never from a token claim,
so a demotion takes effect on the very next request; what each role may do is stated once,
by `User.is_admin` and `User.can_moderate`. Combine classes with `&` and `|`:
`IsAdmin | ReadOnly`, `IsOwner | IsAdmin`.

`RecentAuthentication` guards the credential changes (RFC 9470's step-up): the caller must have
logged in or reauthenticated within `REAUTH_SECONDS`.
"""

import time

from django.conf import settings
from drf_spectacular.utils import OpenApiExample
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework_simplejwt.tokens import Token

from accounts.schema import REAUTHENTICATION_CHALLENGE_HEADER, ErrorResponse401ReauthenticationSerializer
from accounts.tokens import token_auth_time

ADMIN_REQUIRED = "Only an admin can do this."
MODERATOR_REQUIRED = "Only a moderator or an admin can do this."
OWNER_REQUIRED = "Only the owner can do this."
REAUTHENTICATION_REQUIRED = (
    "Confirm it is you: reauthenticate (auth/reauthenticate/) and send the new access token with this request."
)


class IsAdmin(BasePermission):
    """The caller's role is `admin`."""

    message = ADMIN_REQUIRED

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_admin)


class IsModerator(BasePermission):
    """The caller's role is `moderator` or `admin`."""

    message = MODERATOR_REQUIRED

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.can_moderate)


class ReadOnly(BasePermission):
    """The request only reads (GET, HEAD, OPTIONS)."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS


class IsOwner(BasePermission):
    """The object belongs to the caller; the view names the owner field in `owner_field`."""

    message = OWNER_REQUIRED

    def has_object_permission(self, request, view, obj) -> bool:
        owner_field = getattr(view, "owner_field", "author")
        return getattr(obj, f"{owner_field}_id") == request.user.pk


class ReauthenticationRequired(AuthenticationFailed):
    """
    401 `reauthentication_required` with RFC 9470's challenge, `WWW-Authenticate: Bearer
    error="insufficient_user_authentication", max_age=<REAUTH_SECONDS>`, in place of the usual one
    (`common.exceptions` keeps an exception's own `challenge`).
    """

    default_detail = REAUTHENTICATION_REQUIRED
    default_code = "reauthentication_required"

    def __init__(self):
        super().__init__()
        self.challenge = reauthentication_challenge()


def reauthentication_challenge() -> str:
    return f'Bearer error="insufficient_user_authentication", max_age={settings.REAUTH_SECONDS}'


def recent_authentication_check(request) -> None:
    """
    Raise `ReauthenticationRequired` unless the request's bearer token says its session authenticated
    within `REAUTH_SECONDS` (its signed `auth_time` claim). Any other credential (an API key: no login
    session, no one at the keyboard) is refused the same way: it fails closed.
    """
    auth_time = token_auth_time(request.auth) if isinstance(request.auth, Token) else None
    if auth_time is None or time.time() - auth_time > settings.REAUTH_SECONDS:
        raise ReauthenticationRequired()


class RecentAuthentication(BasePermission):
    """The caller logged in or reauthenticated within `REAUTH_SECONDS` (else 401 `reauthentication_required`)."""

    # The schema documents the 401 and its challenge where this applies (common.openapi).
    error_response_401 = ErrorResponse401ReauthenticationSerializer
    challenge_header = REAUTHENTICATION_CHALLENGE_HEADER
    example_401 = OpenApiExample(
        "ReauthenticationRequired",
        value={
            "type": "client_error",
            "errors": [{"code": "reauthentication_required", "detail": REAUTHENTICATION_REQUIRED, "attr": None}],
        },
        response_only=True,
        status_codes=["401"],
    )

    def applies(self, request) -> bool:
        return True

    def documented_for(self, method: str) -> bool:
        return True

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return True  # IsAuthenticated, before this, answers the 401 of a missing login
        if self.applies(request):
            recent_authentication_check(request)
        return True


# A ViewSet mixin: the actions in `recent_authentication_actions` also need `RecentAuthentication`. (A comment,
# not a docstring: drf-spectacular would show a mixin's docstring as the description of its views' operations.)
class RecentAuthenticationForActions:
    recent_authentication_actions: frozenset[str] = frozenset()

    def get_permissions(self):
        permissions = super().get_permissions()
        if self.action in self.recent_authentication_actions:
            permissions.append(RecentAuthentication())
        return permissions


class RecentAuthenticationForEmailChange(RecentAuthentication):
    """`auth/me/`: asking for another email or deleting the account needs a recent authentication (not a username)."""

    def applies(self, request) -> bool:
        if request.method == "DELETE":
            return True
        email = request.data.get("email") if request.method == "PATCH" and hasattr(request.data, "get") else None
        return isinstance(email, str) and email.strip().lower() != request.user.email

    def documented_for(self, method: str) -> bool:
        return method in ("PATCH", "DELETE")
