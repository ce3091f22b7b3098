"""The `admin` scope: an admin's key changes users (roles, activation, two-factor) only with it; nobody else gets it."""

from http import HTTPStatus

import pytest

from accounts.models import Role
from apikeys.models import ApiKey
from apikeys.scopes import ADMIN_SCOPE_REQUIRED
from apikeys.tests.conftest import KEYS, USERS
from apikeys.tests.factories import api_key_make, key_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "change", [{"role": Role.ADMIN}, {"is_active": False}, {"mfa_enabled": False}], ids=["role", "active", "mfa"]
)
def test_an_admins_write_key_cannot_change_users(admin, make_user, change):
    target = make_user(role=Role.USER, mfa_enabled=change.get("mfa_enabled") is False)
    _, key = api_key_make(admin, scopes="read write")
    response = key_client(key).patch(f"{USERS}{target.pk}/", change, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["errors"][0]["detail"] == ADMIN_SCOPE_REQUIRED
    target.refresh_from_db()
    assert (target.role, target.is_active) == (Role.USER, True)


def test_an_admins_write_key_still_reads_users_and_writes_elsewhere(admin, user):
    _, key = api_key_make(admin, scopes="read write")
    client = key_client(key)
    assert client.get(f"{USERS}{user.pk}/").status_code == HTTPStatus.OK
    product = {"name": "Key-made", "sku": "KEY-1", "price": "1.00", "stock": 1}
    made = client.post("/api/v1/products/", product, format="json")
    assert made.status_code == HTTPStatus.CREATED, made.content


def test_a_key_with_the_admin_scope_changes_users(admin, user):
    _, key = api_key_make(admin, scopes="read write admin")
    response = key_client(key).patch(f"{USERS}{user.pk}/", {"role": Role.MODERATOR}, format="json")
    assert response.status_code == HTTPStatus.OK, response.content
    user.refresh_from_db()
    assert user.role == Role.MODERATOR


def test_the_admin_scope_gives_nothing_beyond_the_owners_role(make_user, user):
    # A key keeps only what its owner may do: an admin key of a demoted owner is a moderator's key.
    owner = make_user(role=Role.ADMIN)
    _, key = api_key_make(owner, scopes="read write admin")
    owner.role = Role.MODERATOR
    owner.save()
    assert key_client(key).patch(f"{USERS}{user.pk}/", {"role": Role.ADMIN}, format="json").status_code == 403


def test_an_admin_can_make_a_key_with_the_admin_scope(admin, client_for):
    response = client_for(admin).post(KEYS, {"name": "ops", "scopes": ["admin", "write", "read"]}, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    assert response.json()["scopes"] == ["read", "write", "admin"]
    assert ApiKey.objects.get(owner=admin).can_admin


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
def test_only_an_admin_can_make_a_key_with_the_admin_scope(make_user, client_for, role):
    response = client_for(make_user(role=role)).post(
        KEYS, {"name": "ops", "scopes": ["read", "write", "admin"]}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "admin_scope_requires_admin"
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("scopes", [["admin"], ["read", "admin"]])
def test_the_admin_scope_needs_read_and_write(admin, client_for, scopes):
    response = client_for(admin).post(KEYS, {"name": "ops", "scopes": scopes}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "scopes"
    assert not ApiKey.objects.exists()
