"""DRF's throttles, counting per client address by the app's one rule (`common.client.client_address`)."""

from rest_framework import throttling
from rest_framework.settings import api_settings

from common.client import client_address


class ClientAddressThrottleMixin:
    """Identify anonymous callers by `client_address`, and read the rates on each use."""

    scope: str

    def get_ident(self, request) -> str:
        # An address that is not an IP (a garbled proxy header) counts as one shared "unknown" client.
        return client_address(request) or "unknown"

    def get_rate(self) -> str | None:
        # DRF copies the rates once at import; reading them here lets settings overrides apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(ClientAddressThrottleMixin, throttling.AnonRateThrottle):
    """`THROTTLE_ANON` requests per client address, for callers without a token."""


class UserRateThrottle(ClientAddressThrottleMixin, throttling.UserRateThrottle):
    """`THROTTLE_USER` requests per user (per client address for callers without a token)."""
