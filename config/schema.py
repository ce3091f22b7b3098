"""OpenAPI extensions: document the API's own bearer authentication as drf-spectacular's JWT scheme."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class BearerJWTScheme(SimpleJWTScheme):
    """`accounts.authentication.JWTAuthentication` is SimpleJWT's; document it the same way."""

    target_class = "accounts.authentication.JWTAuthentication"
    match_subclasses = True
