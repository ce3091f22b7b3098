"""Shapes and validation of the two-factor endpoints; no writes here (see services)."""

from rest_framework import serializers

from accounts.serializers import WRONG_PASSWORD
from common.serializers import StrictCharField
from common.service_exceptions import AuthenticationError
from mfa import recovery_codes, totp
from mfa.code_format import TOTP_CODE, code_normalize, code_well_formed
from mfa.services import MFA_TOKEN_INVALID

CODE_MAX_LENGTH = 32
MFA_TOKEN_MAX_LENGTH = 128
TOTP_CODE_INVALID = f"Enter the {totp.DIGITS}-digit code your authenticator app shows."
ONE_SECOND_FACTOR = "Send either `code` or `assertion`, not both."
LOGIN_CODE_INVALID = (
    f"Enter the {totp.DIGITS}-digit code your authenticator app shows, or one of your recovery codes (xxxxx-xxxxx)."
)


class PasswordCheckSerializer(serializers.Serializer):
    """The caller's current password, asked again before a two-factor change."""

    password = StrictCharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

    def validate_password(self, value: str) -> str:
        if not self.context["request"].user.check_password(value):
            raise serializers.ValidationError(WRONG_PASSWORD, code="wrong_password")
        return value


class TotpCodeSerializer(serializers.Serializer):
    code = StrictCharField(
        max_length=CODE_MAX_LENGTH, help_text='The current code of the authenticator app ("123456" or "123 456").'
    )

    def validate_code(self, value: str) -> str:
        code = code_normalize(value)
        if not TOTP_CODE.fullmatch(code):
            raise serializers.ValidationError(TOTP_CODE_INVALID, code="invalid")
        return code


def second_factor_code_field() -> StrictCharField:
    return StrictCharField(
        max_length=CODE_MAX_LENGTH,
        help_text='A current TOTP code ("123456" or "123 456") or an unused recovery code ("abcde-fghij").',
    )


class SecondFactorCodeSerializer(serializers.Serializer):
    """A current code of the caller's second factor, asked before turning it off or replacing the recovery codes."""

    code = second_factor_code_field()

    def validate_code(self, value: str) -> str:
        code = code_normalize(value)
        if not code_well_formed(code):
            raise serializers.ValidationError(LOGIN_CODE_INVALID, code="invalid")
        return code


class MfaLoginSerializer(serializers.Serializer):
    # Not a subclass of SecondFactorCodeSerializer: DRF would put the inherited `code` before `mfa_token`.
    mfa_token = StrictCharField(help_text="From the login's 202 answer.")
    code = StrictCharField(
        max_length=CODE_MAX_LENGTH,
        required=False,
        help_text='A current TOTP code ("123456" or "123 456") or an unused recovery code ("abcde-fghij"); '
        "or send `assertion` instead.",
    )
    assertion = serializers.DictField(
        required=False,
        help_text="Instead of `code`: a passkey's answer (`PublicKeyCredential.toJSON()`) to the options of "
        "`auth/login/mfa/passkey/options/` for this `mfa_token`.",
    )
    validate_code = SecondFactorCodeSerializer.validate_code

    def validate(self, attrs: dict) -> dict:
        if "code" not in attrs and "assertion" not in attrs:
            # As before passkeys: a missing code is `required` on `code`.
            required = self.fields["code"].error_messages["required"]
            raise serializers.ValidationError({"code": [required]}, code="required")
        if "code" in attrs and "assertion" in attrs:
            raise serializers.ValidationError(ONE_SECOND_FACTOR, code="one_factor")
        return attrs

    def validate_mfa_token(self, token: str) -> str:
        # Any string that is not a live mfa_token is a 401, however long (an access token sent by
        # mistake included), never a 400 that tells a well-formed guess from a bad one.
        if len(token) > MFA_TOKEN_MAX_LENGTH:
            raise AuthenticationError(MFA_TOKEN_INVALID)
        return token


class TotpEnrolledSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The base32 secret, for apps that cannot scan the QR code.")
    otpauth_url = serializers.CharField(help_text="`otpauth://totp/...`, what the QR code holds.")
    qr_svg = serializers.CharField(help_text="The QR code of `otpauth_url` as inline `<svg>` markup.")


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        min_length=recovery_codes.COUNT,
        max_length=recovery_codes.COUNT,
        help_text="Each works once, in place of a TOTP code at login. Shown only now: keep them safe.",
    )
