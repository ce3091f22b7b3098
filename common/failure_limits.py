"""
The format of a per-account failure limit, `"<attempts>/<window>"` with the window in s, m or h
(`"5/5m"`): parsed by the limits themselves (accounts.lockout) and by the settings, which refuse to
start with a malformed one instead of letting every sign-in fail with a 500. Imports no app.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

LIMIT_FORMAT = re.compile(r"(?P<attempts>[1-9][0-9]*)/(?P<window>[1-9][0-9]*)(?P<unit>[smh])")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 60 * 60}
LIMIT_INVALID = '{setting}={value!r}: write "<attempts>/<window>", the window in s, m or h, e.g. "5/5m".'


@dataclass(frozen=True)
class FailureLimit:
    attempts: int
    seconds: int


def failure_limit_parse(value: str, *, setting: str = "limit") -> FailureLimit:
    """`"5/5m"` -> 5 attempts per 300 seconds; ImproperlyConfigured for anything else."""
    match = LIMIT_FORMAT.fullmatch(value.strip())
    if match is None:
        raise ImproperlyConfigured(LIMIT_INVALID.format(setting=setting, value=value))
    seconds = int(match["window"]) * UNIT_SECONDS[match["unit"]]
    return FailureLimit(attempts=int(match["attempts"]), seconds=seconds)
