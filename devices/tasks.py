"""Background jobs of devices: the new-device and security-notice mails (thin, retried, safe to run twice)."""

from celery import Task, shared_task

from accounts.tasks import MAX_RETRIES, temporary_failures_retried

# `services` enqueues these jobs: imported as a module, read at call time (no import cycle).
from devices import deliveries, services


@shared_task(bind=True, max_retries=MAX_RETRIES)
def new_device_mail_send(self: Task, *, alert_id: str, key: str) -> bool:
    with temporary_failures_retried(self):
        return deliveries.new_device_mail_deliver(alert_id=alert_id, key=key)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def security_notice_mail_send(self: Task, *, user_id: int, event: str, when: str, ip: str | None, key: str) -> bool:
    with temporary_failures_retried(self):
        return deliveries.security_notice_deliver(user_id=user_id, event=event, when=when, ip=ip, key=key)


@shared_task
def purge_devices() -> dict[str, int]:
    """Daily (beat): `devices.services.devices_purge`."""
    return services.devices_purge()
