"""
Social login's endpoints: the browser's round trip to the provider (start, callback), the client's
exchange of the ticket, native apps' ID tokens, linking, and the caller's identities.
"""

from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import RecentAuthentication, RecentAuthenticationForActions
from accounts.second_factor import LoginChallenge
from accounts.serializers import MfaChallengeSerializer
from accounts.throttles import LoginRateThrottle
from accounts.views import EMAIL_NOT_VERIFIED, UNAUTHORIZED, PublicView, login_body
from audit.context import request_context
from common.integrity import field_error
from common.throttling import AnonRateThrottle
from social import flow, services
from social.errors import Conflict
from social.id_tokens import IdTokenInvalid, id_token_validate
from social.models import Identity
from social.providers import Provider, provider_get, providers_all
from social.serializers import (
    AuthorizationUrlSerializer,
    ErrorResponse409LinkRequiredSerializer,
    ErrorResponse502ProviderSerializer,
    ErrorResponse503ProviderSerializer,
    IdentitySerializer,
    IdTokenSerializer,
    ProviderSerializer,
    SocialLoginResponseSerializer,
    TicketSerializer,
)

COOKIE_NAME = "social_login"
LINK_SALT = "social.link"
LINK_INVALID = "This link request is invalid or expired; ask for a new one."
NO_ID_TOKENS = "This provider issues no ID tokens (plain OAuth 2.0); sign in through the browser."
PROVIDER = OpenApiParameter(
    "provider", type=str, location=OpenApiParameter.PATH, description="The provider's slug (`auth/social/providers/`)."
)
PROVIDER_RESPONSES = {
    502: OpenApiResponse(ErrorResponse502ProviderSerializer, description="The provider answered garbage."),
    503: OpenApiResponse(ErrorResponse503ProviderSerializer, description="The provider cannot be reached."),
}
LINK_REQUIRED = OpenApiResponse(
    ErrorResponse409LinkRequiredSerializer,
    description=(
        "An account has this email: sign in to it first, then link the provider (`auth/social/<provider>/link/`)."
    ),
)
MFA_REQUIRED = OpenApiResponse(
    MfaChallengeSerializer,
    description="The account has two-factor on: send a code with `mfa_token` to `auth/login/mfa/`.",
)


def _callback_url(request, provider: Provider) -> str:
    path = reverse("social-callback", args=[provider.slug])
    if settings.SOCIAL_CALLBACK_ORIGIN:
        return f"{settings.SOCIAL_CALLBACK_ORIGIN}{path}"
    return request.build_absolute_uri(path)


def _login_answer(request, *, provider: Provider, claims: dict) -> Response:
    try:
        user, result, created = services.social_login(
            provider=provider, claims=claims, context=request_context(request)
        )
    except services.LinkRequired:
        raise Conflict(services.LINK_REQUIRED, code="link_required") from None
    if isinstance(result, LoginChallenge):
        body = {"mfa_required": True, "mfa_token": result.mfa_token, "expires_in": result.expires_in}
        return Response(body, status=HTTPStatus.ACCEPTED)
    return Response({**login_body(user=user, pair=result), "user_created": created})


class ProviderListView(PublicView):
    @extend_schema(
        tags=["auth"],
        summary="The sign-in providers",
        description="The providers this server is configured for, each with the URL that starts a sign-in.",
        responses={200: ProviderSerializer(many=True)},
    )
    def get(self, request):
        body = [
            {
                "slug": p.slug,
                "name": p.name,
                "start_url": request.build_absolute_uri(reverse("social-start", args=[p.slug])),
            }
            for p in providers_all()
        ]
        return Response(body)


