"""
Writes of two-factor authentication: enrol and confirm an authenticator, turn two-factor off,
replace the recovery codes, and the two steps of a login for a user with two-factor on.

Like every service these raise Django's `ValidationError` (400) and `AuthenticationError` (401),
record their security event in the transaction of the change, and never record a code, secret
or token. Turning two-factor on or off ends the user's other sessions (`keep_sid`: the caller's).
"""

import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import lockout, second_factor
from accounts.models import User
from accounts.sessions import login_allowed_check, login_complete, user_sessions_end
from accounts.tokens import TokenPair
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error
from common.jobs import job_enqueue_on_commit
from common.service_exceptions import AuthenticationError
from devices.security_notices import security_notice_send
from mfa import assertions, crypto, recovery_codes, tasks, totp
from mfa.code_format import code_normalize, code_well_formed
from mfa.models import Authenticator, LoginChallenge, RecoveryCode

CHALLENGE_LIFETIME = timedelta(minutes=5)
MAX_WRONG_CODES = 5
# RFC 8176: a password and a one-time password (a TOTP code, or a recovery code, used once too), two factors.
LOGIN_AMR = ("pwd", "otp", "mfa")
CODE_AMR = ("otp",)

ALREADY_ENABLED = "Two-factor authentication is already on; turn it off first to set up a new authenticator."
NOT_ENABLED = "Two-factor authentication is not on."
NO_PENDING_AUTHENTICATOR = "There is no authenticator to confirm; set one up first (auth/mfa/totp/)."
WRONG_CODE = "The code is not correct."
MFA_TOKEN_INVALID = "The mfa_token is invalid, expired or used; log in again."


def _token_hash(token: str) -> str:
    # A 256-bit random token needs no slow hash: SHA-256 finds its row and reveals nothing.
    return hashlib.sha256(token.encode()).hexdigest()


def _recovery_codes_replace(*, user: User) -> list[str]:
    codes = recovery_codes.codes_generate()
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=recovery_codes.code_hash(c)) for c in codes])
    return codes


def _step_accept(*, authenticator_id: int, step: int) -> bool:
    """
    Take `step` as the authenticator's last used one, if it is later than the last; True when it was.

    One conditional UPDATE: of two requests with the same code, the second waits for the first's
    row lock, re-reads the row and matches nothing (READ COMMITTED), so a code is accepted once.
    """
    later = Q(last_used_step__isnull=True) | Q(last_used_step__lt=step)
    return Authenticator.objects.filter(Q(pk=authenticator_id) & later).update(last_used_step=step) == 1


def _user_locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def totp_enroll(*, user: User) -> tuple[str, str]:
    """A new unconfirmed authenticator (replacing an unconfirmed one); returns its secret and otpauth URL."""
    user = _user_locked(user)
    if user.mfa_enabled:
        raise ValidationError(ALREADY_ENABLED, code="already_enabled")
    secret = totp.secret_generate()
    Authenticator.objects.update_or_create(
        user=user,
        defaults={
            "secret_encrypted": crypto.secret_encrypt(secret),
            "created_at": timezone.now(),
            "confirmed_at": None,
            "last_used_step": None,
        },
    )
    return secret, totp.provisioning_url(secret, account_name=user.username, issuer=settings.MFA_ISSUER)


