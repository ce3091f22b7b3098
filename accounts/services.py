"""
Writes of accounts: registration, the caller's profile and password, and admins' changes to users.

Login sessions and tokens live in `accounts.sessions`. Like every service, these raise Django's
`ValidationError` for a rule the input breaks (400), never an HTTP exception, so the API and
the Django admin call the same functions. Security-relevant changes record their event
(`audit`) in the same transaction; `actor` is who did it (the user themselves, an admin, or
None for an operator's command) and `context` where the request came from.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.credentials import credentials_revoke
from accounts.email_verification import email_change_request, email_verification_send
from accounts.models import EMAIL_TAKEN as EMAIL_TAKEN  # re-exported: serializers and tests import it from here
from accounts.models import UNIQUE_FIELDS, Role, User
from accounts.models import USERNAME_TAKEN as USERNAME_TAKEN
from accounts.second_factor import second_factor
from accounts.selectors import active_admin_count
from accounts.sessions import user_tokens_revoke_all
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error, save_unique

MFA_ONLY_OFF = (
    "An admin can only turn two-factor authentication off (false); the user turns it on with their own authenticator."
)
LAST_ADMIN = "The last active admin cannot be demoted, deactivated or deleted; make another user an admin first."


@transaction.atomic
def user_register(*, username: str, email: str, password: str) -> User:
    """Create a `user`-role account (the role is never taken from the request); mail it a verification link."""
    user = User(username=username, email=email, role=Role.USER)
    user.set_password(password)
    save_unique(user, unique=UNIQUE_FIELDS)
    email_verification_send(user=user)
    return user


@transaction.atomic
def user_profile_update(
    *, user: User, username: str | None = None, email: str | None = None, context: RequestContext | None = None
) -> User:
    """
    Change the caller's own `username`; a new `email` is only requested (see `email_change_request`).

    Nothing else is written. An email change over its mail limit refuses the whole update (429).
    """
    if email is not None and User.objects.normalize_email(email) != user.email:
        email_change_request(user=user, email=email, context=context)
    if username is not None:
        user.username = username
        save_unique(user, unique=UNIQUE_FIELDS, update_fields=["username"])
    return user


@transaction.atomic
def user_password_change(
    *,
    user: User,
    new_password: str | None,
    actor: User | None = None,
    context: RequestContext | None = None,
    revoke_api_keys: bool = True,
) -> None:
    """
    Set a new password (already validated) and reject every token issued before now; unless
    `revoke_api_keys` is False, the user's other credentials (API keys) are revoked too
    (`accounts.credentials`): whoever changed it may be shutting out someone who stole the account.

    `new_password=None` turns password login off (the Django admin offers it).
    """
    if new_password is None:
        user.set_unusable_password()
    else:
        user.set_password(new_password)
    user.save(update_fields=["password"])
    user_tokens_revoke_all(user=user)
    revoked = (
        credentials_revoke(user=user, actor=actor, context=context, reason="password_changed") if revoke_api_keys else 0
    )
    # How many API keys (scripts, integrations) went with it; the detail guard refuses "credentials" as a key.
    detail = {"integrations_revoked": revoked}
    event_record(event=Event.PASSWORD_CHANGED, user=user, actor=actor, context=context, detail=detail)


def last_admin_check(*, user: User, role: str | None = None, is_active: bool | None = None) -> None:
    """
    Refuse a change that would leave no active admin: demoting, deactivating or (both None) deleting `user`.

    Race-free only under `active_admin_count(lock=True)`, as the services below call it; the
    Django admin also calls it unlocked to show the error on the form.
    """
    deleting = role is None and is_active is None
    stays_admin = not deleting and role in (None, Role.ADMIN) and is_active is not False
    if user.is_admin and user.is_active and not stays_admin and active_admin_count() <= 1:
        if deleting:
            raise ValidationError(LAST_ADMIN, code="last_admin")
        raise field_error("role" if role not in (None, Role.ADMIN) else "is_active", LAST_ADMIN, code="last_admin")


@transaction.atomic
def user_admin_update(
    *,
    user: User,
    role: str | None = None,
    is_active: bool | None = None,
    mfa_enabled: bool | None = None,
    actor: User | None = None,
    context: RequestContext | None = None,
) -> User:
    """
    An admin (`actor`) changes a user's role and/or active flag, or turns their two-factor off
    (`mfa_enabled=False`, through the second-factor hook: every session of the user ends);
    deactivation revokes every token.
    """
    if mfa_enabled is True:
        raise field_error("mfa_enabled", MFA_ONLY_OFF, code="only_off")
    active_admin_count(lock=True)  # serializes concurrent demotions of the last two admins
    user = User.objects.select_for_update().get(pk=user.pk)
    if mfa_enabled is False:
        second_factor().disable(user=user, actor=actor, context=context, keep_sid=None)
        user.refresh_from_db(fields=["mfa_enabled"])
    if role is None and is_active is None:
        return user
    last_admin_check(user=user, role=role, is_active=is_active)
    old_role, was_active = user.role, user.is_active
    user.role = role if role is not None else user.role
    user.is_active = is_active if is_active is not None else user.is_active
    user.save(update_fields=["role", "is_active"])
    if was_active and not user.is_active:
        user_tokens_revoke_all(user=user)
    _access_changes_record(user=user, old_role=old_role, was_active=was_active, actor=actor, context=context)
    return user


def _access_changes_record(
    *, user: User, old_role: str, was_active: bool, actor: User | None, context: RequestContext | None
) -> None:
    """One event per change that happened: role, deactivation, reactivation (none for a no-op)."""
    if user.role != old_role:
        detail = {"old_role": old_role, "new_role": user.role}
        event_record(event=Event.USER_ROLE_CHANGED, user=user, actor=actor, context=context, detail=detail)
    if was_active != user.is_active:
        event = Event.USER_REACTIVATED if user.is_active else Event.USER_DEACTIVATED
        event_record(event=event, user=user, actor=actor, context=context)


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete an account (the Django admin's delete); never the last active admin."""
    active_admin_count(lock=True)
    user = User.objects.select_for_update().get(pk=user.pk)
    last_admin_check(user=user)
    user.delete()
