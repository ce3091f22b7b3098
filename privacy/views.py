"""Thin views of account deletion's cancel link and of data export: validate, call one service, answer."""

from http import HTTPStatus

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.views import NO_CONTENT, PublicView
from audit.context import request_context
from privacy import deletion, exports
from privacy.serializers import DataExportDownloadSerializer, DataExportRequestedSerializer, DeletionCancelSerializer

EXPORT_REQUESTED = "Your data export is being prepared; a download link valid 24 hours is on its way to your email."
ARCHIVE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=(
        "The archive, `Content-Disposition: attachment`: one JSON object with `format`, `generated_at`, "
        "`user_id` and a key per section (`profile`, `login_sessions`, `security_events`, `api_keys`, "
        "`two_factor`, `posts`, `votes`, `privacy`, and those of apps that register more). Never a secret, "
        "hash or key."
    ),
)
CONTENT_DISPOSITION = OpenApiParameter(
    "Content-Disposition",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[200],
    description='`attachment; filename="account-data-<user id>-<date>.json"`',
)


@extend_validation_errors(["invalid"], field_name="token")
class DeletionCancelView(PublicView):
    @extend_schema(
        tags=["auth"],
        summary="Cancel an account deletion with the mailed link",
        description=(
            "With the token of the mail sent when the account's deletion was asked for "
            "(`FRONTEND_URL/cancel-account-deletion?token=…`): the account is active again, until then "
            "purged after `ACCOUNT_DELETION_GRACE_DAYS`. Its old tokens and API keys stay revoked: log in again. "
            "The token works once, until the purge is due; a used, expired or bad one: 400 on `token`."
        ),
        request=DeletionCancelSerializer,
        responses={204: NO_CONTENT},
    )
    def post(self, request):
        serializer = DeletionCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deletion.account_deletion_cancel(token=serializer.validated_data["token"], context=request_context(request))
        return Response(status=HTTPStatus.NO_CONTENT)


class DataExportView(APIView):
    @extend_schema(
        tags=["auth"],
        summary="Ask for an export of the caller's data",
        description=(
            "A background job builds a JSON archive of everything held about the account and mails a "
            "single-use download link valid 24 hours (`FRONTEND_URL/download-data-export?token=…`, for "
            "`auth/account/export/download/`). At most one export per 24 hours: 429 with `Retry-After` "
            "(the seconds until another may be asked for)."
        ),
        request=None,
        responses={202: DataExportRequestedSerializer},
    )
    def post(self, request):
        export = exports.data_export_request(user=request.user, context=request_context(request))
        body = {"detail": EXPORT_REQUESTED, "requested_at": export.requested_at}
        return Response(DataExportRequestedSerializer(body).data, status=HTTPStatus.ACCEPTED)


@extend_validation_errors(["invalid"], field_name="token")
class DataExportDownloadView(PublicView):
    @extend_schema(
        tags=["auth"],
        summary="Download a data export with the mailed link",
        description=(
            "With the token of the export mail: the archive, once. It is dropped from the server as it is "
            "sent, so a second download, an expired link (24 hours) or a bad token: 400 on `token`."
        ),
        request=DataExportDownloadSerializer,
        responses={200: ARCHIVE},
        parameters=[CONTENT_DISPOSITION],
    )
    def post(self, request):
        serializer = DataExportDownloadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        export, archive = exports.data_export_download(
            token=serializer.validated_data["token"], context=request_context(request)
        )
        response = HttpResponse(archive, content_type="application/json")
        filename = f"account-data-{export.user_id}-{export.requested_at:%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
