"""Purging expired tokens and sessions; the demo data command."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import LoginSession, Role, User
from accounts.sessions import session_start

pytestmark = pytest.mark.django_db


def _expire(token: OutstandingToken) -> None:
    OutstandingToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


def test_purge_deletes_expired_tokens_and_sessions_only(user, capsys):
    session_start(user=user)
    live = OutstandingToken.objects.get()
    old = session_start(user=user)
    expired = OutstandingToken.objects.exclude(pk=live.pk).get()
    BlacklistedToken.objects.create(token=expired)
    _expire(expired)
    LoginSession.objects.filter(sid=old.refresh["sid"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    kept = LoginSession.objects.exclude(sid=old.refresh["sid"]).get()

    call_command("purge_expired_tokens")

    assert list(OutstandingToken.objects.all()) == [live]
    assert not BlacklistedToken.objects.exists()
    assert list(LoginSession.objects.all()) == [kept]
    assert "Purged 2 token rows and 1 expired sessions." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("table", "column"), [("token_blacklist_outstandingtoken", "expires_at"), ("accounts_loginsession", "expires_at")]
)
def test_purge_filters_on_an_indexed_column(table, column):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    assert any(c["index"] and c["columns"] == [column] for c in constraints.values())


def test_load_demo_creates_an_admin_a_moderator_and_a_user_and_can_run_again():
    call_command("load_demo")
    call_command("load_demo")
    roles = dict(User.objects.values_list("username", "role"))
    assert roles == {"admin": Role.ADMIN, "moderator": Role.MODERATOR, "user": Role.USER}
