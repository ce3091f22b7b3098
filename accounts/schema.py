"""OpenAPI: document the API's bearer authentication (imported by the app config)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class BearerJWTScheme(SimpleJWTScheme):
    """`Authorization: Bearer <access>` for every protected endpoint."""

    target_class = "accounts.authentication.JWTAuthentication"
    name = "jwtAuth"