@transaction.atomic
def totp_confirm(
    *, user: User, code: str, keep_sid: uuid.UUID | None, context: RequestContext | None = None
) -> list[str]:
    """
    The user proves the new authenticator with a current code: two-factor is on, the recovery codes
    are made (returned once), and every other session of the user ends.
    """
    user = _user_locked(user)
    if user.mfa_enabled:
        raise ValidationError(ALREADY_ENABLED, code="already_enabled")
    authenticator = Authenticator.objects.filter(user=user, confirmed_at__isnull=True).first()
    if authenticator is None:
        raise ValidationError(NO_PENDING_AUTHENTICATOR, code="no_pending_authenticator")
    step = totp.matching_step(crypto.secret_decrypt(authenticator.secret_encrypted), code)
    if step is None or not _step_accept(authenticator_id=authenticator.pk, step=step):
        raise field_error("code", WRONG_CODE, code="wrong_code")
    Authenticator.objects.filter(pk=authenticator.pk).update(confirmed_at=timezone.now())
    user.mfa_enabled = True
    user.save(update_fields=["mfa_enabled"])
    codes = _recovery_codes_replace(user=user)
    ended = user_sessions_end(user=user, keep_sid=keep_sid)
    event_record(event=Event.MFA_ENABLED, user=user, actor=user, context=context, detail={"sessions_ended": ended})
    security_notice_send(user=user, event=Event.MFA_ENABLED, context=context)
    return codes


@transaction.atomic
def mfa_disable(
    *, user: User, actor: User | None, context: RequestContext | None = None, keep_sid: uuid.UUID | None = None
) -> bool:
    """
    Turn the user's two-factor off: the authenticator, the recovery codes and pending login challenges
    go, and every session but `keep_sid` ends (an admin's change keeps none). False when it was not on.
    """
    user = _user_locked(user)
    Authenticator.objects.filter(user=user, confirmed_at__isnull=True).delete()
    if not user.mfa_enabled:
        return False
    Authenticator.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    LoginChallenge.objects.filter(user=user).delete()
    user.mfa_enabled = False
    user.save(update_fields=["mfa_enabled"])
    ended = user_sessions_end(user=user, keep_sid=keep_sid)
    event_record(event=Event.MFA_DISABLED, user=user, actor=actor, context=context, detail={"sessions_ended": ended})
    security_notice_send(user=user, event=Event.MFA_DISABLED, context=context)
    return True


def _own_code_check(*, user: User, code: str, purpose: str, context: RequestContext | None) -> None:
    """
    A change to the user's own two-factor needs a current TOTP code or an unused recovery code (spent),
    not only a recent login: whoever holds a stolen session must also hold the device. 400 on `code`
    otherwise (`mfa_failed` recorded, outside the change's transaction so it stays).
    """
    if not user.mfa_enabled:
        raise ValidationError(NOT_ENABLED, code="not_enabled")
    method = code_accept(user=user, code=code) if code_well_formed(code) else None
    if method is None:
        detail = {"reason": "wrong_code", "via": purpose}
        event_record(event=Event.MFA_FAILED, user=user, context=context, detail=detail)
        raise field_error("code", WRONG_CODE, code="wrong_code")


def mfa_disable_own(
    *, user: User, code: str, keep_sid: uuid.UUID | None, context: RequestContext | None = None
) -> None:
    """
    The user turns their own two-factor off with a current code (their current session stays); 400 when
    it is not on or the code is wrong.
    """
    _own_code_check(user=user, code=code, purpose="mfa_disable", context=context)
    if not mfa_disable(user=user, actor=user, context=context, keep_sid=keep_sid):
        raise ValidationError(NOT_ENABLED, code="not_enabled")


def recovery_codes_regenerate(*, user: User, code: str, context: RequestContext | None = None) -> list[str]:
    """A new set of recovery codes (returned once), with a current code; the old set stops working."""
    _own_code_check(user=user, code=code, purpose="recovery_codes", context=context)
    return _recovery_codes_regenerate(user=user, context=context)


@transaction.atomic
def _recovery_codes_regenerate(*, user: User, context: RequestContext | None) -> list[str]:
    user = _user_locked(user)
    if not user.mfa_enabled:
        raise ValidationError(NOT_ENABLED, code="not_enabled")
    codes = _recovery_codes_replace(user=user)
    event_record(event=Event.RECOVERY_CODES_REGENERATED, user=user, actor=user, context=context)
    security_notice_send(user=user, event=Event.RECOVERY_CODES_REGENERATED, context=context)
    return codes


