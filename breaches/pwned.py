"""
A small client of a Have I Been Pwned-style range API (k-anonymity): only the first five hex characters
of a password's SHA-1 leave the server, with `Add-Padding: true` so the answer's size tells nothing
either; the suffixes that come back are compared here.

Answers are kept in the shared cache for `PWNED_PASSWORDS_CACHE_SECONDS` (a day) per prefix: public data,
and a cache hit sends no request. The cache never holds anything derived from one password alone.

Why not a package: pwned-passwords-django (the well-kept one) checks a whole password and caches nothing,
has no fail-closed mode and brings httpx; the login check here needs the range by prefix, from the cache
without a request, and the standard library's HTTP client is all this takes.
"""

import hashlib
import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

PREFIX_LENGTH = 5
CACHE_KEY = "breaches:range:v1:{prefix}"
# One line of a range answer: the 35 hex characters after the prefix, a colon, how often it was seen.
RANGE_LINE = re.compile(r"^([0-9A-F]{35}):(\d+)$")
USER_AGENT = "django-api-breached-password-check"


class RangeUnavailable(Exception):
    """The range API did not answer in time, or answered something else than a range."""


@dataclass(frozen=True)
class PasswordDigest:
    """A password's SHA-1 in the two parts the range API needs: what is sent and what is compared here."""

    prefix: str
    suffix: str

    @classmethod
    def of(cls, password: str) -> "PasswordDigest":
        digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()
        return cls(prefix=digest[:PREFIX_LENGTH], suffix=digest[PREFIX_LENGTH:])


def check_enabled() -> bool:
    """An empty `PWNED_PASSWORDS_URL` turns every check off (the test settings; an offline deployment)."""
    return bool(settings.PWNED_PASSWORDS_URL)


def range_parse(text: str) -> dict[str, int]:
    """Suffix -> count from a range answer; padding lines (count 0) are dropped, anything else is refused."""
    counts = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        match = RANGE_LINE.match(line.upper())
        if match is None:
            raise RangeUnavailable("the answer is not a range")
        if count := int(match[2]):
            counts[match[1]] = count
    return counts


def range_cached(prefix: str) -> dict[str, int] | None:
    """The range of `prefix` if the cache has it; never a request."""
    return cache.get(CACHE_KEY.format(prefix=prefix))


def range_fetch(prefix: str) -> dict[str, int]:
    """The range of `prefix`, from the cache or the API (then cached); RangeUnavailable when it cannot tell."""
    counts = range_cached(prefix)
    return counts if counts is not None else range_download(prefix)


def range_download(prefix: str) -> dict[str, int]:
    """The range of `prefix` from the API, then cached (the caller found it missing from the cache)."""
    # An http(s) URL: the settings refuse any other scheme.
    request = urllib.request.Request(  # noqa: S310
        settings.PWNED_PASSWORDS_URL.rstrip("/") + "/" + prefix,
        headers={"Add-Padding": "true", "User-Agent": USER_AGENT, "Accept": "text/plain"},
    )
    try:
        # The timeout bounds the connection and every read.
        with urllib.request.urlopen(request, timeout=settings.PWNED_PASSWORDS_TIMEOUT) as response:  # noqa: S310
            text = response.read().decode("ascii")
    except (OSError, urllib.error.URLError, UnicodeDecodeError, ValueError) as exc:
        raise RangeUnavailable(f"{type(exc).__name__}: {exc}") from exc
    counts = range_parse(text)
    cache.set(CACHE_KEY.format(prefix=prefix), counts, settings.PWNED_PASSWORDS_CACHE_SECONDS)
    return counts


def breach_count(password: str) -> int:
    """How often `password` was seen in breaches (0: never); RangeUnavailable when the API cannot tell."""
    digest = PasswordDigest.of(password)
    return range_fetch(digest.prefix).get(digest.suffix, 0)
