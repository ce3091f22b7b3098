"""API keys for tests: made as the service makes them (a real key and its hash), any field overridable."""

from rest_framework.test import APIClient

from apikeys.keys import key_generate
from apikeys.models import ApiKey


def api_key_make(owner, *, scopes: str = "read write", name: str = "script", **fields) -> tuple[ApiKey, str]:
    """A stored key of `owner` (`scopes`: "read" or "read write") and the key itself."""
    new = key_generate()
    api_key = ApiKey.objects.create(
        owner=owner, name=name, scopes=scopes, prefix=new.prefix, key_hash=new.key_hash, **fields
    )
    return api_key, new.key


def key_client(key: str, scheme: str = "Api-Key") -> APIClient:
    """A client sending `key` in the Authorization header."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
    return client
