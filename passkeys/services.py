"""
Writes of passkeys: register one (options, then the browser's answer), rename and remove one, and every
use of one: a passwordless login, the second step of a password login, a reauthentication.

Like every service these raise Django's `ValidationError` (400, on `credential` for a refused answer,
with the code of `passkeys.ceremonies`) and `AuthenticationError` (401), and record their security
event (`passkey_added`, `passkey_removed`, `passkey_used`, `passkey_clone_suspected`). Adding or removing
a passkey mails the owner, after the commit (`passkeys.tasks`).

A use checks the answer with fido2 against the stored passkey, then its signature counter: an
authenticator that counts must count up. A counter that went back (or stood still) means the key may
have been copied: the use is refused and `passkey_clone_suspected` recorded; authenticators that do not
count (synced passkeys send 0 every time) are not judged by it. The UPDATE that takes the new counter is
conditional on the old one being lower, so of two racing uses one wins.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from fido2 import cbor
from fido2.cose import CoseKey, UnsupportedKey
from fido2.webauthn import (
    AttestedCredentialData,
    AuthenticationResponse,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    PublicKeyCredentialType,
    RegistrationResponse,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from accounts.models import User
from accounts.sessions import LOGIN_FAILED, login_allowed_check, login_complete
from accounts.tokens import TokenPair
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error
from common.jobs import job_enqueue_on_commit
from common.service_exceptions import AuthenticationError
from mfa.assertions import AssertionCheck
from mfa.services import MFA_TOKEN_INVALID, login_challenge_user
from passkeys import tasks
from passkeys.ceremonies import (
    CeremonyRefused,
    assertion_parse,
    ceremony_store,
    ceremony_take,
    refusal_of,
    relying_party,
)
from passkeys.models import Ceremony, Passkey

PASSKEYS_PER_USER = 20
# RFC 8176: a key held in an authenticator ("hwk") that verified its user ("user"), two factors ("mfa").
PASSWORDLESS_AMR = ("hwk", "user", "mfa")
REAUTHENTICATION_AMR = ("hwk",)

TOO_MANY_PASSKEYS = f"An account can have at most {PASSKEYS_PER_USER} passkeys; remove one first."
ALREADY_REGISTERED = "This passkey is already registered."
NO_CREDENTIAL = ("invalid_credential", "The authenticator's answer holds no new credential.")
UNSUPPORTED_ALGORITHM = (
    "unsupported_algorithm",
    "The passkey's key type is not one this server offered (pubKeyCredParams).",
)
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


def _user_handle(user: User) -> bytes:
    """
    The WebAuthn user handle of `user`: the one their passkeys already carry, else a keyed hash of the id
    (stable, says nothing of the account, and never the id itself as the spec asks).
    """
    stored = Passkey.objects.filter(user=user).values_list("user_handle", flat=True).first()
    if stored is not None:
        return bytes(stored)
    return salted_hmac("passkeys.user_handle", str(user.pk), algorithm="sha256").digest()


def _descriptors(passkeys) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            type=PublicKeyCredentialType.PUBLIC_KEY,
            id=bytes(passkey.credential_id),
            transports=[AuthenticatorTransport(t) for t in passkey.transports] or None,
        )
        for passkey in passkeys
    ]


def _credential(passkey: Passkey) -> AttestedCredentialData:
    public_key = CoseKey.parse(cbor.decode(bytes(passkey.public_key)))
    return AttestedCredentialData.create(passkey.aaguid.bytes, bytes(passkey.credential_id), public_key)


def _user_passkeys(user: User):
    return Passkey.objects.filter(user=user).only("credential_id", "transports").order_by("pk")


# --- Registration ------------------------------------------------------------------------------


def registration_begin(*, user: User) -> dict:
    """
    The options of `navigator.credentials.create()` for a new passkey of `user`: a discoverable credential
    and user verification preferred (so it can sign in alone), the user's passkeys excluded.
    """
    if Passkey.objects.filter(user=user).count() >= PASSKEYS_PER_USER:
        raise ValidationError(TOO_MANY_PASSKEYS, code="too_many_passkeys")
    options, state = relying_party().register_begin(
        {"id": _user_handle(user), "name": user.username, "displayName": user.username},
        credentials=_descriptors(_user_passkeys(user)),
        resident_key_requirement=ResidentKeyRequirement.PREFERRED,
        user_verification=UserVerificationRequirement.PREFERRED,
        extensions={"credProps": True},
    )
    ceremony_store(
        state=state, purpose=Ceremony.Purpose.REGISTRATION, user=user, user_verification=state["user_verification"]
    )
    return dict(options)


def _transports(raw: dict) -> list[str]:
    """The transports the browser reported (`response.transports`), those WebAuthn defines, in order, once each."""
    sent = raw.get("response", {}).get("transports") if isinstance(raw.get("response"), dict) else None
    known = {t.value for t in AuthenticatorTransport}
    return list(dict.fromkeys(t for t in sent if isinstance(t, str) and t in known)) if isinstance(sent, list) else []


def _discoverable(response: RegistrationResponse) -> bool:
    """credProps' `rk`: whether the authenticator made a discoverable credential (unknown counts as not)."""
    props = dict(response.client_extension_results).get("credProps")
    return isinstance(props, dict) and props.get("rk") is True


