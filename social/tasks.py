"""Background jobs of social login: the mail telling an owner a provider was linked (thin, as accounts' mail jobs)."""

from celery import Task, shared_task

from accounts.tasks import MAX_RETRIES, temporary_failures_retried
from social import deliveries


@shared_task(bind=True, max_retries=MAX_RETRIES)
def identity_linked_mail_send(self: Task, *, user_id: int, identity_id: int, key: str) -> bool:
    with temporary_failures_retried(self):
        return deliveries.identity_linked_mail_deliver(user_id=user_id, identity_id=identity_id, key=key)


@shared_task
def purge_social_requests() -> dict[str, int]:
    """Daily (beat): delete authorization requests and tickets past their time."""
    from social.flow import requests_purge_expired

    requests_deleted, tickets_deleted = requests_purge_expired()
    return {"requests": requests_deleted, "tickets": tickets_deleted}
