"""Who may change a post: compositions of the shared role and ownership classes, each with its message."""

from rest_framework.permissions import BasePermission

from accounts.permissions import IsAdmin, IsModerator, IsOwner

EDIT_FORBIDDEN = "Only the author or an admin can edit this post."
DELETE_FORBIDDEN = "Only the author, a moderator or an admin can delete this post."


class CanEditPost(BasePermission):
    """The caller wrote the post or is an admin (moderators edit only their own)."""

    message = EDIT_FORBIDDEN

    def has_object_permission(self, request, view, obj) -> bool:
        return IsOwner().has_object_permission(request, view, obj) or IsAdmin().has_permission(request, view)


class CanDeletePost(BasePermission):
    """The caller wrote the post or is a moderator or an admin."""

    message = DELETE_FORBIDDEN

    def has_object_permission(self, request, view, obj) -> bool:
        return IsOwner().has_object_permission(request, view, obj) or IsModerator().has_permission(request, view)
