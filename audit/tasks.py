"""Background jobs of the security log; like the rest of `audit`, it imports no other app."""

from celery import shared_task

from audit.services import security_events_purge


@shared_task
def purge_audit_events() -> int:
    """Daily (beat): delete events older than `AUDIT_RETENTION_DAYS`, as `manage.py purge_audit_events` does."""
    return security_events_purge()
