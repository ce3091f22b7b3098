"""Entry points: `/` leads to the documentation, `/api/v1/` links every collection, the schema and the docs."""

from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.mixins import ListModelMixin

from accounts.models import Role

pytestmark = pytest.mark.django_db

API_PREFIX = "/api/v1/"


def api_list_routes() -> set[str]:
    """Paths of every list route of the API: ViewSet `list` actions and list views, wherever they are registered."""
    found = set()

    def walk(patterns, names_of: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, names_of)
                continue
            assert isinstance(entry, URLPattern)
            view = entry.callback
            actions = getattr(view, "actions", None)  # ViewSets: {"get": "list", "post": "create"}
            view_class = getattr(view, "cls", None)
            if actions is not None:
                is_list = actions.get("get") == "list"
            else:
                is_list = view_class is not None and issubclass(view_class, ListModelMixin)
            if is_list:
                assert entry.name, f"list route {entry.pattern} needs a name for the index"
                found.add(reverse(entry.name))

    walk(get_resolver().url_patterns, "")
    return {path for path in found if path.startswith(API_PREFIX)}


def test_root_redirects_to_the_documentation(client):
    response = client.get("/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/api/docs/"


def test_index_is_for_anyone_with_absolute_links(api_client):
    response = api_client.get(API_PREFIX)
    assert response.status_code == HTTPStatus.OK
    links = response.json()
    assert {"schema", "docs", "redoc", "users", "posts", "products"} <= set(links)
    assert links["schema"] == "http://testserver/api/schema/"
    assert links["docs"] == "http://testserver/api/docs/"
    assert all(urlsplit(url).scheme == "http" and urlsplit(url).netloc == "testserver" for url in links.values())


def test_index_ignores_a_bad_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api_client.get(API_PREFIX).status_code == HTTPStatus.OK


def test_every_list_route_of_the_api_is_linked_from_the_index(api_client):
    routes = api_list_routes()
    assert {"/api/v1/users/", "/api/v1/posts/", "/api/v1/products/"} <= routes, "the route walk finds the lists"
    linked = {urlsplit(url).path for url in api_client.get(API_PREFIX).json().values()}
    assert routes - linked == set(), "add the missing collections to common.index.LINKS"


def test_every_link_of_the_index_answers_200_to_an_admin(api_client, make_user, client_for):
    admin = client_for(make_user(role=Role.ADMIN))
    for key, url in api_client.get(API_PREFIX).json().items():
        assert admin.get(urlsplit(url).path).status_code == HTTPStatus.OK, key


def test_index_is_in_the_openapi_schema(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/"]["get"]
    assert operation["security"] == [{}], "no authentication needed"
    response_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    component = schema["components"]["schemas"][response_schema["$ref"].rsplit("/", 1)[1]]
    assert set(component["properties"]) >= {"users", "posts", "products", "schema", "docs"}
    assert component["properties"]["posts"]["format"] == "uri"
