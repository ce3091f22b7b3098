"""One rule for the client's address: throttles and recorded addresses trust X-Forwarded-For only per NUM_PROXIES."""

from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from common.client import client_address

LOGIN = "/api/v1/auth/login/"


@pytest.fixture
def num_proxies(settings):
    def set_to(value: int | None) -> None:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": value}

    return set_to


def request_from(remote_addr: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (None, None, "10.0.0.9"),
        (None, "203.0.113.7", "10.0.0.9"),  # no proxy declared: the header is the client's own claim
        (0, "203.0.113.7, 198.51.100.1", "10.0.0.9"),
        (1, None, "10.0.0.9"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the left entry was written by the client
        (2, "6.6.6.6, 203.0.113.7, 198.51.100.1", "203.0.113.7"),
        (3, "203.0.113.7", "203.0.113.7"),  # fewer hops than proxies: DRF takes the leftmost
        (1, " 2001:DB8::1 ", "2001:db8::1"),
        (1, "203.0.113.7:51234", "203.0.113.7"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "fe80::1%eth0", "fe80::1"),
        (1, "unknown", None),
        (1, "", "10.0.0.9"),
        (1, "1.2.3.4, <script>", None),
    ],
)
def test_client_address_follows_num_proxies(num_proxies, proxies, forwarded, expected):
    num_proxies(proxies)
    assert client_address(request_from("10.0.0.9", forwarded)) == expected


def test_a_peer_address_that_is_no_ip_is_none():
    assert client_address(request_from("")) is None


@pytest.fixture
def tight_login_rate(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "login": "2/min"}}
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_a_forged_forwarded_header_does_not_escape_the_login_throttle(api_client, tight_login_rate):
    body = {"username": "x", "password": "y"}
    statuses = [
        api_client.post(LOGIN, body, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [HTTPStatus.UNAUTHORIZED, HTTPStatus.UNAUTHORIZED, HTTPStatus.TOO_MANY_REQUESTS]


@pytest.mark.django_db
def test_behind_a_declared_proxy_each_forwarded_client_has_its_own_budget(api_client, tight_login_rate, num_proxies):
    num_proxies(1)
    body = {"username": "x", "password": "y"}
    for _ in range(3):
        api_client.post(LOGIN, body, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    other = api_client.post(LOGIN, body, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.2")
    assert other.status_code == HTTPStatus.UNAUTHORIZED
    again = api_client.post(LOGIN, body, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="7.7.7.7, 198.51.100.1")
    assert again.status_code == HTTPStatus.TOO_MANY_REQUESTS


@pytest.mark.django_db
def test_the_whole_api_throttle_counts_anonymous_callers_by_the_same_rule(api_client, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "anon": "1/min"}}
    cache.clear()
    try:
        # Registration also counts against the whole-API anonymous budget.
        api_client.post("/api/v1/auth/register/", {}, HTTP_X_FORWARDED_FOR="198.51.100.1")
        response = api_client.post("/api/v1/auth/register/", {}, HTTP_X_FORWARDED_FOR="198.51.100.2")
    finally:
        cache.clear()
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