class StartView(PublicView):
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Start a sign-in with a provider (browser)",
        description=(
            "A full-page navigation, not a fetch: answers 302 to the provider's authorization page (PKCE S256, "
            "`state`, `nonce`) and sets an HttpOnly, SameSite=Lax cookie that binds the sign-in to this browser "
            "for 10 minutes. `link` (from `auth/social/<provider>/link/`) makes it a linking sign-in."
        ),
        parameters=[PROVIDER, OpenApiParameter("link", type=str, required=False, description="A link request.")],
        responses={302: OpenApiResponse(description="To the provider."), 404: None, **PROVIDER_RESPONSES},
    )
    def get(self, request, provider: str):
        provider = provider_get(provider)
        link_user = None
        if link := request.query_params.get("link"):
            link_user = _link_user(link)
        url, reference = flow.authorization_start(
            provider=provider, redirect_uri=_callback_url(request, provider), link_user=link_user
        )
        response = HttpResponseRedirect(url)
        response.set_cookie(
            COOKIE_NAME,
            reference,
            max_age=flow.REQUEST_SECONDS,
            path=reverse("social-callback", args=[provider.slug]),
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        return response


def _link_user(link: str) -> User:
    try:
        user_id, version = signing.loads(link, salt=LINK_SALT, max_age=flow.REQUEST_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        raise field_error("link", LINK_INVALID, code="invalid") from None
    user = User.objects.filter(pk=user_id, token_version=version, is_active=True).first()
    # Once only: a link URL seen later (a log, the history) cannot start a linking sign-in of someone else's.
    if user is None or not cache.add(f"social:link:{flow.secret_hash(link)}", 1, flow.REQUEST_SECONDS):
        raise field_error("link", LINK_INVALID, code="invalid")
    return user


@extend_validation_errors(["state_invalid"], field_name="state", methods=["get"])
@extend_validation_errors(["code_rejected"], field_name="code", methods=["get"])
@extend_validation_errors(["issuer_mismatch"], field_name="iss", methods=["get"])
class CallbackView(PublicView):
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="The provider's redirect back (browser)",
        description=(
            "Register this URL at the provider. It checks `state` against this browser's cookie (single use), "
            "exchanges the code, validates the ID token, and answers 302 to `FRONTEND_URL` + "
            "`SOCIAL_FRONTEND_PATH` with `?ticket=` (exchange it within 60 s at `auth/social/exchange/`, or for "
            "a linking sign-in at POST `auth/identities/`). A provider's own refusal (the user cancelled) "
            "redirects there with `?error=`. A sign-in started in another browser, replayed or expired: 400."
        ),
        parameters=[
            PROVIDER,
            OpenApiParameter("code", type=str, required=False),
            OpenApiParameter("state", type=str, required=False),
            OpenApiParameter("error", type=str, required=False),
        ],
        responses={302: OpenApiResponse(description="To the client application."), 404: None, **PROVIDER_RESPONSES},
    )
    def get(self, request, provider: str):
        provider = provider_get(provider)
        frontend = f"{settings.FRONTEND_URL}{settings.SOCIAL_FRONTEND_PATH}"
        if error := request.query_params.get("error"):
            response = HttpResponseRedirect(f"{frontend}?{urlencode({'error': error[:64]})}")
        else:
            ticket = flow.callback_finish(
                iss=request.query_params.get("iss"),
                provider=provider,
                reference=request.COOKIES.get(COOKIE_NAME, ""),
                state=request.query_params.get("state", ""),
                code=request.query_params.get("code", ""),
            )
            response = HttpResponseRedirect(f"{frontend}?{urlencode({'ticket': ticket})}")
        response.delete_cookie(COOKIE_NAME, path=reverse("social-callback", args=[provider.slug]), samesite="Lax")
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors too: the sign-in is over, its cookie has no use left.
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and (slug := kwargs.get("provider")) in settings.SOCIAL_PROVIDERS:
            response.delete_cookie(COOKIE_NAME, path=reverse("social-callback", args=[slug]), samesite="Lax")
        return response


@extend_validation_errors(["invalid", "email_missing", "identity_taken"], field_name="ticket")
class ExchangeView(PublicView):
    throttle_classes = [AnonRateThrottle, LoginRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Exchange a sign-in ticket for tokens",
        description=(
            "The `ticket` from the callback's redirect, once, within 60 s. Answers as `auth/login/` does (and "
            "`user_created`); 202 for an account with two-factor on; 409 `link_required` when an account with "
            "the provider's email exists that this sign-in may not enter (see docs/social-login.md)."
        ),
        request=TicketSerializer,
        responses={
            200: SocialLoginResponseSerializer,
            202: MFA_REQUIRED,
            401: UNAUTHORIZED,
            403: EMAIL_NOT_VERIFIED,
            409: LINK_REQUIRED,
        },
    )
    def post(self, request):
        serializer = TicketSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = flow.ticket_take(raw=serializer.validated_data["ticket"], link=False)
        return _login_answer(request, provider=provider_get(ticket.provider), claims=ticket.claims)


@extend_validation_errors(["invalid", "no_id_tokens"], field_name="id_token")
@extend_validation_errors(["email_missing", "identity_taken"], field_name="ticket")
class IdTokenLoginView(PublicView):
    throttle_classes = [AnonRateThrottle, LoginRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Sign in with a provider's ID token (native apps)",
        description=(
            "For apps that sign in with the provider's SDK: its `id_token`, validated as the browser flow's is "
            "(signature by the provider's keys, `iss`, `aud` = our client id, `exp`, and `nonce` when sent). "
            "A token is accepted once. Answers as `auth/social/exchange/`. A bad token: 400 on `id_token`."
        ),
        parameters=[PROVIDER],
        request=IdTokenSerializer,
        responses={
            200: SocialLoginResponseSerializer,
            202: MFA_REQUIRED,
            401: UNAUTHORIZED,
            403: EMAIL_NOT_VERIFIED,
            404: None,
            409: LINK_REQUIRED,
            **PROVIDER_RESPONSES,
        },
    )
    def post(self, request, provider: str):
        provider = provider_get(provider)
        serializer = IdTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not provider.is_oidc:
            raise field_error("id_token", NO_ID_TOKENS, code="no_id_tokens")
        raw = serializer.validated_data["id_token"]
        try:
            claims = id_token_validate(provider, raw, nonce=serializer.validated_data.get("nonce"))
        except IdTokenInvalid:
            raise field_error("id_token", flow.ID_TOKEN_REJECTED, code="invalid") from None
        flow.id_token_spend(raw=raw, claims=claims)
        return _login_answer(request, provider=provider, claims=flow.claims_normalize(claims))


# The answer's URL carries the signed, single-use link token: never kept by a browser or a proxy.
@method_decorator(never_cache, name="dispatch")
class LinkStartView(APIView):
    permission_classes = [IsAuthenticated, RecentAuthentication]

    @extend_schema(
        tags=["auth"],
        summary="Start linking a provider to the caller's account",
        description=(
            "Needs a login or reauthentication within `REAUTH_SECONDS`. Send the browser to `authorization_url`; "
            "the callback's ticket is then posted to `auth/identities/` with the caller's token."
        ),
        parameters=[PROVIDER],
        request=None,
        responses={200: AuthorizationUrlSerializer, 404: None},
    )
    def post(self, request, provider: str):
        provider = provider_get(provider)
        link = signing.dumps([request.user.pk, request.user.token_version], salt=LINK_SALT)
        start = request.build_absolute_uri(reverse("social-start", args=[provider.slug]))
        return Response({"authorization_url": f"{start}?{urlencode({'link': link})}"})


@extend_schema_view(
    list=extend_schema(summary="The caller's linked sign-in providers", description="Oldest first."),
    create=extend_schema(
        summary="Link a provider with a linking sign-in's ticket",
        description=(
            "The `ticket` of a sign-in started by `auth/social/<provider>/link/` for the caller (someone else's "
            "ticket, a login ticket, a used or expired one: 400). The owner gets a mail."
        ),
        request=TicketSerializer,
        responses={201: IdentitySerializer},
    ),
    destroy=extend_schema(
        summary="Unlink a provider",
        description=(
            "Needs a login or reauthentication within `REAUTH_SECONDS`. The account's only way to sign in "
            "(no password and no other provider) cannot be unlinked: 400 `last_sign_in_method`."
        ),
        parameters=[OpenApiParameter("id", type=OpenApiTypes.INT, location=OpenApiParameter.PATH)],
        responses={204: OpenApiResponse(description="Unlinked; no body.")},
    ),
)
@extend_validation_errors(["invalid", "identity_taken"], field_name="ticket", actions=["create"])
@extend_validation_errors(["last_sign_in_method"], field_name="non_field_errors", actions=["destroy"])
@extend_schema(tags=["auth"])
class IdentityViewSet(RecentAuthenticationForActions, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = IdentitySerializer
    lookup_value_regex = r"[0-9]+"
    filter_backends = []

    # Unlinking removes a way in: a stolen access token alone must not do it.
    recent_authentication_actions = frozenset({"destroy"})

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return Identity.objects.none()
        return Identity.objects.filter(user=self.request.user).order_by("created_at", "id")

    def create(self, request):
        serializer = TicketSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = flow.ticket_take(raw=serializer.validated_data["ticket"], link=True, link_user=request.user)
        identity = services.identity_link(
            user=request.user,
            provider=provider_get(ticket.provider),
            claims=ticket.claims,
            context=request_context(request),
        )
        return Response(IdentitySerializer(identity).data, status=HTTPStatus.CREATED)

    def destroy(self, request, pk: str):
        services.identity_unlink(user=request.user, identity_id=int(pk), context=request_context(request))
        return Response(status=HTTPStatus.NO_CONTENT)
