"""Background jobs of two-factor authentication: the lock notice (thin, retried, safe to run twice) and housekeeping."""

from celery import Task, shared_task

from accounts.tasks import MAX_RETRIES, temporary_failures_retried

# `services` enqueues these jobs: imported as a module, read at call time (no import cycle).
from mfa import deliveries, services


@shared_task(bind=True, max_retries=MAX_RETRIES)
def mfa_locked_mail_send(self: Task, *, user_id: int, minutes: int, attempts: int, key: str) -> bool:
    with temporary_failures_retried(self):
        return deliveries.mfa_locked_mail_deliver(user_id=user_id, minutes=minutes, attempts=attempts, key=key)


@shared_task
def purge_login_challenges() -> int:
    """Daily (beat): delete login challenges that expired (their tokens are refused anyway)."""
    return services.login_challenges_purge()
