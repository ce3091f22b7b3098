"""`auth/reauthenticate/`: prove again who you are, with any registered factor (accounts.reauthentication)."""

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts import reauthentication
from accounts.throttles import PASSWORD_CHECK_THROTTLES
from accounts.tokens import request_session_id
from audit.context import request_context


class ReauthenticateSerializer(serializers.Serializer):
    """One factor of the caller: a field per registered factor (`password`; `code` with two-factor on), one sent."""

    def get_fields(self):
        fields = super().get_fields()
        for factor in reauthentication.factors():
            fields[factor.field] = factor.serializer_field()
        return fields


class ReauthenticatedSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="A new bearer access token of the same session, carrying `auth_time`.")
    token_type = serializers.ChoiceField(choices=["Bearer"])
    expires_in = serializers.IntegerField(help_text="The access token's lifetime in seconds.")
    auth_time = serializers.IntegerField(help_text="When the session was authenticated: now (seconds since the epoch).")
    amr = serializers.ListField(
        child=serializers.CharField(),
        help_text='How (RFC 8176 names): `["pwd"]` for a password, `["otp"]` for a code, `["hwk"]` for a passkey.',
    )


@extend_validation_errors(["wrong_password", "unavailable"], field_name="password")
@extend_validation_errors(["wrong_code", "invalid", "unavailable"], field_name="code")
@extend_validation_errors(["wrong_passkey", "unavailable"], field_name="passkey")
@extend_validation_errors(["no_factor", "one_factor", "no_session"], field_name="non_field_errors")
# The answer carries a new access token: never kept by a browser or a proxy.
@method_decorator(never_cache, name="dispatch")
class ReauthenticateView(APIView):
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, *PASSWORD_CHECK_THROTTLES]

    @extend_schema(
        tags=["auth"],
        summary="Reauthenticate: confirm it is you before a sensitive change",
        description=(
            "Send one factor of the account: `password`, or with two-factor on `code` (a current TOTP code or an "
            "unused recovery code, which is then spent), or with a passkey `passkey` (the answer to "
            "`auth/reauthenticate/passkey/options/`). The login session counts as authenticated now: the "
            "answer's `access` token carries `auth_time` and `amr`, and for `REAUTH_SECONDS` (default 300) it "
            "may change the email, the password, two-factor settings and make API keys. A login counts the "
            "same. Refreshing keeps the session's `auth_time`. Throttled by `THROTTLE_PASSWORD_CHECK` per user "
            "and per address."
        ),
        request=ReauthenticateSerializer,
        responses={200: ReauthenticatedSerializer},
    )
    def post(self, request):
        serializer = ReauthenticateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = reauthentication.user_reauthenticate(
            user=request.user,
            sid=request_session_id(request),
            credentials=serializer.validated_data,
            context=request_context(request),
        )
        body = {
            "access": str(done.access),
            "token_type": "Bearer",
            "expires_in": done.expires_in,
            "auth_time": done.auth_time,
            "amr": list(done.amr),
        }
        return Response(body)
