"""
The purge of accounts whose deletion grace period is over (periodic, `privacy.tasks`).

Per account and in one transaction: posts and votes follow `ACCOUNT_DELETION_CONTENT`
(`privacy.content`), the security log's rows are pseudonymised (`privacy.pseudonyms`), the user row
is deleted (with it, by cascade, sessions, API keys, two-factor factors, exports and the deletion
request), and `account_deleted` is recorded under the pseudonym. An account an admin reactivated
during the grace period is not purged: its deletion is cancelled.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import User
from audit.models import Event
from audit.services import event_record
from privacy.content import user_content_dispose
from privacy.models import DeletionRequest
from privacy.pseudonyms import security_events_pseudonymise, user_pseudonym

logger = logging.getLogger(__name__)

PURGE_BATCH_SIZE = 100


def accounts_purge_due(*, batch_size: int = PURGE_BATCH_SIZE) -> int:
    """Purge every account whose grace period is over, each in its own transaction; how many. Safe to run twice."""
    purged = 0
    while True:
        due = DeletionRequest.objects.filter(cancelled_at__isnull=True, purge_after__lte=timezone.now())
        ids = list(due.order_by("purge_after", "pk").values_list("pk", flat=True)[:batch_size])
        done = [account_purge(deletion_request_id=pk) for pk in ids]
        purged += sum(done)
        if len(ids) < batch_size or not any(done):
            return purged


@transaction.atomic
def account_purge(*, deletion_request_id: int) -> bool:
    """Delete the account of a due deletion (see the module's docstring); False when there is nothing to do."""
    request = (
        DeletionRequest.objects.select_for_update()
        .filter(pk=deletion_request_id, cancelled_at__isnull=True, purge_after__lte=timezone.now())
        .first()
    )
    if request is None:
        return False
    user = User.objects.select_for_update().get(pk=request.user_id)
    if user.is_active:
        # An admin reactivated the account meanwhile: that overrides the deletion.
        request.cancelled_at = timezone.now()
        request.save(update_fields=["cancelled_at"])
        detail = {"requested_at": request.requested_at.isoformat(), "reason": "reactivated"}
        event_record(event=Event.ACCOUNT_DELETION_CANCELLED, user=user, detail=detail)
        return False
    user_id, policy = user.pk, settings.ACCOUNT_DELETION_CONTENT
    content = user_content_dispose(user=user, policy=policy, pseudonym=user_pseudonym(user_id))
    events = security_events_pseudonymise(user_id=user_id)
    # SimpleJWT keeps its token rows with a null user; they name the account, and no longer serve.
    OutstandingToken.objects.filter(user=user).delete()
    user.delete()
    detail = {
        "user_pseudonym": user_pseudonym(user_id),
        "requested_at": request.requested_at.isoformat(),
        "content": policy,
        **content,
        "events_pseudonymised": events,
    }
    event_record(event=Event.ACCOUNT_DELETED, detail=detail)
    logger.info("account purged: %s", user_pseudonym(user_id))
    return True
