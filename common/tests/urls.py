"""Test-only routes that exercise the API's global configuration (parsers, errors, pagination)."""

from django.db import OperationalError
from django.urls import include, path
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from common.parsers import JSONParser


class EchoView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser]

    def post(self, request):
        return Response(request.data)


class CrashView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("secret internal detail")


class DatabaseGoneView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise OperationalError("connection failed: Connection refused\n\tIs the server running?")


def database_gone_outside_drf(request):
    raise OperationalError("server closed the connection unexpectedly")


def crash_outside_drf(request):
    raise RuntimeError("a bug outside DRF")


class UserRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class UserRowList(generics.ListAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    queryset = User.objects.order_by("id")
    search_fields = ["username"]
    serializer_class = UserRowSerializer


urlpatterns = [
    path("api/test/echo/", EchoView.as_view()),
    path("api/test/crash/", CrashView.as_view()),
    path("api/test/users/", UserRowList.as_view()),
    path("api/test/database-gone/", DatabaseGoneView.as_view()),
    path("api/test/database-gone-outside-drf/", database_gone_outside_drf),
    path("test/database-gone/", database_gone_outside_drf),
    path("test/crash/", crash_outside_drf),
    path("", include("config.urls")),
]
handler404 = "common.errors.page_not_found"
handler500 = "common.errors.server_error"