def _new_credential_check(response: RegistrationResponse) -> None:
    """The answer holds a new credential whose key fido2 can verify (it would assert, or fail at each login)."""
    credential = response.response.attestation_object.auth_data.credential_data
    if credential is None:
        raise CeremonyRefused(*NO_CREDENTIAL)
    if isinstance(credential.public_key, UnsupportedKey):
        raise CeremonyRefused(*UNSUPPORTED_ALGORITHM)


def passkey_register(
    *, user: User, name: str, response: RegistrationResponse, raw: dict, context: RequestContext | None = None
) -> Passkey:
    """
    Check the browser's answer to the user's registration options and keep the new passkey as `name`.
    400 on `credential` when the answer is refused (its code says why) or the passkey is already registered.
    """
    try:
        taken = ceremony_take(
            client_data=response.response.client_data, purpose=Ceremony.Purpose.REGISTRATION, user=user
        )
        _new_credential_check(response)
        auth_data = relying_party().register_complete(taken.state, response)
    except CeremonyRefused as refused:
        raise field_error("credential", refused.message, code=refused.code) from refused
    except ValueError as exc:
        refused = refusal_of(exc)
        raise field_error("credential", refused.message, code=refused.code) from exc
    credential = auth_data.credential_data
    passkey = Passkey(
        user=user,
        credential_id=credential.credential_id,
        public_key=cbor.encode(dict(credential.public_key)),
        aaguid=uuid.UUID(bytes=bytes(credential.aaguid)),
        user_handle=_user_handle(user),
        sign_count=auth_data.counter,
        name=name,
        transports=_transports(raw),
        backup_eligible=auth_data.is_backup_eligible(),
        backup_state=auth_data.is_backed_up(),
        discoverable=_discoverable(response),
        user_verified=auth_data.is_user_verified(),
    )
    return _passkey_insert(passkey=passkey, context=context)


@transaction.atomic
def _passkey_insert(*, passkey: Passkey, context: RequestContext | None) -> Passkey:
    user = passkey.user
    # The owner's row lock makes the count exact under concurrent registrations.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").get()
    if Passkey.objects.filter(user=user).count() >= PASSKEYS_PER_USER:
        raise ValidationError(TOO_MANY_PASSKEYS, code="too_many_passkeys")
    try:
        with transaction.atomic():
            passkey.save(force_insert=True)
    except IntegrityError as exc:  # the credential id is unique: registered already, by this account or another
        raise field_error("credential", ALREADY_REGISTERED, code="already_registered") from exc
    detail = {
        "passkey": passkey.pk,
        "name": passkey.name,
        "signs_in_alone": passkey.passwordless,
        "backup_eligible": passkey.backup_eligible,
        "backup_state": passkey.backup_state,
        "aaguid": str(passkey.aaguid),
    }
    event_record(event=Event.PASSKEY_ADDED, user=user, actor=user, context=context, detail=detail)
    _mail_on_commit(user=user, change="added", name=passkey.name, by_staff=False, context=context)
    return passkey


def passkey_rename(*, user: User, passkey_id: int, name: str) -> Passkey:
    """Rename one of the user's passkeys; `Passkey.DoesNotExist` (404) for anyone else's or an unknown one."""
    passkey = Passkey.objects.get(pk=passkey_id, user=user)
    passkey.name = name
    passkey.save(update_fields=["name"])
    return passkey


@transaction.atomic
def passkey_remove(
    *, passkey_id: int, owner: User | None = None, actor: User | None, context: RequestContext | None = None
) -> None:
    """
    Remove a passkey: it cannot sign in from now on. With `owner`, only that user's (404 otherwise);
    `actor` is who removed it (the owner, or staff in the admin). The owner is told by mail.
    """
    passkeys = Passkey.objects.select_related("user").select_for_update(of=("self",)).filter(pk=passkey_id)
    if owner is not None:
        passkeys = passkeys.filter(user=owner)
    passkey = passkeys.get()
    detail = {"passkey": passkey.pk, "name": passkey.name}
    passkey.delete()
    event_record(event=Event.PASSKEY_REMOVED, user=passkey.user, actor=actor, context=context, detail=detail)
    by_staff = actor is not None and actor.pk != passkey.user.pk
    _mail_on_commit(user=passkey.user, change="removed", name=detail["name"], by_staff=by_staff, context=context)


def _mail_on_commit(*, user: User, change: str, name: str, by_staff: bool, context: RequestContext | None) -> None:
    """The owner hears of every added or removed passkey: a stolen session that adds one does not go unnoticed."""
    job_enqueue_on_commit(
        tasks.passkey_changed_mail_send,
        user_id=user.pk,
        change=change,
        name=name,
        at=timezone.now().isoformat(),
        by_staff=by_staff,
        ip=None if by_staff or context is None else context.ip,
        key=uuid.uuid4().hex,
    )


# --- Uses --------------------------------------------------------------------------------------


def _authentication_begin(*, purpose: Ceremony.Purpose, user: User | None, verification) -> dict:
    credentials = None if user is None else _descriptors(_user_passkeys(user))
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
        relying_party().authenticate_complete(taken.state, [_credential(passkey)], response)
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


def passkey_count(user: User) -> int:
    return Passkey.objects.filter(user=user).count()
