"""
A small software authenticator for the tests: a real EC P-256 key, "none" attestation and signed
assertions, built with `cryptography` and fido2's CBOR, COSE and authenticator-data types. It speaks
the JSON a browser's `PublicKeyCredential.toJSON()` sends, so the API is driven as a browser would.
"""

import hashlib
import json
import os
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData

FLAG = AuthenticatorData.FLAG
AAGUID = bytes(range(16))


def client_data(*, kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()


@dataclass
class SoftwareAuthenticator:
    """One credential on one authenticator; each flag of the WebAuthn spec can be set per ceremony."""

    origin: str = "http://localhost:3000"
    rp_id: str = "localhost"
    user_verification: bool = True
    resident_key: bool = True
    backup_eligible: bool = False
    backed_up: bool = False
    counter: int = 0
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    user_handle: bytes | None = None

    def _flags(self, *, attested: bool) -> FLAG:
        flags = FLAG.UP
        if self.user_verification:
            flags |= FLAG.UV
        if self.backup_eligible:
            flags |= FLAG.BE
        if self.backed_up:
            flags |= FLAG.BS
        if attested:
            flags |= FLAG.AT
        return flags

    def _rp_id_hash(self, rp_id: str | None) -> bytes:
        return hashlib.sha256((rp_id or self.rp_id).encode()).digest()

    def create(
        self,
        options: dict,
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        attested: bool = True,
        cose_key: dict | None = None,
    ) -> dict:
        """
        The browser's answer to `navigator.credentials.create({publicKey: options})`, as JSON; `attested`
        False leaves the credential out, `cose_key` replaces the real public key.
        """
        if "user" in options:
            self.user_handle = websafe_decode(options["user"]["id"])
        self.counter += 1 if self.counter else 0
        public_key = cose_key or ES256.from_cryptography_key(self.private_key.public_key())
        credential = AttestedCredentialData.create(AAGUID, self.credential_id, public_key) if attested else b""
        auth_data = AuthenticatorData.create(
            self._rp_id_hash(rp_id), self._flags(attested=attested), self.counter, credential
        )
        attestation = AttestationObject.create("none", auth_data, {})
        data = client_data(kind="webauthn.create", challenge=options["challenge"], origin=origin or self.origin)
        encoded_id = websafe_encode(self.credential_id)
        return {
            "id": encoded_id,
            "rawId": encoded_id,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": websafe_encode(data),
                "attestationObject": websafe_encode(attestation),
                "transports": ["internal", "hybrid"],
            },
            "clientExtensionResults": {"credProps": {"rk": self.resident_key}},
        }

    def get(
        self,
        options: dict,
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        counter: int | None = None,
        challenge: str | None = None,
        send_user_handle: bool = True,
    ) -> dict:
        """The browser's answer to `navigator.credentials.get({publicKey: options})`, as JSON."""
        if counter is not None:
            self.counter = counter
        elif self.counter:
            self.counter += 1
        auth_data = AuthenticatorData.create(self._rp_id_hash(rp_id), self._flags(attested=False), self.counter)
        data = client_data(
            kind="webauthn.get", challenge=challenge or options["challenge"], origin=origin or self.origin
        )
        signature = self.private_key.sign(auth_data + hashlib.sha256(data).digest(), ec.ECDSA(hashes.SHA256()))
        encoded_id = websafe_encode(self.credential_id)
        response = {
            "clientDataJSON": websafe_encode(data),
            "authenticatorData": websafe_encode(auth_data),
            "signature": websafe_encode(signature),
        }
        if send_user_handle and self.user_handle is not None:
            response["userHandle"] = websafe_encode(self.user_handle)
        return {
            "id": encoded_id,
            "rawId": encoded_id,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": response,
            "clientExtensionResults": {},
        }
