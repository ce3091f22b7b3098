"""The purge: due accounts go, their content follows ACCOUNT_DELETION_CONTENT, the security log is pseudonymised."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import LoginSession, Role, User
from accounts.services import user_admin_update
from accounts.sessions import session_start
from apikeys.models import ApiKey
from apikeys.services import api_key_create
from audit.context import RequestContext
from audit.models import Event, SecurityEvent
from audit.services import event_record
from config.celery import app as celery_app
from mfa.models import Authenticator
from mfa.tests.conftest import mfa_turn_on
from posts.models import Post, Vote
from posts.services import vote_cast
from privacy.content import PLACEHOLDER_DOMAIN, PLACEHOLDER_PREFIX
from privacy.deletion import account_deletion_request
from privacy.models import DeletionRequest
from privacy.pseudonyms import ERASED, user_pseudonym
from privacy.purge import account_purge, accounts_purge_due
from privacy.tasks import privacy_housekeeping
from privacy.tests.conftest import deletion_make_due

pytestmark = pytest.mark.django_db

CONTEXT = RequestContext(ip="203.0.113.9", user_agent="Browser/1.0", request_id="req-1")


def deletion_due(user) -> None:
    account_deletion_request(user=user, context=CONTEXT)
    deletion_make_due(user)


def scores_match_votes() -> bool:
    return all(post.score == (post.votes.aggregate(total=Sum("value"))["total"] or 0) for post in Post.objects.all())


@pytest.fixture
def content(user, make_user):
    """`user` wrote two posts and voted on a neighbour's; the neighbour and a third user voted on `user`'s."""
    neighbour, third = make_user(), make_user()
    own = [Post.objects.create(author=user, title=f"mine {n}", body="text") for n in range(2)]
    theirs = [Post.objects.create(author=neighbour, title=f"theirs {n}", body="text") for n in range(2)]
    vote_cast(post_id=theirs[0].pk, user=user, value=1)
    vote_cast(post_id=theirs[1].pk, user=user, value=-1)
    vote_cast(post_id=theirs[0].pk, user=third, value=1)
    vote_cast(post_id=own[0].pk, user=neighbour, value=1)
    vote_cast(post_id=own[0].pk, user=third, value=-1)
    return {"own": own, "theirs": theirs, "neighbour": neighbour}


def test_only_accounts_past_their_grace_period_are_purged(user, make_user):
    waiting = make_user()
    account_deletion_request(user=waiting)
    deletion_due(user)

    assert accounts_purge_due() == 1

    assert not User.objects.filter(pk=user.pk).exists()
    assert User.objects.filter(pk=waiting.pk, is_active=False).exists()
    assert DeletionRequest.objects.filter(user=waiting, cancelled_at__isnull=True).exists()
    deleted = SecurityEvent.objects.get(event=Event.ACCOUNT_DELETED)
    assert (deleted.user, deleted.actor) == (None, None)
    assert deleted.detail["user_pseudonym"] == user_pseudonym(user.pk)
    assert deleted.detail["content"] == "delete"


def test_a_cancelled_deletion_is_never_purged(user):
    deletion_due(user)
    DeletionRequest.objects.filter(user=user).update(cancelled_at=timezone.now())
    assert accounts_purge_due() == 0
    assert User.objects.filter(pk=user.pk).exists()


def test_an_account_an_admin_reactivated_meanwhile_is_not_purged(user, admin):
    deletion_due(user)
    user_admin_update(user=User.objects.get(pk=user.pk), is_active=True, actor=admin)

    assert accounts_purge_due() == 0

    assert User.objects.filter(pk=user.pk, is_active=True).exists()
    assert DeletionRequest.objects.get(user=user).cancelled_at is not None
    cancelled = SecurityEvent.objects.get(event=Event.ACCOUNT_DELETION_CANCELLED)
    assert cancelled.detail["reason"] == "reactivated"


def test_the_purge_is_safe_to_run_twice(user):
    deletion_due(user)
    request_id = DeletionRequest.objects.get(user=user).pk
    assert account_purge(deletion_request_id=request_id) is True
    assert account_purge(deletion_request_id=request_id) is False
    assert accounts_purge_due() == 0
    assert SecurityEvent.objects.filter(event=Event.ACCOUNT_DELETED).count() == 1


def test_everything_attached_to_the_account_goes_with_it(user):
    session_start(user=user)
    api_key_create(owner=user, name="script", scopes=["read"])
    mfa_turn_on(user)
    user.refresh_from_db()
    deletion_due(user)

    accounts_purge_due()

    assert not LoginSession.objects.filter(user_id=user.pk).exists()
    assert not ApiKey.objects.filter(owner_id=user.pk).exists()
    assert not Authenticator.objects.filter(user_id=user.pk).exists()
    assert not OutstandingToken.objects.filter(user_id=user.pk).exists()
    assert not OutstandingToken.objects.filter(token__contains=f'"user_id":{user.pk}').exists()
    assert OutstandingToken.objects.filter(user__isnull=True).count() == 0


def test_delete_policy_removes_the_posts_and_withdraws_the_votes(user, content, settings):
    settings.ACCOUNT_DELETION_CONTENT = "delete"
    deletion_due(user)

    accounts_purge_due()

    assert not Post.objects.filter(pk__in=[p.pk for p in content["own"]]).exists()
    assert not Vote.objects.filter(user_id=user.pk).exists()
    theirs = {p.pk: Post.objects.get(pk=p.pk).score for p in content["theirs"]}
    assert theirs == {content["theirs"][0].pk: 1, content["theirs"][1].pk: 0}
    assert scores_match_votes()
    detail = SecurityEvent.objects.get(event=Event.ACCOUNT_DELETED).detail
    assert (detail["posts_deleted"], detail["votes_withdrawn"]) == (2, 2)


def test_anonymise_policy_keeps_posts_and_votes_under_a_placeholder_of_their_own(user, make_user, content, settings):
    settings.ACCOUNT_DELETION_CONTENT = "anonymise"
    scores = dict(Post.objects.values_list("pk", "score"))
    pseudonym = user_pseudonym(user.pk)
    deletion_due(user)

    accounts_purge_due()

    placeholder = User.objects.get(username=f"{PLACEHOLDER_PREFIX}{pseudonym}")
    assert placeholder.email == f"{pseudonym}@{PLACEHOLDER_DOMAIN}"
    assert (placeholder.is_active, placeholder.has_usable_password(), placeholder.role) == (False, False, Role.USER)
    assert set(Post.objects.filter(author=placeholder).values_list("pk", flat=True)) == {p.pk for p in content["own"]}
    assert Vote.objects.filter(user=placeholder).count() == 2
    assert dict(Post.objects.values_list("pk", "score")) == scores
    assert scores_match_votes()
    assert user.username not in placeholder.username
    detail = SecurityEvent.objects.get(event=Event.ACCOUNT_DELETED).detail
    assert (detail["content"], detail["posts_anonymised"], detail["votes_anonymised"]) == ("anonymise", 2, 2)


def test_anonymising_two_accounts_that_voted_on_one_post_keeps_both_votes(make_user, settings):
    settings.ACCOUNT_DELETION_CONTENT = "anonymise"
    post = Post.objects.create(author=make_user(), title="popular", body="text")
    voters = [make_user(), make_user()]
    for voter in voters:
        vote_cast(post_id=post.pk, user=voter, value=1)
        deletion_due(voter)

    assert accounts_purge_due() == 2

    post.refresh_from_db()
    assert post.score == 2 == post.votes.count()


def test_an_account_without_content_leaves_no_placeholder(user, settings):
    settings.ACCOUNT_DELETION_CONTENT = "anonymise"
    deletion_due(user)
    accounts_purge_due()
    assert not User.objects.filter(username__startswith=PLACEHOLDER_PREFIX).exists()


def test_security_events_are_kept_with_a_stable_pseudonym_instead_of_the_account(user, make_user):
    other = make_user()
    event_record(event=Event.EMAIL_CHANGED, user=user, actor=user, context=CONTEXT, detail={"old_email": user.email})
    event_record(event=Event.LOGIN_SUCCEEDED, user=other, actor=other, context=CONTEXT)
    deletion_due(user)
    ids = list(SecurityEvent.objects.filter(user=user).values_list("pk", flat=True))
    assert len(ids) >= 2

    accounts_purge_due()

    pseudonym = user_pseudonym(user.pk)
    kept = SecurityEvent.objects.filter(pk__in=ids)
    assert kept.count() == len(ids)
    for event in kept:
        assert (event.user_id, event.actor_id) == (None, None)
        assert event.detail["user_pseudonym"] == pseudonym
        assert event.detail["actor_pseudonym"] == pseudonym
        assert (event.ip, event.user_agent) == ("203.0.113.9", "Browser/1.0")
    assert kept.get(event=Event.EMAIL_CHANGED).detail["old_email"] == ERASED
    untouched = SecurityEvent.objects.get(event=Event.LOGIN_SUCCEEDED)
    assert untouched.user_id == other.pk
    assert "user_pseudonym" not in untouched.detail
    assert user.email not in str(list(SecurityEvent.objects.values_list("detail", flat=True)))


def test_an_admins_actions_on_others_keep_their_detail_and_lose_only_the_actor(admin, make_user, user):
    make_user(role=Role.ADMIN)  # so this admin may delete themselves
    user_admin_update(user=user, role=Role.MODERATOR, actor=admin)
    deletion_due(admin)

    accounts_purge_due()

    changed = SecurityEvent.objects.get(event=Event.USER_ROLE_CHANGED)
    assert (changed.user_id, changed.actor_id) == (user.pk, None)
    assert changed.detail == {"old_role": "user", "new_role": "moderator", "actor_pseudonym": user_pseudonym(admin.pk)}


def test_pseudonyms_differ_between_accounts_and_follow_the_secret_key(settings):
    assert user_pseudonym(1) != user_pseudonym(2)
    assert user_pseudonym(1) == user_pseudonym(1)
    first = user_pseudonym(1)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert user_pseudonym(1) != first


def test_the_housekeeping_job_runs_on_beat_every_privacy_housekeeping_seconds(user, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-housekeeping"]
    assert entry == {"task": "privacy.tasks.privacy_housekeeping", "schedule": 3600.0}
    assert entry["task"] in celery_app.tasks
    deletion_due(user)
    assert privacy_housekeeping() == {"accounts_purged": 1, "exports_dropped": 0}


def test_the_command_purges_what_is_due(user):
    deletion_due(user)
    out = StringIO()
    call_command("purge_deleted_accounts", stdout=out)
    assert out.getvalue().strip() == "Purged 1 account(s); dropped 0 data export(s)."
    assert not User.objects.filter(pk=user.pk).exists()


def test_the_purge_of_one_account_takes_a_fixed_number_of_queries(make_user):
    def purge_with_rows(rows: int) -> int:
        account = make_user()
        for n in range(rows):
            session_start(user=account)
            post = Post.objects.create(author=make_user(), title=f"p{n}", body="text")
            vote_cast(post_id=post.pk, user=account, value=1)
            Post.objects.create(author=account, title=f"mine{n}", body="text")
        deletion_due(account)
        request_id = DeletionRequest.objects.get(user=account).pk
        with CaptureQueriesContext(connection) as queries:
            assert account_purge(deletion_request_id=request_id)
        return len(queries)

    assert purge_with_rows(1) == purge_with_rows(5)


def test_a_purge_far_in_the_past_still_runs(user):
    account_deletion_request(user=user)
    DeletionRequest.objects.filter(user=user).update(
        requested_at=timezone.now() - timedelta(days=400), purge_after=timezone.now() - timedelta(days=393)
    )
    assert accounts_purge_due() == 1
