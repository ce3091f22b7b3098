"""
Serializer fields that accept exactly the JSON type the schema documents.

DRF coerces by default: `"5"` becomes 5, `123` becomes `"123"`, `"yes"` becomes True, and
`12.5` is read as a price. A client that sends the wrong type has a bug it should hear
about, and the OpenAPI schema promises the type, so these fields reject anything else with
the field's usual `invalid` error (400).
"""

from django.db import models
from rest_framework import serializers


class StrictTypeMixin:
    """Reject values whose JSON type is not `accepted_types` (bool never counts as a number)."""

    accepted_types: tuple[type, ...] = ()

    def to_internal_value(self, data):
        if not isinstance(data, self.accepted_types) or (isinstance(data, bool) and bool not in self.accepted_types):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(StrictTypeMixin, serializers.CharField):
    """A string; `max_length` counts what was sent, before trimming, as the schema's `maxLength` does."""

    accepted_types = (str,)

    def to_internal_value(self, data):
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictEmailField(StrictTypeMixin, serializers.EmailField):
    accepted_types = (str,)


class StrictRegexField(StrictTypeMixin, serializers.RegexField):
    accepted_types = (str,)


class StrictIntegerField(StrictTypeMixin, serializers.IntegerField):
    accepted_types = (int,)


class StrictBooleanField(StrictTypeMixin, serializers.BooleanField):
    accepted_types = (bool,)


class StrictDecimalField(StrictTypeMixin, serializers.DecimalField):
    """Money and other exact numbers travel as decimal strings ("12.50"), never as floats."""

    accepted_types = (str,)
    default_error_messages = {"invalid": 'A valid decimal string is required (for example "12.50").'}


class StrictChoiceField(serializers.ChoiceField):
    """A choice that must match one of the choices exactly, type included (`1`, not `"1"`)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not any(data == key and type(data) is type(key) for key in self.choices):
            self.fail("invalid_choice", input=data)
        return data


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose generated fields use the strict fields above."""

    serializer_choice_field = StrictChoiceField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.IntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.BigIntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.PositiveBigIntegerField: StrictIntegerField,
        models.BooleanField: StrictBooleanField,
        models.DecimalField: StrictDecimalField,
    }
