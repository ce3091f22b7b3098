"""Background jobs of social login: the mail telling an owner a provider was linked (thin, as accounts' mail jobs)."""

from celery import Task, shared_task

from accounts.tasks import MAX_RETRIES, temporary_failures_retried
from social import deliveries


@shared_task(bind=True, max_retries=MAX_RETRIES)
def identity_linked_mail_send(self: Task, *, user_id: int, identity_id: int, key: str) -> bool:
    with temporary_failures_retried(self):
        return deliveries.identity_linked_mail_deliver(user_id=user_id, identity_id=identity_id, key=key)
