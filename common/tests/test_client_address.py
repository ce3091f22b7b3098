"""
One rule for the client's address: throttles and recorded addresses trust X-Forwarded-For only per
NUM_PROXIES, and only from a peer in TRUSTED_PROXIES (the test settings trust 127.0.0.0/8, ::1 and 10.0.0.0/8).
"""

import ipaddress
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from common.client import client_address
from common.tests.new_process import run_python, run_snippet

LOGIN = "/api/v1/auth/login/"


@pytest.fixture
def num_proxies(settings):
    def set_to(value: int | None) -> None:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": value}

    return set_to


@pytest.fixture
def trusted_proxies(settings):
    def set_to(*networks: str) -> None:
        settings.TRUSTED_PROXIES = [ipaddress.ip_network(network) for network in networks]

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


@pytest.mark.parametrize("proxies", [1, 2])
def test_a_forwarded_header_from_a_peer_that_is_not_a_trusted_proxy_is_ignored(num_proxies, trusted_proxies, proxies):
    num_proxies(proxies)
    trusted_proxies("10.0.0.0/8")
    # A client that reaches the app past the proxy writes the whole header itself.
    assert client_address(request_from("203.0.113.50", "6.6.6.6, 198.51.100.1")) == "203.0.113.50"


def test_with_no_trusted_proxy_the_header_is_ignored_whatever_num_proxies_says(num_proxies, trusted_proxies):
    num_proxies(1)
    trusted_proxies()
    assert client_address(request_from("127.0.0.1", "198.51.100.1")) == "127.0.0.1"


@pytest.mark.parametrize(
    ("trusted", "peer", "expected"),
    [
        (("10.0.0.0/8",), "10.20.30.40", "198.51.100.1"),
        (("192.0.2.10/32",), "192.0.2.10", "198.51.100.1"),
        (("192.0.2.10/32",), "192.0.2.11", "192.0.2.11"),
        (("fd00::/8",), "fd12:3456::1", "198.51.100.1"),
        (("fd00::/8",), "2001:db8::1", "2001:db8::1"),
        (("fd00::/8", "10.0.0.0/8"), "10.0.0.5", "198.51.100.1"),
        (("10.0.0.0/8",), "::ffff:10.0.0.5", "198.51.100.1"),  # an IPv4 proxy seen on a dual-stack socket
        (("10.0.0.0/8",), "unknown", None),
    ],
)
def test_a_forwarded_header_is_read_from_a_peer_in_the_trusted_networks(
    num_proxies, trusted_proxies, trusted, peer, expected
):
    num_proxies(1)
    trusted_proxies(*trusted)
    assert client_address(request_from(peer, "6.6.6.6, 198.51.100.1")) == expected


PRINT_TRUSTED_PROXIES = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps([str(network) for network in settings.TRUSTED_PROXIES]))"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("", []),
        ("127.0.0.1", ["127.0.0.1/32"]),
        (" 10.1.2.3/8 , 2001:DB8::/32,::1", ["10.0.0.0/8", "2001:db8::/32", "::1/128"]),  # host bits dropped
    ],
)
def test_trusted_proxies_are_read_once_as_networks_and_none_by_default(value, expected):
    outcome, _ = run_snippet(
        PRINT_TRUSTED_PROXIES,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_DEBUG="True",
        DJANGO_TRUSTED_PROXIES=value,
    )
    assert outcome == expected


@pytest.mark.parametrize("value", ["nginx", "10.0.0.300", "10.0.0.0/33", "10.0.0.1,fd00::/129"])
def test_a_trusted_proxy_that_is_no_address_or_network_refuses_to_start(value):
    result = run_python(
        "manage.py",
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_DEBUG="True",
        DJANGO_TRUSTED_PROXIES=value,
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "DJANGO_TRUSTED_PROXIES holds" in result.stderr
    assert "not an IP address or network" in result.stderr


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
def test_behind_a_declared_proxy_a_caller_past_the_proxy_cannot_forge_a_fresh_budget(
    api_client, tight_login_rate, num_proxies, trusted_proxies
):
    num_proxies(1)
    trusted_proxies("10.0.0.0/8")
    body = {"username": "x", "password": "y"}
    statuses = [
        api_client.post(LOGIN, body, REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [HTTPStatus.UNAUTHORIZED, HTTPStatus.UNAUTHORIZED, HTTPStatus.TOO_MANY_REQUESTS]


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
