"""Shapes and validation of the passkey endpoints; no writes here (see services)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.serializers import StrictCharField
from mfa.serializers import MfaLoginSerializer
from passkeys.ceremonies import assertion_parse, registration_parse
from passkeys.models import NAME_MAX_LENGTH, Passkey

CREDENTIAL_HELP = "The browser's answer, as `PublicKeyCredential.toJSON()` gives it (base64url fields)."


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": CREDENTIAL_HELP,
        "required": ["id", "rawId", "type", "response"],
        "properties": {
            "id": {"type": "string"},
            "rawId": {"type": "string"},
            "type": {"type": "string", "enum": ["public-key"]},
            "response": {"type": "object", "additionalProperties": True},
            "authenticatorAttachment": {"type": "string", "nullable": True},
            "clientExtensionResults": {"type": "object", "additionalProperties": True},
        },
    }
)
class CredentialField(serializers.DictField):
    """
    A `PublicKeyCredential.toJSON()` object. With `parse` (fido2's), the value is `(raw, parsed)` or a 400
    `invalid`; without, the raw object.
    """

    def __init__(self, *, parse=None, **kwargs):
        kwargs.setdefault("help_text", CREDENTIAL_HELP)
        super().__init__(**kwargs)
        self.parse = parse

    def to_internal_value(self, data):
        raw = super().to_internal_value(data)
        if self.parse is None:
            return raw
        try:
            return raw, self.parse(raw)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from exc


class PasskeySerializer(serializers.ModelSerializer):
    passwordless = serializers.BooleanField(
        read_only=True, help_text="Whether it signs in on its own (discoverable, verifies its user)."
    )
    aaguid = serializers.UUIDField(read_only=True, help_text="The authenticator model, as it tells it.")

    class Meta:
        model = Passkey
        fields = [
            "id",
            "name",
            "created_at",
            "last_used_at",
            "passwordless",
            "discoverable",
            "user_verified",
            "backup_eligible",
            "backup_state",
            "transports",
            "aaguid",
        ]
        read_only_fields = [field for field in fields if field != "name"]
        extra_kwargs = {
            "transports": {"help_text": "How the browser can reach it (usb, nfc, ble, internal, hybrid…)."},
            "backup_eligible": {"help_text": "Whether it may be synced to other devices."},
            "backup_state": {"help_text": "Whether it is synced now (as of its last use)."},
            "discoverable": {"help_text": "Whether the authenticator finds it without being told which."},
            "user_verified": {"help_text": "Whether it verified its user (PIN, biometrics) at registration."},
        }


class PasskeyNameSerializer(serializers.Serializer):
    name = StrictCharField(max_length=NAME_MAX_LENGTH, help_text='What the user calls it ("Laptop", "YubiKey").')


class PasskeyRegisterSerializer(serializers.Serializer):
    name = StrictCharField(max_length=NAME_MAX_LENGTH, help_text='What the user calls it ("Laptop", "YubiKey").')
    credential = CredentialField(parse=registration_parse)


class PasskeyAssertionSerializer(serializers.Serializer):
    credential = CredentialField(parse=assertion_parse)


class SecondStepOptionsSerializer(serializers.Serializer):
    mfa_token = StrictCharField(help_text="From the login's 202 answer.")
    # As the second step itself: any string that is not a live mfa_token is a 401, however long.
    validate_mfa_token = MfaLoginSerializer.validate_mfa_token


class CreationOptionsSerializer(serializers.Serializer):
    publicKey = serializers.DictField(
        help_text="Pass to `navigator.credentials.create({publicKey})` after decoding `challenge`, `user.id` and "
        "`excludeCredentials[].id` from base64url (or give it to `PublicKeyCredential.parseCreationOptionsFromJSON`)."
    )


class RequestOptionsSerializer(serializers.Serializer):
    publicKey = serializers.DictField(
        help_text="Pass to `navigator.credentials.get({publicKey})` after decoding `challenge` and "
        "`allowCredentials[].id` from base64url (or give it to `PublicKeyCredential.parseRequestOptionsFromJSON`)."
    )
