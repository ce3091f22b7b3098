"""
The renderer `common.rows` derives from a view's serializer renders a row as DRF renders the instance.

Every view with `FastPathsMixin` is found from the API's routes. For each, hypothesis writes a row of
the view's model with values at the edges, the view's selector reads it back as a model instance
(DRF's `serializer_class(instance).data`) and as a typed row (`row_renderer(...).render`), and both
must give the same data and the same JSON bytes. A new fast-path view whose model has no strategy
in `CASES` fails here until it gets one.
"""

import itertools
import string
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.urls import URLResolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from accounts.models import Role, User, UserManager
from accounts.selectors import user_list
from accounts.tests.factories import UserFactory
from accounts.views import UserViewSet
from audit.models import Event, SecurityEvent
from common.fastpaths import FastPathsMixin
from common.renderers import JSONRenderer
from common.rows import row_renderer
from config import api_router
from posts.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Post, Vote, VoteValue
from posts.selectors import post_list
from posts.tests.factories import PostFactory
from posts.views import PostViewSet
from products.models import PRICE_DECIMAL_PLACES, PRICE_MAX_DIGITS, STOCK_MAX, Product
from products.selectors import product_list
from products.tests.factories import ProductFactory
from products.views import ProductViewSet

INTEGER_MIN, INTEGER_MAX = -(2**31), 2**31 - 1  # PostgreSQL's integer (Post.score)
USERNAME_MAX = User._meta.get_field("username").max_length
EMAIL_MAX = User._meta.get_field("email").max_length
NAME_MAX = Product._meta.get_field("name").max_length
SKU_MAX = Product._meta.get_field("sku").max_length
DESCRIPTION_MAX = 5_000  # a TextField without a limit: long enough to be a long one

# Unique fields (username, email, sku) start with a fixed-width counter, so no example collides
# with a row an earlier one left in the test's transaction; the shortest is the counter's width.
_unique = itertools.count()
PREFIX_WIDTH = 5


def unique_prefix() -> str:
    return f"{next(_unique):0{PREFIX_WIDTH}d}"


# Characters JSON and HTML treat specially, separators DRF escapes, emoji (one and joined), controls;
# any other code point PostgreSQL's text can store (no NUL, no lone surrogate).
EDGE_CHARACTERS = ["\u2028", "\u2029", "\U0001f600", "\U0001f469", "\u200d", '"', "'", "\\", "<", "&", ">"]
EDGE_CHARACTERS += ["/", "\n", "\r", "\t", " ", "\x1f", "\x7f", "\u00e9", "\u0130", "\u200b", "\ufeff", "\uffff"]
CHARACTER = st.sampled_from(EDGE_CHARACTERS) | st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
SKU_CHARACTER = st.sampled_from(string.ascii_letters + string.digits + "-_")


def text(min_size: int, max_size: int, alphabet=CHARACTER) -> st.SearchStrategy[str]:
    """
    Text from `min_size` to `max_size` characters, often exactly either (hypothesis alone rarely writes the
    longest). Lists of characters, not `st.text`: it merges the alphabet into one range, where the edge
    characters would be 4% of the characters instead of about half.
    """
    characters = st.lists(alphabet, min_size=min_size, max_size=min(max_size, 40)).map("".join)
    longest = st.lists(alphabet, min_size=1, max_size=4).map(lambda repeated: ("".join(repeated) * max_size)[:max_size])
    return characters | longest


def integers_at_bounds(low: int, high: int) -> st.SearchStrategy[int]:
    return st.sampled_from([low, high]) | st.integers(low, high)


# Every decimal of the price column, written with 0, 1 or 2 places (0 .. 99999999.99).
PRICES = st.sampled_from([Decimal(0), Decimal("0.00"), Decimal("0.01"), Decimal("99999999"), Decimal("99999999.99")])
PRICES |= st.integers(0, PRICE_DECIMAL_PLACES).flatmap(
    lambda places: st.integers(0, 10 ** (PRICE_MAX_DIGITS - PRICE_DECIMAL_PLACES + places) - 1).map(
        lambda units: Decimal(units).scaleb(-places)
    )
)

# Instants from year 1 to 9999 in UTC, with and without microseconds.
FIRST, LAST = datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999_999)
_DATETIMES = st.datetimes(min_value=FIRST, max_value=LAST)
EDGE_INSTANTS = [FIRST, FIRST.replace(microsecond=1), LAST.replace(microsecond=0), LAST, datetime(2000, 2, 29, 12)]
INSTANTS = (
    st.sampled_from(EDGE_INSTANTS) | _DATETIMES | _DATETIMES.map(lambda instant: instant.replace(microsecond=0))
).map(lambda instant: instant.replace(tzinfo=UTC))


