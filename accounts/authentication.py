"""Bearer JWT authentication for the API."""

from rest_framework_simplejwt import authentication


class JWTAuthentication(authentication.JWTAuthentication):
    """SimpleJWT's bearer authentication; the single place the API authenticates requests."""
