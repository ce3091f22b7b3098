"""Shapes of social login's requests and answers."""

from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ServerErrorEnum
from rest_framework import serializers

from accounts.serializers import LoginResponseSerializer
from common.serializers import StrictCharField
from social.models import Identity

TICKET_MAX_LENGTH = 128
ID_TOKEN_MAX_LENGTH = 16 * 1024


class TicketSerializer(serializers.Serializer):
    ticket = StrictCharField(max_length=TICKET_MAX_LENGTH, help_text="The `ticket` of the callback's redirect.")


class IdTokenSerializer(serializers.Serializer):
    id_token = StrictCharField(max_length=ID_TOKEN_MAX_LENGTH, help_text="The ID token the provider's SDK returned.")
    nonce = StrictCharField(
        max_length=256,
        required=False,
        help_text="The nonce the app gave the SDK; when sent, the token's `nonce` claim must equal it.",
    )


class SocialLoginResponseSerializer(LoginResponseSerializer):
    user_created = serializers.BooleanField(help_text="The account was created by this sign-in.")


class ProviderSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    start_url = serializers.URLField(help_text="Send the browser here (a full-page navigation) to sign in.")


class AuthorizationUrlSerializer(serializers.Serializer):
    authorization_url = serializers.URLField(
        help_text="Send the browser here (a full-page navigation) within 10 minutes to link the provider."
    )


class IdentitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Identity
        fields = ["id", "provider", "issuer", "email", "created_at", "last_used_at"]
        read_only_fields = fields


def _error_response(name: str, *, codes: list[tuple[str, str]], type_enum, doc: str) -> type[serializers.Serializer]:
    error = type(
        f"{name}ErrorSerializer",
        (serializers.Serializer,),
        {
            "code": serializers.ChoiceField(choices=codes),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
    )
    return type(
        f"{name}Serializer",
        (serializers.Serializer,),
        {"__doc__": doc, "type": serializers.ChoiceField(choices=type_enum.choices), "errors": error(many=True)},
    )


ErrorResponse409LinkRequiredSerializer = _error_response(
    "ErrorResponse409LinkRequired",
    codes=[("link_required", "Link required")],
    type_enum=ClientErrorEnum,
    doc="An account with the provider's email exists: sign in to it, then link the provider.",
)
ErrorResponse502ProviderSerializer = _error_response(
    "ErrorResponse502Provider",
    codes=[("provider_error", "Provider error")],
    type_enum=ServerErrorEnum,
    doc="The provider answered with an error or a document that failed validation.",
)
ErrorResponse503ProviderSerializer = _error_response(
    "ErrorResponse503Provider",
    codes=[("provider_unavailable", "Provider unavailable")],
    type_enum=ServerErrorEnum,
    doc="The provider could not be reached in time (`SOCIAL_HTTP_TIMEOUT`); try again later.",
)
