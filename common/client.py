"""
The client's address: one rule for throttling and for every address the app records.

Behind `DJANGO_NUM_PROXIES` = N proxies, each proxy appends the address it saw to
`X-Forwarded-For`, so the N-th entry from the right is the client as our outermost proxy saw
it; everything left of it was written by the client and proves nothing. This is DRF's rule for
`NUM_PROXIES` with one deliberate difference: when the setting is unset, DRF trusts the whole
header, so any client could pick a fresh throttle bucket (and a fake recorded address) per
request; here an unset setting trusts no header and uses the peer address, as 0 does.

And the header is read only when the peer itself is one of our proxies (`DJANGO_TRUSTED_PROXIES`,
settings.TRUSTED_PROXIES): a client that reaches the app directly, past the proxy, writes the
whole header itself, so its own address is the one that counts.
"""

import ipaddress

from django.conf import settings
from rest_framework.settings import api_settings


def client_address(request) -> str | None:
    """The client's IP address (Django or DRF request), normalized; None when it is not an IP address."""
    meta = request.META
    peer = _ip(meta.get("REMOTE_ADDR", ""))
    num_proxies = api_settings.NUM_PROXIES
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if num_proxies and forwarded and _is_trusted_proxy(peer):
        hops = forwarded.split(",")
        return _ip(hops[-min(num_proxies, len(hops))])
    return peer


def _is_trusted_proxy(peer: str | None) -> bool:
    if peer is None:
        return False
    address = ipaddress.ip_address(peer)
    # A dual-stack socket reports an IPv4 proxy as ::ffff:a.b.c.d; it is the IPv4 proxy all the same.
    address = getattr(address, "ipv4_mapped", None) or address
    return any(address in network for network in settings.TRUSTED_PROXIES)


def _ip(value: str) -> str | None:
    """`value` as a normalized IP address; some proxies add a port (`1.2.3.4:80`, `[::1]:80`), which is dropped."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        address = ipaddress.IPv6Address(value.partition("%")[0])  # a zone is local to the proxy's host
    return str(address)
