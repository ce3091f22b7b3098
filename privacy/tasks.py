"""
Background jobs of the privacy app: the cancel-link and export mails (retried as accounts' mail jobs
are, safe to run twice), and the periodic housekeeping that purges due accounts and expired exports.
"""

from celery import Task, shared_task

from accounts.tasks import MAX_RETRIES, temporary_failures_retried
from privacy import deliveries
from privacy.archive import data_export_build, data_exports_purge
from privacy.purge import accounts_purge_due


@shared_task(bind=True, max_retries=MAX_RETRIES)
def deletion_cancel_mail_send(self: Task, *, deletion_request_id: int, key: str) -> bool:
    with temporary_failures_retried(self):
        return deliveries.deletion_cancel_mail_deliver(deletion_request_id=deletion_request_id, key=key)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def data_export_build_and_mail(self: Task, *, data_export_id: int, key: str) -> bool:
    """Build the archive (once), then mail its link (once per job key)."""
    with temporary_failures_retried(self):
        export = data_export_build(data_export_id=data_export_id)
        return export is not None and deliveries.data_export_mail_deliver(export=export, key=key)
    return False


@shared_task
def privacy_housekeeping() -> dict[str, int]:
    """Beat, every `PRIVACY_HOUSEKEEPING_SECONDS`: what `manage.py purge_deleted_accounts` does."""
    return {"accounts_purged": accounts_purge_due(), "exports_dropped": data_exports_purge()}
