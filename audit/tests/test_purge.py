"""Retention: events older than AUDIT_RETENTION_DAYS go, in batches, through the service or the command."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import SecurityEvent
from audit.services import security_events_purge
from audit.tests.factories import SecurityEventFactory
from common.tests.new_process import run_python

pytestmark = pytest.mark.django_db


def aged(days: float, count: int = 1) -> list[SecurityEvent]:
    return SecurityEventFactory.create_batch(count, at=timezone.now() - timedelta(days=days))


def test_purge_deletes_only_events_older_than_the_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = aged(31, 3)
    kept = [*aged(29), *aged(0)]
    assert security_events_purge() == len(old)
    assert set(SecurityEvent.objects.values_list("pk", flat=True)) == {e.pk for e in kept}


def test_purge_works_in_batches_of_bounded_statements():
    aged(400, 7)
    with CaptureQueriesContext(connection) as queries:
        assert security_events_purge(older_than_days=365, batch_size=3) == 7
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 3 + 3 + 1: the short batch tells the loop it is done
    assert all("LIMIT 3" in sql for sql in deletes)
    assert not SecurityEvent.objects.exists()


def test_purge_with_nothing_old_runs_one_statement_and_deletes_nothing():
    aged(1, 2)
    assert security_events_purge(older_than_days=365) == 0
    assert SecurityEvent.objects.count() == 2


@pytest.mark.parametrize("kwargs", [{"older_than_days": 0}, {"batch_size": 0}])
def test_purge_refuses_nonsense_limits(kwargs):
    aged(400)
    with pytest.raises(ValueError, match="at least 1"):
        security_events_purge(**kwargs)
    assert SecurityEvent.objects.count() == 1


def test_the_command_uses_the_setting_and_reports(settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 10
    aged(11, 2)
    aged(9)
    call_command("purge_audit_events")
    assert "Purged 2 security events older than 10 days." in capsys.readouterr().out
    assert SecurityEvent.objects.count() == 1


def test_the_command_takes_days_and_batch_size(capsys):
    aged(3, 4)
    call_command("purge_audit_events", "--days", "2", "--batch-size", "1")
    assert "Purged 4 security events older than 2 days." in capsys.readouterr().out


@pytest.mark.parametrize("args", [["--days", "0"], ["--days", "x"], ["--batch-size", "-1"], ["--pause", "-1"]])
def test_the_command_refuses_bad_arguments(args):
    aged(400)
    with pytest.raises(CommandError):
        call_command("purge_audit_events", *args)
    assert SecurityEvent.objects.count() == 1


@pytest.mark.parametrize(("value", "ok"), [("30", True), ("0", False), ("-5", False)])
def test_the_retention_setting_must_be_at_least_one_day(value, ok):
    result = run_python("-c", "import django; django.setup()", AUDIT_RETENTION_DAYS=value)
    assert (result.returncode == 0) == ok, result.stderr[-500:]
    if not ok:
        assert "AUDIT_RETENTION_DAYS must be" in result.stderr


def test_the_retention_defaults_to_a_year():
    env = {key: value for key, value in os.environ.items() if key != "AUDIT_RETENTION_DAYS"}
    snippet = "import django; django.setup(); from django.conf import settings; print(settings.AUDIT_RETENTION_DAYS)"
    result = subprocess.run([sys.executable, "-c", snippet], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "365"
