"""
Login sessions: open (login), rotate (refresh), end (logout), and end them all.

A login session is one chain of refresh tokens (rotated one for one) and the access tokens
made from them, all sharing a `sid`, with a `LoginSession` row (where and when it was last used,
for the sessions page). Revocation has two levers, both checked in the query that loads the user
for every request: the session's `ended_at` (one session) and the user's `token_version` (every
token issued before now). A token whose session row is missing or expired is refused (fail closed).

Like every service, these raise Django's `ValidationError` for bad input (400) and
`common.service_exceptions.AuthenticationError` for rejected credentials or tokens (401).
Each records its security event (`audit`) in the transaction of the change, from the request
`context` the view hands over; the event's `detail.session` is the login session's id.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts import lockout, login_hooks
from accounts.models import LoginSession, User
from accounts.second_factor import LoginChallenge, second_factor
from accounts.selectors import session_of_user_locked, user_by_login, user_for_token
from accounts.tokens import SESSION_CLAIM, SessionRefreshToken, TokenPair, token_pair_build, token_session_claims
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error
from common.service_exceptions import AuthenticationError, Forbidden

LOGIN_FAILED = "No active account found with the given credentials."
TOKEN_INVALID = "Token is invalid or expired."
TOKEN_REVOKED = "Token has been revoked."
REFRESH_REUSED = "This refresh token was already used or revoked; every session of this account is now signed out."
LOGOUT_REFRESH_INVALID = "This refresh token is invalid, expired, revoked or not yours."
# RFC 8176's name for a password login (OIDC `amr`).
PASSWORD_AMR = ("pwd",)
EMAIL_NOT_VERIFIED = "Verify your email address first: use the link we mailed you, or ask for a new one."


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


def _verified_refresh(raw: str) -> tuple[SessionRefreshToken, int, int, uuid.UUID]:
    """A signed, unexpired refresh token and its session claims; TokenError or ValueError otherwise."""
    refresh = SessionRefreshToken(raw)
    user_id, version, sid = token_session_claims(refresh)
    return refresh, user_id, version, sid


def _context_fields(context: RequestContext | None) -> dict:
    return {"ip": context.ip, "user_agent": context.user_agent} if context else {}


def session_start(*, user: User, context: RequestContext | None = None, amr: Sequence[str] = PASSWORD_AMR) -> TokenPair:
    """
    Open a new login session for `user` (recording where the request came from); return its first token pair.

    A login is a fresh authentication: the session's `auth_time` is now, its `amr` the methods the login used.
    """
    now = timezone.now()
    pair = token_pair_build(user=user, sid=uuid.uuid4(), auth_time=now, amr=amr)
    LoginSession.objects.create(
        sid=pair.refresh[SESSION_CLAIM],
        user=user,
        created_at=now,
        last_used_at=now,
        expires_at=datetime_from_epoch(pair.refresh["exp"]),
        auth_time=now,
        amr=list(amr),
        **_context_fields(context),
    )
    _outstand(user=user, refresh=pair.refresh)
    return pair


def _session_touch(*, user: User, sid: uuid.UUID, refresh: SessionRefreshToken, context: RequestContext | None) -> None:
    """A refresh keeps the session: its last use, address and user agent are now this request's."""
    fields = {"last_used_at": timezone.now(), "expires_at": datetime_from_epoch(refresh["exp"])}
    fields.update(_context_fields(context))
    LoginSession.objects.filter(sid=sid, user=user).update(**fields)


def _session_authentication(*, sid: uuid.UUID) -> tuple[datetime | None, list[str]]:
    """When and how the user last authenticated in session `sid` (a login or a reauthentication)."""
    row = LoginSession.objects.filter(sid=sid).values_list("auth_time", "amr").first()
    return (row[0], row[1] or []) if row else (None, [])


def _login_refused(*, user: User | None, reason: str, context: RequestContext | None) -> AuthenticationError:
    # No transaction to join: the refusal is recorded on its own, and committed before the 401.
    # The name that was typed is not kept: people type their password into it.
    event_record(event=Event.LOGIN_FAILED, user=user, context=context, detail={"reason": reason})
    return AuthenticationError(LOGIN_FAILED)


def _email_verification_check(*, user: User, context: RequestContext | None) -> None:
    """`EMAIL_VERIFICATION=mandatory`: a right password is not enough before the email is verified (403, no tokens)."""
    if settings.EMAIL_VERIFICATION == "mandatory" and not user.email_verified:
        _login_refused(user=user, reason="email_not_verified", context=context)
        raise Forbidden(EMAIL_NOT_VERIFIED, code="email_not_verified")


