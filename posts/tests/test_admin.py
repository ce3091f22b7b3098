"""The Django admin pages for posts and votes."""

from http import HTTPStatus

import pytest

from posts.models import Post, Vote
from posts.services import vote_cast
from posts.tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def voted_post(make_user):
    post = PostFactory()
    for voter in make_user.create_batch(3):
        vote_cast(post_id=post.pk, user=voter, value=1)
    return post


@pytest.mark.parametrize(
    "path",
    [
        "/admin/posts/post/",
        "/admin/posts/post/?q=a",
        "/admin/posts/post/{id}/change/",
        "/admin/posts/post/add/",
        "/admin/posts/vote/",
    ],
)
def test_admin_pages_load(admin_browser, voted_post, path):
    assert admin_browser.get(path.format(id=voted_post.pk)).status_code == HTTPStatus.OK


def test_post_changelist_query_count_does_not_grow_with_posts(admin_browser, voted_post, django_assert_max_num_queries):
    PostFactory.create_batch(30)
    with django_assert_max_num_queries(10):
        admin_browser.get("/admin/posts/post/")


def test_editing_a_post_in_the_admin_keeps_the_score(admin_browser, voted_post):
    response = admin_browser.post(
        f"/admin/posts/post/{voted_post.pk}/change/",
        {
            "author": voted_post.author_id,
            "title": "Edited by staff",
            "body": voted_post.body,
            "score": 999,
            "votes-TOTAL_FORMS": "3",
            "votes-INITIAL_FORMS": "3",
            "votes-MIN_NUM_FORMS": "0",
            "votes-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    voted_post.refresh_from_db()
    assert (voted_post.title, voted_post.score) == ("Edited by staff", 3)


def test_votes_cannot_be_added_or_changed_in_the_admin(admin_browser, voted_post):
    vote = Vote.objects.filter(post=voted_post).first()
    assert admin_browser.get("/admin/posts/vote/add/").status_code == HTTPStatus.FORBIDDEN
    response = admin_browser.post(f"/admin/posts/vote/{vote.pk}/change/", {"value": -1})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Vote.objects.get(pk=vote.pk).value == 1


@pytest.mark.parametrize("how", ["one", "bulk action"])
def test_deleting_votes_in_the_admin_keeps_the_score_right(admin_browser, voted_post, how):
    vote = Vote.objects.filter(post=voted_post).first()
    if how == "one":
        response = admin_browser.post(f"/admin/posts/vote/{vote.pk}/delete/", {"post": "yes"})
    else:
        response = admin_browser.post(
            "/admin/posts/vote/", {"action": "delete_selected", "_selected_action": [vote.pk], "post": "yes"}
        )
    assert response.status_code == HTTPStatus.FOUND
    voted_post.refresh_from_db()
    assert (voted_post.score, voted_post.votes.count()) == (2, 2)


def test_deleting_a_post_in_the_admin_removes_its_votes(admin_browser, voted_post):
    response = admin_browser.post(f"/admin/posts/post/{voted_post.pk}/delete/", {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    assert not Post.objects.exists()
    assert not Vote.objects.exists()
