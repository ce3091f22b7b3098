"""
What counts as "the same device" for sign-in alerts: the browser and OS families of the user agent
(ua-parser, the Browserscope rules) and the network the address belongs to (/24 for IPv4, /48 for
IPv6), so a browser update or a new address from the same provider's block is not a new device.

Anything unparseable is still a device: a garbage or missing user agent is the family "Other", a
missing or malformed address the network "unknown".
"""

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from ua_parser import parse

IPV4_PREFIX = 24
IPV6_PREFIX = 48
UNKNOWN_FAMILY = "Other"
UNKNOWN_NETWORK = "unknown"


@dataclass(frozen=True)
class DeviceIdentity:
    browser: str
    os: str
    network: str

    @property
    def key(self) -> str:
        """The identity as one string, stored per user (`devices.models.Device.key`)."""
        return f"{self.browser}|{self.os}|{self.network}"


def network_of(ip: str | None) -> str:
    """The /24 (IPv4) or /48 (IPv6) network of `ip`; an IPv4-mapped IPv6 address counts as IPv4."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return UNKNOWN_NETWORK
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@lru_cache(maxsize=1024)
def _families(user_agent: str) -> tuple[str, str]:
    result = parse(user_agent)
    browser = result.user_agent.family if result.user_agent else UNKNOWN_FAMILY
    os = result.os.family if result.os else UNKNOWN_FAMILY
    return browser, os


def device_identify(*, ip: str | None, user_agent: str) -> DeviceIdentity:
    browser, os = _families(user_agent or "")
    return DeviceIdentity(browser=browser, os=os, network=network_of(ip))
