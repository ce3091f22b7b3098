"""OpenAPI extensions for our own classes (imported by `config.urls`, which every schema run loads)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class JWTAuthenticationScheme(SimpleJWTScheme):
    """Document `accounts.authentication.JWTAuthentication` as the bearer JWT scheme it is."""

    target_class = "accounts.authentication.JWTAuthentication"