def login_challenge_create(*, user: User, context: RequestContext | None = None) -> second_factor.LoginChallenge:
    """After a right password: a single-use `mfa_token` for the second step, for CHALLENGE_LIFETIME."""
    now = timezone.now()
    # Challenges past use tell nothing once gone (an unknown token is refused the same way): drop the user's.
    LoginChallenge.objects.filter(Q(user=user) & (Q(expires_at__lte=now) | Q(used_at__isnull=False))).delete()
    token = secrets.token_urlsafe(32)
    LoginChallenge.objects.create(
        token_hash=_token_hash(token), user=user, created_at=now, expires_at=now + CHALLENGE_LIFETIME
    )
    return second_factor.LoginChallenge(mfa_token=token, expires_in=int(CHALLENGE_LIFETIME.total_seconds()))


def login_challenges_purge() -> int:
    """Delete every expired login challenge (a login started and never finished leaves one); return how many."""
    deleted, _ = LoginChallenge.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def _challenge_live(challenge: LoginChallenge | None) -> bool:
    return (
        challenge is not None
        and challenge.used_at is None
        and challenge.expires_at > timezone.now()
        and challenge.failures < MAX_WRONG_CODES
    )


@dataclass
class _Attempt:
    pair: TokenPair | None = None
    wrong: bool = False
    refused: assertions.AssertionCheck | None = None


def code_accept(*, user: User, code: str) -> str | None:
    """How `code` (normalized) passes for `user`: "totp", "recovery_code", or None."""
    if len(code) == totp.DIGITS:
        authenticator = Authenticator.objects.filter(user=user, confirmed_at__isnull=False).first()
        if authenticator is None:
            return None
        step = totp.matching_step(crypto.secret_decrypt(authenticator.secret_encrypted), code)
        accepted = step is not None and _step_accept(authenticator_id=authenticator.pk, step=step)
        return "totp" if accepted else None
    unused = RecoveryCode.objects.filter(
        user=user, code_hash__in=recovery_codes.code_hashes(code), used_at__isnull=True
    )
    # Conditional, like the TOTP step: of two requests with the same code, one marks it used.
    return "recovery_code" if unused.update(used_at=timezone.now()) else None


def code_failed(*, attempt: lockout.Attempt, user: User, step: str, context: RequestContext | None) -> None:
    """
    A wrong code at sign-in keeps its slot in the account's window (`accounts.lockout`); the one that fills
    it starts the lock (`login_locked`) and the user is told by mail, once per lock (the job's key is the lock's).
    """
    if attempt.failed(user=user, step=step, context=context):
        job_enqueue_on_commit(
            tasks.mfa_locked_mail_send,
            user_id=user.pk,
            minutes=math.ceil(attempt.taken.seconds_left / 60),
            attempts=attempt.limit.attempts,
            key=uuid.uuid4().hex,
        )


ADMIN_SITE = {"via": "django_admin"}


def code_verify(*, user: User, code: str, context: RequestContext | None = None) -> bool:
    """
    The Django admin site's second factor, typed beside the password (the site has no second step):
    True when `code` is a current TOTP code or an unused recovery code of `user`, spending it as the
    API's second step does. A wrong or missing code records `mfa_failed`; a code typed counts against
    the account's second-factor limit, shared with the API's second step (`accounts.lockout`): past it,
    AccountLocked before any check.
    """
    if not user.mfa_enabled:
        return False
    code = code_normalize(code or "")
    if not code:  # nothing to guess with: recorded, not counted
        event_record(event=Event.MFA_FAILED, user=user, context=context, detail={"reason": "no_code", **ADMIN_SITE})
        return False
    account_attempt = lockout.attempt_start(factor=lockout.Factor.SECOND_FACTOR, ident=lockout.account_ident(user=user))
    with transaction.atomic():
        method = code_accept(user=user, code=code) if code_well_formed(code) else None
        if method is None:
            detail = {"reason": "wrong_code", **ADMIN_SITE}
            event_record(event=Event.MFA_FAILED, user=user, context=context, detail=detail)
        elif method == "recovery_code":
            remaining = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            detail = {"remaining": remaining, **ADMIN_SITE}
            event_record(event=Event.RECOVERY_CODE_USED, user=user, actor=user, context=context, detail=detail)
    if method is None:
        code_failed(attempt=account_attempt, user=user, step="admin", context=context)
        return False
    account_attempt.succeeded()
    return True


