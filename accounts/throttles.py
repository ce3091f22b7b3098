"""Per-client-address throttles for the unauthenticated account endpoints, and the password checks' per user."""

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


class PasswordCheckAddressRateThrottle(ClientAddressRateThrottle):
    """`THROTTLE_PASSWORD_CHECK` password or code checks of signed-in users per client address."""

    scope = "password_check"
    cache_format = "throttle_%(scope)s_address_%(ident)s"


class PasswordCheckUserRateThrottle(ClientAddressRateThrottle):
    """`THROTTLE_PASSWORD_CHECK` password or code checks per user, from whatever addresses."""

    scope = "password_check"
    cache_format = "throttle_%(scope)s_user_%(ident)s"

    def get_cache_key(self, request, view) -> str | None:
        if not request.user.is_authenticated:
            return None  # the address throttle beside it counts these
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


# What every endpoint that checks a signed-in user's password or code adds to the API-wide throttles.
PASSWORD_CHECK_THROTTLES = [PasswordCheckAddressRateThrottle, PasswordCheckUserRateThrottle]
