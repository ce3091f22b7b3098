"""The orjson renderer writes exactly the bytes DRF's JSONRenderer writes."""

import uuid
from collections import OrderedDict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.exceptions import ErrorDetail
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from common.renderers import JSONRenderer

PAYLOADS = [
    {"a": 1, "b": [True, False, None], "c": {"d": "e"}},
    {"text": 'naïve ✓ 漢字 \u2028 line \u2029 para " \\ </script> \x00 \x1f'},
    {"when": datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), "day": date(2024, 1, 2), "at": time(3, 4, 5)},
    {"price": Decimal("12.50"), "id": uuid.UUID(int=7), "lazy": gettext_lazy("Not found."), "span": timedelta(1)},
    {"errors": [ErrorDetail("This field is required.", code="required")]},
    ReturnDict({"x": ReturnList([1, 2], serializer=None)}, serializer=None),
    OrderedDict([("next", None), ("results", [])]),
    {"big": 2**70, "small": -(2**63)},
    {1: "non-string key"},
    [],
    "",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_output_is_drfs_bytes(payload):
    assert JSONRenderer().render(payload) == renderers.JSONRenderer().render(payload)


@pytest.mark.parametrize("accepted", ["application/json; indent=2", "application/json; indent=4"])
def test_indented_output_on_request_is_drfs(accepted):
    payload = {"a": [1, {"b": "ü"}]}
    context = {"indent": None}
    assert JSONRenderer().render(payload, accepted, context) == renderers.JSONRenderer().render(
        payload, accepted, context
    )


def test_no_body_is_empty_bytes():
    assert JSONRenderer().render(None) == b""
