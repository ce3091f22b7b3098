"""Changing the email: a pending address, a link to it, a notice to the old one, uniqueness twice."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction

from accounts.mail_tokens import email_verification_token
from accounts.models import User
from accounts.services import EMAIL_TAKEN, user_profile_update
from accounts.tests.conftest import EMAIL_VERIFY, LOGIN, ME, PASSWORD_RESET, mailed_token
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_mail_limits():
    cache.clear()
    yield
    cache.clear()


def request_change(client, run_jobs, email: str, **extra):
    with run_jobs():
        return client.patch(ME, {"email": email, **extra})


def mail_to(address: str):
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message


def test_a_new_email_is_pending_until_verified(user, client_for, run_jobs):
    old = user.email
    response = request_change(client_for(user), run_jobs, "Fresh@Example.com")
    assert response.status_code == HTTPStatus.OK
    assert (response.json()["email"], response.json()["pending_email"]) == (old, "fresh@example.com")
    event = SecurityEvent.objects.get(event=Event.EMAIL_CHANGE_REQUESTED)
    assert (event.user_id, event.actor_id, event.detail) == (user.pk, user.pk, {"new_email": "fresh@example.com"})


def test_the_new_address_gets_the_link_and_the_old_one_a_notice_without_any_token(user, client_for, run_jobs):
    old = user.email
    request_change(client_for(user), run_jobs, "fresh@example.com")
    link = mail_to("fresh@example.com")
    assert link.subject == "Confirm your new email address"
    token = mailed_token(link)
    notice = mail_to(old)
    assert "fresh@example.com" in notice.body
    for part in (notice.body, notice.alternatives[0][0]):
        assert token not in part
        assert "token" not in part.lower()
        assert "verify-email" not in part


def test_verifying_makes_the_pending_address_the_email(user, client_for, run_jobs, api_client):
    old = user.email
    request_change(client_for(user), run_jobs, "fresh@example.com")
    response = api_client.post(EMAIL_VERIFY, {"token": mailed_token(mail_to("fresh@example.com"))})
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert (body["email"], body["pending_email"], body["email_verified"]) == ("fresh@example.com", None, True)
    event = SecurityEvent.objects.get(event=Event.EMAIL_CHANGED)
    assert event.detail == {"old_email": old, "new_email": "fresh@example.com"}
    assert api_client.post(LOGIN, {"username": "fresh@example.com", "password": PASSWORD}).status_code == 200


def test_an_email_another_account_uses_is_refused_at_the_request(user, make_user, client_for, run_jobs):
    other = make_user()
    response = request_change(client_for(user), run_jobs, other.email.upper())
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == [{"code": "unique", "detail": EMAIL_TAKEN, "attr": "email"}]
    user.refresh_from_db()
    assert user.pending_email is None
    assert mail.outbox == []


def test_an_address_taken_meanwhile_is_refused_at_verification(user, make_user, client_for, run_jobs, api_client):
    request_change(client_for(user), run_jobs, "contested@example.com")
    token = mailed_token(mail_to("contested@example.com"))
    make_user(email="contested@example.com")
    response = api_client.post(EMAIL_VERIFY, {"token": token})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == [{"code": "unique", "detail": EMAIL_TAKEN, "attr": "email"}]
    user.refresh_from_db()
    assert (user.pending_email, user.email_verified) == ("contested@example.com", False)
    assert not SecurityEvent.objects.filter(event=Event.EMAIL_CHANGED).exists()


def test_another_accounts_pending_address_is_free_until_verified(make_user, client_for, run_jobs, api_client):
    first, second = make_user(), make_user()
    request_change(client_for(first), run_jobs, "shared@example.com")
    first_token = mailed_token(mail_to("shared@example.com"))
    mail.outbox.clear()
    assert request_change(client_for(second), run_jobs, "shared@example.com").status_code == HTTPStatus.OK
    second_token = mailed_token(mail_to("shared@example.com"))
    assert api_client.post(EMAIL_VERIFY, {"token": second_token}).status_code == HTTPStatus.OK
    late = api_client.post(EMAIL_VERIFY, {"token": first_token})
    assert (late.status_code, late.json()["errors"][0]["attr"]) == (HTTPStatus.BAD_REQUEST, "email")


def test_a_link_for_an_older_pending_address_does_not_verify_a_newer_one(user, api_client):
    user_profile_update(user=user, email="first@example.com")
    first_token = email_verification_token.make(user)
    user_profile_update(user=user, email="second@example.com")
    response = api_client.post(EMAIL_VERIFY, {"token": first_token})
    assert (response.status_code, response.json()["errors"][0]["attr"]) == (HTTPStatus.BAD_REQUEST, "token")
    user.refresh_from_db()
    assert user.pending_email == "second@example.com"
    assert api_client.post(EMAIL_VERIFY, {"token": email_verification_token.make(user)}).status_code == 200


def test_a_job_for_a_replaced_pending_address_sends_nothing(user, client_for, run_jobs):
    client = client_for(user)
    with run_jobs():  # both requests' jobs run after both requests, as a busy queue would
        client.patch(ME, {"email": "first@example.com"})
        client.patch(ME, {"email": "second@example.com"})
    assert not [m for m in mail.outbox if m.to == ["first@example.com"]]
    assert len([m for m in mail.outbox if m.to == ["second@example.com"]]) == 1


def test_a_pending_address_cannot_log_in_or_receive_a_reset(user, client_for, run_jobs, api_client):
    request_change(client_for(user), run_jobs, "pending@example.com")
    mail.outbox.clear()
    login = api_client.post(LOGIN, {"username": "pending@example.com", "password": PASSWORD})
    assert login.status_code == HTTPStatus.UNAUTHORIZED
    with run_jobs():
        api_client.post(PASSWORD_RESET, {"email": "pending@example.com"})
    assert mail.outbox == []


def test_the_own_email_in_another_case_changes_nothing(user, client_for, run_jobs):
    response = request_change(client_for(user), run_jobs, user.email.upper())
    assert (response.status_code, response.json()["pending_email"]) == (HTTPStatus.OK, None)
    assert mail.outbox == []


def test_past_three_change_mails_an_hour_the_whole_update_is_429_and_changes_nothing(user, client_for, run_jobs):
    client = client_for(user)
    for i in range(3):
        assert request_change(client, run_jobs, f"try{i}@example.com").status_code == HTTPStatus.OK
    over = request_change(client, run_jobs, "try3@example.com", username="renamed")
    assert over.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(over["Retry-After"]) > 0
    user.refresh_from_db()
    assert (user.username != "renamed", user.pending_email) == (True, "try2@example.com")


def test_a_change_rolled_back_sends_no_mail(user, django_capture_on_commit_callbacks):
    def change_then_fail() -> None:
        with transaction.atomic():
            user_profile_update(user=user, email="never@example.com")
            raise RuntimeError("the request failed after the change")

    with django_capture_on_commit_callbacks(execute=True) as jobs, pytest.raises(RuntimeError):
        change_then_fail()
    assert (jobs, mail.outbox) == ([], [])
    assert User.objects.get(pk=user.pk).pending_email is None


def test_staff_changing_an_email_in_the_admin_unverify_it(client, admin, user):
    user.email_verified = True
    user.save()
    client.force_login(admin)
    form = {
        **{"username": user.username, "email": "typed-by-staff@example.com", "first_name": "", "last_name": ""},
        **{"role": "user", "is_active": "on", "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"},
    }
    assert client.post(f"/admin/accounts/user/{user.pk}/change/", form).status_code == HTTPStatus.FOUND
    user.refresh_from_db()
    assert (user.email, user.email_verified) == ("typed-by-staff@example.com", False)
