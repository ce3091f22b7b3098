"""Changing the email: a pending address, a link to it, a notice to the old one, uniqueness twice."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction

from accounts.mail_tokens import email_verification_token
from accounts.models import User
from accounts.services import EMAIL_TAKEN, user_profile_update
from accounts.tests.conftest import EMAIL_VERIFY, LOGIN, ME, PASSWORD_RESET, mailed_token, me_status
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent

EMAIL_CHANGE_CANCEL = "/api/v1/auth/email/change/cancel/"
EMAIL_VERIFY_RESEND = "/api/v1/auth/email/verify/resend/"

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


def test_the_new_address_gets_the_link_and_the_old_one_a_notice_that_can_only_cancel(
    user, client_for, run_jobs, api_client
):
    old = user.email
    request_change(client_for(user), run_jobs, "fresh@example.com")
    link = mail_to("fresh@example.com")
    assert link.subject == "Confirm your new email address"
    token = mailed_token(link)
    notice = mail_to(old)
    assert "fresh@example.com" in notice.body
    for part in (notice.body, notice.alternatives[0][0]):
        assert token not in part
        assert "verify-email" not in part
        assert "/cancel-email-change?token=" in part
    # The notice's token cannot verify the new address.
    cancel = mailed_token(notice)
    assert api_client.post(EMAIL_VERIFY, {"token": cancel}).status_code == HTTPStatus.BAD_REQUEST
    user.refresh_from_db()
    assert (user.email, user.pending_email) == (old, "fresh@example.com")


def test_the_old_address_cancels_the_change_and_every_session_ends(user, client_for, run_jobs, api_client, login):
    old = user.email
    tokens = login(user)
    request_change(client_for(user), run_jobs, "fresh@example.com")
    verify = mailed_token(mail_to("fresh@example.com"))
    response = api_client.post(EMAIL_CHANGE_CANCEL, {"token": mailed_token(mail_to(old))})
    assert response.status_code == HTTPStatus.NO_CONTENT
    user.refresh_from_db()
    assert (user.email, user.pending_email) == (old, None)
    assert me_status(tokens["access"]) == HTTPStatus.UNAUTHORIZED
    event = SecurityEvent.objects.get(event=Event.EMAIL_CHANGE_CANCELLED)
    assert (event.user, event.actor, event.detail) == (
        user,
        None,
        {"cancelled_email": "fresh@example.com", "sessions_ended": True},
    )
    # The new address's link is dead, and the cancel link works once.
    assert api_client.post(EMAIL_VERIFY, {"token": verify}).status_code == HTTPStatus.BAD_REQUEST
    again = api_client.post(EMAIL_CHANGE_CANCEL, {"token": mailed_token(mail_to(old))})
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert again.json()["errors"][0]["attr"] == "token"


def test_a_cancel_link_does_nothing_once_the_change_is_verified(user, client_for, run_jobs, api_client):
    old = user.email
    request_change(client_for(user), run_jobs, "fresh@example.com")
    assert api_client.post(EMAIL_VERIFY, {"token": mailed_token(mail_to("fresh@example.com"))}).status_code == 200
    response = api_client.post(EMAIL_CHANGE_CANCEL, {"token": mailed_token(mail_to(old))})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    user.refresh_from_db()
    assert user.email == "fresh@example.com"


def test_a_cancel_link_for_a_replaced_change_does_not_cancel_the_newer_one(user, client_for, run_jobs, api_client):
    old = user.email
    request_change(client_for(user), run_jobs, "first@example.com")
    first_notice = mailed_token(mail_to(old))
    mail.outbox.clear()
    request_change(client_for(user), run_jobs, "second@example.com")
    assert api_client.post(EMAIL_CHANGE_CANCEL, {"token": first_notice}).status_code == HTTPStatus.BAD_REQUEST
    user.refresh_from_db()
    assert user.pending_email == "second@example.com"


@pytest.mark.parametrize("token", ["", "x", "a" * 513, 5, None, ["t"]], ids=repr)
def test_a_bad_cancel_token_is_a_400_on_token(api_client, token):
    response = api_client.post(EMAIL_CHANGE_CANCEL, {"token": token}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "token"


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


def test_an_email_another_account_uses_answers_like_a_free_one(user, make_user, client_for, run_jobs):
    other, free = make_user(), "nobody-has-this@example.com"
    taken = request_change(client_for(user), run_jobs, other.email.upper())
    taken_body = taken.json()
    user.pending_email = None
    user.save()
    free_body = request_change(client_for(user), run_jobs, free).json()
    assert taken.status_code == HTTPStatus.OK
    assert {**taken_body, "pending_email": None} == {**free_body, "pending_email": None}
    assert (taken_body["pending_email"], free_body["pending_email"]) == (other.email, free)


def test_the_owner_of_a_taken_address_gets_a_notice_and_no_link(user, make_user, client_for, run_jobs, api_client):
    other = make_user()
    request_change(client_for(user), run_jobs, other.email)
    notice = mail_to(other.email)
    assert notice.subject == "Someone asked to use this address for another account"
    for part in (notice.body, notice.alternatives[0][0]):
        assert "token" not in part.lower()
        assert user.username not in part  # nothing about the asker's account
    assert mail_to(user.email)  # the asker's own address hears of the request as always
    # A resend sends the owner the notice again, never a link; verification could not take it anyway.
    mail.outbox.clear()
    with run_jobs():
        assert client_for(user).post(EMAIL_VERIFY_RESEND).status_code == HTTPStatus.ACCEPTED
    assert "token" not in mail_to(other.email).body.lower()
    other.refresh_from_db()
    user.refresh_from_db()
    assert (other.email, user.email, user.email_verified) == (other.email, user.email, user.email_verified)


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
