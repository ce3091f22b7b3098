"""Background job of the breached-password check: the user's mail (thin, as accounts' mail jobs)."""

from celery import Task, shared_task

from accounts.tasks import MAX_RETRIES, temporary_failures_retried
from breaches import deliveries


@shared_task(bind=True, max_retries=MAX_RETRIES)
def password_breached_mail_send(self: Task, *, user_id: int, key: str) -> bool:
    with temporary_failures_retried(self):
        return deliveries.password_breached_mail_deliver(user_id=user_id, key=key)
