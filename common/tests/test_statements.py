"""Statements compiled once run the ORM's own SQL; filters are skipped only when none of their parameters is sent."""

from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.filters import UserFilter
from accounts.models import LoginSession, User
from accounts.sessions import session_start
from common.statements import (
    STAND_IN_DATETIME,
    STAND_IN_INTEGERS,
    STAND_IN_STRING,
    STAND_IN_UUID,
    statement_compile,
)
from posts.filters import PostFilter
from posts.models import Post
from products.filters import ProductFilter
from products.models import Product

pytestmark = pytest.mark.django_db


def test_a_compiled_statement_returns_the_rows_of_its_queryset(make_user):
    users = make_user.create_batch(5)
    wanted = User.objects.filter(pk__gte=STAND_IN_INTEGERS[0]).order_by("id").values_list("id", "username")
    statement = statement_compile(wanted, {"low": STAND_IN_INTEGERS[0]}, suffix="LIMIT %s")
    low = users[2].pk
    expected = list(User.objects.filter(pk__gte=low).order_by("id").values_list("id", "username", named=True)[:2])
    rows = statement.rows(2, low=low)
    assert rows == expected
    assert [(row.id, row.username) for row in rows] == [(user.pk, user.username) for user in users[2:4]]


def test_a_compiled_statement_sends_the_orms_sql(make_user):
    user = make_user()
    wanted = User.objects.filter(pk=STAND_IN_INTEGERS[0], last_login__lt=STAND_IN_DATETIME).values_list("email")
    statement = statement_compile(wanted, {"user": STAND_IN_INTEGERS[0], "before": STAND_IN_DATETIME})
    now = timezone.now()
    with CaptureQueriesContext(connection) as orm:
        list(User.objects.filter(pk=user.pk, last_login__lt=now).values_list("email"))
    with CaptureQueriesContext(connection) as compiled:
        statement.rows(user=user.pk, before=now)
    assert [query["sql"] for query in compiled] == [query["sql"] for query in orm]


def test_stand_ins_of_every_kind_become_parameters(make_user):
    """An integer, a datetime, a string and a UUID, as the ORM binds each on this database."""
    user = make_user(last_login=timezone.now())
    session_start(user=user)
    session = LoginSession.objects.get(user=user)
    sessions = LoginSession.objects.filter(
        user_id=STAND_IN_INTEGERS[0],
        user__username=STAND_IN_STRING,
        sid=STAND_IN_UUID,
        created_at__gt=STAND_IN_DATETIME,
    )
    stand_ins = {
        "user": STAND_IN_INTEGERS[0],
        "name": STAND_IN_STRING,
        "sid": STAND_IN_UUID,
        "after": STAND_IN_DATETIME,
    }
    statement = statement_compile(sessions.values_list("sid"), stand_ins)
    found = statement.rows(user=user.pk, name=user.username, sid=session.sid, after=session.created_at - timedelta(1))
    assert found == [(session.sid,)]
    assert statement.rows(user=user.pk, name="someone", sid=session.sid, after=session.created_at - timedelta(1)) == []


def test_a_stand_in_missing_from_the_query_fails_loudly():
    with pytest.raises(AssertionError, match="not parameters"):
        statement_compile(User.objects.values("id"), {"low": STAND_IN_INTEGERS[0]})


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
    assert any('FROM "accounts_user"' in statement and "EXISTS" in statement for statement in prepared)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_search_is_never_prepared_so_its_plan_follows_its_pattern(client_for, user):
    client = client_for(user)
    for word in ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"]:
        assert client.get("/api/v1/posts/", {"search": word}).status_code == 200
    assert not [statement for statement in prepared_statements() if "LIKE" in statement.upper()]
