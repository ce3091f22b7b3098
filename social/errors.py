"""The errors of talking to a provider, as API errors: 503 when it cannot be reached, 502 when it answers garbage."""

from rest_framework import exceptions, status

PROVIDER_UNAVAILABLE = "The sign-in provider cannot be reached right now; try again in a minute."
PROVIDER_ERROR = "The sign-in provider answered something we cannot use; try again later."


class ProviderUnavailable(exceptions.APIException):
    """503: the provider did not answer in time (down, unreachable, too slow)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = PROVIDER_UNAVAILABLE
    default_code = "provider_unavailable"
    wait = 60
    upstream_failure = True


class ProviderError(exceptions.APIException):
    """502: the provider answered, but with an error or a document that fails validation."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = PROVIDER_ERROR
    default_code = "provider_error"
    upstream_failure = True


class Conflict(exceptions.APIException):
    """409 with a code of its own (`link_required`)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
