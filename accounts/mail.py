"""
Mail to users: one function renders and sends a templated mail; around it, what makes a mail job
safe (sent once however often it runs) and polite (at most so many mails per address per hour).

Templates live in `<app>/templates/<app>/email/` (accounts' own and those of the apps that mail through
here, such as `apikeys`) as `<name>_subject.txt`, `<name>.txt` (the plain-text part every mail has)
and `<name>.html`.
"""

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import SentMail
from common.windows import window_count

MAILS_PER_HOUR = 3
QUOTA_PERIOD_SECONDS = 60 * 60
# Longer than any job can wait for its retries or a redelivery (accounts.tasks, the broker's
# visibility timeout), after which no run of the job can come back.
SENT_MAIL_KEPT = timedelta(days=7)


def frontend_link(path: str, token: str) -> str:
    """A link into the client application (`FRONTEND_URL`), e.g. `/reset-password?token=…`."""
    return f"{settings.FRONTEND_URL}{path}?token={token}"


def mail_send(*, to: str, template: str, context: dict, app: str = "accounts") -> None:
    """
    Render `template`'s subject, text and HTML (in `<app>/templates/<app>/email/`) with `context` and send
    them to `to`; raises on mail-server errors.
    """
    context = {**context, "frontend_url": settings.FRONTEND_URL}
    subject = render_to_string(f"{app}/email/{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line, whatever the template's whitespace
        body=render_to_string(f"{app}/email/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"{app}/email/{template}.html", context), "text/html")
    message.send()


def mail_send_once(*, key: uuid.UUID | str, to: str, template: str, context: dict, app: str = "accounts") -> bool:
    """
    Send the mail of job `key` unless a run of that job already sent it; True when this run sent it.

    The marker row is inserted in the transaction that sends the mail: a send that fails rolls it
    back (the retry sends), a second run of the job waits on the row's unique key until the first
    commits (then it sends nothing) or rolls back (then it sends). Only a crash between the mail
    server's acceptance and the commit can still send twice; at-least-once is the rule, so the
    mails say nothing that is wrong when read twice.
    """
    try:
        with transaction.atomic():
            SentMail.objects.create(key=key)
            mail_send(to=to, template=template, context=context, app=app)
    except IntegrityError:
        return False
    return True


def mail_already_sent(key: uuid.UUID | str) -> bool:
    return SentMail.objects.filter(key=key).exists()


def mail_quota_take(*, scope: str, ident: str) -> int | None:
    """
    Count one mail for `ident` in `scope`; None while within `MAILS_PER_HOUR`, else seconds until the hour ends.

    Counted in the shared cache (`common.windows`), so the limit holds across every worker and server
    sharing `CACHE_URL`. The hour starts at the first mail. `ident` is hashed: addresses are not kept
    in cache keys.
    """
    digest = hashlib.sha256(ident.strip().lower().encode()).hexdigest()
    taken = window_count(key=f"mail-quota:{scope}:{digest}", period=QUOTA_PERIOD_SECONDS)
    return None if taken.count <= MAILS_PER_HOUR else taken.seconds_left


def sent_mail_purge() -> int:
    """Delete sent-mail markers no job can need any more; return how many."""
    deleted, _ = SentMail.objects.filter(sent_at__lt=timezone.now() - SENT_MAIL_KEPT).delete()
    return deleted