class Callers(NamedTuple):
    """Who reads: `reader` votes and reads the feed, `admin` reads the whole catalogue."""

    reader: User
    admin: User


class ModelCase(NamedTuple):
    """A model's rows at the edges: values to draw, how to write them (the new row's pk) and the view's read."""

    values: st.SearchStrategy[dict]
    create: Callable[[dict, Callers], int]
    queryset: Callable[[Callers], QuerySet]


USER_VALUES = st.fixed_dictionaries(
    {
        "username": text(0, USERNAME_MAX - PREFIX_WIDTH),
        "email": text(0, EMAIL_MAX - PREFIX_WIDTH),
        "role": st.sampled_from(Role.values),
        "is_active": st.booleans(),
        "email_verified": st.booleans(),
        "pending_email": st.none() | text(0, EMAIL_MAX),
        "mfa_enabled": st.booleans(),
        "date_joined": INSTANTS,
    }
)


def stored_email(address: str) -> str:
    # Saving lower-cases and strips an address; lower-casing can lengthen it (İ is i and a dot above).
    return UserManager.normalize_email(address)[:EMAIL_MAX]


def user_make(values: dict) -> User:
    prefix = unique_prefix()
    pending = values["pending_email"]
    return UserFactory(
        **values
        | {
            "username": prefix + values["username"],
            "email": stored_email(prefix + values["email"]),
            "pending_email": None if pending is None else stored_email(pending),
        }
    )


POST_VALUES = st.fixed_dictionaries(
    {
        "author": st.none() | USER_VALUES,  # None: the reader wrote it
        # The database refuses a title of spaces only (TRIM trims spaces, as `strip(" ")`).
        "title": text(1, TITLE_MAX_LENGTH).filter(lambda title: title.strip(" ")),
        "body": text(1, BODY_MAX_LENGTH),
        "score": integers_at_bounds(INTEGER_MIN, INTEGER_MAX),
        "created_at": INSTANTS,
        "updated_at": INSTANTS,
        "my_vote": st.sampled_from([*VoteValue.values, None]),
    }
)


def post_create(values: dict, callers: Callers) -> int:
    author = callers.reader if values["author"] is None else user_make(values["author"])
    # The score is drawn, not summed from votes: this compares rendering, not `vote_cast`.
    post = PostFactory(author=author, title=values["title"], body=values["body"], score=values["score"])
    Post.objects.filter(pk=post.pk).update(created_at=values["created_at"], updated_at=values["updated_at"])
    if values["my_vote"] is not None:
        Vote.objects.create(post=post, user=callers.reader, value=values["my_vote"])
    return post.pk


PRODUCT_VALUES = st.fixed_dictionaries(
    {
        "name": text(1, NAME_MAX),
        "sku": text(0, SKU_MAX - PREFIX_WIDTH, alphabet=SKU_CHARACTER),
        "description": text(0, DESCRIPTION_MAX),
        "price": PRICES,
        "stock": integers_at_bounds(0, STOCK_MAX),
        "is_active": st.booleans(),
        "created_at": INSTANTS,
        "updated_at": INSTANTS,
    }
)


def product_create(values: dict, callers: Callers) -> int:
    columns = {name: value for name, value in values.items() if name not in ("created_at", "updated_at")}
    product = ProductFactory(**columns | {"sku": unique_prefix() + values["sku"]})
    # auto_now(_add) replaces the instants given on save; an update sets them.
    Product.objects.filter(pk=product.pk).update(created_at=values["created_at"], updated_at=values["updated_at"])
    return product.pk


# Per model of a fast-path view: how to make its rows and how its view reads them.
CASES: dict[type, ModelCase] = {
    Post: ModelCase(POST_VALUES, post_create, lambda callers: post_list(user=callers.reader)),
    Product: ModelCase(PRODUCT_VALUES, product_create, lambda callers: product_list(user=callers.admin)),
    User: ModelCase(USER_VALUES, lambda values, callers: user_make(values).pk, lambda callers: user_list()),
}


def fast_path_views() -> list[type]:
    """Every view class with `FastPathsMixin` among the API's routes, in route order."""
    found: dict[type, None] = {}

    def walk(patterns) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
                continue
            view_class = getattr(pattern.callback, "cls", None)
            if isinstance(view_class, type) and issubclass(view_class, FastPathsMixin):
                found[view_class] = None

    walk(api_router.urlpatterns)
    return list(found)


