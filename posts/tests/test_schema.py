"""The OpenAPI schema documents the feed's cursor pagination, filters and the vote action."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_client):
    return api_client.get("/api/schema/", {"format": "json"}).json()


def test_feed_documents_cursor_pagination_and_its_query_parameters(schema):
    operation = schema["paths"]["/api/v1/posts/"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == {"author", "cursor", "ordering", "page_size", "search"}
    assert params["author"]["schema"]["type"] == "integer"
    assert set(params["ordering"]["schema"]["enum"]) == {"created_at", "-created_at", "score", "-score"}
    page = schema["components"]["schemas"]["PaginatedPostList"]
    assert set(page["properties"]) == {"next", "previous", "results"}


def test_vote_action_documents_201_200_204_and_404(schema):
    vote = schema["paths"]["/api/v1/posts/{id}/vote/"]
    assert {"200", "201", "400", "401", "404"} <= set(vote["post"]["responses"])
    assert {"204", "401", "404"} <= set(vote["delete"]["responses"])
    assert "requestBody" not in vote["delete"]
