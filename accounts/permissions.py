"""
Role and ownership permissions shared by every app.

Roles are read from the user row that authentication loaded, never from a token claim,
so a demotion takes effect on the very next request; what each role may do is stated once,
by `User.is_admin` and `User.can_moderate`. Combine classes with `&` and `|`:
`IsAdmin | ReadOnly`, `IsOwner | IsAdmin`.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

ADMIN_REQUIRED = "Only an admin can do this."
MODERATOR_REQUIRED = "Only a moderator or an admin can do this."
OWNER_REQUIRED = "Only the owner can do this."


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
