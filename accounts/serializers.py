"""Shapes and validation of account data; no writes here (see services)."""

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import get_error_detail

from accounts.mail_tokens import TOKEN_MAX_LENGTH
from accounts.models import LoginSession, Role, User
from accounts.password_reset import TOKEN_INVALID as RESET_TOKEN_INVALID
from accounts.password_reset import password_reset_token_user
from accounts.services import EMAIL_TAKEN, MFA_ONLY_OFF, USERNAME_TAKEN
from common.serializers import StrictBooleanField, StrictCharField, StrictEmailField, StrictModelSerializer

WRONG_PASSWORD = "The current password is not correct."
REVOKE_API_KEYS_HELP = (
    "Also revoke every API key of the account (default true): a stolen session may have made one. "
    "Send false to keep them."
)


def revoke_api_keys_field() -> StrictBooleanField:
    return StrictBooleanField(required=False, default=True, help_text=REVOKE_API_KEYS_HELP)


class UserSerializer(StrictModelSerializer):
    """The user object of the API; never a password or hash."""

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "role",
            "is_active",
            "date_joined",
            "email_verified",
            "pending_email",
            "mfa_enabled",
        ]
        read_only_fields = ["id", "role", "is_active", "date_joined", "email_verified", "pending_email", "mfa_enabled"]
        # Uniqueness is checked ignoring case below (and by the database), not by DRF's exact-match validator.
        extra_kwargs = {"username": {"validators": [UnicodeUsernameValidator()]}}


def _taken(field: str, value: str, instance: User | None) -> bool:
    others = User.objects.filter(Exact(Lower(field), value.lower()))
    if instance is not None:
        others = others.exclude(pk=instance.pk)
    return others.exists()


def _validate_password(password: str, user: User) -> str:
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(get_error_detail(exc)) from exc  # keeps Django's codes
    return password


class ProfileSerializer(UserSerializer):
    """
    `auth/me/`: the caller may change `username` (unique, ignoring case) and ask for a new `email`. An
    address another account uses is asked for like a free one, so the answer cannot tell which addresses
    have accounts: its owner is told by mail instead of sent a link (accounts.deliveries), and the
    database's unique index refuses it at verification.
    """

    email = StrictEmailField(max_length=254)

    def validate_username(self, value: str) -> str:
        if _taken("username", value, self.instance):
            raise serializers.ValidationError(USERNAME_TAKEN, code="unique")
        return value

    def validate_email(self, value: str) -> str:
        return User.objects.normalize_email(value)


class RegisterSerializer(ProfileSerializer):
    """`auth/register/`: username, email and a password that passes Django's validators."""

    password = StrictCharField(write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"})

    def validate_email(self, value: str) -> str:
        # Unique ignoring case; another account's pending address does not count until it is verified.
        value = User.objects.normalize_email(value)
        if _taken("email", value, self.instance):
            raise serializers.ValidationError(EMAIL_TAKEN, code="unique")
        return value

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "password"]

    def validate(self, attrs: dict) -> dict:
        candidate = User(username=attrs["username"], email=attrs["email"], role=Role.USER)
        try:
            _validate_password(attrs["password"], candidate)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"password": exc.detail}) from exc
        return attrs


class LoginSerializer(serializers.Serializer):
    """Credentials: `username` is the username or the email."""

    username = StrictCharField(max_length=254, help_text="The username or the email address.")
    password = StrictCharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Bearer access token.")
    refresh = serializers.CharField(help_text="Refresh token; single use, rotated on refresh.")


class LoginResponseSerializer(TokenPairSerializer):
    token_type = serializers.ChoiceField(choices=["Bearer"])
    expires_in = serializers.IntegerField(help_text="The access token's lifetime in seconds.")
    user = UserSerializer()
    password_change_recommended = serializers.BooleanField(
        help_text=(
            "True when the account's current password was found in a known data breach: ask the user to "
            "change it. Checked after each password login; a first finding may come after this answer, "
            "and is then mailed to the user and said by the next login."
        )
    )


