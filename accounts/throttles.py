"""Per-client-address throttles for the unauthenticated account endpoints."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class ClientAddressRateThrottle(SimpleRateThrottle):
    """Counts requests per client address (X-Forwarded-For per `NUM_PROXIES`) in the view's `scope`."""

    def get_rate(self) -> str | None:
        # Read the rates on each use (not once at import) so settings overrides apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginRateThrottle(ClientAddressRateThrottle):
    """`THROTTLE_LOGIN` login attempts per client address."""

    scope = "login"


class RegisterRateThrottle(ClientAddressRateThrottle):
    """`THROTTLE_REGISTER` registrations per client address."""

    scope = "register"
