"""Migrations that move data: forwards and back without losing what the other side can hold."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0004_email_verification_and_sent_mail")]
AFTER = [("accounts", "0005_login_sessions_and_mfa_enabled")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_schema_restored():
    """Going back unapplies every app's later migrations too; the other tests need them all."""
    yield
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_revoked_sessions_become_ended_login_sessions_and_back(latest_schema_restored):
    old_apps = _migrate(BEFORE)
    user = old_apps.get_model("accounts", "User").objects.create(username="old", email="old@example.com")
    sid, expires_at = uuid.uuid4(), timezone.now() + timedelta(days=1)
    revoked = old_apps.get_model("accounts", "RevokedSession").objects.create(
        sid=sid, user_id=user.pk, expires_at=expires_at
    )

    new_apps = _migrate(AFTER)
    sessions = new_apps.get_model("accounts", "LoginSession").objects
    session = sessions.get(sid=sid)
    assert (session.ended_at, session.created_at, session.expires_at) == (
        revoked.revoked_at,
        revoked.revoked_at,
        expires_at,
    )
    sessions.create(sid=uuid.uuid4(), user_id=user.pk, expires_at=expires_at)  # an active one

    back = _migrate(BEFORE).get_model("accounts", "RevokedSession").objects
    assert list(back.values_list("sid", "revoked_at")) == [(sid, revoked.revoked_at)]
