"""Per-client-address throttles for the unauthenticated account endpoints."""

from rest_framework.throttling import SimpleRateThrottle

from common.throttling import ClientAddressThrottleMixin


class ClientAddressRateThrottle(ClientAddressThrottleMixin, SimpleRateThrottle):
    """Counts requests per client address (`common.client.client_address`) in the view's `scope`."""

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginRateThrottle(ClientAddressRateThrottle):
    """`THROTTLE_LOGIN` login attempts per client address."""

    scope = "login"


class RegisterRateThrottle(ClientAddressRateThrottle):
    """`THROTTLE_REGISTER` registrations per client address."""

    scope = "register"


class PasswordResetRateThrottle(ClientAddressRateThrottle):
    """`THROTTLE_PASSWORD_RESET` reset requests per client address."""

    scope = "password_reset"
