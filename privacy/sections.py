"""
The sections of a data export that the existing apps hold, registered with `accounts.personal_data`
(later apps register their own: passkeys, linked identities).

Each section is one query (two for two-factor) whatever the number of rows, and lists columns by
name: a secret, a hash or a key is never among them.
"""

from accounts.models import LoginSession, User
from accounts.personal_data import personal_data_section_register
from apikeys.models import ApiKey
from audit.models import SecurityEvent
from mfa.models import Authenticator, RecoveryCode
from posts.models import Post, Vote
from privacy.models import DataExport, DeletionRequest


def profile(user: User) -> dict:
    fields = ["id", "username", "email", "first_name", "last_name", "role", "is_active", "date_joined"]
    fields += ["last_login", "email_verified", "pending_email", "mfa_enabled", "password_change_recommended"]
    return {name: getattr(user, name) for name in fields}


def login_sessions(user: User) -> list[dict]:
    columns = ["sid", "created_at", "last_used_at", "ip", "user_agent", "expires_at", "ended_at", "auth_time", "amr"]
    return list(LoginSession.objects.filter(user=user).order_by("created_at").values(*columns))


def security_events(user: User) -> list[dict]:
    """Events about the account, and those the user did to others' (an admin's changes), oldest first."""
    columns = ["id", "at", "event", "user_id", "actor_id", "ip", "user_agent", "request_id", "detail"]
    events = SecurityEvent.objects.filter(user=user) | SecurityEvent.objects.filter(actor=user)
    return list(events.order_by("at", "id").values(*columns))


def api_keys(user: User) -> list[dict]:
    columns = ["id", "name", "prefix", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at"]
    return list(ApiKey.objects.filter(owner=user).order_by("created_at", "id").values(*columns))


def two_factor(user: User) -> dict:
    authenticator = Authenticator.objects.filter(user=user).values("created_at", "confirmed_at").first()
    codes = list(RecoveryCode.objects.filter(user=user).order_by("id").values("created_at", "used_at"))
    return {"enabled": user.mfa_enabled, "authenticator": authenticator, "recovery_codes": codes}


def posts(user: User) -> list[dict]:
    columns = ["id", "title", "body", "score", "created_at", "updated_at"]
    return list(Post.objects.filter(author=user).order_by("created_at", "id").values(*columns))


def votes(user: User) -> list[dict]:
    return list(Vote.objects.filter(user=user).order_by("created_at", "id").values("post_id", "value", "created_at"))


def privacy_requests(user: User) -> dict:
    deletions = DeletionRequest.objects.filter(user=user).order_by("requested_at", "id")
    exports = DataExport.objects.filter(user=user).order_by("requested_at", "id")
    return {
        "deletion_requests": list(deletions.values("requested_at", "purge_after", "cancelled_at")),
        "data_exports": list(exports.values("requested_at", "ready_at", "expires_at", "downloaded_at")),
    }


BUILTIN_SECTIONS = {
    "profile": profile,
    "login_sessions": login_sessions,
    "security_events": security_events,
    "api_keys": api_keys,
    "two_factor": two_factor,
    "posts": posts,
    "votes": votes,
    "privacy": privacy_requests,
}


def builtin_sections_register() -> None:
    for name, section in BUILTIN_SECTIONS.items():
        personal_data_section_register(name, section)
