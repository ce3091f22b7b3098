"""The OpenAPI schema, Swagger UI and ReDoc are served by the app itself."""

import re
from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db

# Any absolute URL in a src/href attribute would load an asset from outside the app.
EXTERNAL_ASSET = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


def test_schema_is_openapi_3(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == HTTPStatus.OK
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/health/" in schema["paths"]


def test_schema_ignores_a_bad_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")
    assert api_client.get("/api/schema/").status_code == HTTPStatus.OK


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_no_external_assets(client, path):
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert not EXTERNAL_ASSET.search(html), EXTERNAL_ASSET.search(html)
    assert "/static/drf_spectacular_sidecar/" in html


def test_favicon_redirects_to_a_static_icon_not_permanently(client):
    response = client.get("/favicon.ico")
    # Not a 301: browsers would keep it after a deploy renames the content-hashed file.
    assert response.status_code == HTTPStatus.FOUND
    assert re.search(r"/favicon-32x32(\.[0-9a-f]{12})?\.png$", response["Location"])


def test_redoc_page_swaps_the_hosted_logo_for_an_inline_image(client):
    html = client.get("/api/redoc/").content.decode()
    assert "https://cdn.redoc.ly/" in html  # only inside the script that rewrites it
    assert "data:image/svg+xml" in html
