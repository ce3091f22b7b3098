"""
The relying party (fido2's `Fido2Server`, from the WEBAUTHN_* settings) and the ceremonies it runs.

A ceremony's challenge is stored server-side in the database (`Ceremony`, only its SHA-256), never in
a session, so any worker or instance can finish a ceremony another started. It lives
`CEREMONY_LIFETIME` and is taken by its first answer, right or wrong: a challenge works once. The
answer names its challenge in its signed client data, which is how the ceremony is found.

fido2 checks the answer (type, origin, challenge, RP ID hash, user presence and verification, the
signature); its refusals are plain `ValueError`s, mapped here to the error codes clients see.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from fido2.server import Fido2Server
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import (
    AttestationConveyancePreference,
    AuthenticationResponse,
    CollectedClientData,
    PublicKeyCredentialRpEntity,
    RegistrationResponse,
    UserVerificationRequirement,
)

from accounts.models import User
from passkeys.models import Ceremony

CEREMONY_LIFETIME = timedelta(minutes=5)
# Milliseconds, as browsers take it: the same as the challenge's life.
TIMEOUT_MS = int(CEREMONY_LIFETIME.total_seconds() * 1000)

CHALLENGE_INVALID = "This passkey answer's challenge is unknown, expired or already used; start again."
CREDENTIAL_INVALID = "This is not a WebAuthn credential (PublicKeyCredential.toJSON())."

# fido2's refusals (the start of its ValueError messages) -> (code, message clients see).
REFUSALS = {
    "Incorrect type": ("wrong_ceremony", "This answer is for another kind of WebAuthn ceremony."),
    "Invalid origin": ("origin_not_allowed", "The passkey answered a page whose origin this server does not accept."),
    "Wrong challenge": ("challenge_invalid", CHALLENGE_INVALID),
    "Wrong RP ID hash": ("rp_id_mismatch", "The passkey was asked for another relying party (RP ID)."),
    "User Present flag not set": ("user_presence_required", "The authenticator did not check that you are there."),
    "User verification required": (
        "user_verification_required",
        "This needs a passkey that verifies you (PIN, fingerprint or face); this one did not.",
    ),
    "Invalid signature": ("invalid_signature", "The passkey's signature is not valid."),
    "Unknown credential ID": ("unknown_passkey", "This passkey is not registered here."),
}
REFUSED = ("invalid_credential", "The passkey's answer could not be verified.")


class CeremonyRefused(Exception):
    """The answer of a ceremony was refused; `code` and `message` are what the client sees."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def refusal_of(error: ValueError) -> CeremonyRefused:
    text = str(error)
    for start, (code, message) in REFUSALS.items():
        if text.startswith(start):
            return CeremonyRefused(code, message)
    return CeremonyRefused(*REFUSED)


def relying_party() -> Fido2Server:
    """The relying party of the settings: only the exact WEBAUTHN_ORIGINS are accepted, no attestation asked."""
    origins = frozenset(settings.WEBAUTHN_ORIGINS)
    server = Fido2Server(
        PublicKeyCredentialRpEntity(name=settings.WEBAUTHN_RP_NAME, id=settings.WEBAUTHN_RP_ID),
        attestation=AttestationConveyancePreference.NONE,
        verify_origin=origins.__contains__,
    )
    server.timeout = TIMEOUT_MS  # fido2's own attribute, put in every options it makes
    return server


def _challenge_hash(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


def ceremony_store(
    *, state: dict, purpose: Ceremony.Purpose, user: User | None, user_verification: UserVerificationRequirement
) -> Ceremony:
    """Keep the ceremony fido2 began (`state`) until its answer, for CEREMONY_LIFETIME."""
    now = timezone.now()
    # Ceremonies past their time tell nothing once gone: drop the user's while here.
    if user is not None:
        Ceremony.objects.filter(user=user, expires_at__lte=now).delete()
    return Ceremony.objects.create(
        challenge_hash=_challenge_hash(websafe_decode(state["challenge"])),
        purpose=purpose,
        user=user,
        user_verification=UserVerificationRequirement(user_verification).value,
        created_at=now,
        expires_at=now + CEREMONY_LIFETIME,
    )


@dataclass(frozen=True)
class Taken:
    """A ceremony taken by its answer: whose it was and the state fido2 needs to check the answer."""

    user_id: int | None
    state: dict


def ceremony_take(*, client_data: CollectedClientData, purpose: Ceremony.Purpose, user: User | None = None) -> Taken:
    """
    Take (delete) the live ceremony of `purpose` (and of `user`, when given) the answer's challenge names;
    CeremonyRefused `challenge_invalid` when there is none. Of two answers with one challenge, one gets it:
    the DELETE of the second finds no row.
    """
    found = Ceremony.objects.filter(challenge_hash=_challenge_hash(client_data.challenge), purpose=purpose)
    if user is not None:
        found = found.filter(user=user)
    ceremony = found.values("pk", "user_id", "user_verification", "expires_at").first()
    if ceremony is None or Ceremony.objects.filter(pk=ceremony["pk"]).delete()[0] == 0:
        raise CeremonyRefused("challenge_invalid", CHALLENGE_INVALID)
    if ceremony["expires_at"] <= timezone.now():
        raise CeremonyRefused("challenge_invalid", CHALLENGE_INVALID)
    state = {
        "challenge": websafe_encode(client_data.challenge),
        "user_verification": UserVerificationRequirement(ceremony["user_verification"]),
    }
    return Taken(user_id=ceremony["user_id"], state=state)


def ceremonies_purge() -> int:
    """Delete every expired ceremony (options asked and never answered); return how many."""
    deleted, _ = Ceremony.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def registration_parse(data: object) -> RegistrationResponse:
    """A browser's registration answer (`PublicKeyCredential.toJSON()`), parsed; ValueError when it is not one."""
    return _parse(RegistrationResponse, data)


def assertion_parse(data: object) -> AuthenticationResponse:
    """A browser's authentication answer (`PublicKeyCredential.toJSON()`), parsed; ValueError when it is not one."""
    return _parse(AuthenticationResponse, data)


def _parse(kind, data: object):
    if not isinstance(data, dict):
        raise ValueError(CREDENTIAL_INVALID)
    try:
        return kind.from_dict(data)
    except Exception as exc:
        raise ValueError(CREDENTIAL_INVALID) from exc
