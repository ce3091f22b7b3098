"""
Where a request came from, as the security log records it.

Views and admin pages build it with `request_context(request)` and hand it to services as the
keyword argument `context`; services that run without a request (commands, tasks) pass None.
"""

import re
from dataclasses import dataclass

from audit.models import REQUEST_ID_MAX_LENGTH, USER_AGENT_MAX_LENGTH
from common.client import client_address

# PostgreSQL text cannot hold NUL, and a control character has no business in a log line.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class RequestContext:
    ip: str | None
    user_agent: str
    request_id: str


def request_context(request) -> RequestContext:
    """Client address (`common.client`), user agent (cut to the column) and request id of a Django or DRF request."""
    user_agent = _CONTROL_CHARACTERS.sub("", request.META.get("HTTP_USER_AGENT", ""))
    # A DRF Request proxies attributes to the Django request, where the request-log middleware put the id.
    request_id = getattr(request, "request_id", "")
    return RequestContext(
        ip=client_address(request),
        user_agent=user_agent[:USER_AGENT_MAX_LENGTH],
        request_id=request_id[:REQUEST_ID_MAX_LENGTH],
    )