def user_credentials_check(*, identifier: str, password: str, context: RequestContext | None = None) -> User:
    """
    The first login step: a username-or-email and password of an active account that may log in.

    Unknown, wrong-password and inactive accounts get the same error after the same hashing
    work (Django's ModelBackend does the same), so neither the answer nor its timing tells
    which accounts exist. A successful check upgrades an outdated hash. A refusal is recorded;
    its `detail.reason` is `unknown_account`, `wrong_password`, `inactive_account` or
    `email_not_verified` (mandatory verification: 403 after a correct password, never before).

    Each check counts against the account's failed-attempt limit (`accounts.lockout`; an unknown
    name counts by the name); past it, 429 before any check, whatever the password.
    """
    user = user_by_login(identifier=identifier)
    attempt = lockout.attempt_start(
        factor=lockout.Factor.PASSWORD, ident=lockout.account_ident(user=user, name=identifier)
    )
    if user is None:
        make_password(password)
        attempt.failed(user=None, step="password", context=context)
        raise _login_refused(user=None, reason="unknown_account", context=context)
    if not user.check_password(password):
        attempt.failed(user=user, step="password", context=context)
        raise _login_refused(user=user, reason="wrong_password", context=context)
    attempt.succeeded()
    login_allowed_check(user=user, context=context)
    login_hooks.password_accepted(user=user, password=password, context=context)
    return user


def login_allowed_check(*, user: User, context: RequestContext | None = None) -> None:
    """The rules a login must pass besides the credentials (also checked again by a second step)."""
    if not user.is_active:
        raise _login_refused(user=user, reason="inactive_account", context=context)
    _email_verification_check(user=user, context=context)


@transaction.atomic
def login_complete(
    *,
    user: User,
    context: RequestContext | None = None,
    detail: dict | None = None,
    amr: Sequence[str] = PASSWORD_AMR,
) -> TokenPair:
    """
    Every check passed: open a session (authenticated now, by the methods `amr` names) and record
    `login_succeeded` (`detail` adds to its detail).
    """
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    pair = session_start(user=user, context=context, amr=amr)
    event_record(
        event=Event.LOGIN_SUCCEEDED,
        user=user,
        actor=user,
        context=context,
        detail={"session": pair.refresh[SESSION_CLAIM], **(detail or {})},
    )
    login_hooks.login_completed(user=user, sid=uuid.UUID(str(pair.refresh[SESSION_CLAIM])), amr=amr, context=context)
    return pair


def user_login(
    *, identifier: str, password: str, context: RequestContext | None = None
) -> tuple[User, TokenPair | LoginChallenge]:
    """
    Check a username-or-email and password (`user_credentials_check`); open a session.

    For a user with two-factor on no session is opened: the second-factor app's challenge is
    returned instead (`accounts.second_factor`), and `login_succeeded` waits for its second step.
    """
    user = user_credentials_check(identifier=identifier, password=password, context=context)
    if user.mfa_enabled:
        return user, second_factor().login_challenge(user=user, context=context)
    return user, login_complete(user=user, context=context)


def session_refresh(*, raw_refresh: str, context: RequestContext | None = None) -> TokenPair:
    """
    Rotate a refresh token: blacklist it and issue a new pair in the same session.

    The token's row is locked, so of two concurrent uses one wins and the other sees it
    rotated. A rotated or logged-out refresh presented again is treated as stolen: every
    token of the user is revoked (committed before the 401 is raised). The refresh of a session
    that was ended from elsewhere (the sessions page, a two-factor change) is only refused:
    whoever held it is signed out, and the user keeps the session they chose to keep.
    """
    try:
        refresh, user_id, version, sid = _verified_refresh(raw_refresh)
    except (TokenError, ValueError) as exc:
        raise AuthenticationError(TOKEN_INVALID) from exc
    pair = None
    with transaction.atomic():
        outstanding = _outstanding_for_update(refresh=refresh, user_id=user_id)
        user = user_for_token(user_id=user_id, sid=sid) if outstanding else None
        # Past the user's cutoff, everything older is already dead: nothing more to revoke.
        if user is None or not user.is_active or user.token_version != version:
            raise AuthenticationError(TOKEN_INVALID)
        if user.session_revoked and not outstanding.blacklisted:
            raise AuthenticationError(TOKEN_REVOKED)
        if outstanding.blacklisted:
            user_tokens_revoke_all(user=user)
            # Whoever presented it is unknown (the thief or the victim): no actor.
            event_record(event=Event.REFRESH_REUSE_DETECTED, user=user, context=context, detail={"session": sid.hex})
        else:
            BlacklistedToken.objects.create(token=outstanding)
            # A refresh keeps the session's authentication as it is: it never makes it more recent.
            auth_time, amr = _session_authentication(sid=sid)
            pair = token_pair_build(user=user, sid=sid, auth_time=auth_time, amr=amr)
            _outstand(user=user, refresh=pair.refresh)
            _session_touch(user=user, sid=sid, refresh=pair.refresh, context=context)
    if pair is None:
        raise AuthenticationError(REFRESH_REUSED)
    return pair


