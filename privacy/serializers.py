"""Shapes of the privacy endpoints; the links' tokens are checked by the services, under a row lock."""

from rest_framework import serializers

from common.serializers import StrictCharField
from privacy.links import TOKEN_MAX_LENGTH


class DeletionCancelSerializer(serializers.Serializer):
    token = StrictCharField(max_length=TOKEN_MAX_LENGTH, help_text="The token from the account deletion mail.")


class DataExportDownloadSerializer(serializers.Serializer):
    token = StrictCharField(max_length=TOKEN_MAX_LENGTH, help_text="The token from the data export mail.")


class DataExportRequestedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    requested_at = serializers.DateTimeField()
