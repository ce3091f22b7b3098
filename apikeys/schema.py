"""OpenAPI: the API key security scheme, on exactly the operations a key may call (imported by the app config)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension

from apikeys.authentication import SCHEME
from apikeys.keys import MARKER
from apikeys.scopes import path_open_to_keys


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """`Authorization: Api-Key <key>`; Swagger UI's Authorize takes the whole header value."""

    target_class = "apikeys.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                f"An API key (made at `auth/api-keys/`) after the word `{SCHEME}`: `{SCHEME} {MARKER}…`. "
                "`read` keys may send GET, HEAD and OPTIONS; `read` + `write` keys every method. "
                "Not accepted by `auth/` endpoints other than GET `auth/me/`."
            ),
        }

    def get_security_requirement(self, auto_schema):
        if not path_open_to_keys(method=auto_schema.method, path=auto_schema.path):
            return None
        return {self.name: []}


class ScopesFieldExtension(OpenApiSerializerFieldExtension):
    """The schema states what it can of the scope rule: each scope at most once."""

    target_class = "apikeys.serializers.ScopesField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "uniqueItems": True}
