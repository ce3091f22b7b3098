"""Thin views of the accounts API: validate, call one service or selector, serialize."""

from http import HTTPStatus

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_serializers import ErrorResponse401Serializer
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, viewsets
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts import selectors, services, sessions
from accounts.account_deletion import account_deletion
from accounts.filters import UserFilter
from accounts.models import User
from accounts.permissions import IsAdmin, RecentAuthentication, RecentAuthenticationForEmailChange
from accounts.schema import ErrorResponse403EmailNotVerifiedSerializer
from accounts.second_factor import LoginChallenge
from accounts.serializers import (
    AccountDeletionScheduledSerializer,
    LoginResponseSerializer,
    LoginSerializer,
    MfaChallengeSerializer,
    PasswordChangeSerializer,
    ProfileSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenPairSerializer,
    UserAdminSerializer,
    UserSerializer,
)
from accounts.throttles import PASSWORD_CHECK_THROTTLES, LoginRateThrottle, RegisterRateThrottle
from accounts.tokens import TokenPair
from audit.context import request_context
from common.fastpaths import FastPathsMixin
from common.openapi import PASSWORD_VALIDATION_CODES
from common.parsers import JSONParser
from common.throttling import AnonRateThrottle

NO_CONTENT = OpenApiResponse(description="Done; no body.")
UNAUTHORIZED = OpenApiResponse(ErrorResponse401Serializer, description="Bad credentials or token.")
DELETION_SCHEDULED = (
    "Your account is deactivated and will be deleted after `purge_after`; the link mailed to you cancels it until then."
)
EMAIL_NOT_VERIFIED = OpenApiResponse(
    ErrorResponse403EmailNotVerifiedSerializer,
    description="`EMAIL_VERIFICATION=mandatory` and the password is right, but the email is not verified yet.",
    examples=[
        OpenApiExample(
            "EmailNotVerified",
            value={
                "type": "client_error",
                "errors": [{"code": "email_not_verified", "detail": sessions.EMAIL_NOT_VERIFIED, "attr": None}],
            },
            response_only=True,
            status_codes=["403"],
        )
    ],
)


def login_body(*, user: User, pair: TokenPair) -> dict:
    """The body of a successful login (`auth/login/`, and its second step `auth/login/mfa/`)."""
    return {
        "access": str(pair.access),
        "refresh": str(pair.refresh),
        "token_type": "Bearer",
        "expires_in": pair.expires_in,
        "user": UserSerializer(user).data,
        "password_change_recommended": user.password_change_recommended,
    }


