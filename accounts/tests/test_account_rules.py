"""Account rules have one home: the services, called by the API, the Django admin and management commands."""

import io
import uuid
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import LoginSession, Role, User
from accounts.selectors import user_for_token
from accounts.services import LAST_ADMIN, last_admin_check, user_delete, user_profile_update
from accounts.sessions import session_logout, session_start
from accounts.tests.conftest import me_status
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- the last active admin -------------------------------------------------------------------


def test_the_last_active_admin_cannot_be_deleted_by_the_service(admin):
    with pytest.raises(ValidationError) as caught:
        user_delete(user=admin)
    assert caught.value.messages == [LAST_ADMIN]
    assert caught.value.error_list[0].code == "last_admin"
    assert User.objects.filter(pk=admin.pk).exists()


def test_an_admin_can_be_deleted_while_another_active_admin_stays(admin, make_user):
    other = make_user(role=Role.ADMIN)
    user_delete(user=other)
    assert not User.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"role": Role.MODERATOR}, "role"),
        ({"is_active": False}, "is_active"),
        ({"role": Role.ADMIN, "is_active": False}, "is_active"),
    ],
)
def test_the_last_admin_error_names_the_field_that_would_remove_the_admin(admin, change, attr):
    with pytest.raises(ValidationError) as caught:
        last_admin_check(user=admin, **change)
    assert caught.value.message_dict == {attr: [LAST_ADMIN]}


def test_the_last_active_admin_cannot_be_deleted_in_the_django_admin(client, admin):
    client.force_login(admin)
    assert client.get(f"/admin/accounts/user/{admin.pk}/delete/").status_code == HTTPStatus.FORBIDDEN
    assert client.post(f"/admin/accounts/user/{admin.pk}/delete/", {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert User.objects.filter(pk=admin.pk).exists()


def test_the_bulk_delete_action_refuses_the_last_active_admin(client, admin, user):
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [admin.pk, user.pk], "post": "yes"},
    )
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FORBIDDEN)
    assert User.objects.filter(pk__in=[admin.pk, user.pk]).count() == 2


def test_the_django_admin_deletes_an_ordinary_user(client, admin, user):
    client.force_login(admin)
    response = client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    assert not User.objects.filter(pk=user.pk).exists()


def test_the_django_admin_changes_profile_and_role_together(client, admin, user):
    client.force_login(admin)
    form = {
        "username": "renamed",
        "email": "Renamed@Example.com",
        "first_name": "Ren",
        "last_name": "",
        "role": Role.MODERATOR,
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", form)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    user.refresh_from_db()
    assert (user.username, user.email, user.first_name) == ("renamed", "renamed@example.com", "Ren")
    assert user.role == Role.MODERATOR


# --- profile ---------------------------------------------------------------------------------


def test_profile_update_writes_only_the_fields_it_names(user):
    stale = User.objects.get(pk=user.pk)
    User.objects.filter(pk=user.pk).update(role=Role.MODERATOR, first_name="Set elsewhere")
    user_profile_update(user=stale, username="new-name")
    user.refresh_from_db()
    assert (user.username, user.role, user.first_name) == ("new-name", Role.MODERATOR, "Set elsewhere")


def test_profile_update_takes_only_username_and_email(user):
    with pytest.raises(TypeError):
        user_profile_update(user=user, role=Role.ADMIN)


# --- changepassword ----------------------------------------------------------------------------


def test_manage_py_changepassword_revokes_earlier_tokens(user, login, monkeypatch):
    tokens = login(user)
    new_password = "a-brand-new-passphrase-42"
    monkeypatch.setattr("getpass.getpass", lambda prompt="": new_password)
    call_command("changepassword", user.username, stdout=io.StringIO())
    assert me_status(tokens["access"]) == HTTPStatus.UNAUTHORIZED
    assert me_status(login(user, new_password)["access"]) == HTTPStatus.OK


# --- the per-request user lookup ---------------------------------------------------------------


def _orm_user_for_token(*, user_id: int, sid) -> User | None:
    """What `user_for_token`'s hand-written SQL stands for, as the ORM writes it."""
    live = LoginSession.objects.filter(
        sid=sid, user=OuterRef("pk"), ended_at__isnull=True, expires_at__gt=timezone.now()
    )
    return User.objects.annotate(session_revoked=~Exists(live)).filter(pk=user_id).first()


def _as_dict(user: User | None) -> dict | None:
    if user is None:
        return None
    fields = {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}
    return {**fields, "session_revoked": user.session_revoked}


def _session_ended(*, user, pair) -> None:
    session_logout(user=user, access=pair.access, raw_refresh=str(pair.refresh))


def _session_expired(*, user, pair) -> None:
    LoginSession.objects.filter(sid=pair.access["sid"]).update(expires_at=timezone.now() - timedelta(seconds=1))


def _session_row_gone(*, user, pair) -> None:
    LoginSession.objects.filter(sid=pair.access["sid"]).delete()


def _session_of_someone_else(*, user, pair) -> None:
    LoginSession.objects.filter(sid=pair.access["sid"]).update(user=UserFactory())


SESSION_STATES = {
    "live": (None, False),
    "ended": (_session_ended, True),
    "expired": (_session_expired, True),
    "without a row": (_session_row_gone, True),
    "of another user": (_session_of_someone_else, True),
}


@pytest.mark.parametrize("state", SESSION_STATES)
def test_user_lookup_sql_returns_what_the_orm_query_returns(make_user, state):
    change, revoked = SESSION_STATES[state]
    user = make_user(role=Role.MODERATOR, first_name="Ada")
    make_user()  # another row the lookup must not return
    pair = session_start(user=user)
    if change:
        change(user=user, pair=pair)
    sid = uuid.UUID(hex=pair.access["sid"])
    raw, orm = user_for_token(user_id=user.pk, sid=sid), _orm_user_for_token(user_id=user.pk, sid=sid)
    assert _as_dict(raw) == _as_dict(orm)
    assert raw.session_revoked is revoked


def test_user_lookup_sql_finds_nobody_for_an_unknown_id(user):
    sid = uuid.uuid4()
    assert user_for_token(user_id=user.pk + 1000, sid=sid) is None
    assert _orm_user_for_token(user_id=user.pk + 1000, sid=sid) is None
