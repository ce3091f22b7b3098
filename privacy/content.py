"""
What happens to a deleted account's posts and votes: `ACCOUNT_DELETION_CONTENT`.

- `delete` (the default): the posts go, with every vote on them; the account's votes on other posts
  are withdrawn and those scores adjusted. Erasure is what someone deleting their account asks for,
  and a post's text is theirs (it may well name them).
- `anonymise`: posts and votes stay, moved to a new, inactive account of their own named
  `deleted-<pseudonym>` (no password, an address at `.invalid`, nothing else), so threads and scores
  are unchanged and the author cannot be told. Each deleted account gets its own placeholder, so one
  vote per user per post still holds.
"""

from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from posts.models import Post, Vote
from posts.services import user_posts_delete, user_votes_withdraw

DELETE, ANONYMISE = "delete", "anonymise"
POLICIES = (DELETE, ANONYMISE)
PLACEHOLDER_PREFIX = "deleted-"
PLACEHOLDER_DOMAIN = "deleted.invalid"  # RFC 2606: never a real address


def placeholder_author_create(*, pseudonym: str) -> User:
    """The account that keeps an anonymised account's posts and votes: inactive, no usable password."""
    return User.objects.create(
        username=f"{PLACEHOLDER_PREFIX}{pseudonym}",
        email=f"{pseudonym}@{PLACEHOLDER_DOMAIN}",
        password=make_password(None),
        role=Role.USER,
        is_active=False,
    )


def user_content_dispose(*, user: User, policy: str, pseudonym: str) -> dict[str, int]:
    """Delete or anonymise `user`'s posts and votes before the account goes; how many of each (for the log)."""
    assert policy in POLICIES, f"ACCOUNT_DELETION_CONTENT must be one of {POLICIES}, got {policy!r}"
    if policy == DELETE:
        votes = user_votes_withdraw(user=user)
        return {"posts_deleted": user_posts_delete(user=user), "votes_withdrawn": votes}
    if not (Post.objects.filter(author=user).exists() or Vote.objects.filter(user=user).exists()):
        return {"posts_anonymised": 0, "votes_anonymised": 0}
    placeholder = placeholder_author_create(pseudonym=pseudonym)
    return {
        "posts_anonymised": Post.objects.filter(author=user).update(author=placeholder),
        "votes_anonymised": Vote.objects.filter(user=user).update(user=placeholder),
    }