# Public endpoints answer with tokens and mfa_tokens: never kept by a browser or a proxy (Django's never_cache).
@method_decorator(never_cache, name="dispatch")
class PublicView(APIView):
    """An endpoint for callers without a token: no authentication, so a stale token cannot get in the way."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request) -> str:
        # Our 401s (bad credentials, bad refresh token) still challenge for a bearer token.
        return 'Bearer realm="api"'


@extend_validation_errors(["unique"], field_name="username")
@extend_validation_errors(["unique"], field_name="email")
@extend_validation_errors(PASSWORD_VALIDATION_CODES, field_name="password")
class RegisterView(PublicView):
    throttle_classes = [AnonRateThrottle, RegisterRateThrottle]

    @extend_schema(
        tags=["auth"], summary="Create an account", request=RegisterSerializer, responses={201: UserSerializer}
    )
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=HTTPStatus.CREATED)


class LoginView(PublicView):
    throttle_classes = [AnonRateThrottle, LoginRateThrottle]
    # OAuth2 password-flow clients post a form.
    parser_classes = [JSONParser, FormParser]

    def get_parsers(self):
        # The schema lists the JSON body only (the form is described in the text):
        # openapi-python-client generates broken code for a request body with several content
        # types (its issues #1276 and #1451), and generated clients are how many callers log in.
        if getattr(self, "swagger_fake_view", False):
            return [JSONParser()]
        return super().get_parsers()

    @extend_schema(
        tags=["auth"],
        summary="Log in with username or email",
        description=(
            "`username` takes the username or the email (any case). Also accepts the same fields as an "
            "`application/x-www-form-urlencoded` form, as OAuth2 password-flow clients send them. "
            "For an account with two-factor authentication on, a right password answers 202 with an "
            "`mfa_token` instead of tokens (see `auth/login/mfa/`)."
        ),
        request=LoginSerializer,
        responses={
            200: LoginResponseSerializer,
            202: OpenApiResponse(
                MfaChallengeSerializer,
                description=(
                    "The password is right and the account has two-factor authentication on: no tokens yet. "
                    "Send `mfa_token` with a code to `auth/login/mfa/` within `expires_in` seconds."
                ),
            ),
            401: UNAUTHORIZED,
            403: EMAIL_NOT_VERIFIED,
        },
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, result = sessions.user_login(
            identifier=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
            context=request_context(request),
        )
        if isinstance(result, LoginChallenge):
            body = {"mfa_required": True, "mfa_token": result.mfa_token, "expires_in": result.expires_in}
            return Response(body, status=HTTPStatus.ACCEPTED)
        return Response(login_body(user=user, pair=result))


class TokenRefreshView(PublicView):
    @extend_schema(
        tags=["auth"],
        summary="Rotate a refresh token",
        description=(
            "Returns a new pair; the refresh sent is rejected from now on. Sending a rotated or revoked "
            "refresh again revokes every token of the account (reuse detection)."
        ),
        request=RefreshSerializer,
        responses={200: TokenPairSerializer, 401: UNAUTHORIZED},
    )
    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = sessions.session_refresh(
            raw_refresh=serializer.validated_data["refresh"], context=request_context(request)
        )
        return Response({"access": str(pair.access), "refresh": str(pair.refresh)})


class LogoutView(APIView):
    @extend_schema(
        tags=["auth"],
        summary="Log out of this session",
        description="The refresh sent and the access token of this call are rejected from now on.",
        request=RefreshSerializer,
        responses={204: NO_CONTENT},
    )
    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sessions.session_logout(
            user=request.user,
            access=request.auth,
            raw_refresh=serializer.validated_data["refresh"],
            context=request_context(request),
        )
        return Response(status=HTTPStatus.NO_CONTENT)


class LogoutAllView(APIView):
    @extend_schema(tags=["auth"], summary="Log out everywhere", request=None, responses={204: NO_CONTENT})
    def post(self, request):
        sessions.user_logout_all(user=request.user, context=request_context(request))
        return Response(status=HTTPStatus.NO_CONTENT)


@extend_validation_errors(["unique"], field_name="username", methods=["patch"])
@extend_validation_errors(["last_admin"], field_name="non_field_errors", methods=["delete"])
class MeView(APIView):
    http_method_names = ["get", "patch", "delete", "head", "options"]
    permission_classes = [IsAuthenticated, RecentAuthenticationForEmailChange]

    @extend_schema(tags=["auth"], summary="The caller's account", responses={200: UserSerializer})
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        tags=["auth"],
        summary="Change the caller's username or ask for a new email",
        description=(
            "A new `email` is only requested: `email` stays as it is, `pending_email` shows the new address, a "
            "verification link goes to it and a notice to the current one, with a link that cancels the change "
            "(`auth/email/change/cancel/`). Verifying the link makes it the email. An address another account "
            "uses answers the same (its owner gets a notice instead of a link, and verification refuses it), so "
            "the answer tells nobody which addresses have accounts. "
            "Email changes count against the verification mails' limit (3 per hour; over it: 429), and "
            "need a login or reauthentication within `REAUTH_SECONDS` (else 401 `reauthentication_required`)."
        ),
        request=ProfileSerializer,
        responses={200: UserSerializer},
    )
    def patch(self, request):
        serializer = ProfileSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_profile_update(
            user=request.user, **serializer.validated_data, context=request_context(request)
        )
        return Response(UserSerializer(user).data)

    @extend_schema(
        tags=["auth"],
        summary="Delete the caller's account",
        description=(
            "The account is deactivated at once: every session ends and every token and API key is refused, "
            "on every worker. It is purged after `ACCOUNT_DELETION_GRACE_DAYS` (7); until then the link "
            "mailed to the account's address cancels the deletion (`auth/account/deletion/cancel/`). "
            "The last active admin cannot delete themselves (400 `last_admin`). Needs a login or "
            "reauthentication within `REAUTH_SECONDS` (else 401 `reauthentication_required`)."
        ),
        request=None,
        responses={202: AccountDeletionScheduledSerializer},
    )
    def delete(self, request):
        deletion_request = account_deletion()
        if deletion_request is None:
            raise MethodNotAllowed(request.method)
        scheduled = deletion_request(user=request.user, context=request_context(request))
        body = {"detail": DELETION_SCHEDULED, "purge_after": scheduled.purge_after}
        return Response(AccountDeletionScheduledSerializer(body).data, status=HTTPStatus.ACCEPTED)


@extend_validation_errors(["wrong_password"], field_name="old_password")
@extend_validation_errors(PASSWORD_VALIDATION_CODES, field_name="new_password")
class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated, RecentAuthentication]
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, *PASSWORD_CHECK_THROTTLES]

    @extend_schema(
        tags=["auth"],
        summary="Change the caller's password",
        description=(
            "Every token issued before now is rejected; log in again. The account's API keys are revoked too "
            "unless `revoke_api_keys` is false. Needs a login or reauthentication within "
            "`REAUTH_SECONDS` (else 401 `reauthentication_required`); throttled by `THROTTLE_PASSWORD_CHECK`."
        ),
        request=PasswordChangeSerializer,
        responses={204: NO_CONTENT},
    )
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        services.user_password_change(
            user=request.user,
            new_password=serializer.validated_data["new_password"],
            actor=request.user,
            context=request_context(request),
            revoke_api_keys=serializer.validated_data["revoke_api_keys"],
        )
        return Response(status=HTTPStatus.NO_CONTENT)


@extend_schema(tags=["users"])
@extend_schema_view(
    list=extend_schema(
        summary="List users (admin)",
        description="Every user, oldest first; `role` and `is_active` filter, `search` matches username and email.",
    )
)
@extend_validation_errors(["last_admin"], field_name="role", actions=["partial_update"])
@extend_validation_errors(["last_admin"], field_name="is_active", actions=["partial_update"])
@extend_validation_errors(["only_off"], field_name="mfa_enabled", actions=["partial_update"])
class UserViewSet(
    FastPathsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Admin-only user management: list, read, change `role` / `is_active`, turn two-factor off."""

    permission_classes = [IsAdmin]
    serializer_class = UserAdminSerializer
    filterset_class = UserFilter
    search_fields = ["username", "email"]
    http_method_names = ["get", "patch", "head", "options"]

    # A page of the unfiltered list as rows (common.fastpaths): 7.5 -> 3.2 ms a page in process
    # (docs/performance.md, "What made it fast").
    fast_parameters = {"list": frozenset({"page", "page_size"})}

    def queryset_for(self, user):
        return selectors.user_list()

    def perform_update(self, serializer):
        serializer.instance = services.user_admin_update(
            user=serializer.instance,
            **serializer.validated_data,
            actor=self.request.user,
            context=request_context(self.request),
        )
