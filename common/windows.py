"""
Counters over a fixed window in the shared cache: how the app counts what must hold across every
worker and server (mails per address, failed sign-ins per account), wherever `CACHE_URL` points.

A window starts at its first count and lasts `period` seconds. `add` and `incr` are atomic in Redis,
so of concurrent counts each gets its own number: a limit of N lets exactly N through a window
(with the local-memory cache: per process).
"""

import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class WindowCount:
    count: int  # this count's number in the window, 1 for the first
    seconds_left: int  # until the window ends (at least 1)


def window_count(*, key: str, period: int) -> WindowCount:
    """
    Count one more in `key`'s window of `period` seconds. The same four cache calls are made whatever
    the count, so the time taken tells nothing about it.
    """
    until_key, now = f"{key}:until", time.time()
    cache.add(until_key, now + period, period)
    cache.add(key, 0, period)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between the two calls: this is the first count of a new one
        cache.set(key, 1, period)
        count = 1
    until = cache.get(until_key) or now + period
    return WindowCount(count=count, seconds_left=max(1, math.ceil(until - now)))


def window_clear(*, key: str) -> None:
    """Forget `key`'s window: the next count starts a new one."""
    cache.delete_many([key, f"{key}:until"])