def login_challenge_user(*, mfa_token: str) -> User | None:
    """The user whose live login challenge `mfa_token` is (two-factor on), or None: for a passkey's second step."""
    challenge = LoginChallenge.objects.select_related("user").filter(token_hash=_token_hash(mfa_token)).first()
    return challenge.user if _challenge_live(challenge) and challenge.user.mfa_enabled else None


def _second_factor_accept(
    *, user: User, code: str | None, assertion: dict | None, context: RequestContext | None
) -> tuple[str | None, assertions.AssertionCheck | None]:
    """How the second step passes ("totp", "recovery_code", "passkey" or None), and a refused assertion's check."""
    if assertion is None:
        return code_accept(user=user, code=code or ""), None
    check = assertions.assertion_verify(user=user, assertion=assertion, context=context)
    return ("passkey", None) if check.accepted else (None, check)


def mfa_login(
    *, mfa_token: str, code: str | None = None, assertion: dict | None = None, context: RequestContext | None = None
) -> tuple[User, TokenPair]:
    """
    The second login step: a live `mfa_token` and a current TOTP code, an unused recovery code, or
    a passkey's `assertion` (`mfa.assertions`) open the session (`login_succeeded`). A wrong code or
    assertion counts against the token (400 `code` or `assertion`, `mfa_failed`); the MAX_WRONG_CODES-th
    is still a 400 and the token is dead from then on (401).
    The account must still be allowed to log in (active; verified email when that is mandatory).
    """
    token_hash = _token_hash(mfa_token)
    challenge = LoginChallenge.objects.select_related("user").filter(token_hash=token_hash).first()
    if not _challenge_live(challenge) or not challenge.user.mfa_enabled:
        raise AuthenticationError(MFA_TOKEN_INVALID)
    user = challenge.user
    login_allowed_check(user=user, context=context)  # records its own refusal, committed before the 401/403
    account_attempt = lockout.attempt_start(factor=lockout.Factor.SECOND_FACTOR, ident=lockout.account_ident(user=user))
    attempt = _Attempt()
    with transaction.atomic():
        # The row lock orders the attempts on one token (its failures count, its single use).
        challenge = LoginChallenge.objects.select_for_update().filter(token_hash=token_hash).first()
        if _challenge_live(challenge):
            method, refused = _second_factor_accept(user=user, code=code, assertion=assertion, context=context)
            if method is None:
                challenge.failures += 1
                challenge.save(update_fields=["failures"])
                reason = "wrong_code" if refused is None else refused.code
                detail = {"reason": reason, "attempt": challenge.failures}
                event_record(event=Event.MFA_FAILED, user=user, context=context, detail=detail)
                attempt.wrong, attempt.refused = True, refused
            else:
                challenge.used_at = timezone.now()
                challenge.save(update_fields=["used_at"])
                amr = assertions.ASSERTION_LOGIN_AMR if method == "passkey" else LOGIN_AMR
                attempt.pair = login_complete(user=user, context=context, detail={"second_factor": method}, amr=amr)
                if method == "recovery_code":
                    remaining = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
                    detail = {"remaining": remaining}
                    event_record(event=Event.RECOVERY_CODE_USED, user=user, actor=user, context=context, detail=detail)
    if attempt.wrong:
        code_failed(attempt=account_attempt, user=user, step="mfa", context=context)
        if attempt.refused is not None:
            raise field_error("assertion", attempt.refused.message, code=attempt.refused.code)
        raise field_error("code", WRONG_CODE, code="wrong_code")
    if attempt.pair is None:
        raise AuthenticationError(MFA_TOKEN_INVALID)
    account_attempt.succeeded()
    return user, attempt.pair
