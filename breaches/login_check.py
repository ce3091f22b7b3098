"""
The breached-password check at login: after a right password (`accounts.login_hooks.password_accepted`).

The password's SHA-1 never leaves this process: not through the broker, not into the cache. A range
the cache already holds is compared at once, so the login's own answer says
`password_change_recommended`; otherwise the range is fetched on a thread of this process, after the
answer, and a hit is found for the next login. A hit sets the user's flag (once per password: the row
must still hold the hash the login checked), records `password_breached` and mails the user.
"""

import logging
import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.conf import settings
from django.db import close_old_connections, connections

from accounts.models import User
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from breaches import tasks
from breaches.pwned import PasswordDigest, RangeUnavailable, check_enabled, range_cached, range_download
from common.jobs import job_enqueue_on_commit

logger = logging.getLogger(__name__)

# One mail per user and password: the job's key is derived from both (a retry or a second finding sends none).
MAIL_KEY_NAMESPACE = uuid.UUID("6f0b8f2e-5a57-4c1e-9d0b-6c1f3f1e2a10")

# Two threads: a lookup waits on the network at most PWNED_PASSWORDS_TIMEOUT; logins never wait on them.
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="breach-check")
_pending: set[Future] = set()


def breach_found(*, user_id: int, password_hash: str, count: int, context: RequestContext | None) -> bool:
    """Flag the user whose password (still `password_hash`) is breached; True the first time for it."""
    flagged = User.objects.filter(pk=user_id, password=password_hash, password_change_recommended=False).update(
        password_change_recommended=True
    )
    if not flagged:
        return False
    user = User.objects.get(pk=user_id)
    event_record(event=Event.PASSWORD_BREACHED, user=user, context=context, detail={"count": count, "at": "login"})
    mail_key = uuid.uuid5(MAIL_KEY_NAMESPACE, f"{user_id}:{password_hash}")
    job_enqueue_on_commit(tasks.password_breached_mail_send, user_id=user_id, key=str(mail_key))
    return True


def _check_in_background(*, user_id: int, password_hash: str, digest: PasswordDigest, context) -> None:
    close_old_connections()
    try:
        count = range_download(digest.prefix).get(digest.suffix, 0)  # the login found it missing from the cache
        if count >= settings.PWNED_PASSWORDS_MIN_COUNT:
            breach_found(user_id=user_id, password_hash=password_hash, count=count, context=context)
    except RangeUnavailable as exc:
        logger.warning("breached-password check at login unavailable: %s", exc)
    except Exception:
        logger.exception("breached-password check at login failed")
    finally:
        connections.close_all()  # this thread's own connections


def password_accepted(*, user: User, password: str, context: RequestContext | None) -> None:
    """The login hook: compare now from the cache, or look the range up after the answer."""
    if not check_enabled() or user.password_change_recommended:
        return
    digest = PasswordDigest.of(password)
    counts = range_cached(digest.prefix)
    if counts is not None:
        count = counts.get(digest.suffix, 0)
        if count >= settings.PWNED_PASSWORDS_MIN_COUNT:
            breach_found(user_id=user.pk, password_hash=user.password, count=count, context=context)
            user.password_change_recommended = True
        return
    future = _executor.submit(
        _check_in_background, user_id=user.pk, password_hash=user.password, digest=digest, context=context
    )
    _pending.add(future)
    future.add_done_callback(_pending.discard)


def background_checks_wait(timeout: float) -> bool:
    """Wait for the lookups started so far (tests, a graceful shutdown); True when all finished."""
    return not wait(list(_pending), timeout=timeout).not_done
