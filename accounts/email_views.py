"""
Views of account recovery and email ownership: password reset, email verification and its resend.

Thin as the others: validate, call one service, answer. The mails themselves are sent by
background jobs (accounts.tasks) after the request's transaction commits.
"""

from http import HTTPStatus

from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import email_verification, password_reset
from accounts.serializers import (
    DetailSerializer,
    EmailChangeCancelSerializer,
    EmailVerifyResendSerializer,
    EmailVerifySerializer,
    PasswordResetConfirmSerializer,
    PasswordResetRequestSerializer,
    UserSerializer,
)
from accounts.throttles import PasswordResetRateThrottle
from accounts.views import NO_CONTENT, PublicView
from audit.context import request_context
from common.openapi import PASSWORD_VALIDATION_CODES
from common.throttling import AnonRateThrottle

ACCEPTED = OpenApiResponse(DetailSerializer, description="Accepted; the same answer whoever owns the address.")
VERIFICATION_QUEUED = "If an unverified account has this email, a message with a verification link is on its way."
VERIFICATION_SENT = "A message with a verification link is on its way."


class PasswordResetView(PublicView):
    throttle_classes = [AnonRateThrottle, PasswordResetRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Ask for a password reset mail",
        description=(
            "Always 202 with the same body, whether or not an account has this email: the mail (a link to "
            "`FRONTEND_URL/reset-password?token=…` and the token) goes only to an active account with it, at "
            "most 3 per address and hour. Throttled per client address (`THROTTLE_PASSWORD_RESET`)."
        ),
        request=PasswordResetRequestSerializer,
        responses={202: ACCEPTED},
    )
    def post(self, request):
        serializer = PasswordResetRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset.password_reset_request(
            email=serializer.validated_data["email"], context=request_context(request)
        )
        return Response({"detail": password_reset.RESET_REQUESTED}, status=HTTPStatus.ACCEPTED)


@extend_validation_errors(["invalid"], field_name="token")
@extend_validation_errors(PASSWORD_VALIDATION_CODES, field_name="new_password")
class PasswordResetConfirmView(PublicView):
    @extend_schema(
        tags=["auth"],
        summary="Set a new password with a reset token",
        description=(
            "The token works once, for `PASSWORD_RESET_TIMEOUT_MINUTES`, and stops working when the password "
            "changes by any route. Every session of the account ends, and its API keys are revoked unless "
            "`revoke_api_keys` is false; the email counts as verified. A new password the validators refuse "
            "leaves the token usable."
        ),
        request=PasswordResetConfirmSerializer,
        responses={204: NO_CONTENT},
    )
    def post(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset.password_reset_complete(**serializer.validated_data, context=request_context(request))
        return Response(status=HTTPStatus.NO_CONTENT)


@extend_validation_errors(["invalid"], field_name="token")
@extend_validation_errors(["unique"], field_name="email")
class EmailVerifyView(PublicView):
    @extend_schema(
        tags=["auth"],
        summary="Verify an email address with a token",
        description=(
            "For anyone (the link may be opened on another device). The token works once, for 3 days. A pending "
            "address becomes the email (`pending_email: null`), unless another account took it meanwhile "
            "(400 on `email`)."
        ),
        request=EmailVerifySerializer,
        responses={200: UserSerializer},
    )
    def post(self, request):
        serializer = EmailVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = email_verification.email_verify(
            token=serializer.validated_data["token"], context=request_context(request)
        )
        return Response(UserSerializer(user).data)


@extend_validation_errors(["invalid"], field_name="token")
class EmailChangeCancelView(PublicView):
    @extend_schema(
        tags=["auth"],
        summary="Cancel a pending email change from the old address",
        description=(
            "With the token of the notice mailed to the current address when a new one was asked for "
            "(`FRONTEND_URL/cancel-email-change?token=…`): the pending address is dropped and every session "
            "of the account ends, in case whoever asked held a stolen token. The token works while that "
            "change waits (up to 3 days); once it was verified, cancelled or replaced: 400 on `token`."
        ),
        request=EmailChangeCancelSerializer,
        responses={204: NO_CONTENT},
    )
    def post(self, request):
        serializer = EmailChangeCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email_verification.email_change_cancel(
            token=serializer.validated_data["token"], context=request_context(request)
        )
        return Response(status=HTTPStatus.NO_CONTENT)


@extend_validation_errors(["already_verified"], field_name="non_field_errors")
class EmailVerifyResendView(APIView):
    """Signed in: for the caller. Anyone: for the unverified account with `email`, if there is one."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=["auth"],
        summary="Ask for a new verification mail",
        description=(
            "With a bearer token: a link for the caller's pending address, else their unverified email "
            "(400 `already_verified` when there is neither; 429 with `Retry-After` past 3 per hour). "
            "Without one: `email` is required, and the answer is 202 whatever the address; the mail goes only "
            "to an unverified account with it, silently not past 3 per hour."
        ),
        request=EmailVerifyResendSerializer,
        responses={202: ACCEPTED},
    )
    def post(self, request):
        signed_in = request.user.is_authenticated
        serializer = EmailVerifyResendSerializer(data=request.data, context={"signed_in": signed_in})
        serializer.is_valid(raise_exception=True)
        if signed_in:
            email_verification.email_verification_resend(user=request.user)
            return Response({"detail": VERIFICATION_SENT}, status=HTTPStatus.ACCEPTED)
        email_verification.email_verification_resend_to_address(email=serializer.validated_data["email"])
        return Response({"detail": VERIFICATION_QUEUED}, status=HTTPStatus.ACCEPTED)
