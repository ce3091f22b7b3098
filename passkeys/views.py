"""Thin views of passkeys: validate, call one service or selector, serialize."""

from http import HTTPStatus

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import RecentAuthentication, RecentAuthenticationForActions
from accounts.serializers import LoginResponseSerializer
from accounts.throttles import LoginRateThrottle
from accounts.views import EMAIL_NOT_VERIFIED, UNAUTHORIZED, PublicView, login_body
from audit.context import request_context
from common.throttling import AnonRateThrottle
from mfa.views import MFA_TOKEN_UNAUTHORIZED
from passkeys import services, uses
from passkeys.models import Passkey
from passkeys.selectors import passkey_list
from passkeys.serializers import (
    CreationOptionsSerializer,
    PasskeyAssertionSerializer,
    PasskeyNameSerializer,
    PasskeyRegisterSerializer,
    PasskeySerializer,
    RequestOptionsSerializer,
    SecondStepOptionsSerializer,
)

# What a refused answer to any ceremony can say on `credential` (passkeys.ceremonies turns fido2's errors into these).
CEREMONY_CODES = [
    "invalid",
    "wrong_ceremony",
    "origin_not_allowed",
    "challenge_invalid",
    "rp_id_mismatch",
    "user_presence_required",
    "user_verification_required",
    "invalid_credential",
]
REGISTRATION_CODES = [*CEREMONY_CODES, "unsupported_algorithm", "already_registered"]
# What a refused passwordless answer can say on `credential` (an unknown passkey or a bad signature is a 401).
LOGIN_CODES = [*CEREMONY_CODES, "clone_suspected", "not_passwordless"]
STEP_UP_NOTE = (
    "Needs a login or reauthentication (`auth/reauthenticate/`) within `REAUTH_SECONDS` (else 401 "
    "`reauthentication_required`)."
)
OPTIONS_NOTE = (
    "The challenge is kept server-side for 5 minutes and works once, on any instance; asking again makes a new one."
)
LOGIN_UNAUTHORIZED = OpenApiResponse(
    UNAUTHORIZED.response,
    description="The passkey is not registered here (removed, or never) or its signature is wrong; or the "
    "account may not log in.",
)


class PasskeyChangeView(APIView):
    """A change to the caller's passkeys: a recent authentication."""

    permission_classes = [IsAuthenticated, RecentAuthentication]


# The answer carries a fresh challenge: never kept by a browser or a proxy.
@method_decorator(never_cache, name="dispatch")
@extend_validation_errors(["too_many_passkeys"], field_name="non_field_errors")
class RegistrationOptionsView(PasskeyChangeView):
    @extend_schema(
        tags=["auth"],
        summary="Add a passkey, step 1: the options for the browser",
        description=(
            "`navigator.credentials.create()` options for a new passkey of the caller: a discoverable credential "
            "and user verification preferred (so the passkey can sign in without a password), no attestation, "
            f"the caller's passkeys excluded. {OPTIONS_NOTE} {STEP_UP_NOTE}"
        ),
        request=None,
        responses={200: CreationOptionsSerializer},
    )
    def post(self, request):
        return Response(services.registration_begin(user=request.user))


@extend_validation_errors(REGISTRATION_CODES, field_name="credential")
@extend_validation_errors(["too_many_passkeys"], field_name="non_field_errors")
class RegistrationView(PasskeyChangeView):
    @extend_schema(
        tags=["auth"],
        summary="Add a passkey, step 2: the browser's answer",
        description=(
            "`credential`: what `navigator.credentials.create()` gave, as `PublicKeyCredential.toJSON()`, and a "
            "`name`. A refused answer is a 400 on `credential` whose code says why (`origin_not_allowed`: a page "
            "not in `WEBAUTHN_ORIGINS`; `rp_id_mismatch`: another `WEBAUTHN_RP_ID`; `challenge_invalid`: "
            "unknown, expired or used). The owner is told by mail; `passkey_added` is recorded. A passkey that is "
            f"discoverable and verified its user can sign in alone (`passwordless`); others only as a second "
            f"factor. {STEP_UP_NOTE}"
        ),
        request=PasskeyRegisterSerializer,
        responses={201: PasskeySerializer},
    )
    def post(self, request):
        serializer = PasskeyRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        raw, response = serializer.validated_data["credential"]
        passkey = services.passkey_register(
            user=request.user,
            name=serializer.validated_data["name"],
            response=response,
            raw=raw,
            context=request_context(request),
        )
        return Response(PasskeySerializer(passkey).data, status=HTTPStatus.CREATED)


