"""The strict fields accept their own JSON type and reject every other one."""

import pytest
from rest_framework import serializers

from common.serializers import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDecimalField,
    StrictIntegerField,
)

FIELDS = {
    "char": (StrictCharField(), ["text", "ünïcode 👋"], [1, 1.5, True, ["a"], {"a": 1}]),
    "int": (StrictIntegerField(), [0, -3, 10**12], ["5", 5.0, True, [1], "five"]),
    "bool": (StrictBooleanField(), [True, False], ["true", 1, 0, "yes", None]),
    "decimal": (StrictDecimalField(max_digits=10, decimal_places=2), ["12.50", "0", "0.01"], [12.5, 12, True, "abc"]),
    "choice": (StrictChoiceField(choices=[1, -1]), [1, -1], ["1", True, 1.0, 2, "-1"]),
}


@pytest.mark.parametrize(("field", "good"), [(k, v) for k, (_, goods, _) in FIELDS.items() for v in goods])
def test_strict_field_accepts_its_own_type(field, good):
    assert FIELDS[field][0].run_validation(good) is not None


@pytest.mark.parametrize(("field", "bad"), [(k, v) for k, (_, _, bads) in FIELDS.items() for v in bads])
def test_strict_field_rejects_other_types(field, bad):
    with pytest.raises(serializers.ValidationError):
        FIELDS[field][0].run_validation(bad)


def test_max_length_counts_the_characters_sent_before_trimming():
    field = StrictCharField(max_length=5)
    assert field.run_validation(" abc ") == "abc"
    with pytest.raises(serializers.ValidationError) as error:
        field.run_validation("   abc   ")
    assert error.value.get_codes() == ["max_length"]


def test_schema_gives_non_blank_trimmed_strings_a_pattern(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    post_request = schema["components"]["schemas"]["PostRequest"]["properties"]
    assert post_request["title"]["pattern"] == r"\S"
    assert "pattern" not in post_request["body"]  # the body keeps its whitespace, so "  " is a body


def test_schema_states_usernames_without_an_ascii_only_pattern(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    for component in ("User", "PostAuthor", "RegisterRequest"):
        assert schema["components"]["schemas"][component]["properties"]["username"]["pattern"] == r"^\S+$"
