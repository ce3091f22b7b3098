"""Thin views of two-factor authentication: validate, call one service, serialize."""

from http import HTTPStatus

import segno
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.permissions import RecentAuthentication
from accounts.serializers import LoginResponseSerializer
from accounts.throttles import PASSWORD_CHECK_THROTTLES, LoginRateThrottle
from accounts.tokens import request_session_id
from accounts.views import EMAIL_NOT_VERIFIED, NO_CONTENT, UNAUTHORIZED, PublicView, login_body
from audit.context import request_context
from common.throttling import AnonRateThrottle
from mfa import services
from mfa.serializers import (
    MfaLoginSerializer,
    PasswordCheckSerializer,
    RecoveryCodesSerializer,
    SecondFactorCodeSerializer,
    TotpCodeSerializer,
    TotpEnrolledSerializer,
)

# The codes a refused passkey answer can have (passkeys.ceremonies); kept here as data, mfa imports no passkey code.
ASSERTION_ERROR_CODES = [
    "wrong_assertion",
    "unavailable",
    "invalid",
    "wrong_ceremony",
    "origin_not_allowed",
    "challenge_invalid",
    "rp_id_mismatch",
    "user_presence_required",
    "user_verification_required",
    "invalid_signature",
    "unknown_passkey",
    "invalid_credential",
    "clone_suspected",
]
MFA_TOKEN_UNAUTHORIZED = OpenApiResponse(
    UNAUTHORIZED.response,
    description="The `mfa_token` is unknown, expired, used, or dead after 5 wrong codes; or the account "
    "may no longer log in. Log in again.",
)
SESSIONS_NOTE = "Every other session of the account ends; the one making this call stays."
STEP_UP_NOTE = (
    "Needs a login or reauthentication (`auth/reauthenticate/`) within `REAUTH_SECONDS` (else 401 "
    "`reauthentication_required`); throttled by `THROTTLE_PASSWORD_CHECK`."
)


# Answers carry TOTP secrets and recovery codes: never kept by a browser or a proxy.
@method_decorator(never_cache, name="dispatch")
class SecondFactorChangeView(APIView):
    """A change to the caller's own two-factor: a recent authentication, and the password-check throttle."""

    permission_classes = [IsAuthenticated, RecentAuthentication]
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, *PASSWORD_CHECK_THROTTLES]


def _qr_svg(url: str) -> str:
    # Inline markup (no XML declaration), black on transparent; scale 4 is about 180 px square.
    return segno.make(url, error="m").svg_inline(scale=4)


@extend_validation_errors(["wrong_code", "invalid", "required"], field_name="code")
@extend_validation_errors(ASSERTION_ERROR_CODES, field_name="assertion")
@extend_validation_errors(["one_factor"], field_name="non_field_errors")
class MfaLoginView(PublicView):
    # The login throttle's own scope and counter: both login steps count against THROTTLE_LOGIN.
    throttle_classes = [AnonRateThrottle, LoginRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Log in, second step: a two-factor code",
        description=(
            "`mfa_token` from the login's 202 answer and `code`: the authenticator app's current code "
            '(6 digits; spaces and hyphens are ignored, so "123 456" works) or an unused recovery code '
            '("abcde-fghij", any case). Or, instead of `code`, `assertion`: a passkey\'s answer to the options of '
            "`auth/login/mfa/passkey/options/` (a user with two-factor on and a passkey). Answers as a login does. "
            "A code works once. A wrong code is a 400 on `code`, a refused assertion a 400 on `assertion`; after 5 "
            "wrong ones the `mfa_token` is dead (401): log in again."
        ),
        request=MfaLoginSerializer,
        responses={200: LoginResponseSerializer, 401: MFA_TOKEN_UNAUTHORIZED, 403: EMAIL_NOT_VERIFIED},
    )
    def post(self, request):
        serializer = MfaLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, pair = services.mfa_login(**serializer.validated_data, context=request_context(request))
        return Response(login_body(user=user, pair=pair))


@extend_validation_errors(["wrong_password"], field_name="password")
@extend_validation_errors(["already_enabled"], field_name="non_field_errors")
class TotpEnrollView(SecondFactorChangeView):
    @extend_schema(
        tags=["auth"],
        summary="Set up an authenticator app",
        description=(
            "A new TOTP secret (SHA-1, 6 digits, 30 s), its `otpauth://` URL and QR code. Not active until "
            "confirmed with a code (`auth/mfa/totp/confirm/`); replaces an unconfirmed one. With two-factor "
            f"already on: 400 `already_enabled` (turn it off first). {STEP_UP_NOTE}"
        ),
        request=PasswordCheckSerializer,
        responses={201: TotpEnrolledSerializer},
    )
    def post(self, request):
        PasswordCheckSerializer(data=request.data, context={"request": request}).is_valid(raise_exception=True)
        secret, url = services.totp_enroll(user=request.user)
        body = {"secret": secret, "otpauth_url": url, "qr_svg": _qr_svg(url)}
        return Response(body, status=HTTPStatus.CREATED)


@extend_validation_errors(["wrong_code", "invalid"], field_name="code")
@extend_validation_errors(["already_enabled", "no_pending_authenticator"], field_name="non_field_errors")
class TotpConfirmView(SecondFactorChangeView):
    @extend_schema(
        tags=["auth"],
        summary="Confirm the authenticator app: turn two-factor on",
        description=(
            "A current code of the new authenticator turns two-factor authentication on and returns 10 "
            f"recovery codes, shown only here. {SESSIONS_NOTE} {STEP_UP_NOTE}"
        ),
        request=TotpCodeSerializer,
        responses={200: RecoveryCodesSerializer},
    )
    def post(self, request):
        serializer = TotpCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = services.totp_confirm(
            user=request.user,
            code=serializer.validated_data["code"],
            keep_sid=request_session_id(request),
            context=request_context(request),
        )
        return Response({"recovery_codes": codes})


CODE_NOTE = (
    "`code`: a current TOTP code or an unused recovery code (spent): whoever holds a session must also hold the "
    "device. A wrong code is a 400 on `code`."
)


@extend_validation_errors(["wrong_code", "invalid"], field_name="code")
@extend_validation_errors(["not_enabled"], field_name="non_field_errors")
class MfaDisableView(SecondFactorChangeView):
    @extend_schema(
        tags=["auth"],
        summary="Turn two-factor off",
        description=f"The authenticator and the recovery codes are deleted. {CODE_NOTE} {SESSIONS_NOTE} {STEP_UP_NOTE}",
        request=SecondFactorCodeSerializer,
        responses={204: NO_CONTENT},
    )
    def post(self, request):
        serializer = SecondFactorCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.mfa_disable_own(
            user=request.user,
            code=serializer.validated_data["code"],
            keep_sid=request_session_id(request),
            context=request_context(request),
        )
        return Response(status=HTTPStatus.NO_CONTENT)


@extend_validation_errors(["wrong_code", "invalid"], field_name="code")
@extend_validation_errors(["not_enabled"], field_name="non_field_errors")
class RecoveryCodesView(SecondFactorChangeView):
    @extend_schema(
        tags=["auth"],
        summary="Replace the recovery codes",
        description=(
            "10 new recovery codes, shown only here; the old ones stop working. Needs two-factor on. "
            f"{CODE_NOTE} {STEP_UP_NOTE}"
        ),
        request=SecondFactorCodeSerializer,
        responses={200: RecoveryCodesSerializer},
    )
    def post(self, request):
        serializer = SecondFactorCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = services.recovery_codes_regenerate(
            user=request.user, code=serializer.validated_data["code"], context=request_context(request)
        )
        return Response({"recovery_codes": codes})
