"""
Background jobs: a mail job run twice sends once, a failed send is retried (in a worker) or logged
(in the web process), a failing job or broker never fails the request, and beat's housekeeping.
"""

import ast
import logging
import smtplib
import uuid
from datetime import timedelta
from http import HTTPStatus

import pytest
from celery import current_app as celery_app
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts import tasks
from accounts.mail import SENT_MAIL_KEPT
from accounts.models import SentMail
from accounts.tests.conftest import PASSWORD_RESET
from audit.models import Event, SecurityEvent
from common.tests.new_process import BASE_DIR
from e2e.live_server import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_mail_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unreachable_mail_server(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2


def mail_jobs(user):
    return [
        (tasks.password_reset_mail_send, {"email": user.email}),
        (tasks.email_verification_mail_send, {"user_id": user.pk, "address": user.email}),
        (tasks.email_verification_mail_send_to_address, {"email": user.email}),
        (tasks.email_change_notice_send, {"user_id": user.pk, "old_email": user.email, "new_email": "n@example.com"}),
    ]


@pytest.mark.parametrize("job", range(4), ids=["reset", "verification", "verification-by-address", "change-notice"])
def test_a_mail_job_run_twice_sends_one_mail(user, job):
    task, kwargs = mail_jobs(user)[job]
    if task is tasks.email_change_notice_send:  # sent only while that change waits
        user.pending_email = kwargs["new_email"]
        user.save()
    key = uuid.uuid4().hex
    task.apply(kwargs={**kwargs, "key": key})
    task.apply(kwargs={**kwargs, "key": key})
    assert len(mail.outbox) == 1
    assert SentMail.objects.filter(key=key).exists()
    task.apply(kwargs={**kwargs, "key": uuid.uuid4().hex})
    assert len(mail.outbox) == 2, "another job (another key) sends again"


def test_a_failed_send_leaves_no_marker_so_the_next_run_sends(user, settings, unreachable_mail_server, caplog):
    key = uuid.uuid4().hex
    tasks.password_reset_mail_send.apply(kwargs={"email": user.email, "key": key})
    assert not SentMail.objects.filter(key=key).exists()
    assert "failed, not retried" in caplog.text
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tasks.password_reset_mail_send.apply(kwargs={"email": user.email, "key": key})
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_an_in_process_job_that_fails_never_fails_the_request(make_user, unreachable_mail_server, caplog):
    user = make_user()
    # No test transaction here: the job runs inside the request, as in the web process without a broker.
    response = Client().post(PASSWORD_RESET, {"email": user.email}, content_type="application/json")
    assert response.status_code == HTTPStatus.ACCEPTED
    assert "failed, not retried" in caplog.text
    assert SecurityEvent.objects.filter(event=Event.PASSWORD_RESET_REQUESTED, user=user).exists()


def forget_connections() -> None:
    """Drop Celery's connection and producer pools, built from the broker URL when first used."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def unreachable_broker():
    """Celery with a broker on a closed port: publishing fails after its retries."""
    saved = {name: celery_app.conf[name] for name in ("task_always_eager", "broker_write_url", "broker_read_url")}
    celery_app.conf.update(
        task_always_eager=False,
        broker_write_url=f"redis://127.0.0.1:{free_port()}/0",
        broker_read_url=f"redis://127.0.0.1:{free_port()}/0",
    )
    forget_connections()
    yield
    celery_app.conf.update(saved)
    forget_connections()


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_never_fails_the_request(make_user, unreachable_broker, caplog):
    user = make_user()
    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"):
        response = Client().post(PASSWORD_RESET, {"email": user.email}, content_type="application/json")
    assert response.status_code == HTTPStatus.ACCEPTED
    assert "Error calling enqueue(accounts.tasks.password_reset_mail_send) in on_commit()" in caplog.text
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("exc", "permanent"),
    [
        (smtplib.SMTPDataError(451, b"try again later"), False),
        (smtplib.SMTPDataError(554, b"rejected"), True),
        (smtplib.SMTPSenderRefused(421, b"busy", "no-reply@localhost"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"mailbox busy")}), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (ConnectionRefusedError(), False),
        (TimeoutError(), False),
    ],
)
def test_a_mail_servers_5xx_is_permanent_and_everything_else_is_retried(exc, permanent):
    assert isinstance(exc, tasks.TEMPORARY_ERRORS)
    assert tasks.mail_failure_is_permanent(exc) is permanent


def test_retries_back_off_exponentially_the_first_within_a_minute():
    assert all(0 <= tasks.retry_countdown(0) <= 60 for _ in range(100))
    assert all(tasks.retry_countdown(n) <= tasks.RETRY_BACKOFF_MAX for n in range(tasks.MAX_RETRIES))
    assert max(tasks.retry_countdown(6) for _ in range(200)) > tasks.RETRY_BACKOFF * 2**3
    assert tasks.password_reset_mail_send.max_retries == tasks.MAX_RETRIES


def test_jobs_are_acknowledged_late_and_requeued_when_their_worker_dies():
    conf = celery_app.conf
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost, conf.worker_prefetch_multiplier) == (True, True, 1)
    # A job waiting for its retry must not be handed to a second worker meanwhile.
    timeout = conf.broker_transport_options["visibility_timeout"]
    assert timeout > tasks.RETRY_BACKOFF_MAX + django_settings.EMAIL_TIMEOUT * 3


def test_beat_runs_every_purge_daily_and_their_tasks_exist():
    celery_app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    # Later apps add jobs of their own (privacy's housekeeping), tested with them.
    assert scheduled >= {
        "accounts.tasks.purge_expired_tokens",
        "audit.tasks.purge_audit_events",
        "mfa.tasks.purge_login_challenges",
        "devices.tasks.purge_devices",
        "social.tasks.purge_social_requests",
    }
    assert scheduled <= set(celery_app.tasks)


def test_the_token_purge_job_also_drops_old_sent_mail_markers():
    old, recent = SentMail.objects.create(key=uuid.uuid4()), SentMail.objects.create(key=uuid.uuid4())
    SentMail.objects.filter(pk=old.pk).update(sent_at=timezone.now() - SENT_MAIL_KEPT - timedelta(minutes=1))
    result = tasks.purge_expired_tokens.apply().get()
    assert result == {"tokens": 0, "sessions": 0, "sent_mails": 1}
    assert list(SentMail.objects.all()) == [recent]


def test_the_security_log_purge_job_deletes_old_events(settings):
    from audit.tasks import purge_audit_events

    settings.AUDIT_RETENTION_DAYS = 30
    old = SecurityEvent.objects.create(event=Event.LOGOUT, at=timezone.now() - timedelta(days=31))
    kept = SecurityEvent.objects.create(event=Event.LOGOUT)
    assert purge_audit_events.apply().get() == 1
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert old.pk != kept.pk


def test_the_audit_app_tasks_import_no_other_app():
    tree = ast.parse((BASE_DIR / "audit" / "tasks.py").read_text())
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    modules |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert {module.split(".")[0] for module in modules} <= {"audit", "celery"}


def test_a_change_notice_job_sends_nothing_once_the_change_is_gone(user):
    user.pending_email = "n@example.com"
    user.save()
    kwargs = {"user_id": user.pk, "old_email": user.email, "new_email": "n@example.com"}
    user.pending_email = None  # cancelled or verified before the job ran
    user.save()
    assert tasks.email_change_notice_send.apply(kwargs={**kwargs, "key": uuid.uuid4().hex}).get() is False
    assert mail.outbox == []