@transaction.atomic
def session_logout(*, user: User, access: Token, raw_refresh: str, context: RequestContext | None = None) -> None:
    """
    End the caller's session: its refresh token and the access token of this call.

    The refresh must be the caller's own, current one; anything else is a 400 and revokes
    nothing. When the two tokens belong to different sessions of the caller, both end.
    """
    try:
        refresh, user_id, version, sid = _verified_refresh(raw_refresh)
        _, _, access_sid = token_session_claims(access)
    except (TokenError, ValueError) as exc:
        raise field_error("refresh", LOGOUT_REFRESH_INVALID, code="invalid") from exc
    if user_id != user.pk or version != user.token_version:
        raise field_error("refresh", LOGOUT_REFRESH_INVALID, code="invalid")
    outstanding = _outstanding_for_update(refresh=refresh, user_id=user.pk)
    if (
        outstanding is None
        or outstanding.blacklisted
        or not LoginSession.objects.filter(sid=sid, user=user, ended_at__isnull=True).exists()
    ):
        raise field_error("refresh", LOGOUT_REFRESH_INVALID, code="invalid")
    BlacklistedToken.objects.create(token=outstanding)
    _sessions_end(user=user, sids={sid, access_sid})
    event_record(event=Event.LOGOUT, user=user, actor=user, context=context, detail={"session": sid.hex})


@transaction.atomic
def user_logout_all(*, user: User, context: RequestContext | None = None) -> None:
    """The caller ends every one of their sessions: every token issued before now is rejected."""
    user_tokens_revoke_all(user=user)
    event_record(event=Event.LOGOUT_ALL, user=user, actor=user, context=context)


def _sessions_end(*, user: User, sids: set[uuid.UUID]) -> None:
    """End these sessions of `user` (a token without a live session row is refused anyway)."""
    LoginSession.objects.filter(sid__in=sids, user=user, ended_at__isnull=True).update(ended_at=timezone.now())


@transaction.atomic
def session_revoke(*, user: User, sid: uuid.UUID, context: RequestContext | None = None) -> None:
    """
    The user ends one of their active sessions (the sessions page): its refresh and access tokens
    are rejected from now on. Someone else's, an ended or an unknown session is a 404.
    """
    session = session_of_user_locked(user=user, sid=sid)
    session.ended_at = timezone.now()
    session.save(update_fields=["ended_at"])
    _session_epoch_bump(user=user)
    event_record(event=Event.SESSION_REVOKED, user=user, actor=user, context=context, detail={"session": sid.hex})


@transaction.atomic
def user_sessions_end(*, user: User, keep_sid: uuid.UUID | None = None) -> int:
    """
    End every active session of `user` except `keep_sid` (the caller's, when there is one);
    return how many ended. Tokens of the ended sessions are rejected from now on, everywhere.
    """
    others = LoginSession.objects.filter(user=user, ended_at__isnull=True)
    if keep_sid is not None:
        others = others.exclude(sid=keep_sid)
    _session_epoch_bump(user=user)
    return others.update(ended_at=timezone.now())


@transaction.atomic
def sessions_end_by_staff(*, sids: Sequence[uuid.UUID], actor: User, context: RequestContext | None = None) -> int:
    """
    Staff end these login sessions (the admin's "End selected sessions"): their tokens are rejected
    from now on, and each ended one is a `session_revoked` event done by `actor`. Return how many ended.
    """
    ending = list(
        LoginSession.objects.select_for_update()
        .filter(sid__in=sids, ended_at__isnull=True)
        .values_list("sid", "user_id", named=True)
    )
    LoginSession.objects.filter(sid__in=[s.sid for s in ending]).update(ended_at=timezone.now())
    User.objects.filter(pk__in={s.user_id for s in ending}).update(session_epoch=F("session_epoch") + 1)
    for session in ending:
        event_record(
            event=Event.SESSION_REVOKED,
            user=User(pk=session.user_id),
            actor=actor,
            context=context,
            detail={"session": session.sid.hex},
        )
    return len(ending)


def _session_epoch_bump(*, user: User) -> None:
    """Sessions of `user` ended: their Django admin cookie sessions end too (`User.session_epoch`)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


@transaction.atomic
def user_tokens_revoke_all(*, user: User) -> None:
    """Reject every token issued to `user` before now, on every process at once."""
    User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)
    user.refresh_from_db(fields=["token_version"])
    # Their tokens are dead already; ending the rows keeps them off the sessions page.
    LoginSession.objects.filter(user=user, ended_at__isnull=True).update(ended_at=timezone.now())
    live = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token_id=pk) for pk in live.values_list("pk", flat=True)], ignore_conflicts=True
    )


def tokens_purge_expired() -> tuple[int, int]:
    """Delete expired outstanding tokens (their blacklist rows go with them) and expired sessions."""
    now = timezone.now()
    tokens, _ = OutstandingToken.objects.filter(expires_at__lte=now).delete()
    sessions, _ = LoginSession.objects.filter(expires_at__lte=now).delete()
    return tokens, sessions
