"""
Account deletion: a user asks (`DELETE auth/me/`), the account is deactivated at once, the mailed
link cancels it during the grace period, and the periodic purge deletes it after that.

Asking ends everything that could act as the user on every worker before the answer: the account
is inactive (authentication refuses it), the token version is bumped and every session ended, and
every API key revoked, so a cancel brings back the account but none of the old credentials.

The purge itself: `privacy.purge`.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.account_deletion import DeletionScheduled
from accounts.credentials import credentials_revoke
from accounts.models import User
from accounts.selectors import active_admin_count
from accounts.services import last_admin_check
from accounts.sessions import user_tokens_revoke_all
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error
from common.jobs import job_enqueue_on_commit
from privacy import tasks
from privacy.links import DELETION_CANCEL_SALT, link_token_read
from privacy.models import DeletionRequest

CANCEL_LINK_INVALID = "This link is invalid, expired or already used, or the account was deleted."
# A cancel link is refused from `purge_after` on (the row says so); the signature's own limit adds a day
# so a clock difference between workers never cuts a valid link short.
CANCEL_TOKEN_SLACK = timedelta(days=1)


def grace_period() -> timedelta:
    return timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)


@transaction.atomic
def account_deletion_request(*, user: User, context: RequestContext | None = None) -> DeletionScheduled:
    """Deactivate `user` at once, end every credential, mail a cancel link, schedule the purge; not the last admin."""
    active_admin_count(lock=True)  # serializes with the admins' own demotions and deletions
    user = User.objects.select_for_update().get(pk=user.pk)
    last_admin_check(user=user)
    now = timezone.now()
    # One waits at most (an admin may have reactivated an account whose deletion was pending).
    DeletionRequest.objects.filter(user=user, cancelled_at__isnull=True).update(cancelled_at=now)
    request = DeletionRequest.objects.create(user=user, requested_at=now, purge_after=now + grace_period())
    user.is_active = False
    user.save(update_fields=["is_active"])
    user_tokens_revoke_all(user=user)
    revoked = credentials_revoke(user=user, actor=user, context=context, reason="account_deletion")
    detail = {"purge_after": request.purge_after.isoformat(), "integrations_revoked": revoked}
    event_record(event=Event.ACCOUNT_DELETION_REQUESTED, user=user, actor=user, context=context, detail=detail)
    job_enqueue_on_commit(tasks.deletion_cancel_mail_send, deletion_request_id=request.pk, key=str(uuid.uuid4()))
    return DeletionScheduled(purge_after=request.purge_after)


def pending_deletion_for_token(token: str, *, lock: bool = False) -> DeletionRequest | None:
    """The pending, not yet due deletion a cancel token names, if it is genuine."""
    max_age = (grace_period() + CANCEL_TOKEN_SLACK).total_seconds()
    ids = link_token_read(token, salt=DELETION_CANCEL_SALT, max_age=max_age)
    if ids is None:
        return None
    rows = DeletionRequest.objects.select_related("user")
    rows = rows.select_for_update(of=("self", "user")) if lock else rows
    return rows.filter(pk=ids[0], user_id=ids[1], cancelled_at__isnull=True, purge_after__gt=timezone.now()).first()


@transaction.atomic
def account_deletion_cancel(*, token: str, context: RequestContext | None = None) -> User:
    """Reactivate the account a cancel link names while its deletion waits; its old tokens and keys stay dead."""
    request = pending_deletion_for_token(token, lock=True)
    if request is None:
        raise field_error("token", CANCEL_LINK_INVALID, code="invalid")
    request.cancelled_at = timezone.now()
    request.save(update_fields=["cancelled_at"])
    user = request.user
    user.is_active = True
    user.save(update_fields=["is_active"])
    detail = {"requested_at": request.requested_at.isoformat()}
    event_record(event=Event.ACCOUNT_DELETION_CANCELLED, user=user, actor=None, context=context, detail=detail)
    return user
