"""
Background jobs of passkeys: the owner's notice that a passkey was added or removed, and the daily purge
of ceremonies never answered. Thin, as accounts' mail jobs: retried on temporary failures, safe to run twice.
"""

from celery import Task, shared_task

from accounts.tasks import MAX_RETRIES, temporary_failures_retried
from passkeys import deliveries
from passkeys.ceremonies import ceremonies_purge


@shared_task(bind=True, max_retries=MAX_RETRIES)
def passkey_changed_mail_send(
    self: Task, *, user_id: int, change: str, name: str, at: str, by_staff: bool, ip: str | None, key: str
) -> bool:
    with temporary_failures_retried(self):
        return deliveries.passkey_changed_mail_deliver(
            user_id=user_id, change=change, name=name, at=at, by_staff=by_staff, ip=ip, key=key
        )


@shared_task
def purge_passkey_ceremonies() -> int:
    """Daily (beat): delete ceremonies whose options were never answered (their challenges are refused anyway)."""
    return ceremonies_purge()
