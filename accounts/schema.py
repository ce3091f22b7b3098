"""OpenAPI: document the API's bearer authentication (imported by the app config) and the accounts' own errors."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
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
