"""
What the privacy mail jobs send, built from the rows as they are when the job runs and sent once per
job key (accounts.mail). The links' tokens are made here, when the mail is sent (`privacy.links`).
"""

import uuid

from django.utils import timezone

from accounts.mail import frontend_link, mail_send_once
from privacy.links import DELETION_CANCEL_SALT, EXPORT_DOWNLOAD_SALT, link_token_make
from privacy.models import DataExport, DeletionRequest

Key = uuid.UUID | str
DATE = "%Y-%m-%d %H:%M"


def deletion_cancel_mail_deliver(*, deletion_request_id: int, key: Key) -> bool:
    """The cancel link of a deletion that still waits, to the account's address."""
    request = DeletionRequest.objects.select_related("user").filter(pk=deletion_request_id).first()
    if request is None or not request.is_pending or request.purge_after <= timezone.now():
        return False
    user = request.user
    token = link_token_make(salt=DELETION_CANCEL_SALT, row_id=request.pk, user_id=user.pk)
    context = {
        "username": user.username,
        "token": token,
        "link": frontend_link("/cancel-account-deletion", token),
        "requested_at": f"{request.requested_at:{DATE}}",
        "purge_after": f"{request.purge_after:{DATE}}",
    }
    return mail_send_once(key=key, to=user.email, template="account_deletion", context=context, app="privacy")


def data_export_mail_deliver(*, export: DataExport, key: Key) -> bool:
    """The download link of a built export, to the account's address."""
    user = export.user
    token = link_token_make(salt=EXPORT_DOWNLOAD_SALT, row_id=export.pk, user_id=user.pk)
    context = {
        "username": user.username,
        "token": token,
        "link": frontend_link("/download-data-export", token),
        "expires_at": f"{export.expires_at:{DATE}}",
    }
    return mail_send_once(key=key, to=user.email, template="data_export_ready", context=context, app="privacy")
