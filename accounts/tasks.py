"""
Background jobs of accounts: thin Celery tasks around `accounts.deliveries`, and housekeeping.

Jobs take ids and addresses, never tokens (a token is made when its mail is sent). A mail job
retries a temporary failure — the mail server or the database out of reach, a 4xx answer — with
exponential backoff and full jitter (the first retry within `RETRY_BACKOFF` seconds, later ones
at most `RETRY_BACKOFF_MAX` apart, `MAX_RETRIES` times: about an hour of trying), and gives up at
once on a permanent refusal (5xx). Run in the web process (no broker), a failure is logged and not
retried, so no request waits on a retry loop. Every job is safe to run twice (accounts.mail).
"""

import contextlib
import logging
import smtplib
from collections.abc import Iterator

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.db import InterfaceError, OperationalError

from accounts import deliveries
from accounts.mail import sent_mail_purge
from accounts.sessions import tokens_purge_expired

logger = logging.getLogger(__name__)

RETRY_BACKOFF = 5
RETRY_BACKOFF_MAX = 600
MAX_RETRIES = 12
# smtplib's errors and a refused or timed-out connection are all OSErrors.
TEMPORARY_ERRORS = (OSError, OperationalError, InterfaceError)


def mail_failure_is_permanent(exc: Exception) -> bool:
    """A 5xx answer: the mail server will not take this mail however often it is sent."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def retry_countdown(retries: int) -> float:
    return get_exponential_backoff_interval(
        factor=RETRY_BACKOFF, retries=retries, maximum=RETRY_BACKOFF_MAX, full_jitter=True
    )


@contextlib.contextmanager
def temporary_failures_retried(task: Task) -> Iterator[None]:
    try:
        yield
    except TEMPORARY_ERRORS as exc:
        if mail_failure_is_permanent(exc) or task.request.is_eager:
            logger.error("job %s[%s] failed, not retried: %r", task.name, task.request.id, exc)
            return
        countdown = retry_countdown(task.request.retries)
        logger.warning("job %s[%s] failed, retry in %.1f s: %r", task.name, task.request.id, countdown, exc)
        raise task.retry(exc=exc, countdown=countdown) from exc


@shared_task(bind=True, max_retries=MAX_RETRIES)
def password_reset_mail_send(self: Task, *, email: str, key: str) -> bool:
    with temporary_failures_retried(self):
        return deliveries.password_reset_mail_deliver(email=email, key=key)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def email_verification_mail_send(self: Task, *, user_id: int, address: str, key: str) -> bool:
    with temporary_failures_retried(self):
        return deliveries.email_verification_mail_deliver(user_id=user_id, address=address, key=key)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def email_verification_mail_send_to_address(self: Task, *, email: str, key: str) -> bool:
    with temporary_failures_retried(self):
        return deliveries.email_verification_mail_deliver_to_address(email=email, key=key)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def email_change_notice_send(self: Task, *, user_id: int, old_email: str, new_email: str, key: str) -> bool:
    with temporary_failures_retried(self):
        return deliveries.email_change_notice_deliver(
            user_id=user_id, old_email=old_email, new_email=new_email, key=key
        )


@shared_task
def purge_expired_tokens() -> dict[str, int]:
    """Daily (beat): what `manage.py purge_expired_tokens` does."""
    tokens, sessions = tokens_purge_expired()
    return {"tokens": tokens, "sessions": sessions, "sent_mails": sent_mail_purge()}
