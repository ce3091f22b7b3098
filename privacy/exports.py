"""
Data export: a user asks (`POST auth/me/export/`, at most once a day), a background job builds the
archive (`privacy.archive`) and mails a single-use link valid 24 hours; the download hands the
archive over once and drops it.
"""

import math
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error
from common.jobs import job_enqueue_on_commit
from common.service_exceptions import RateLimited
from privacy import tasks
from privacy.archive import LINK_VALID
from privacy.links import EXPORT_DOWNLOAD_SALT, link_token_read
from privacy.models import DataExport

EXPORT_PERIOD = timedelta(days=1)
ONE_A_DAY = "An export was asked for in the last 24 hours; its link is in your mailbox. Ask again later."
DOWNLOAD_LINK_INVALID = "This link is invalid, expired or already used; ask for a new export."


@transaction.atomic
def data_export_request(*, user: User, context: RequestContext | None = None) -> DataExport:
    """Queue the build of `user`'s archive and its mail; 429 (`RateLimited`) within a day of the last request."""
    # The user's row lock serializes their requests, so two at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
    now = timezone.now()
    last = DataExport.objects.filter(user=user, requested_at__gt=now - EXPORT_PERIOD).order_by("-requested_at").first()
    if last is not None:
        wait = (last.requested_at + EXPORT_PERIOD - now).total_seconds()
        raise RateLimited(ONE_A_DAY, wait_seconds=max(1, math.ceil(wait)))
    export = DataExport.objects.create(user=user, requested_at=now)
    event_record(event=Event.DATA_EXPORT_REQUESTED, user=user, actor=user, context=context)
    job_enqueue_on_commit(tasks.data_export_build_and_mail, data_export_id=export.pk, key=str(uuid.uuid4()))
    return export


def ready_export_for_token(token: str, *, lock: bool = False) -> DataExport | None:
    """The built, not yet downloaded, unexpired export a download token names, if it is genuine."""
    ids = link_token_read(token, salt=EXPORT_DOWNLOAD_SALT, max_age=LINK_VALID.total_seconds())
    if ids is None:
        return None
    rows = DataExport.objects.select_related("user")
    rows = rows.select_for_update(of=("self",)) if lock else rows
    ready = rows.filter(pk=ids[0], user_id=ids[1], downloaded_at__isnull=True, archive__isnull=False)
    return ready.filter(expires_at__gt=timezone.now()).first()


@transaction.atomic
def data_export_download(*, token: str, context: RequestContext | None = None) -> tuple[DataExport, str]:
    """Hand over the archive a download link names, once: it is dropped from the database as it goes."""
    export = ready_export_for_token(token, lock=True)
    if export is None:
        raise field_error("token", DOWNLOAD_LINK_INVALID, code="invalid")
    archive = export.archive
    export.archive, export.downloaded_at = None, timezone.now()
    export.save(update_fields=["archive", "downloaded_at"])
    detail = {"requested_at": export.requested_at.isoformat(), "bytes": len(archive.encode())}
    event_record(event=Event.DATA_EXPORT_DOWNLOADED, user=export.user, actor=None, context=context, detail=detail)
    return export, archive
