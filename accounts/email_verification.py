"""
Email ownership: the verification mail (at registration, on request, for a new address), using
its token, and changing the email through a pending address.

`pending_email` holds a requested address until its link is used; it is not the email before that
(login and password reset look at `email` only), and another account may still register or verify
it, which the database's unique index settles at verification. Mails go out from background jobs
once the transaction commits (accounts.tasks); their tokens are made when the mail is sent.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import tasks
from accounts.deliveries import VERIFICATION_QUOTA_SCOPE, verification_quota_ident
from accounts.mail import mail_quota_take
from accounts.mail_tokens import email_change_cancel_token, email_verification_token, verification_target
from accounts.models import EMAIL_TAKEN, EMAIL_UNIQUE_CONSTRAINT, User
from accounts.sessions import user_tokens_revoke_all
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error, save_unique
from common.jobs import job_enqueue_on_commit
from common.service_exceptions import RateLimited

TOKEN_INVALID = "This link is invalid, was already used or has expired."
NOTHING_TO_VERIFY = "This account's email is already verified and no new address is waiting."
TOO_MANY_MAILS = "Too many verification mails for this account in the last hour."


def email_verification_send(*, user: User) -> None:
    """Mail `user` a link that verifies the address waiting for it (the new one, else the email), after commit."""
    address = verification_target(user)
    if address is not None:
        job_enqueue_on_commit(
            tasks.email_verification_mail_send, user_id=user.pk, address=address, key=uuid.uuid4().hex
        )


def email_verification_resend(*, user: User) -> None:
    """The signed-in caller asks for a fresh link: 400 with nothing to verify, 429 over the hourly limit."""
    if verification_target(user) is None:
        raise ValidationError(NOTHING_TO_VERIFY, code="already_verified")
    _quota_take(user)
    email_verification_send(user=user)


def email_verification_resend_to_address(*, email: str) -> None:
    """
    Anyone asks for a link for `email`: the job mails it only to an unverified account with that email.

    The request does the same work whoever owns the address (the look-up, the limit and the mail
    are the job's), so neither its answer nor its timing tells whether such an account exists.
    """
    email = User.objects.normalize_email(email)
    job_enqueue_on_commit(tasks.email_verification_mail_send_to_address, email=email, key=uuid.uuid4().hex)


def _quota_take(user: User) -> None:
    wait = mail_quota_take(scope=VERIFICATION_QUOTA_SCOPE, ident=verification_quota_ident(user))
    if wait is not None:
        raise RateLimited(TOO_MANY_MAILS, wait_seconds=wait)


@transaction.atomic
def email_change_request(*, user: User, email: str, context: RequestContext | None = None) -> User:
    """
    Ask to change `user`'s email to `email`: it becomes `pending_email`, a link goes to it and a notice
    without any link to the current address. Uniqueness was checked by the caller (the serializer)
    and is checked again at verification. Counts against the verification mails' hourly limit.
    """
    _quota_take(user)
    user.pending_email = User.objects.normalize_email(email)
    user.save(update_fields=["pending_email"])
    detail = {"new_email": user.pending_email}
    event_record(event=Event.EMAIL_CHANGE_REQUESTED, user=user, actor=user, context=context, detail=detail)
    email_verification_send(user=user)
    job_enqueue_on_commit(
        tasks.email_change_notice_send,
        user_id=user.pk,
        old_email=user.email,
        new_email=user.pending_email,
        key=uuid.uuid4().hex,
    )
    return user


@transaction.atomic
def email_change_cancel(*, token: str, context: RequestContext | None = None) -> User:
    """
    The old address cancels a pending change with the token of its notice mail: the pending address is
    dropped and every session of the account ends (whoever asked may hold a stolen token). The token
    works while that change waits; then 400 on `token`, like a used one.
    """
    user = email_change_cancel_token.user(token, lock=True)
    if user is None or not user.pending_email:
        raise field_error("token", TOKEN_INVALID, code="invalid")
    cancelled, user.pending_email = user.pending_email, None
    user.save(update_fields=["pending_email"])
    user_tokens_revoke_all(user=user)
    detail = {"cancelled_email": cancelled, "sessions_ended": True}
    event_record(event=Event.EMAIL_CHANGE_CANCELLED, user=user, actor=None, context=context, detail=detail)
    return user


@transaction.atomic
def email_verify(*, token: str, context: RequestContext | None = None) -> User:
    """
    Use a verification token: the pending address becomes the email, or the email becomes verified.

    400 on `token` when it is bad, used or expired; 400 on `email` when another account took the
    pending address meanwhile (the unique index decides between two accounts verifying it at once).
    """
    user = email_verification_token.user(token, lock=True)
    if user is None:
        raise field_error("token", TOKEN_INVALID, code="invalid")
    if user.pending_email:
        old_email = user.email
        user.email, user.pending_email, user.email_verified = user.pending_email, None, True
        save_unique(
            user,
            unique={EMAIL_UNIQUE_CONSTRAINT: ("email", EMAIL_TAKEN)},
            update_fields=["email", "pending_email", "email_verified"],
        )
        detail = {"old_email": old_email, "new_email": user.email}
        event_record(event=Event.EMAIL_CHANGED, user=user, actor=user, context=context, detail=detail)
    else:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
        event_record(event=Event.EMAIL_VERIFIED, user=user, actor=user, context=context, detail={"email": user.email})
    return user
