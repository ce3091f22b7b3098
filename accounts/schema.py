"""OpenAPI: document the API's bearer authentication (imported by the app config) and the accounts' own errors."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ErrorCode401Enum
from rest_framework import serializers


class BearerJWTScheme(SimpleJWTScheme):
    """`Authorization: Bearer <access>` for every protected endpoint."""

    target_class = "accounts.authentication.JWTAuthentication"
    name = "jwtAuth"


class Error403EmailNotVerifiedSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[("email_not_verified", "Email not verified")])
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse403EmailNotVerifiedSerializer(serializers.Serializer):
    """Login refused until the email is verified (`EMAIL_VERIFICATION=mandatory`); no tokens."""

    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = Error403EmailNotVerifiedSerializer(many=True)


class Error401ReauthenticationSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[*ErrorCode401Enum.choices, ("reauthentication_required", "Reauthentication required")]
    )
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse401ReauthenticationSerializer(serializers.Serializer):
    """
    No valid token (`not_authenticated`, `authentication_failed`), or `reauthentication_required`: the
    last login or reauthentication is older than `REAUTH_SECONDS`; get a new access token from
    `auth/reauthenticate/` and send the request again with it.
    """

    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = Error401ReauthenticationSerializer(many=True)


REAUTHENTICATION_CHALLENGE_HEADER = OpenApiParameter(
    "WWW-Authenticate",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[401],
    description=(
        "For `reauthentication_required`, RFC 9470's step-up challenge: "
        '`Bearer error="insufficient_user_authentication", max_age=<REAUTH_SECONDS>`; '
        "otherwise the schemes the endpoint accepts."
    ),
)