class MfaChallengeSerializer(serializers.Serializer):
    """The first login step's answer for an account with two-factor authentication on."""

    mfa_required = serializers.BooleanField(help_text="Always true: send a code to `auth/login/mfa/`.")
    mfa_token = serializers.CharField(help_text="For `auth/login/mfa/`; single use.")
    expires_in = serializers.IntegerField(help_text="Seconds `mfa_token` stays usable.")


class RefreshSerializer(serializers.Serializer):
    refresh = StrictCharField()


class PasswordChangeSerializer(serializers.Serializer):
    """The current password, and a new one that passes Django's validators."""

    old_password = StrictCharField(max_length=128, trim_whitespace=False)
    new_password = StrictCharField(max_length=128, trim_whitespace=False)
    revoke_api_keys = revoke_api_keys_field()

    def validate_old_password(self, value: str) -> str:
        if not self.context["request"].user.check_password(value):
            raise serializers.ValidationError(WRONG_PASSWORD, code="wrong_password")
        return value

    def validate_new_password(self, value: str) -> str:
        return _validate_password(value, self.context["request"].user)


class UserAdminSerializer(UserSerializer):
    """An admin may change `role` and `is_active`, and turn two-factor off (`mfa_enabled: false`); nothing else."""

    mfa_enabled = StrictBooleanField(
        required=False,
        help_text="Whether two-factor authentication is on. An admin may set it to false only (it ends every "
        "session of the user); true is a 400.",
    )

    def validate_mfa_enabled(self, value: bool) -> bool:
        if value:
            raise serializers.ValidationError(MFA_ONLY_OFF, code="only_off")
        return value

    class Meta(UserSerializer.Meta):
        read_only_fields = ["id", "username", "email", "date_joined", "email_verified", "pending_email"]


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class AccountDeletionScheduledSerializer(serializers.Serializer):
    detail = serializers.CharField()
    purge_after = serializers.DateTimeField(help_text="When the account is purged unless the mailed link cancels it.")


class PasswordResetRequestSerializer(serializers.Serializer):
    email = StrictEmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    """A reset token and a new password that passes Django's validators for the token's account."""

    token = StrictCharField(max_length=TOKEN_MAX_LENGTH, help_text="The token from the reset mail.")
    new_password = StrictCharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    revoke_api_keys = revoke_api_keys_field()

    def validate(self, attrs: dict) -> dict:
        # The service checks the token again under a row lock; this check picks the validators' user.
        user = password_reset_token_user(token=attrs["token"])
        if user is None:
            raise serializers.ValidationError({"token": [ErrorDetail(RESET_TOKEN_INVALID, code="invalid")]})
        try:
            _validate_password(attrs["new_password"], user)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"new_password": exc.detail}) from exc
        return attrs


class EmailVerifySerializer(serializers.Serializer):
    token = StrictCharField(max_length=TOKEN_MAX_LENGTH, help_text="The token from the verification mail.")


class EmailChangeCancelSerializer(serializers.Serializer):
    token = StrictCharField(max_length=TOKEN_MAX_LENGTH, help_text="The token from the change notice mail.")


class EmailVerifyResendSerializer(serializers.Serializer):
    """Without a bearer token, `email` names the account; with one, the caller is the account."""

    email = StrictEmailField(
        max_length=254, required=False, help_text="Required without a bearer token; ignored with one."
    )

    def validate(self, attrs: dict) -> dict:
        if not self.context["signed_in"] and "email" not in attrs:
            required = ErrorDetail(self.fields["email"].error_messages["required"], code="required")
            raise serializers.ValidationError({"email": [required]})
        return attrs


class SessionSerializer(serializers.ModelSerializer):
    """One login session of the caller (the sessions page); `current` marks the one the request came with."""

    id = serializers.UUIDField(source="sid", read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = LoginSession
        fields = ["id", "created_at", "last_used_at", "ip", "user_agent", "current"]
        read_only_fields = fields

    def get_current(self, session: LoginSession) -> bool:
        return session.sid == self.context["current_sid"]
