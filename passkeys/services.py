"""
Writes of passkeys: register one (options, then the browser's answer), rename and remove one. Their
uses (logins, the second step, reauthentication) are in `passkeys.uses`.

Like every service these raise Django's `ValidationError` (400, on `credential` for a refused answer,
with the code of `passkeys.ceremonies`) and `ObjectDoesNotExist` (404) for a passkey that is not the
caller's, and record their security event (`passkey_added`, `passkey_removed`). Adding or removing a
passkey mails the owner, after the commit (`passkeys.tasks`).
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from fido2 import cbor
from fido2.cose import UnsupportedKey
from fido2.webauthn import (
    AuthenticatorTransport,
    RegistrationResponse,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from accounts.models import User
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error
from common.jobs import job_enqueue_on_commit
from passkeys import tasks
from passkeys.ceremonies import CeremonyRefused, ceremony_store, ceremony_take, refusal_of, relying_party
from passkeys.models import Ceremony, Passkey
from passkeys.selectors import passkey_descriptors, user_handle

PASSKEYS_PER_USER = 20

TOO_MANY_PASSKEYS = f"An account can have at most {PASSKEYS_PER_USER} passkeys; remove one first."
ALREADY_REGISTERED = "This passkey is already registered."
NO_CREDENTIAL = ("invalid_credential", "The authenticator's answer holds no new credential.")
UNSUPPORTED_ALGORITHM = (
    "unsupported_algorithm",
    "The passkey's key type is not one this server offered (pubKeyCredParams).",
)


def registration_begin(*, user: User) -> dict:
    """
    The options of `navigator.credentials.create()` for a new passkey of `user`: a discoverable credential
    and user verification preferred (so it can sign in alone), the user's passkeys excluded.
    """
    if Passkey.objects.filter(user=user).count() >= PASSKEYS_PER_USER:
        raise ValidationError(TOO_MANY_PASSKEYS, code="too_many_passkeys")
    options, state = relying_party().register_begin(
        {"id": user_handle(user=user), "name": user.username, "displayName": user.username},
        credentials=passkey_descriptors(user=user),
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
        user_handle=user_handle(user=user),
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
