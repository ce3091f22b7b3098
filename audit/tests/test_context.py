"""request_context: address by the app's one rule, user agent cut to the column, the middleware's request id."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.request import Request

from audit.context import RequestContext, request_context
from audit.models import USER_AGENT_MAX_LENGTH
from common.middleware import RequestLogMiddleware


def through_middleware(request):
    """Run `request` through the request-log middleware; return what the view saw."""
    seen = {}

    def view(request):
        seen["request"] = request
        return HttpResponse()

    RequestLogMiddleware(view)(request)
    return seen["request"]


def test_a_django_request_gives_address_agent_and_request_id():
    headers = {"HTTP_USER_AGENT": "Mozilla/5.0", "HTTP_X_REQUEST_ID": "r-1"}
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4", **headers)
    assert request_context(through_middleware(request)) == RequestContext(
        ip="198.51.100.4", user_agent="Mozilla/5.0", request_id="r-1"
    )


def test_a_drf_request_gives_the_same_context():
    django_request = through_middleware(RequestFactory().get("/", REMOTE_ADDR="2001:db8::7", HTTP_X_REQUEST_ID="r-2"))
    assert request_context(Request(django_request)) == request_context(django_request)
    assert request_context(Request(django_request)).request_id == "r-2"


def test_the_forwarded_address_counts_only_behind_declared_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert request_context(request).ip == "10.0.0.1"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert request_context(request).ip == "203.0.113.9"


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("x" * 2000, "x" * USER_AGENT_MAX_LENGTH),
        ("evil\x00agent\r\nInjected: yes", "evilagentInjected: yes"),
        ("", ""),
    ],
)
def test_the_user_agent_is_cut_to_the_column_and_loses_control_characters(sent, stored):
    assert request_context(RequestFactory().get("/", HTTP_USER_AGENT=sent)).user_agent == stored


def test_a_request_that_skipped_the_middleware_has_an_empty_request_id():
    assert request_context(RequestFactory().get("/")).request_id == ""
