"""
Every use of a passkey: a passwordless login, the second step of a password login (`mfa.assertions`'
verifier), a reauthentication (`accounts.reauthentication`'s `passkey` factor). Each is options, then the
browser's answer; each use records `passkey_used` (`detail.purpose`).

A use checks the answer with fido2 against the stored passkey, then its signature counter: an
authenticator that counts must count up. A counter that went back (or stood still) means the key may
have been copied: the use is refused and `passkey_clone_suspected` recorded; authenticators that do not
count (synced passkeys send 0 every time) are not judged by it. The UPDATE that takes the new counter is
conditional on the old one being lower, so of two racing uses one wins.

Nothing here runs in one transaction: taking the challenge, the counter and the events each commit on
their own, so a refused answer has still spent its challenge and its events stay.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from fido2.webauthn import AuthenticationResponse, UserVerificationRequirement

from accounts.models import User
from accounts.sessions import LOGIN_FAILED, login_allowed_check, login_complete
from accounts.tokens import TokenPair
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error
from common.service_exceptions import AuthenticationError
from mfa.assertions import AssertionCheck
from mfa.services import MFA_TOKEN_INVALID, login_challenge_user
from passkeys.ceremonies import (
    CeremonyRefused,
    assertion_parse,
    ceremony_store,
    ceremony_take,
    refusal_of,
    relying_party,
)
from passkeys.models import Ceremony, Passkey
from passkeys.selectors import passkey_descriptors

# RFC 8176: a key held in an authenticator ("hwk") that verified its user ("user"), two factors ("mfa").
PASSWORDLESS_AMR = ("hwk", "user", "mfa")
REAUTHENTICATION_AMR = ("hwk",)

NO_PASSKEY = "This account has no passkey."
NOT_PASSWORDLESS = (
    "This passkey only serves as a second factor (it is not discoverable or did not verify you when it was "
    "added): log in with the password, then use it."
)
CLONE_SUSPECTED = (
    "This passkey's signature counter went back: it may have been copied. It cannot be used; remove it and "
    "register a new one."
)
# Statuses of the refusals that mean "wrong credentials" at a login (401, like a wrong password); the rest are 400.
LOGIN_REFUSALS = frozenset({"unknown_passkey", "invalid_signature"})


def _authentication_begin(*, purpose: Ceremony.Purpose, user: User | None, verification) -> dict:
    credentials = None if user is None else passkey_descriptors(user=user)
    options, state = relying_party().authenticate_begin(credentials, user_verification=verification)
    ceremony_store(state=state, purpose=purpose, user=user, user_verification=verification)
    return dict(options)


@dataclass(frozen=True)
class Used:
    passkey: Passkey
    user_verified: bool


def _assertion_accept(
    *, response: AuthenticationResponse, purpose: Ceremony.Purpose, user: User | None, context: RequestContext | None
) -> Used:
    """
    Take the ceremony the answer names, check the answer with fido2 against the stored passkey, then its
    counter; take the new counter, backup state and last use, and record `passkey_used`. CeremonyRefused otherwise.
    """
    taken = ceremony_take(client_data=response.response.client_data, purpose=purpose, user=user)
    passkeys = Passkey.objects.select_related("user").filter(credential_id=response.raw_id)
    if user is not None:
        passkeys = passkeys.filter(user=user)
    passkey = passkeys.first()
    if passkey is None:
        raise CeremonyRefused("unknown_passkey", "This passkey is not registered here.")
    try:
        relying_party().authenticate_complete(taken.state, [passkey.credential_data()], response)
    except ValueError as exc:
        raise refusal_of(exc) from exc
    handle = response.response.user_handle
    if handle is not None and handle != bytes(passkey.user_handle):
        raise CeremonyRefused("unknown_passkey", "This passkey is not registered here.")
    if purpose == Ceremony.Purpose.LOGIN and not passkey.passwordless:
        raise CeremonyRefused("not_passwordless", NOT_PASSWORDLESS)
    auth_data = response.response.authenticator_data
    _counter_take(passkey=passkey, counter=auth_data.counter, context=context)
    now = timezone.now()
    Passkey.objects.filter(pk=passkey.pk).update(last_used_at=now, backup_state=auth_data.is_backed_up())
    detail = {
        "passkey": passkey.pk,
        "name": passkey.name,
        "purpose": purpose.value,
        "user_verified": auth_data.is_user_verified(),
        "backup_state": auth_data.is_backed_up(),
    }
    event_record(event=Event.PASSKEY_USED, user=passkey.user, actor=passkey.user, context=context, detail=detail)
    return Used(passkey=passkey, user_verified=auth_data.is_user_verified())


def _counter_take(*, passkey: Passkey, counter: int, context: RequestContext | None) -> None:
    if counter == 0 and passkey.sign_count == 0:
        return  # an authenticator that does not count
    taken = Passkey.objects.filter(Q(pk=passkey.pk) & Q(sign_count__lt=counter)).update(sign_count=counter)
    if taken == 0:
        stored = Passkey.objects.filter(pk=passkey.pk).values_list("sign_count", flat=True).first()
        detail = {"passkey": passkey.pk, "name": passkey.name, "stored": stored, "received": counter}
        event_record(event=Event.PASSKEY_CLONE_SUSPECTED, user=passkey.user, context=context, detail=detail)
        raise CeremonyRefused("clone_suspected", CLONE_SUSPECTED)


def login_begin() -> dict:
    """The options of a passwordless login: no user named (discoverable credentials), user verification required."""
    return _authentication_begin(
        purpose=Ceremony.Purpose.LOGIN, user=None, verification=UserVerificationRequirement.REQUIRED
    )


def passkey_login(*, response: AuthenticationResponse, context: RequestContext | None = None) -> tuple[User, TokenPair]:
    """
    A passwordless login: the answer to `login_begin`'s options opens a session as a password login does,
    counting as two factors (PASSWORDLESS_AMR, no second step). Only a `passwordless` passkey (discoverable,
    user verified at registration) may, verifying its user now too (400 `not_passwordless` otherwise). An
    unknown passkey or a bad signature is a 401 like a wrong password (`login_failed`); a refused ceremony a
    400 on `credential`; the account must be allowed to log in (active; verified email when mandatory).
    """
    try:
        used = _assertion_accept(response=response, purpose=Ceremony.Purpose.LOGIN, user=None, context=context)
    except CeremonyRefused as refused:
        if refused.code in LOGIN_REFUSALS:
            user = _owner_of(response)
            event_record(event=Event.LOGIN_FAILED, user=user, context=context, detail={"reason": refused.code})
            raise AuthenticationError(LOGIN_FAILED) from refused
        raise field_error("credential", refused.message, code=refused.code) from refused
    user = used.passkey.user
    login_allowed_check(user=user, context=context)
    detail = {"method": "passkey", "passkey": used.passkey.pk}
    return user, login_complete(user=user, context=context, detail=detail, amr=PASSWORDLESS_AMR)


def _owner_of(response: AuthenticationResponse) -> User | None:
    passkey = Passkey.objects.select_related("user").filter(credential_id=response.raw_id).first()
    return passkey.user if passkey else None


def second_step_begin(*, mfa_token: str) -> dict:
    """The options of a passkey answering the second login step of `mfa_token`'s login (401 for a dead token)."""
    user = login_challenge_user(mfa_token=mfa_token)
    if user is None:
        raise AuthenticationError(MFA_TOKEN_INVALID)
    if not Passkey.objects.filter(user=user).exists():
        raise ValidationError(NO_PASSKEY, code="no_passkey")
    return _authentication_begin(
        purpose=Ceremony.Purpose.SECOND_STEP, user=user, verification=UserVerificationRequirement.PREFERRED
    )


