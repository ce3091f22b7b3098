"""
Every fast path (common.fastpaths) answers what DRF's generic path answers: the same status, headers and
bytes, with the `FAST_PATHS` setting on and off.

The views are found, not listed: every route of the API whose view has `FastPathsMixin`, for each action
its `fast_parameters` names, called by a user, a moderator and an admin, over default, edge and malformed
page, page size, cursor and ordering values (and the links each page gives, followed to the end and back).
A new view with the mixin is covered as soon as its model has a seed below.
"""

from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role, User
from common.fastpaths import FastPathsMixin, fast_statements_clear
from common.keyset_pagination import KeysetPagination, cursor_encode
from posts import selectors as post_selectors
from posts.models import Post
from posts.services import vote_cast
from posts.tests.test_feed import make_posts
from products.models import Product
from products.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

ROLES = (Role.USER, Role.MODERATOR, Role.ADMIN)
REQUEST_ID = {"HTTP_X_REQUEST_ID": "parity"}
PAGE_VALUES = ["", "page=1", "page=2", "page=3", "page=99", "page=0", "page=-1", "page=x", "page=", "page=1.5"]
SIZE_VALUES = ["page_size=1", "page_size=7", "page_size=100", "page_size=1000", "page_size=0", "page_size=x"]
SIZE_VALUES += ["page_size=", "page_size=-3"]
CURSOR_VALUES = ["cursor=", "cursor=bad", "cursor=e30", f"cursor={cursor_encode(('-id',), [1])}"]
MALFORMED = ["page=1&page=2", "page_size=2&page_size=3", "x=1", "search=", "ordering=", "ordering=title"]
MALFORMED += ["ordering=-created_at&ordering=score", "cursor=bad&page_size=2"]


def fast_path_routes() -> list[tuple[str, type, str]]:
    """(URL name, view class, action) of every GET route whose view's fast path serves that action."""
    found = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None)
                action = getattr(pattern.callback, "actions", {}).get("get")
                if view and issubclass(view, FastPathsMixin) and action in view.fast_parameters:
                    found.append((namespace + pattern.name, view, action))

    walk(get_resolver().url_patterns)
    return sorted(set(found), key=lambda route: route[0])


ROUTES = fast_path_routes()


def seed_users(callers: dict) -> None:
    for index in range(23):
        User.objects.create_user(
            username=f"member{index}",
            email=f"member{index}@example.com",
            role=ROLES[index % 3],
            is_active=index % 5 != 0,
            email_verified=index % 2 == 0,
            pending_email=f"new{index}@example.com" if index % 4 == 0 else None,
        )
    User.objects.create_user(username="naïve\u2028user", email="naive@example.com", role=Role.MODERATOR)


def seed_posts(callers: dict) -> None:
    """13 posts with tied scores, votes by every caller and another user, a title with a line separator."""
    posts = make_posts(13)
    other = User.objects.create_user(username="voter", email="voter@example.com")
    for index, post in enumerate(posts):
        for offset, caller in enumerate(callers.values()):
            if (index + offset) % 3:
                vote_cast(post_id=post.pk, user=caller, value=1 if (index + offset) % 2 else -1)
        if index % 4 == 0:
            vote_cast(post_id=post.pk, user=other, value=1)
    posts[0].author = callers[Role.USER]
    posts[0].save(update_fields=["author"])
    Post.objects.filter(pk=posts[1].pk).update(
        title="line\u2028separator \u2013 na\u00efve \u2713", body='<b>&</b> "q"'
    )


def seed_products(callers: dict) -> None:
    ProductFactory.create_batch(23)
    ProductFactory(name="Naïve\u2029thing", price=Decimal("0.00"), stock=0)
    ProductFactory(price=Decimal("99999999.99"), is_active=False)
    ProductFactory(price=Decimal("12.5"), description="", is_active=False)


SEEDS = {User: seed_users, Post: seed_posts, Product: seed_products}


def model_of(view: type):
    return view.serializer_class.Meta.model


@pytest.fixture
def callers(make_user) -> dict:
    return {role: make_user(role=role) for role in ROLES}


@pytest.fixture(autouse=True)
def fresh_statements():
    fast_statements_clear()
    yield
    fast_statements_clear()


def both(client, url: str) -> tuple:
    """(fast path, DRF's path) answers of one GET."""
    fast = client.get(url, **REQUEST_ID)
    with override_settings(FAST_PATHS=False):
        plain = client.get(url, **REQUEST_ID)
    return fast, plain