FAST_PATH_VIEWS = fast_path_views()


def model_of(view_class: type) -> type:
    return view_class.serializer_class.Meta.model


def test_the_walk_of_the_routes_finds_the_fast_path_views():
    assert {PostViewSet, ProductViewSet, UserViewSet} <= set(FAST_PATH_VIEWS)


def test_every_fast_path_views_model_has_a_strategy():
    missing = {view.__name__: model_of(view).__name__ for view in FAST_PATH_VIEWS if model_of(view) not in CASES}
    assert not missing, (
        f"Fast-path views whose model has no strategy in CASES: {missing}. Add a ModelCase so their rows are "
        "compared with DRF's rendering."
    )


def render_both(serializer_class, annotations, queryset: QuerySet, pk: int) -> tuple:
    """DRF's rendering of the instance and the derived renderer's of the typed row, read through `queryset`."""
    renderer = row_renderer(serializer_class, annotations)
    expected = serializer_class(queryset.get(pk=pk)).data
    row = queryset.filter(pk=pk).values_list(*renderer.columns, named=True).get()
    return renderer.render(row), expected


@pytest.mark.parametrize("view_class", FAST_PATH_VIEWS, ids=lambda view: view.__name__)
@settings(
    max_examples=300,  # ~8 s for the three views
    deadline=None,
    database=None,  # no .hypothesis/ directory in the tree; a failure prints its example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_fast_path_row_renders_as_drf_renders_the_instance(view_class, data, db, user, admin):
    serializer_class = view_class.serializer_class
    case = CASES.get(model_of(view_class))
    assert case is not None, f"{model_of(view_class).__name__} has no strategy in CASES"
    callers = Callers(reader=user, admin=admin)
    pk = case.create(data.draw(case.values, label="values"), callers)

    rendered, expected = render_both(serializer_class, view_class.fast_annotations, case.queryset(callers), pk)

    assert rendered == expected, f"row_renderer({serializer_class.__name__}) disagrees with DRF on this row"
    to_json = JSONRenderer().render
    assert to_json(rendered) == to_json(expected), f"{serializer_class.__name__}: the JSON bytes differ"


class EventUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class EventSerializer(serializers.ModelSerializer):
    """A security event with its user: a nested serializer of a nullable foreign key (SET_NULL)."""

    user = EventUserSerializer(read_only=True)

    class Meta:
        model = SecurityEvent
        fields = ["id", "event", "user", "at"]


def test_a_nested_serializer_of_a_null_foreign_key_renders_none(db):
    event = SecurityEvent.objects.create(event=Event.LOGIN_FAILED, user=None)

    rendered, expected = render_both(EventSerializer, (), SecurityEvent.objects.select_related("user"), event.pk)

    assert rendered["user"] is None
    assert rendered == expected


def test_a_nested_serializer_of_a_set_nullable_foreign_key_renders_the_related_row(db, user):
    event = SecurityEvent.objects.create(event=Event.LOGIN_SUCCEEDED, user=user)

    rendered, expected = render_both(EventSerializer, (), SecurityEvent.objects.select_related("user"), event.pk)

    assert rendered["user"] == {"id": user.pk, "username": user.username}
    assert rendered == expected


class VoteValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vote
        fields = ["id", "value"]


@pytest.mark.parametrize("value", VoteValue.values)
def test_a_choice_field_with_integer_keys_renders_the_key(db, user, value):
    vote = Vote.objects.create(post=PostFactory(), user=user, value=value)

    rendered, expected = render_both(VoteValueSerializer, (), Vote.objects.all(), vote.pk)

    assert type(rendered["value"]) is int
    assert rendered["value"] == value
    assert rendered == expected


class WithAnnotation(serializers.ModelSerializer):
    my_vote = serializers.IntegerField(read_only=True)

    class Meta:
        model = Post
        fields = ["id", "my_vote"]


def test_a_field_neither_a_column_nor_a_declared_annotation_fails_when_the_renderer_is_built():
    with pytest.raises(ImproperlyConfigured, match="is none of them"):
        row_renderer(WithAnnotation, ("score_rank",))


def test_the_same_field_declared_as_an_annotation_is_a_column():
    assert row_renderer(WithAnnotation, ("my_vote",)).columns == ("id", "my_vote")
