"""devices.identification: what counts as the same device."""

import pytest

from devices.identification import UNKNOWN_FAMILY, UNKNOWN_NETWORK, device_identify, network_of
from devices.tests.conftest import CHROME_WINDOWS, CHROME_WINDOWS_NEWER, FIREFOX_LINUX, SAFARI_IPHONE


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("198.51.100.23", "198.51.100.0/24"),
        ("198.51.100.255", "198.51.100.0/24"),
        ("2001:db8:1:2::1", "2001:db8:1::/48"),
        ("2001:db8:1:ffff:1:2:3:4", "2001:db8:1::/48"),
        ("2001:db8:2::1", "2001:db8:2::/48"),
        ("::ffff:198.51.100.7", "198.51.100.0/24"),
        (None, UNKNOWN_NETWORK),
        ("", UNKNOWN_NETWORK),
        ("not-an-address", UNKNOWN_NETWORK),
    ],
)
def test_the_network_is_the_slash_24_or_slash_48(ip, network):
    assert network_of(ip) == network


def test_a_browser_update_is_the_same_device():
    assert device_identify(ip="198.51.100.1", user_agent=CHROME_WINDOWS) == device_identify(
        ip="198.51.100.99", user_agent=CHROME_WINDOWS_NEWER
    )


def test_browser_and_os_families_are_named():
    device = device_identify(ip="198.51.100.1", user_agent=SAFARI_IPHONE)
    assert (device.browser, device.os) == ("Mobile Safari", "iOS")
    assert device.key == "Mobile Safari|iOS|198.51.100.0/24"


@pytest.mark.parametrize("other", [FIREFOX_LINUX, SAFARI_IPHONE])
def test_another_browser_is_another_device(other):
    assert device_identify(ip="198.51.100.1", user_agent=CHROME_WINDOWS) != device_identify(
        ip="198.51.100.1", user_agent=other
    )


def test_another_network_is_another_device():
    assert device_identify(ip="198.51.100.1", user_agent=CHROME_WINDOWS) != device_identify(
        ip="198.51.101.1", user_agent=CHROME_WINDOWS
    )


@pytest.mark.parametrize("garbage", ["", "%%%%", "x" * 512, "() ;;; Mozilla/ (((", "\u2603\u00e9\ufffd"])
def test_a_garbage_user_agent_is_a_device_of_unknown_family(garbage):
    device = device_identify(ip="198.51.100.1", user_agent=garbage)
    assert (device.browser, device.os) == (UNKNOWN_FAMILY, UNKNOWN_FAMILY)