def differences(client, url: str) -> tuple[list[str], object]:
    fast, plain = both(client, url)
    found = []
    if fast.status_code != plain.status_code:
        found.append(f"{url}: status {fast.status_code} != {plain.status_code}")
    if dict(fast.headers) != dict(plain.headers):
        found.append(f"{url}: headers {dict(fast.headers)} != {dict(plain.headers)}")
    if fast.content != plain.content:
        found.append(f"{url}: body\n  fast {fast.content[:400]!r}\n  drf  {plain.content[:400]!r}")
    return found, fast


def list_queries(view: type) -> list[str]:
    queries = [*SIZE_VALUES, *MALFORMED]
    if issubclass(view.pagination_class or type(None), KeysetPagination):
        queries += CURSOR_VALUES
    else:
        queries += [*PAGE_VALUES, "page=2&page_size=7", "page=4&page_size=7", "page=5&page_size=7"]
    filterset = getattr(view, "filterset_class", None)
    orderings = filterset.base_filters.get("ordering") if filterset else None
    if orderings is not None:
        queries += [f"ordering={value}" for value, _ in orderings.extra["choices"]]
        queries += [f"ordering={value}&page_size=4" for value, _ in orderings.extra["choices"]]
    return ["", *queries]


def test_the_battery_finds_every_view_with_a_fast_path():
    """The walk over the URLs sees the feed, a post, the user list and the product list (and seeds each model)."""
    assert {(name, action) for name, _, action in ROUTES} >= {
        ("post-list", "list"),
        ("post-detail", "retrieve"),
        ("user-list", "list"),
        ("product-list", "list"),
    }
    assert {model_of(view) for _, view, _ in ROUTES} <= set(SEEDS), "seed the model of every fast path"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "view", "action"), ROUTES, ids=[f"{name}" for name, _, _ in ROUTES])
def test_the_fast_path_answers_as_drfs_path(client_for, callers, name, view, action, role):
    SEEDS[model_of(view)](callers)
    client = client_for(callers[role])
    problems, compared = [], 0
    if action == "list":
        base = reverse(name)
        for query in list_queries(view):
            url = f"{base}?{query}" if query else base
            found, fast = differences(client, url)
            problems += found
            compared += 1
            # Follow the links the page gives, to the end and back from there (cursors included).
            for direction in ("next", "previous"):
                seen = 0
                while fast.status_code == HTTPStatus.OK and fast.json().get(direction) and seen < 30:
                    found, fast = differences(client, fast.json()[direction])
                    problems += found
                    compared += 1
                    seen += 1
    else:
        model = model_of(view)
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        unknown = max(ids) + 1000
        for pk in [*ids, unknown, 0, 2**63 - 1, 2**63, 10**30]:
            url = reverse(name, kwargs={view.lookup_url_kwarg or view.lookup_field: pk})
            for query in ("", "?x=1", "?search=a", "?page=2", "?ordering=score"):
                problems += differences(client, url + query)[0]
                compared += 1
    assert compared > 10
    assert not problems, "\n".join(problems[:10])


def test_a_role_dependent_rule_of_the_feeds_selector_shows_on_both_paths(client_for, callers, monkeypatch):
    """
    A selector rule that reads the caller's role (`fast_key` names it) is compiled per role: each role sees its
    own feed on the fast path, as on DRF's.
    """
    original = post_selectors.post_list

    def role_aware(*, user):
        posts = original(user=user)
        return posts if user.role == Role.ADMIN else posts.exclude(title__startswith="[staff]")

    monkeypatch.setattr(post_selectors, "post_list", role_aware)
    make_posts(3)
    staff = make_posts(1, title="[staff] notes")[0]
    for role, visible in ((Role.USER, False), (Role.MODERATOR, False), (Role.ADMIN, True)):
        client = client_for(callers[role])
        for url in ("/api/v1/posts/", f"/api/v1/posts/{staff.pk}/"):
            fast, plain = both(client, url)
            assert (fast.status_code, fast.content) == (plain.status_code, plain.content), (role, url)
        feed = client.get("/api/v1/posts/").json()["results"]
        assert (staff.pk in [post["id"] for post in feed]) is visible, role
        assert client.get(f"/api/v1/posts/{staff.pk}/").status_code == (HTTPStatus.OK if visible else 404)


def test_a_selector_reading_what_fast_key_does_not_name_fails_when_compiled(client_for, user, monkeypatch):
    """Reading `user.email` in the feed's selector would serve one caller's SQL to all: it fails loudly instead."""
    original = post_selectors.post_list

    def email_aware(*, user):
        return original(user=user).exclude(title=user.email)

    monkeypatch.setattr(post_selectors, "post_list", email_aware)
    client = client_for(user)
    with override_settings(FAST_PATHS=False):
        assert client.get("/api/v1/posts/").status_code == HTTPStatus.OK
    with pytest.raises(ImproperlyConfigured, match="fast_key"):
        client.get("/api/v1/posts/")
