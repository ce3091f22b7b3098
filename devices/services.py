"""
New-device sign-in alerts: at every login, is its device one the user signed in from recently?
If not, mail them (`new_device_login`), with a link whose use ends that session, signs the account
out everywhere and starts a password reset (`login_disowned`).

The rules (docs/security.md, "New-device sign-in alerts"):

- A device is the browser and OS families plus the network (`devices.identification`).
- It is known when the user signed in from it within `NEW_DEVICE_WINDOW_DAYS`: a `Device` row seen
  since then, or another `accounts.LoginSession` used since then (sessions from before this app ran,
  or kept alive by refreshes). A device whose sign-in was disowned is new again: sessions used before
  the disowning no longer vouch for it, and its next sign-in alerts.
- The user's very first login (no other session row and no device row at all) only records its
  device: there is nothing to compare with, and a mail at sign-up would teach users to ignore them.
- `NEW_DEVICE_ALERTS=false` turns all of this off: no devices recorded, no mail.
"""

import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import LoginSession, User
from accounts.password_reset import password_reset_request
from accounts.sessions import user_tokens_revoke_all
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error
from common.jobs import job_enqueue_on_commit
from devices import tasks
from devices.disown_tokens import disown_token_alert_id
from devices.identification import DeviceIdentity, device_identify
from devices.models import Device, LoginAlert

DISOWN_TOKEN_INVALID = "This link is invalid, was already used or has expired."
DISOWNED = "That sign-in was ended and your account signed out everywhere; a password reset link is on its way."
# Sessions read per login to recognise a device: the most recently used distinct (address, user agent)s.
SESSIONS_COMPARED = 50


def _window_start():
    return timezone.now() - timedelta(days=settings.NEW_DEVICE_WINDOW_DAYS)


def _sessions_vouch(*, user: User, sid: uuid.UUID, device: DeviceIdentity, since) -> bool:
    """Another session of `user` used since `since` came from `device`."""
    seen = (
        LoginSession.objects.filter(user=user, last_used_at__gte=since)
        .exclude(sid=sid)
        .order_by("-last_used_at")
        .values_list("ip", "user_agent")[:SESSIONS_COMPARED]
    )
    return any(device_identify(ip=ip, user_agent=agent) == device for ip, agent in seen)


def _first_login(*, user: User, sid: uuid.UUID, device_row: Device | None) -> bool:
    if device_row is not None or Device.objects.filter(user=user).exists():
        return False
    return not LoginSession.objects.filter(user=user).exclude(sid=sid).exists()


def device_is_known(*, user: User, sid: uuid.UUID, device: DeviceIdentity, device_row: Device | None) -> bool:
    """The module's rule: `device` signed in to `user`'s account within the window (not counting session `sid`)."""
    since = _window_start()
    if device_row is not None and device_row.disowned_at is None and device_row.last_seen_at >= since:
        return True
    if device_row is not None and device_row.disowned_at is not None:
        since = max(since, device_row.disowned_at)
    return _sessions_vouch(user=user, sid=sid, device=device, since=since)


def _device_seen(*, user: User, device: DeviceIdentity) -> None:
    """Record a sign-in from `device` now (one statement, safe against a concurrent login's insert)."""
    now = timezone.now()
    row = Device(
        user=user,
        key=device.key,
        browser=device.browser,
        os=device.os,
        network=device.network,
        first_seen_at=now,
        last_seen_at=now,
        disowned_at=None,
    )
    Device.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["user", "key"], update_fields=["last_seen_at", "disowned_at"]
    )


@transaction.atomic
def login_device_check(
    *, user: User, sid: uuid.UUID, amr: Sequence[str] = (), context: RequestContext | None = None
) -> LoginAlert | None:
    """
    The `login_completed` hook (`accounts.login_hooks`): record the login's device, and when it is new
    (the module's rules) record `new_device_login` and mail the user once this commits. Returns the alert.
    """
    if not settings.NEW_DEVICE_ALERTS:
        return None
    ip, user_agent = (context.ip, context.user_agent) if context else (None, "")
    device = device_identify(ip=ip, user_agent=user_agent)
    device_row = Device.objects.filter(user=user, key=device.key).first()
    new = not device_is_known(user=user, sid=sid, device=device, device_row=device_row) and not _first_login(
        user=user, sid=sid, device_row=device_row
    )
    _device_seen(user=user, device=device)
    if not new:
        return None
    alert = LoginAlert.objects.create(
        user=user, sid=sid, device_key=device.key, browser=device.browser, os=device.os, ip=ip, user_agent=user_agent
    )
    detail = {"session": sid.hex, "browser": device.browser, "os": device.os, "network": device.network}
    event_record(event=Event.NEW_DEVICE_LOGIN, user=user, actor=user, context=context, detail=detail)
    job_enqueue_on_commit(tasks.new_device_mail_send, alert_id=str(alert.pk), key=uuid.uuid4().hex)
    return alert


@transaction.atomic
def login_disown(*, token: str, context: RequestContext | None = None) -> LoginAlert:
    """
    "This wasn't me", with the token of a new-device mail: that session ends, every token of the user
    is revoked (`user_tokens_revoke_all`), the device counts as new again, and a password reset mail
    goes out as `auth/password/reset/` sends it. The token works once; 400 on `token` otherwise.

    The alert's row is locked while it is checked and marked, so of two uses at once one wins.
    """
    alert_id = disown_token_alert_id(token)
    alert = (
        LoginAlert.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=alert_id, disowned_at__isnull=True, user__is_active=True)
        .first()
        if alert_id
        else None
    )
    if alert is None:
        raise field_error("token", DISOWN_TOKEN_INVALID, code="invalid")
    now = timezone.now()
    user = alert.user
    alert.disowned_at = now
    alert.save(update_fields=["disowned_at"])
    LoginSession.objects.filter(sid=alert.sid, user=user, ended_at__isnull=True).update(ended_at=now)
    user_tokens_revoke_all(user=user)
    Device.objects.filter(user=user, key=alert.device_key).update(disowned_at=now)
    detail = {"session": alert.sid.hex, "alert": alert.pk.hex, "sessions_ended": True}
    event_record(event=Event.LOGIN_DISOWNED, user=user, actor=None, context=context, detail=detail)
    password_reset_request(email=user.email, context=context)
    return alert


def devices_purge() -> dict[str, int]:
    """
    Forget what no rule needs any more: alerts whose link has expired, and devices not seen within the
    window, except each account's newest, which keeps a dormant account's next login from counting as
    its first.
    """
    alerts, _ = LoginAlert.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=settings.NEW_DEVICE_DISOWN_DAYS)
    ).delete()
    newer = Device.objects.filter(user=OuterRef("user"), last_seen_at__gt=OuterRef("last_seen_at"))
    devices, _ = Device.objects.filter(last_seen_at__lt=_window_start()).filter(Exists(newer)).delete()
    return {"alerts": alerts, "devices": devices}
