from rest_framework import serializers

from accounts.mail_tokens import TOKEN_MAX_LENGTH
from common.serializers import StrictCharField


class LoginDisownSerializer(serializers.Serializer):
    token = StrictCharField(
        max_length=TOKEN_MAX_LENGTH, help_text="The token of the new-device mail's \"this wasn't me\" link."
    )
