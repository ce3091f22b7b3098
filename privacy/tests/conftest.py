"""Helpers for the privacy tests: the endpoints, mailed tokens, and jobs run as the web process runs them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.sessions import session_start
from accounts.tests.conftest import mailed_token

ME = "/api/v1/auth/me/"
LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/token/refresh/"
CANCEL = "/api/v1/auth/account/deletion/cancel/"
EXPORT = "/api/v1/auth/me/export/"
DOWNLOAD = "/api/v1/auth/account/export/download/"


def bearer(access) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def signed_in(user) -> tuple[APIClient, str]:
    """A client with a fresh login of `user` (recent enough for sensitive actions), and its refresh token."""
    pair = session_start(user=user)
    return bearer(pair.access), str(pair.refresh)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """`with run_jobs(): ...` runs the jobs enqueued in the block when it ends, as after a commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def token_of_mail_to(mailoutbox, address: str, subject_part: str) -> str:
    """The token of the one mail to `address` whose subject has `subject_part`."""
    mails = [m for m in mailoutbox if m.to == [address] and subject_part in m.subject]
    assert len(mails) == 1, [(m.to, m.subject) for m in mailoutbox]
    return mailed_token(mails[0], to=address)


def assert_invalid_token(response) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    assert [(e["attr"], e["code"]) for e in body["errors"]] == [("token", "invalid")]


def deletion_make_due(user) -> None:
    """Move `user`'s pending deletion back in time so its grace period is over."""
    from privacy.models import DeletionRequest

    now = timezone.now()
    pending = DeletionRequest.objects.filter(user=user, cancelled_at__isnull=True)
    assert pending.update(requested_at=now - timedelta(days=8), purge_after=now - timedelta(seconds=1)) == 1
