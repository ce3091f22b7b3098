"""Demo posts with votes for a first run; loading again resets them instead of adding more."""

import random
from collections.abc import Sequence

from django.db import transaction

from accounts.models import User
from posts.models import Post, Vote
from posts.services import post_create, vote_cast

DEMO_POST_COUNT = 36
_TOPICS = [
    "Cursor pagination", "Row locks", "Denormalized scores", "Query counts", "JWT auth", "Django admin",
    "django-filter", "OpenAPI schemas", "Check constraints", "gunicorn threads", "PostgreSQL indexes", "Argon2id",
]  # fmt: skip
_ANGLES = ["why it matters", "a five-minute tour", "common mistakes"]


def demo_titles() -> list[str]:
    """The titles that mark demo posts (and make loading idempotent)."""
    return [f"{topic}: {angle}" for angle in _ANGLES for topic in _TOPICS][:DEMO_POST_COUNT]


@transaction.atomic
def demo_posts_load(*, users: Sequence[User]) -> int:
    """Replace the demo posts: written by `users` in turn, each voted on by some of them; return the count."""
    if not users:
        return 0
    titles = demo_titles()
    Post.objects.filter(title__in=titles, author__in=users).delete()
    rng = random.Random(2024)  # noqa: S311 - a fixed seed for the same demo every time, not a secret
    for index, title in enumerate(titles):
        author = users[index % len(users)]
        body = f"Notes on {title.lower()}.\n\nWritten by {author.username} for the demo data."
        post = post_create(author=author, title=title, body=body)
        for voter in rng.sample(list(users), k=rng.randint(0, len(users))):
            vote_cast(post_id=post.pk, user=voter, value=rng.choice([1, 1, 1, -1]))
    return len(titles)


def demo_votes_count(*, users: Sequence[User]) -> int:
    """How many votes the demo users have cast on demo posts."""
    return Vote.objects.filter(post__title__in=demo_titles(), user__in=users).count()
