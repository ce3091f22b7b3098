"""The benchmarks' floor views answer exactly the pages of the endpoints they are compared with."""

import json

import pytest
from django.db import connection
from django.test import override_settings

from accounts.models import Role
from bench.plain_urls import FLOORS
from posts.tests.factories import PostFactory
from products.tests.factories import ProductFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the floor views send PostgreSQL's SQL (psycopg)"),
]

ENDPOINTS = {
    "posts": ("/api/v1/posts/", Role.USER),
    "users": ("/api/v1/users/", Role.ADMIN),
    "products": ("/api/v1/products/", Role.USER),
}


@pytest.mark.parametrize("kind", ["plain", "prepared"])
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_a_floor_view_answers_the_same_page_as_its_endpoint(make_user, client_for, name, kind):
    users = {role: make_user(role=role) for role in (Role.USER, Role.ADMIN)}
    for index in range(3):
        PostFactory(author=users[Role.USER])
        ProductFactory(is_active=index != 1)
    path, role = ENDPOINTS[name]
    client = client_for(users[role])
    with override_settings(ROOT_URLCONF="bench.plain_urls"):
        endpoint = client.get(path)
        floor = client.get(f"/api/bench-floor/{kind}/{name}/")
    assert endpoint.status_code == floor.status_code == 200
    assert json.loads(floor.content) == json.loads(endpoint.content)
