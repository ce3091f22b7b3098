"""The user model's invariants, enforced by the database and by `save()`."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_createsuperuser_makes_an_admin_who_is_staff(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-unusual-passphrase")
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "Root@Example.COM")
    user = User.objects.get(username="root")
    assert (user.role, user.is_staff, user.is_superuser) == (Role.ADMIN, True, True)
    assert user.email == "root@example.com"


@pytest.mark.parametrize(("role", "staff"), [(Role.USER, False), (Role.MODERATOR, False), (Role.ADMIN, True)])
def test_staff_flags_follow_the_role_on_save(make_user, role, staff):
    user = make_user(role=Role.USER)
    user.role = role
    user.save(update_fields=["role"])
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (staff, staff)


def test_email_is_stored_lower_cased(make_user):
    assert make_user(email="Mixed.Case@Example.COM").email == "mixed.case@example.com"


@pytest.mark.parametrize("field", ["username", "email"])
def test_username_and_email_are_unique_ignoring_case_in_the_database(make_user, field):
    make_user(username="alice", email="alice@example.com")
    other = {"username": "bob", "email": "bob@example.com"}
    other[field] = "ALICE" if field == "username" else "Alice@Example.com"
    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypass save()'s lower-casing of the email: the unique index on lower(email) must hold anyway.
        User.objects.bulk_create([User(**other)])


def test_a_bulk_update_cannot_leave_staff_flags_out_of_step_with_the_role(make_user):
    admin = make_user(role=Role.ADMIN)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=admin.pk).update(role=Role.USER)


def test_a_role_outside_the_choices_is_refused_by_the_database(make_user):
    user = make_user()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(role="superhero")