@extend_schema_view(
    list=extend_schema(summary="The caller's passkeys", description="Newest first; never any key material."),
    partial_update=extend_schema(
        summary="Rename a passkey", request=PasskeyNameSerializer, responses={200: PasskeySerializer}
    ),
    destroy=extend_schema(
        summary="Remove a passkey",
        description=(
            "It cannot sign in from now on; the owner is told by mail and `passkey_removed` is recorded. "
            f"{STEP_UP_NOTE}"
        ),
        responses={204: OpenApiResponse(description="Removed; no body.")},
    ),
)
@extend_schema(tags=["auth"])
class PasskeyViewSet(RecentAuthenticationForActions, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PasskeySerializer
    lookup_value_regex = r"[0-9]+"
    filter_backends = []
    http_method_names = ["get", "patch", "delete", "head", "options"]

    # Removing a factor is a credential change: a stolen access token alone must not do it.
    recent_authentication_actions = frozenset({"destroy"})

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return Passkey.objects.none()
        return passkey_list(user=self.request.user)

    def partial_update(self, request, pk: str):
        serializer = PasskeyNameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        passkey = services.passkey_rename(user=request.user, passkey_id=int(pk), name=serializer.validated_data["name"])
        return Response(PasskeySerializer(passkey).data)

    def destroy(self, request, pk: str):
        services.passkey_remove(
            passkey_id=int(pk), owner=request.user, actor=request.user, context=request_context(request)
        )
        return Response(status=HTTPStatus.NO_CONTENT)


class PasskeyLoginOptionsView(PublicView):
    throttle_classes = [AnonRateThrottle, LoginRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Log in with a passkey, step 1: the options for the browser",
        description=(
            "`navigator.credentials.get()` options naming no account (the browser offers the passkeys it has for "
            f"this site) and requiring user verification. {OPTIONS_NOTE} Throttled like login."
        ),
        request=None,
        responses={200: RequestOptionsSerializer},
    )
    def post(self, request):
        return Response(uses.login_begin())


@extend_validation_errors(LOGIN_CODES, field_name="credential")
class PasskeyLoginView(PublicView):
    throttle_classes = [AnonRateThrottle, LoginRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Log in with a passkey, step 2: the browser's answer",
        description=(
            "`credential`: what `navigator.credentials.get()` gave, as `PublicKeyCredential.toJSON()`. Answers as "
            "a password login does (tokens, a login session), counting as two factors: no code step, the "
            'session\'s `amr` is `["hwk", "user", "mfa"]`. The passkey must verify its user now '
            "(`user_verification_required`) and be `passwordless` (`not_passwordless`: a passkey that is not "
            "discoverable or did not verify its user when added only serves as a second factor). A refused "
            "answer is a 400 on `credential` (`origin_not_allowed`, `rp_id_mismatch`, `challenge_invalid`, "
            "`clone_suspected`…); an unknown passkey or a wrong signature a 401, like a wrong password. "
            "Throttled like login."
        ),
        request=PasskeyAssertionSerializer,
        responses={200: LoginResponseSerializer, 401: LOGIN_UNAUTHORIZED, 403: EMAIL_NOT_VERIFIED},
    )
    def post(self, request):
        serializer = PasskeyAssertionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, response = serializer.validated_data["credential"]
        user, pair = uses.passkey_login(response=response, context=request_context(request))
        return Response(login_body(user=user, pair=pair))


@extend_validation_errors(["no_passkey"], field_name="non_field_errors")
class SecondStepOptionsView(PublicView):
    throttle_classes = [AnonRateThrottle, LoginRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Log in, second step with a passkey: the options for the browser",
        description=(
            "For a password login of a user with two-factor on: `navigator.credentials.get()` options naming the "
            "user's passkeys. Send the browser's answer as `assertion` with the `mfa_token` to "
            f"`auth/login/mfa/`. No passkey: 400 `no_passkey`. {OPTIONS_NOTE} Throttled like login."
        ),
        request=SecondStepOptionsSerializer,
        responses={200: RequestOptionsSerializer, 401: MFA_TOKEN_UNAUTHORIZED},
    )
    def post(self, request):
        serializer = SecondStepOptionsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(uses.second_step_begin(mfa_token=serializer.validated_data["mfa_token"]))


@method_decorator(never_cache, name="dispatch")
@extend_validation_errors(["no_passkey"], field_name="non_field_errors")
class ReauthenticationOptionsView(APIView):
    @extend_schema(
        tags=["auth"],
        summary="Reauthenticate with a passkey: the options for the browser",
        description=(
            "`navigator.credentials.get()` options naming the caller's passkeys. Send the browser's answer as "
            f"`passkey` to `auth/reauthenticate/`. No passkey: 400 `no_passkey`. {OPTIONS_NOTE}"
        ),
        request=None,
        responses={200: RequestOptionsSerializer},
    )
    def post(self, request):
        return Response(uses.reauthentication_begin(user=request.user))
