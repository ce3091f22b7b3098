"""Shapes of API keys: what a caller sends to make one, and what the API shows (the key only once)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apikeys.models import NAME_MAX_LENGTH, ApiKey, Scope
from common.serializers import StrictCharField, StrictChoiceField

DUPLICATE_SCOPE = "Each scope may appear once."
UNKNOWN_SCOPE = 'Scopes are "read", "write" and "admin".'
WRITE_NEEDS_READ = 'A key with `write` also needs `read`: send ["read", "write"].'
ADMIN_NEEDS_WRITE = 'A key with `admin` also needs `read` and `write`: send ["read", "write", "admin"].'


class ScopesField(serializers.ListField):
    """`["read"]`, `["read", "write"]` or `["read", "write", "admin"]` (any order); the schema says `uniqueItems`."""

    child = StrictChoiceField(choices=Scope.choices)  # for the schema's item enum

    def __init__(self, **kwargs):
        super().__init__(min_length=1, max_length=len(Scope.values), **kwargs)

    def run_child_validation(self, data):
        # One error on `scopes` itself rather than DRF's per-item `scopes.0`, which the schema
        # (drf-standardized-errors) can only document as `scopes.INDEX`.
        if not all(isinstance(item, str) and item in Scope.values for item in data):
            raise serializers.ValidationError(UNKNOWN_SCOPE, code="invalid_choice")
        return list(data)

    def run_validators(self, scopes):
        super().run_validators(scopes)  # the length first
        if len(set(scopes)) != len(scopes):
            raise serializers.ValidationError(DUPLICATE_SCOPE, code="duplicate")
        if Scope.READ not in scopes:
            raise serializers.ValidationError(WRITE_NEEDS_READ, code="write_requires_read")
        if Scope.ADMIN in scopes and Scope.WRITE not in scopes:
            raise serializers.ValidationError(ADMIN_NEEDS_WRITE, code="admin_requires_write")


class ApiKeySerializer(serializers.ModelSerializer):
    """A key as lists show it: never the key itself, nor its hash."""

    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Scope.choices), source="scope_list", read_only=True
    )
    prefix = serializers.CharField(
        read_only=True, help_text="The key's first characters (marker included), to tell keys apart."
    )

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "scopes", "created_at", "expires_at", "last_used_at"]
        read_only_fields = fields


class ApiKeyCreatedSerializer(ApiKeySerializer):
    """A key just made: the only response that ever holds `key`."""

    key = serializers.SerializerMethodField(help_text="The API key. Shown only here: store it now.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields

    @extend_schema_field(str)
    def get_key(self, api_key: ApiKey) -> str:
        return self.context["key"]


class ApiKeyCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=NAME_MAX_LENGTH, help_text="What the key is for.")
    scopes = ScopesField(
        help_text=(
            '`["read"]`: GET, HEAD and OPTIONS only; `["read", "write"]`: every method; '
            '`["read", "write", "admin"]` (admins only): also changes through `users/` (roles, activation, two-factor).'
        )
    )
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When the key stops working (in the future); omit or null: never."
    )
