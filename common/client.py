"""
The client's address: one rule for throttling and for every address the app records.

Behind `DJANGO_NUM_PROXIES` = N proxies, each proxy appends the address it saw to
`X-Forwarded-For`, so the N-th entry from the right is the client as our outermost proxy saw
it; everything left of it was written by the client and proves nothing. This is DRF's rule for
`NUM_PROXIES` with one deliberate difference: when the setting is unset, DRF trusts the whole
header, so any client could pick a fresh throttle bucket (and a fake recorded address) per
request; here an unset setting trusts no header and uses the peer address, as 0 does.
"""

import ipaddress

from rest_framework.settings import api_settings


def client_address(request) -> str | None:
    """The client's IP address (Django or DRF request), normalized; None when it is not an IP address."""
    meta = request.META
    num_proxies = api_settings.NUM_PROXIES
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if num_proxies and forwarded:
        hops = forwarded.split(",")
        return _ip(hops[-min(num_proxies, len(hops))])
    return _ip(meta.get("REMOTE_ADDR", ""))


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
