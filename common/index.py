"""GET /api/v1/: the API's entry point, for anyone — absolute links to every collection, the schema and the docs."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

# Key in the index -> URL name. A new collection is one line here; common/tests/test_index.py
# fails while a list route of the API is missing.
LINKS = {
    "users": "user-list",
    "posts": "post-list",
    "products": "product-list",
    "events": "auth-events",
    "sessions": "auth-session-list",
    "audit_events": "audit-events",
    "api_keys": "api-key-list",
    "passkeys": "passkey-list",
    "identities": "identity-list",
    "social_providers": "social-providers",
    "health": "health",
    "schema": "schema",
    "docs": "swagger-ui",
    "redoc": "redoc",
}

IndexSerializer = inline_serializer("ApiIndex", fields={key: serializers.URLField() for key in LINKS})


class ApiIndexView(APIView):
    """Links to every resource collection, the OpenAPI schema and the documentation."""

    # For anyone: a stale or malformed token must not hide the map of the API.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(tags=["index"], summary="API index", operation_id="api_index", responses={200: IndexSerializer})
    def get(self, request):
        return Response({key: request.build_absolute_uri(reverse(name)) for key, name in LINKS.items()})
