"""
Password reset: ask for a mail with a reset link (without telling whether the account exists),
then set a new password with its token, which ends every session of the account.
"""

import uuid

from django.db import transaction

from accounts import tasks
from accounts.credentials import credentials_revoke
from accounts.mail import mail_quota_take
from accounts.mail_tokens import password_reset_token
from accounts.models import User
from accounts.selectors import user_for_password_reset
from accounts.sessions import user_tokens_revoke_all
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error
from common.jobs import job_enqueue_on_commit

RESET_REQUESTED = "If an account has this email, a message with a reset link is on its way."
TOKEN_INVALID = "This reset link is invalid, was already used or has expired."
QUOTA_SCOPE = "password_reset"


def password_reset_request(*, email: str, actor: User | None = None, context: RequestContext | None = None) -> bool:
    """
    Ask for a reset mail to `email`; True when one was queued for an account (never tell the caller).

    Both branches do the same work in the request: count the address's mails (at most
    `MAILS_PER_HOUR`, counted for every address), look the account up, record the event and
    enqueue the job, which looks the account up again when it sends (none: no mail). With a broker
    the request never talks to the mail server, so its timing does not tell the branches apart.
    """
    email = User.objects.normalize_email(email)
    over_limit = mail_quota_take(scope=QUOTA_SCOPE, ident=email) is not None
    user = user_for_password_reset(email=email)
    detail = {"over_limit": True} if over_limit else {}
    event_record(event=Event.PASSWORD_RESET_REQUESTED, user=user, actor=actor, context=context, detail=detail)
    if over_limit:
        return False
    job_enqueue_on_commit(tasks.password_reset_mail_send, email=email, key=uuid.uuid4().hex)
    return user is not None


def password_reset_token_user(*, token: str) -> User | None:
    """The account a reset token may act on, or None (bad, used or expired)."""
    return password_reset_token.user(token)


@transaction.atomic
def password_reset_complete(
    *, token: str, new_password: str, context: RequestContext | None = None, revoke_api_keys: bool = True
) -> User:
    """
    Set `new_password` (already validated) with a reset token; every earlier token of the user is rejected,
    and unless `revoke_api_keys` is False their other credentials (API keys) too (`accounts.credentials`).

    The user's row is locked while the token is checked, so of two uses at once one wins and the
    other finds the password changed (400 on `token`). The reset also proves the user reads mail at
    the email, so it verifies the email too.
    """
    user = password_reset_token.user(token, lock=True)
    if user is None:
        raise field_error("token", TOKEN_INVALID, code="invalid")
    newly_verified = not user.email_verified
    user.set_password(new_password)
    user.email_verified = True
    user.save(update_fields=["password", "email_verified"])
    user_tokens_revoke_all(user=user)
    revoked = (
        credentials_revoke(user=user, actor=user, context=context, reason="password_reset") if revoke_api_keys else 0
    )
    detail = {"integrations_revoked": revoked}
    event_record(event=Event.PASSWORD_RESET_COMPLETED, user=user, actor=user, context=context, detail=detail)
    if newly_verified:
        detail = {"email": user.email, "via": "password_reset"}
        event_record(event=Event.EMAIL_VERIFIED, user=user, actor=user, context=context, detail=detail)
    return user
