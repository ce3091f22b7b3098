"""
What a finished provider sign-in does to accounts: find the identity's user, link it, or create one.

The rules (docs/social-login.md):
- An identity is found by (`iss`, `sub`) only, never by email.
- An email that matches an existing account links to it without that account's password only
  when the provider is trusted (`SOCIAL_<PROVIDER>_TRUSTED`), its claim says `email_verified: true`
  and the account's own email is verified (so an account someone registered with a victim's
  address, unverified, is never handed the victim's provider login). Otherwise: 409
  `link_required` — sign in to the account, then link the provider (`auth/social/<provider>/link/`).
- A new account is verified only when the provider says `email_verified: true`; it has no usable
  password, so its identities are its way in, and the last one cannot be unlinked.
"""

import re
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Role, User
from accounts.second_factor import LoginChallenge, second_factor
from accounts.sessions import login_allowed_check, login_complete
from accounts.tokens import TokenPair
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error
from common.jobs import job_enqueue_on_commit
from social import tasks
from social.models import Identity
from social.providers import Provider

# RFC 8176 has no name for a federated login; "ext" (an external identity provider) says it, as
# the token's `amr` and the session's.
SOCIAL_AMR = ("ext",)
LINK_REQUIRED = "An account with this email already exists. Sign in to it, then link this provider in its settings."
EMAIL_MISSING = "The provider did not share an email address; an account needs one."
IDENTITY_TAKEN = "This provider account is already linked to another user."
LAST_SIGN_IN_METHOD = "This is the account's only way to sign in: set a password or link another provider first."
USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


class LinkRequired(Exception):
    """The email belongs to an account this sign-in may not enter without its credential (409)."""


def _username_for(claims: dict) -> str:
    base = claims.get("preferred_username") or claims.get("email", "").split("@")[0] or "user"
    base = USERNAME_UNSAFE.sub("", base)[:120] or "user"
    candidate = base
    while User.objects.annotate(name=Lower("username")).filter(name=candidate.lower()).exists():
        candidate = f"{base}-{secrets.token_hex(3)}"
    return candidate


def _user_create(*, claims: dict) -> User:
    if not claims.get("email"):
        raise field_error("ticket", EMAIL_MISSING, code="email_missing")
    user = User(
        username=_username_for(claims), email=claims["email"], role=Role.USER, email_verified=claims["email_verified"]
    )
    user.set_unusable_password()
    user.save()
    return user


def _identity_create(*, user: User, provider: Provider, claims: dict, context: RequestContext | None) -> Identity:
    try:
        with transaction.atomic():
            identity = Identity.objects.create(
                user=user, provider=provider.slug, issuer=claims["iss"], subject=claims["sub"], email=claims["email"]
            )
    except IntegrityError as exc:
        raise field_error("ticket", IDENTITY_TAKEN, code="identity_taken") from exc
    event_record(
        event=Event.IDENTITY_LINKED,
        user=user,
        actor=user,
        context=context,
        detail={"provider": provider.slug, "issuer": claims["iss"], "identity": identity.pk},
    )
    job_enqueue_on_commit(
        tasks.identity_linked_mail_send, user_id=user.pk, identity_id=identity.pk, key=str(uuid.uuid4())
    )
    return identity


def _user_for_claims(*, provider: Provider, claims: dict, context: RequestContext | None) -> tuple[User, bool]:
    """The user this sign-in is for, and whether it was created now; `LinkRequired` when it may not enter."""
    identity = (
        Identity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=claims["iss"], subject=claims["sub"])
        .first()
    )
    if identity is not None:
        identity.last_used_at = timezone.now()
        identity.email = claims["email"] or identity.email
        identity.save(update_fields=["last_used_at", "email"])
        return identity.user, False
    existing = User.objects.filter(email=claims["email"]).first() if claims["email"] else None
    if existing is not None:
        if not (provider.trusted and claims["email_verified"] and existing.email_verified):
            raise LinkRequired()
        _identity_create(user=existing, provider=provider, claims=claims, context=context)
        return existing, False
    try:
        with transaction.atomic():
            user = _user_create(claims=claims)
    except IntegrityError:
        # Someone took the email (or the name) meanwhile: the same answer as if they had been first.
        raise LinkRequired() from None
    _identity_create(user=user, provider=provider, claims=claims, context=context)
    return user, True


def social_login(
    *, provider: Provider, claims: dict, context: RequestContext | None = None
) -> tuple[User, TokenPair | LoginChallenge, bool]:
    """
    Sign in with a provider's verified claims: (the user, their token pair or second-factor challenge,
    whether the account was created now). 409 `LinkRequired`; 401/403 as a password login's rules.
    """
    try:
        with transaction.atomic():
            user, created = _user_for_claims(provider=provider, claims=claims, context=context)
    except LinkRequired:
        event_record(
            event=Event.LOGIN_FAILED,
            user=User.objects.filter(email=claims["email"]).first(),
            context=context,
            detail={"reason": "identity_not_linked", "provider": provider.slug},
        )
        raise
    login_allowed_check(user=user, context=context)
    if user.mfa_enabled:
        return user, second_factor().login_challenge(user=user, context=context), created
    pair = login_complete(user=user, context=context, detail={"provider": provider.slug}, amr=SOCIAL_AMR)
    return user, pair, created


@transaction.atomic
def identity_link(*, user: User, provider: Provider, claims: dict, context: RequestContext | None = None) -> Identity:
    """A signed-in user links the provider account they just signed in to (its ticket was made for them)."""
    existing = Identity.objects.filter(issuer=claims["iss"], subject=claims["sub"]).first()
    if existing is not None and existing.user_id == user.pk:
        return existing
    return _identity_create(user=user, provider=provider, claims=claims, context=context)


@transaction.atomic
def identity_unlink(*, user: User, identity_id: int, context: RequestContext | None = None) -> None:
    """Unlink one of the user's identities, unless it is their last way to sign in; 404 for anyone else's."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    identity = Identity.objects.filter(pk=identity_id, user=user).first()
    if identity is None:
        raise Identity.DoesNotExist()
    if not user.has_usable_password() and not Identity.objects.filter(user=user).exclude(pk=identity.pk).exists():
        raise ValidationError(LAST_SIGN_IN_METHOD, code="last_sign_in_method")
    identity.delete()
    event_record(
        event=Event.IDENTITY_UNLINKED,
        user=user,
        actor=user,
        context=context,
        detail={"provider": identity.provider, "issuer": identity.issuer, "identity": identity_id},
    )