def second_step_verify(*, user: User, assertion: dict, context: RequestContext | None) -> AssertionCheck:
    """The second login step's check of a passkey answer (`mfa.assertions`' verifier)."""
    try:
        response = assertion_parse(assertion)
        _assertion_accept(response=response, purpose=Ceremony.Purpose.SECOND_STEP, user=user, context=context)
    except CeremonyRefused as refused:
        return AssertionCheck(accepted=False, code=refused.code, message=refused.message)
    except ValueError as exc:
        return AssertionCheck(accepted=False, code="invalid", message=str(exc))
    return AssertionCheck(accepted=True)


def reauthentication_begin(*, user: User) -> dict:
    """The options of a reauthentication with one of the caller's passkeys."""
    if not Passkey.objects.filter(user=user).exists():
        raise ValidationError(NO_PASSKEY, code="no_passkey")
    return _authentication_begin(
        purpose=Ceremony.Purpose.REAUTHENTICATION, user=user, verification=UserVerificationRequirement.PREFERRED
    )


def reauthentication_verify(*, user: User, value, context: RequestContext | None) -> bool:
    """Whether `value` is a passkey's answer to the caller's reauthentication options (`accounts.reauthentication`)."""
    try:
        response = assertion_parse(value)
        _assertion_accept(response=response, purpose=Ceremony.Purpose.REAUTHENTICATION, user=user, context=context)
    except (CeremonyRefused, ValueError):
        return False
    return True
