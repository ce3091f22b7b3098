"""auth/api-keys/: the caller makes, lists and revokes their API keys (with a JWT: `apikeys.scopes` keeps keys out)."""

from http import HTTPStatus

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from accounts.permissions import RecentAuthenticationForActions
from apikeys import services
from apikeys.models import ApiKey
from apikeys.selectors import api_key_list
from apikeys.serializers import ApiKeyCreatedSerializer, ApiKeyCreateSerializer, ApiKeySerializer
from audit.context import request_context

KEYS_ONLY_WITH_A_LOGIN = "Needs a login (a bearer JWT): an API key cannot manage keys."


@extend_schema_view(
    list=extend_schema(
        summary="The caller's API keys",
        description=(
            "Keys that are not revoked, newest first (expired ones too); never the key itself. "
            f"{KEYS_ONLY_WITH_A_LOGIN}"
        ),
    ),
    create=extend_schema(
        summary="Make an API key",
        description=(
            "Returns the key once, in `key`: only its hash is kept. Send it as `Authorization: Api-Key <key>`. "
            f"A key starts with `dak_`. At most {services.KEYS_PER_USER} keys per account. {KEYS_ONLY_WITH_A_LOGIN} "
            "Needs a login or reauthentication within `REAUTH_SECONDS` (else 401 `reauthentication_required`); "
            "the owner is told by mail."
        ),
        request=ApiKeyCreateSerializer,
        responses={201: ApiKeyCreatedSerializer},
    ),
    destroy=extend_schema(
        summary="Revoke an API key",
        description=f"The key fails from the next request on, everywhere. {KEYS_ONLY_WITH_A_LOGIN}",
        responses={204: OpenApiResponse(description="Revoked; no body.")},
    ),
)
@extend_schema(tags=["auth"])
# A new key is in its 201 answer: never kept by a browser or a proxy.
@method_decorator(never_cache, name="dispatch")
@extend_validation_errors(["not_in_future"], field_name="expires_at", actions=["create"])
@extend_validation_errors(
    [
        "invalid_choice",
        "duplicate",
        "write_requires_read",
        "admin_requires_write",
        "invalid_scopes",
        "admin_scope_requires_admin",
    ],
    field_name="scopes",
    actions=["create"],
)
@extend_validation_errors(["too_many_keys"], field_name="non_field_errors", actions=["create"])
class ApiKeyViewSet(RecentAuthenticationForActions, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ApiKeySerializer
    lookup_value_regex = r"[0-9]+"
    filter_backends = []
    # A stolen access token must not become a lasting credential: making a key needs a recent login.
    recent_authentication_actions = frozenset({"create"})

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return ApiKey.objects.none()
        return api_key_list(owner=self.request.user)

    def create(self, request):
        serializer = ApiKeyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        api_key, key = services.api_key_create(
            owner=request.user, **serializer.validated_data, context=request_context(request)
        )
        body = ApiKeyCreatedSerializer(api_key, context={"key": key}).data
        return Response(body, status=HTTPStatus.CREATED)

    def destroy(self, request, pk: str):
        services.api_key_revoke(
            api_key_id=int(pk), owner=request.user, actor=request.user, context=request_context(request)
        )
        return Response(status=HTTPStatus.NO_CONTENT)
