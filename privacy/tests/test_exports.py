"""POST auth/me/export/: a mailed single-use link to a JSON archive of the account, at most once a day."""

import json
import time
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core import signing
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import personal_data
from accounts.personal_data import personal_data_section_register, personal_data_sections
from accounts.sessions import session_start
from apikeys.models import ApiKey
from apikeys.services import api_key_create
from audit.models import Event, SecurityEvent
from mfa.models import Authenticator, RecoveryCode
from mfa.tests.conftest import mfa_turn_on
from posts.models import Post
from posts.services import vote_cast
from privacy.archive import ARCHIVE_FORMAT, archive_document, data_exports_purge
from privacy.exports import DOWNLOAD_LINK_INVALID, ONE_A_DAY
from privacy.links import DELETION_CANCEL_SALT, EXPORT_DOWNLOAD_SALT, link_token_make
from privacy.models import DataExport
from privacy.sections import BUILTIN_SECTIONS
from privacy.tests.conftest import DOWNLOAD, EXPORT, assert_invalid_token, signed_in, token_of_mail_to

pytestmark = pytest.mark.django_db

SUBJECT = "data export"


def export_requested(user, run_jobs):
    client, _ = signed_in(user)
    with run_jobs():
        response = client.post(EXPORT)
    return response


def download(token):
    return APIClient().post(DOWNLOAD, {"token": token})


def test_an_export_is_mailed_as_a_link_that_downloads_the_archive(user, run_jobs, mailoutbox):
    response = export_requested(user, run_jobs)

    assert response.status_code == HTTPStatus.ACCEPTED, response.content
    assert SecurityEvent.objects.filter(event=Event.DATA_EXPORT_REQUESTED, user=user, actor=user).exists()
    token = token_of_mail_to(mailoutbox, user.email, "Your data export is ready")
    assert "/download-data-export?token=" in mailoutbox[0].body

    downloaded = download(token)

    assert downloaded.status_code == HTTPStatus.OK, downloaded.content
    assert downloaded["Content-Type"] == "application/json"
    disposition = downloaded["Content-Disposition"]
    assert disposition == f'attachment; filename="account-data-{user.pk}-{timezone.now():%Y-%m-%d}.json"'
    assert "no-store" in downloaded["Cache-Control"]
    archive = json.loads(downloaded.content)
    assert archive["format"] == ARCHIVE_FORMAT
    assert archive["user_id"] == user.pk
    assert archive["profile"]["email"] == user.email
    event = SecurityEvent.objects.get(event=Event.DATA_EXPORT_DOWNLOADED)
    assert (event.user, event.actor) == (user, None)


def test_the_archive_holds_every_section_and_no_secret(user, make_user, run_jobs, mailoutbox):
    _, key = api_key_create(owner=user, name="deploy script", scopes=["read"])
    mfa = mfa_turn_on(user)
    user.refresh_from_db()
    session_start(user=user)
    mine = Post.objects.create(author=user, title="My post", body="My words")
    theirs = Post.objects.create(author=make_user(), title="Theirs", body="Their words")
    vote_cast(post_id=theirs.pk, user=user, value=-1)

    export_requested(user, run_jobs)
    raw = download(token_of_mail_to(mailoutbox, user.email, SUBJECT)).content.decode()
    archive = json.loads(raw)

    assert list(archive) == ["format", "generated_at", "user_id", *personal_data_sections()]
    assert archive["profile"]["username"] == user.username
    assert len(archive["login_sessions"]) == user.login_sessions.count() >= 2
    assert {e["event"] for e in archive["security_events"]} >= {"api_key_created", "mfa_enabled"}
    assert [(k["name"], k["scopes"]) for k in archive["api_keys"]] == [("deploy script", "read")]
    assert archive["two_factor"]["enabled"] is True
    assert archive["two_factor"]["authenticator"]["confirmed_at"] is not None
    assert len(archive["two_factor"]["recovery_codes"]) == len(mfa.recovery_codes)
    assert [(p["id"], p["title"], p["body"]) for p in archive["posts"]] == [(mine.pk, "My post", "My words")]
    assert [(v["post_id"], v["value"]) for v in archive["votes"]] == [(theirs.pk, -1)]
    assert len(archive["privacy"]["data_exports"]) == 1
    secrets = [
        key,
        ApiKey.objects.get(owner=user).key_hash,
        mfa.secret,
        Authenticator.objects.get(user=user).secret_encrypted,
        *mfa.recovery_codes,
        *RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True),
        user.password,
    ]
    assert [secret for secret in secrets if secret in raw] == []


def test_a_link_works_once_and_the_archive_leaves_the_server(user, run_jobs, mailoutbox):
    export_requested(user, run_jobs)
    token = token_of_mail_to(mailoutbox, user.email, SUBJECT)
    assert download(token).status_code == HTTPStatus.OK

    again = download(token)

    assert_invalid_token(again)
    assert again.json()["errors"][0]["detail"] == DOWNLOAD_LINK_INVALID
    export = DataExport.objects.get(user=user)
    assert export.archive is None
    assert export.downloaded_at is not None
    assert SecurityEvent.objects.filter(event=Event.DATA_EXPORT_DOWNLOADED).count() == 1


def test_a_link_is_refused_once_the_export_expired(user, run_jobs, mailoutbox):
    export_requested(user, run_jobs)
    token = token_of_mail_to(mailoutbox, user.email, SUBJECT)
    DataExport.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_invalid_token(download(token))


class OldSigner(signing.TimestampSigner):
    """Signs as if it were 25 hours ago."""

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 25 * 60 * 60)


