"""Real concurrency on PostgreSQL: the daily export limit and the deletion's cancel hold under simultaneous requests."""

import threading
from http import HTTPStatus

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from accounts.sessions import session_start
from accounts.tests.factories import UserFactory
from privacy.deletion import account_deletion_request
from privacy.links import DELETION_CANCEL_SALT, link_token_make
from privacy.models import DataExport, DeletionRequest
from privacy.tests.conftest import CANCEL, EXPORT

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
THREADS = 8


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")


def all_at_once(send) -> list[int]:
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(send())
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses)


def test_exports_asked_for_at_once_pass_the_daily_limit_once(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    user = UserFactory()
    access = str(session_start(user=user).access)

    def send() -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        return client.post(EXPORT).status_code

    assert all_at_once(send) == [HTTPStatus.ACCEPTED] + [HTTPStatus.TOO_MANY_REQUESTS] * (THREADS - 1)
    assert DataExport.objects.filter(user=user).count() == 1


def test_a_cancel_link_sent_at_once_cancels_once():
    user = UserFactory()
    account_deletion_request(user=user)
    request = DeletionRequest.objects.get(user=user)
    token = link_token_make(salt=DELETION_CANCEL_SALT, row_id=request.pk, user_id=user.pk)

    statuses = all_at_once(lambda: APIClient().post(CANCEL, {"token": token}).status_code)

    assert statuses == [HTTPStatus.NO_CONTENT] + [HTTPStatus.BAD_REQUEST] * (THREADS - 1)
    assert User.objects.get(pk=user.pk).is_active is True
