"""The security event of the API: `{id, at, event, user, actor, ip, user_agent, request_id, detail}`."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import SecurityEvent


class EventUserSerializer(serializers.Serializer):
    """A user an event names: `{id, username}`."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)


@extend_schema_field({"type": "object", "additionalProperties": True, "example": {"old_role": "user"}})
class DetailField(serializers.JSONField):
    """Small facts about the event (never a secret); an empty object for most events."""


class SecurityEventSerializer(serializers.ModelSerializer):
    user = EventUserSerializer(read_only=True, allow_null=True, help_text="Whose account; null if unknown or deleted.")
    actor = EventUserSerializer(
        read_only=True, allow_null=True, help_text="Who did it; null when nobody was signed in."
    )
    detail = DetailField(read_only=True)

    class Meta:
        model = SecurityEvent
        fields = ["id", "at", "event", "user", "actor", "ip", "user_agent", "request_id", "detail"]
        read_only_fields = fields