def test_a_token_signed_more_than_24_hours_ago_is_refused_whatever_the_row_says(user, run_jobs, mailoutbox):
    export_requested(user, run_jobs)
    export = DataExport.objects.get(user=user)
    old = OldSigner(salt=EXPORT_DOWNLOAD_SALT).sign_object([export.pk, user.pk])
    assert_invalid_token(download(old))
    assert download(token_of_mail_to(mailoutbox, user.email, SUBJECT)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("token", ["garbage", "WzEsMV0:1tVx:bad-signature", "x" * 300])
def test_a_garbage_download_token_is_a_400_on_token(token):
    assert_invalid_token(download(token))


def test_a_token_of_another_kind_or_for_another_account_is_refused(user, make_user, run_jobs):
    export_requested(user, run_jobs)
    export = DataExport.objects.get(user=user)
    assert_invalid_token(download(link_token_make(salt=DELETION_CANCEL_SALT, row_id=export.pk, user_id=user.pk)))
    other = make_user().pk
    assert_invalid_token(download(link_token_make(salt=EXPORT_DOWNLOAD_SALT, row_id=export.pk, user_id=other)))


@pytest.mark.parametrize(("body", "code"), [({}, "required"), ({"token": ["a"]}, "invalid"), ({"token": ""}, "blank")])
def test_a_download_without_a_usable_token_field_is_a_400(body, code):
    response = APIClient().post(DOWNLOAD, body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("token", code)]


def test_one_export_a_day(user, run_jobs, mailoutbox):
    assert export_requested(user, run_jobs).status_code == HTTPStatus.ACCEPTED

    again = export_requested(user, run_jobs)

    assert again.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 86_390 <= int(again["Retry-After"]) <= 86_400
    assert again.json()["type"] == "client_error"
    assert again.json()["errors"][0]["detail"].startswith(ONE_A_DAY)
    assert DataExport.objects.filter(user=user).count() == 1
    assert SecurityEvent.objects.filter(event=Event.DATA_EXPORT_REQUESTED).count() == 1
    assert len(mailoutbox) == 1
    # A day later, another one.
    DataExport.objects.filter(user=user).update(requested_at=timezone.now() - timedelta(days=1, seconds=1))
    assert export_requested(user, run_jobs).status_code == HTTPStatus.ACCEPTED


def test_one_users_export_does_not_count_against_another(user, make_user, run_jobs):
    assert export_requested(user, run_jobs).status_code == HTTPStatus.ACCEPTED
    assert export_requested(make_user(), run_jobs).status_code == HTTPStatus.ACCEPTED


def test_an_export_needs_a_login(api_client):
    response = api_client.post(EXPORT)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_an_api_key_cannot_ask_for_an_export(user):
    _, key = api_key_create(owner=user, name="script", scopes=["read", "write"])
    response = APIClient().post(EXPORT, HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not DataExport.objects.exists()


def test_a_job_that_runs_twice_builds_once_and_mails_once(user, mailoutbox, django_capture_on_commit_callbacks):
    client, _ = signed_in(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(EXPORT)
    for callback in callbacks * 2:
        callback()
    export = DataExport.objects.get(user=user)
    built = export.archive
    assert len(mailoutbox) == 1
    export.refresh_from_db()
    assert export.archive == built


def test_the_housekeeping_drops_expired_and_unfinished_exports(user, make_user, run_jobs):
    export_requested(user, run_jobs)
    DataExport.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(minutes=1))
    stuck = DataExport.objects.create(user=make_user(), requested_at=timezone.now() - timedelta(days=2))
    fresh_user = make_user()
    export_requested(fresh_user, run_jobs)

    assert data_exports_purge() == 2

    assert not DataExport.objects.filter(pk=stuck.pk).exists()
    assert list(DataExport.objects.values_list("user_id", flat=True)) == [fresh_user.pk]


def test_building_the_archive_takes_the_same_queries_whatever_the_rows(make_user, django_assert_num_queries):
    def with_rows(rows: int):
        account = make_user()
        for n in range(rows):
            session_start(user=account)
            api_key_create(owner=account, name=f"key {n}", scopes=["read"])
            post = Post.objects.create(author=make_user(), title=f"p{n}", body="text")
            vote_cast(post_id=post.pk, user=account, value=1)
            Post.objects.create(author=account, title=f"mine{n}", body="text")
        return account

    few, many = with_rows(1), with_rows(6)
    # Sessions, events, keys, posts, votes: one each; two-factor and privacy: two each; the profile: none;
    # the section of each later app (passkeys): one each.
    queries = 9 + len(set(personal_data_sections()) - set(BUILTIN_SECTIONS))
    with django_assert_num_queries(queries):
        archive_document(user=few)
    with django_assert_num_queries(queries):
        document = archive_document(user=many)
    assert len(document["posts"]) == 6


def test_a_later_app_plugs_a_section_into_the_archive(user):
    def passkeys(account):
        return [{"name": "laptop", "owner": account.pk}]

    personal_data_section_register("passkeys_test", passkeys)
    try:
        personal_data_section_register("passkeys_test", passkeys)  # the same one again is a no-op
        assert archive_document(user=user)["passkeys_test"] == [{"name": "laptop", "owner": user.pk}]
        with pytest.raises(ValueError, match="registered already"):
            personal_data_section_register("passkeys_test", lambda account: [])
    finally:
        personal_data._sections.pop("passkeys_test")


def test_no_event_holds_the_download_token(user, run_jobs, mailoutbox):
    export_requested(user, run_jobs)
    token = token_of_mail_to(mailoutbox, user.email, SUBJECT)
    download(token)
    stored = [str(row) for row in SecurityEvent.objects.values_list("detail", "user_agent", "request_id")]
    assert len(stored) == 2
    assert not [row for row in stored if token in row or token.split(":")[-1] in row]
