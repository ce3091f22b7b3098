"""Many requests voting on one post at once: the score stays the sum of the votes and nothing fails."""

import threading
from collections import Counter
from http import HTTPStatus

import pytest
from django.db import connection, connections
from django.db.models import Sum

from posts.models import Post, Vote
from posts.tests.factories import PostFactory

SHARED_USERS = 8  # each voted for by two threads at once: races on "no vote yet"
OWN_USERS = 8  # each in one thread that also takes its vote back
ROUNDS = 6


@pytest.mark.slow
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks and lets only one writer in at a time",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_voting_keeps_score_equal_to_the_sum_of_votes(client_for, make_user):
    post = PostFactory()
    url = f"/api/v1/posts/{post.pk}/vote/"
    shared = make_user.create_batch(SHARED_USERS)
    own = make_user.create_batch(OWN_USERS)
    plans = [(user, "switch") for user in shared * 2] + [(user, "switch-and-remove") for user in own]
    clients = [(client_for(user), user, plan) for user, plan in plans]
    start = threading.Barrier(len(clients))
    results: list[tuple[int, str, str, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def voter(index: int, client, user, plan: str) -> None:
        try:
            start.wait(timeout=30)
            for round_ in range(ROUNDS):
                value = 1 if (index + round_) % 2 else -1
                response = client.post(url, {"value": value}, format="json")
                with lock:
                    results.append((user.pk, plan, "POST", response.status_code))
                if plan == "switch-and-remove" and round_ % 2:
                    response = client.delete(url)
                    with lock:
                        results.append((user.pk, plan, "DELETE", response.status_code))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own database connection

    threads = [threading.Thread(target=voter, args=(i, *args)) for i, args in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(threads) >= 20
    statuses = Counter(status for *_, status in results)
    allowed_post = {HTTPStatus.CREATED, HTTPStatus.OK}
    assert all(status in allowed_post for *_, method, status in results if method == "POST"), statuses
    assert all(status == HTTPStatus.NO_CONTENT for *_, method, status in results if method == "DELETE"), statuses
    created_per_shared_user = Counter(pk for pk, plan, _, status in results if plan == "switch" and status == 201)
    assert created_per_shared_user == dict.fromkeys((u.pk for u in shared), 1)

    post.refresh_from_db()
    total = Vote.objects.filter(post=post).aggregate(total=Sum("value"))["total"] or 0
    assert post.score == total
    assert Vote.objects.filter(post=post).count() == SHARED_USERS  # the own users took theirs back last
    assert Post.objects.count() == 1
