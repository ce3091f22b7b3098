"""Statements compiled once run the ORM's own SQL; filters are skipped only when none of their parameters is sent."""

import pytest
from django.db import connection
from django.db.models import F
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from accounts.filters import UserFilter
from accounts.models import User
from common.statements import STAND_IN_INTEGERS, CompiledList, count_compile, statement_compile, update_compile
from posts.filters import PostFilter
from posts.models import Post
from products.filters import ProductFilter
from products.models import Product

pytestmark = pytest.mark.django_db


def test_a_compiled_statement_returns_the_rows_of_its_queryset(make_user):
    users = make_user.create_batch(5)
    wanted = User.objects.filter(pk__gte=STAND_IN_INTEGERS[0]).order_by("id").values("id", "username")
    statement = statement_compile(wanted, {"low": STAND_IN_INTEGERS[0]}, suffix="LIMIT %s")
    low = users[2].pk
    expected = list(User.objects.filter(pk__gte=low).order_by("id").values("id", "username")[:2])
    assert statement.rows(2, low=low) == expected


def test_a_compiled_update_is_the_orms_update(make_user):
    user, other = make_user.create_batch(2)
    user_id, version = STAND_IN_INTEGERS[0], STAND_IN_INTEGERS[1]
    statement = update_compile(
        User.objects.filter(pk=user_id),
        {"token_version": F("token_version") + version},
        {"user": user_id, "version": version},
    )
    with CaptureQueriesContext(connection) as orm:
        User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 3)
    with CaptureQueriesContext(connection) as compiled:
        assert statement.run(user=user.pk, version=3) == 1
    assert [query["sql"] for query in compiled] == [query["sql"] for query in orm]
    user.refresh_from_db()
    other.refresh_from_db()
    assert (user.token_version, other.token_version) == (6, 0)
    assert statement.run(user=max(user.pk, other.pk) + 1, version=1) == 0  # no such row: nothing changed


def test_a_stand_in_missing_from_the_query_fails_loudly():
    with pytest.raises(AssertionError, match="not parameters"):
        statement_compile(User.objects.values("id"), {"low": STAND_IN_INTEGERS[0]})


def test_a_compiled_list_counts_and_slices_like_its_queryset(make_user):
    make_user.create_batch(7)
    users = User.objects.order_by("id")
    compiled = CompiledList(
        count=count_compile(users), page=statement_compile(users.values("id"), suffix="LIMIT %s OFFSET %s")
    )
    assert compiled.count() == users.count() == 7
    assert compiled[2:5] == list(users.values("id")[2:5])


@pytest.mark.parametrize(
    ("filterset_class", "queryset"),
    [(PostFilter, Post.objects.all()), (ProductFilter, Product.objects.all()), (UserFilter, User.objects.all())],
)
def test_a_filterset_without_parameters_leaves_the_list_unchanged(filterset_class, queryset):
    """What the filter backend relies on to skip a FilterSet when none of its parameters is sent."""
    filtered = filterset_class(data=QueryDict(), queryset=queryset).qs
    assert str(filtered.query) == str(queryset.query)


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(
    connection.settings_dict["OPTIONS"].get("server_side_binding") is not True,
    reason="prepared statements need PostgreSQL with server-side binding (DB_PREPARED_STATEMENTS, on by default)",
)
def test_the_feed_and_authentication_run_prepared_statements_on_postgresql(client_for, user):
    client = client_for(user)
    for _ in range(2):
        assert client.get("/api/v1/posts/").status_code == 200
    prepared = prepared_statements()
    assert any('FROM "posts_post"' in statement for statement in prepared)
    assert any("session_revoked" in statement for statement in prepared)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_search_is_never_prepared_so_its_plan_follows_its_pattern(client_for, user):
    client = client_for(user)
    for word in ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"]:
        assert client.get("/api/v1/posts/", {"search": word}).status_code == 200
    assert not [statement for statement in prepared_statements() if "LIKE" in statement.upper()]
