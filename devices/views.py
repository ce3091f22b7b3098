"""The public "this wasn't me" endpoint of new-device mails: validate, call the service, answer."""

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.response import Response

from accounts.serializers import DetailSerializer
from accounts.views import PublicView
from audit.context import request_context
from devices import services
from devices.serializers import LoginDisownSerializer


@extend_validation_errors(["invalid"], field_name="token")
class LoginDisownView(PublicView):
    @extend_schema(
        tags=["auth"],
        summary="Report a new-device sign-in as not yours",
        description=(
            "With the token of a new-device mail (`FRONTEND_URL/disown-login?token=…`), for anyone: that sign-in's "
            "session ends, every token of the account is revoked, the device counts as new again and a password "
            "reset mail goes out (as `auth/password/reset/` sends it). The token works once, for "
            "`NEW_DEVICE_DISOWN_DAYS`; a bad, used or expired one is a 400 on `token`."
        ),
        request=LoginDisownSerializer,
        responses={200: DetailSerializer},
    )
    def post(self, request):
        serializer = LoginDisownSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.login_disown(token=serializer.validated_data["token"], context=request_context(request))
        return Response({"detail": services.DISOWNED})
