"""
Logins and logouts of the Django admin site in the security log.

The API's login is our service and records its events itself; the admin site logs in through
Django's own views, whose only hooks are the auth signals, so these receivers record the same
events there, marked `detail.via = "django_admin"`. Connected in `AccountsConfig.ready`.
"""

from django.contrib.auth import signals

from accounts.models import User
from audit.context import request_context
from audit.models import Event
from audit.services import event_record

VIA = {"via": "django_admin"}


def _context(request):
    return request_context(request) if request is not None else None


def login_succeeded(sender, request, user, **kwargs) -> None:
    event_record(event=Event.LOGIN_SUCCEEDED, user=user, actor=user, context=_context(request), detail=VIA)


def login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    # Django has already masked the password; the typed name is only used to find the account.
    name = credentials.get(User.USERNAME_FIELD) or ""
    user = User._default_manager.filter(**{f"{User.USERNAME_FIELD}__iexact": name}).first() if name else None
    reason = "unknown_account" if user is None else "wrong_password" if user.is_active else "inactive_account"
    event_record(event=Event.LOGIN_FAILED, user=user, context=_context(request), detail={**VIA, "reason": reason})


def logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:  # logging out without a session is not an event
        event_record(event=Event.LOGOUT, user=user, actor=user, context=_context(request), detail=VIA)


def connect() -> None:
    signals.user_logged_in.connect(login_succeeded, dispatch_uid="audit-login-succeeded")
    signals.user_login_failed.connect(login_failed, dispatch_uid="audit-login-failed")
    signals.user_logged_out.connect(logged_out, dispatch_uid="audit-logged-out")
