"""The shared pagination: default 20, `page_size` clamped at 100, bad values are 4xx."""

from http import HTTPStatus

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("common.tests.urls")]


@pytest.fixture
def many_users(make_user):
    return make_user.create_batch(105)


def test_list_has_results_count_next_previous_and_20_by_default(api_client, many_users):
    body = api_client.get("/api/test/users/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 105
    assert len(body["results"]) == 20
    assert body["next"].startswith("http://testserver/api/test/users/?page=2")
    assert body["previous"] is None


def test_page_size_above_100_is_clamped(api_client, many_users):
    body = api_client.get("/api/test/users/", {"page_size": 1000}).json()
    assert len(body["results"]) == 100


@pytest.mark.parametrize("page_size", ["0", "-1", "abc", "1.5", ""])
def test_bad_page_size_is_400(api_client, many_users, page_size):
    response = api_client.get("/api/test/users/", {"page_size": page_size})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "page_size"


@pytest.mark.parametrize("page", ["0", "-3", "abc", "999"])
def test_bad_page_is_404(api_client, many_users, page):
    response = api_client.get("/api/test/users/", {"page": page})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["type"] == "client_error"


def test_list_query_count_does_not_grow_with_page_size(api_client, many_users, django_assert_num_queries):
    for size in (1, 100):
        with django_assert_num_queries(2):  # COUNT + one SELECT
            api_client.get("/api/test/users/", {"page_size": size})


@pytest.mark.parametrize("page", ["", "last"])
def test_empty_or_named_page_is_404(api_client, many_users, page):
    response = api_client.get("/api/test/users/", {"page": page})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["type"] == "client_error"
