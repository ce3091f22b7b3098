"""The daily purge of devices: expired alerts and stale devices go, each account's newest device stays."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from devices.models import Device, LoginAlert
from devices.tasks import purge_devices

pytestmark = pytest.mark.django_db


def device(user, *, key: str, days: float) -> Device:
    when = timezone.now() - timedelta(days=days)
    return Device.objects.create(
        user=user, key=key, browser="Firefox", os="Linux", network="198.51.100.0/24",
        first_seen_at=when, last_seen_at=when,
    )  # fmt: skip


def alert(user, *, days: float) -> LoginAlert:
    return LoginAlert.objects.create(
        user=user, sid=uuid.uuid4(), device_key="k", browser="Firefox", os="Linux",
        created_at=timezone.now() - timedelta(days=days),
    )  # fmt: skip


def test_stale_devices_go_but_each_account_keeps_its_newest(user, make_user, settings):
    settings.NEW_DEVICE_WINDOW_DAYS = 90
    recent, stale, newest_stale_of_a_dormant_account = (
        device(user, key="recent", days=1),
        device(user, key="stale", days=120),
        device(make_user(), key="dormant", days=400),
    )
    assert purge_devices.apply().get() == {"alerts": 0, "devices": 1}
    assert set(Device.objects.values_list("pk", flat=True)) == {recent.pk, newest_stale_of_a_dormant_account.pk}
    assert not Device.objects.filter(pk=stale.pk).exists()


def test_alerts_go_once_their_link_has_expired(user, settings):
    settings.NEW_DEVICE_DISOWN_DAYS = 7
    kept, expired = alert(user, days=6.9), alert(user, days=7.1)
    assert purge_devices.apply().get() == {"alerts": 1, "devices": 0}
    assert list(LoginAlert.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not LoginAlert.objects.filter(pk=expired.pk).exists()


def test_a_dormant_accounts_next_login_from_a_new_device_still_alerts(user, login_from, settings):
    device(user, key="Chrome|Windows|198.51.100.0/24", days=400)
    purge_devices.apply()
    login_from(user, ip="203.0.113.5")
    assert len(mail.outbox) == 1
