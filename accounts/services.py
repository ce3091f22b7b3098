"""
Writes of accounts: registration, profile and admin changes, and login sessions.

A login session is one chain of refresh tokens (rotated one for one) and the access tokens
made from them, all sharing a `sid`. Revocation has two levers, both checked against the user
row that authentication loads anyway: the session table (one session) and the user's
`token_version` (every token issued before now).
"""

import uuid

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.models import RevokedSession, Role, User
from accounts.selectors import active_admin_count, user_by_login, user_for_token
from accounts.tokens import SessionRefreshToken, TokenPair, token_pair_build, token_session_claims

LOGIN_FAILED = "No active account found with the given credentials."
TOKEN_INVALID = "Token is invalid or expired."
TOKEN_REVOKED = "Token has been revoked."
REFRESH_REUSED = "This refresh token was already used or revoked; every session of this account is now signed out."
LOGOUT_REFRESH_INVALID = "This refresh token is invalid, expired, revoked or not yours."
USERNAME_TAKEN = "A user with that username already exists."
EMAIL_TAKEN = "A user with that email already exists."
LAST_ADMIN = "The last active admin cannot be demoted or deactivated; make another user an admin first."


# --- users -------------------------------------------------------------------------------------


def _unique_violation(exc: IntegrityError) -> ValidationError:
    """Turn a lost race on the case-insensitive unique indexes into the same 400 as the serializer's check."""
    diag = getattr(exc.__cause__, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or str(exc)
    if "email" in constraint:
        return ValidationError({"email": ValidationError(EMAIL_TAKEN, code="unique")})
    if "username" in constraint:
        return ValidationError({"username": ValidationError(USERNAME_TAKEN, code="unique")})
    raise exc


def _save_unique(user: User, **kwargs) -> None:
    try:
        with transaction.atomic():
            user.save(**kwargs)
    except IntegrityError as exc:
        raise _unique_violation(exc) from exc


def user_register(*, username: str, email: str, password: str) -> User:
    """Create a `user`-role account (the role is never taken from the request)."""
    user = User(username=username, email=email, role=Role.USER)
    user.set_password(password)
    _save_unique(user)
    return user


def user_profile_update(*, user: User, **fields: str) -> User:
    """Change the caller's own `username` and/or `email`."""
    for name, value in fields.items():
        setattr(user, name, value)
    if fields:
        _save_unique(user, update_fields=list(fields))
    return user


@transaction.atomic
def user_password_change(*, user: User, new_password: str) -> None:
    """Set a new password (already validated) and reject every token issued before now."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    user_tokens_revoke_all(user=user)


def demotes_last_active_admin(*, user: User, role: str | None = None, is_active: bool | None = None) -> bool:
    """Whether the change would leave no active admin (call under `active_admin_count(lock=True)`)."""
    loses_admin = (role is not None and role != Role.ADMIN) or is_active is False
    return user.role == Role.ADMIN and user.is_active and loses_admin and active_admin_count() <= 1


@transaction.atomic
def user_admin_update(*, user: User, role: str | None = None, is_active: bool | None = None) -> User:
    """An admin changes a user's role and/or active flag; deactivation revokes every token."""
    active_admin_count(lock=True)  # serializes concurrent demotions of the last two admins
    user = User.objects.select_for_update().get(pk=user.pk)
    if demotes_last_active_admin(user=user, role=role, is_active=is_active):
        raise ValidationError(
            {"role" if role is not None else "is_active": ValidationError(LAST_ADMIN, code="last_admin")}
        )
    deactivated = user.is_active and is_active is False
    user.role = role if role is not None else user.role
    user.is_active = is_active if is_active is not None else user.is_active
    user.save(update_fields=["role", "is_active"])
    if deactivated:
        user_tokens_revoke_all(user=user)
    return user


# --- sessions ----------------------------------------------------------------------------------


def _outstand(*, user: User, refresh: SessionRefreshToken) -> OutstandingToken:
    return OutstandingToken.objects.create(
        user=user,
        jti=refresh[api_settings.JTI_CLAIM],
        token=str(refresh),
        created_at=refresh.current_time,
        expires_at=datetime_from_epoch(refresh["exp"]),
    )


def _outstanding_for_update(*, refresh: Token, user_id: int) -> OutstandingToken | None:
    """
    The refresh token's row, locked until the transaction ends, with `blacklisted` set.

    The blacklist is read by a second statement on purpose: a waiter that gets the lock after
    a concurrent rotation committed must see that rotation, and in READ COMMITTED only a new
    statement does (a subquery of the locking SELECT would still use the old snapshot).
    """
    outstanding = (
        OutstandingToken.objects.select_for_update()
        .filter(jti=refresh.get(api_settings.JTI_CLAIM), user_id=user_id)
        .first()
    )
    if outstanding is not None:
        outstanding.blacklisted = BlacklistedToken.objects.filter(token=outstanding).exists()
    return outstanding


def session_start(*, user: User) -> TokenPair:
    """Open a new login session for `user`; return its first token pair."""
    pair = token_pair_build(user=user, sid=uuid.uuid4())
    _outstand(user=user, refresh=pair.refresh)
    return pair


def user_login(*, identifier: str, password: str) -> tuple[User, TokenPair]:
    """
    Check a username-or-email and password; open a session.

    Unknown, wrong-password and inactive accounts get the same error after the same hashing
    work (Django's ModelBackend does the same), so neither the answer nor its timing tells
    which accounts exist. A successful check upgrades an outdated hash.
    """
    user = user_by_login(identifier=identifier)
    if user is None:
        make_password(password)
        raise AuthenticationFailed(LOGIN_FAILED)
    if not user.check_password(password) or not user.is_active:
        raise AuthenticationFailed(LOGIN_FAILED)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    return user, session_start(user=user)


def _verified_refresh(raw: str) -> tuple[SessionRefreshToken, int, int, uuid.UUID]:
    refresh = SessionRefreshToken(raw)
    user_id, version, sid = token_session_claims(refresh)
    return refresh, user_id, version, sid


def session_refresh(*, raw_refresh: str) -> TokenPair:
    """
    Rotate a refresh token: blacklist it and issue a new pair in the same session.

    The token's row is locked, so of two concurrent uses one wins and the other sees it
    rotated. A rotated or logged-out refresh presented again is treated as stolen: every
    token of the user is revoked (committed before the 401 is raised).
    """
    try:
        refresh, user_id, version, sid = _verified_refresh(raw_refresh)
    except (TokenError, ValueError) as exc:
        raise AuthenticationFailed(TOKEN_INVALID) from exc
    pair = None
    with transaction.atomic():
        outstanding = _outstanding_for_update(refresh=refresh, user_id=user_id)
        user = user_for_token(user_id=user_id, sid=sid) if outstanding else None
        # Past the user's cutoff, everything older is already dead: nothing more to revoke.
        if user is None or not user.is_active or user.token_version != version:
            raise AuthenticationFailed(TOKEN_INVALID)
        if outstanding.blacklisted or user.session_revoked:
            user_tokens_revoke_all(user=user)
        else:
            BlacklistedToken.objects.create(token=outstanding)
            pair = token_pair_build(user=user, sid=sid)
            _outstand(user=user, refresh=pair.refresh)
    if pair is None:
        raise AuthenticationFailed(REFRESH_REUSED)
    return pair


@transaction.atomic
def session_logout(*, user: User, access: Token, raw_refresh: str) -> None:
    """
    End the caller's session: its refresh token and the access token of this call.

    The refresh must be the caller's own, current one; anything else is a 400 and revokes
    nothing. When the two tokens belong to different sessions of the caller, both end.
    """
    invalid = ValidationError({"refresh": ValidationError(LOGOUT_REFRESH_INVALID, code="invalid")})
    try:
        refresh, user_id, version, sid = _verified_refresh(raw_refresh)
        _, _, access_sid = token_session_claims(access)
    except (TokenError, ValueError) as exc:
        raise invalid from exc
    if user_id != user.pk or version != user.token_version:
        raise invalid
    outstanding = _outstanding_for_update(refresh=refresh, user_id=user.pk)
    if outstanding is None or outstanding.blacklisted or RevokedSession.objects.filter(sid=sid).exists():
        raise invalid
    BlacklistedToken.objects.create(token=outstanding)
    # No token of either session can outlive a refresh issued now.
    expires_at = timezone.now() + api_settings.REFRESH_TOKEN_LIFETIME
    RevokedSession.objects.bulk_create(
        [RevokedSession(sid=s, user=user, expires_at=expires_at) for s in {sid, access_sid}],
        ignore_conflicts=True,
    )


@transaction.atomic
def user_tokens_revoke_all(*, user: User) -> None:
    """Reject every token issued to `user` before now, on every process at once."""
    User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)
    user.refresh_from_db(fields=["token_version"])
    live = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token_id=pk) for pk in live.values_list("pk", flat=True)], ignore_conflicts=True
    )


def tokens_purge_expired() -> tuple[int, int]:
    """Delete expired outstanding tokens (their blacklist rows go with them) and ended sessions."""
    now = timezone.now()
    tokens, _ = OutstandingToken.objects.filter(expires_at__lte=now).delete()
    sessions, _ = RevokedSession.objects.filter(expires_at__lte=now).delete()
    return tokens, sessions
