"""
Short notices to an account's owner when its security changes (two-factor on or off, new recovery
codes; passkeys and linked identities when they come): what changed, when and from which address,
and what to do if it was not them.

Any app calls `security_notice_send` in the transaction of the change, next to its `event_record`;
the mail goes out by a background job once that commits (none if it rolls back). Besides its own app's
jobs this module imports only `accounts`, `audit` and `common`, so every later app may call it.
"""

import uuid

from django.utils import timezone

from accounts.models import User
from audit.context import RequestContext
from audit.models import Event
from common.jobs import job_enqueue_on_commit
from devices import tasks

UNKNOWN_NOTICE = "No security notice for event {event!r}: add it to audit.models.Event first."


def security_notice_send(*, user: User, event: str, context: RequestContext | None = None) -> None:
    """Mail `user` that `event` happened to their account now, from `context`'s address, once this commits."""
    if event not in Event.values:
        raise ValueError(UNKNOWN_NOTICE.format(event=event))
    job_enqueue_on_commit(
        tasks.security_notice_mail_send,
        user_id=user.pk,
        event=str(event),
        when=timezone.now().isoformat(),
        ip=context.ip if context else None,
        key=uuid.uuid4().hex,
    )
