"""
Background jobs of API keys: the owner's notice that a key was made (a stolen session that makes a key
must not go unnoticed). Thin, as accounts' mail jobs: retried on temporary failures, safe to run twice.
"""

from celery import Task, shared_task

from accounts.tasks import MAX_RETRIES, temporary_failures_retried
from apikeys import deliveries


@shared_task(bind=True, max_retries=MAX_RETRIES)
def api_key_created_mail_send(self: Task, *, api_key_id: int, ip: str | None, key: str) -> bool:
    with temporary_failures_retried(self):
        return deliveries.api_key_created_mail_deliver(api_key_id=api_key_id, ip=ip, key=key)
