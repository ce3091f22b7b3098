"""The breached-password check at login: in this process only, after the answer unless the range is cached."""

import logging
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.conftest import LOGIN, PASSWORD_CHANGE, bearer
from accounts.tests.factories import UserFactory
from audit.models import Event, SecurityEvent
from breaches import login_check
from breaches.pwned import CACHE_KEY, PasswordDigest

# The lookup runs on another thread, with its own database connection: rows must be committed.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a second thread writing to SQLite's in-memory test database finds its tables locked (PostgreSQL)",
    ),
]

LEAKED = "summer-breeze-4821"
FRESH = "quiet-lantern-7395"


def login(user, password: str = LEAKED) -> dict:
    response = APIClient().post(LOGIN, {"username": user.username, "password": password}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == HTTPStatus.OK, response.content
    assert login_check.background_checks_wait(timeout=5)
    return response.json()


@pytest.fixture
def leaked_user(range_api):
    range_api.add(LEAKED, 1234)
    return UserFactory(password=LEAKED)


def breach_events(user):
    return list(SecurityEvent.objects.filter(user=user, event=Event.PASSWORD_BREACHED).values("detail", "ip"))


def test_a_first_finding_comes_after_the_answer_then_is_mailed_recorded_and_said(leaked_user, range_api, mailoutbox):
    first = login(leaked_user)
    assert first["password_change_recommended"] is False  # nothing cached: looked up after the answer
    leaked_user.refresh_from_db()
    assert leaked_user.password_change_recommended
    assert breach_events(leaked_user) == [{"detail": {"count": 1234, "at": "login"}, "ip": "10.0.0.9"}]
    [mail] = mailoutbox
    assert mail.to == [leaked_user.email]
    assert "appears in a known data breach" in mail.subject
    assert login(leaked_user)["password_change_recommended"] is True
    # Known already: no second lookup, event or mail.
    assert len(range_api.requests) == 1
    assert len(breach_events(leaked_user)) == 1
    assert len(mailoutbox) == 1


def test_a_cached_range_is_compared_at_once_and_the_answer_says_so(leaked_user, range_api, mailoutbox):
    other = UserFactory(password=LEAKED)
    login(other)  # its lookup caches the range of the prefix
    assert login(leaked_user)["password_change_recommended"] is True
    assert len(range_api.requests) == 1
    assert len(breach_events(leaked_user)) == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted([other.email, leaked_user.email])


def test_a_clean_password_is_looked_up_and_nothing_happens(range_api, mailoutbox):
    user = UserFactory(password=FRESH)
    assert login(user, FRESH)["password_change_recommended"] is False
    user.refresh_from_db()
    assert not user.password_change_recommended
    assert [r["path"] for r in range_api.requests] == [f"/range/{PasswordDigest.of(FRESH).prefix}"]
    assert breach_events(user) == []
    assert mailoutbox == []


def test_a_wrong_password_is_never_looked_up(leaked_user, range_api):
    response = APIClient().post(LOGIN, {"username": leaked_user.username, "password": "not-the-password"})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert login_check.background_checks_wait(timeout=5)
    assert range_api.requests == []


def test_the_cache_holds_the_public_range_and_nothing_derived_from_the_password(leaked_user):
    login(leaked_user)
    digest = PasswordDigest.of(LEAKED)
    keys = list(cache._cache)  # the test settings' local-memory cache
    assert [key for key in keys if "breaches" in key] == [cache.make_key(CACHE_KEY.format(prefix=digest.prefix))]
    assert not [key for key in keys if digest.suffix in key.upper()]
    assert cache.get(CACHE_KEY.format(prefix=digest.prefix)) == {digest.suffix: 1234}  # the public range


def test_a_new_password_clears_the_recommendation(leaked_user, range_api, mailoutbox):
    login(leaked_user)
    access = login(leaked_user)["access"]
    response = bearer(access).post(PASSWORD_CHANGE, {"old_password": LEAKED, "new_password": FRESH})
    assert response.status_code == HTTPStatus.NO_CONTENT
    leaked_user.refresh_from_db()
    assert not leaked_user.password_change_recommended
    assert login(leaked_user, FRESH)["password_change_recommended"] is False


def test_a_password_changed_before_the_lookup_ends_is_not_flagged(leaked_user):
    # The finding is for the hash the login checked; a row holding another one is left alone.
    stale_hash = leaked_user.password
    leaked_user.set_password(FRESH)
    leaked_user.save()
    assert not login_check.breach_found(user_id=leaked_user.pk, password_hash=stale_hash, count=3, context=None)
    leaked_user.refresh_from_db()
    assert not leaked_user.password_change_recommended


def test_an_api_that_is_down_at_login_leaves_the_login_alone(leaked_user, settings, closed_port_url, caplog):
    settings.PWNED_PASSWORDS_URL = closed_port_url
    with caplog.at_level(logging.WARNING, logger="breaches.login_check"):
        body = login(leaked_user)
    assert body["password_change_recommended"] is False
    assert "breached-password check at login unavailable" in caplog.text
    leaked_user.refresh_from_db()
    assert not leaked_user.password_change_recommended


def test_a_slow_api_does_not_slow_the_login(leaked_user, range_api):
    range_api.delay = 2
    response = APIClient().post(LOGIN, {"username": leaked_user.username, "password": LEAKED})
    assert response.status_code == HTTPStatus.OK
    # The lookup is still waiting on the range API when the answer is back.
    assert not login_check.background_checks_wait(timeout=0)
    assert login_check.background_checks_wait(timeout=5)
