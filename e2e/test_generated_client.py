"""
A Python client generated from the live schema with openapi-python-client drives a whole flow:
register, log in, post, vote, read the feed and the catalogue, make an API key, use and revoke it,
log out, and see the old token fail.
If generation fails or warns, the schema has a defect.
"""

import importlib
import json
import subprocess
import sys
import uuid
from http import HTTPStatus
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "django_api_client"


@pytest.fixture(scope="module")
def generated_client(server, tmp_path_factory):
    """Generate the client package from the server's own schema and import it."""
    workdir = tmp_path_factory.mktemp("client")
    status, schema = server.request("GET", "/api/schema/?format=json")
    assert status == HTTPStatus.OK
    schema_path = workdir / "openapi.json"
    schema_path.write_text(json.dumps(schema))
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(schema_path),
            "--meta",
            "none",
            "--output-path",
            str(workdir / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": f"{GENERATOR.parent}:/usr/bin:/bin"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    assert "error" not in output.lower(), output
    sys.path.insert(0, str(workdir))
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(workdir))
        for module in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[module]


def test_generated_client_runs_the_whole_flow(server, generated_client):
    client_module, models = generated_client("client"), generated_client("models")
    api = {
        name: generated_client(f"api.{name.split('_')[0]}.{name}")
        for name in [
            "auth_register_create",
            "auth_login_create",
            "auth_logout_create",
            "auth_me_retrieve",
            "posts_create",
            "posts_vote_create",
            "posts_list",
            "products_list",
            "auth_api_keys_create",
            "auth_api_keys_list",
            "auth_api_keys_destroy",
        ]
    }
    anonymous = client_module.Client(base_url=server.url, raise_on_unexpected_status=True)
    username, password = f"gen_{uuid.uuid4().hex[:8]}", "a-long-and-unusual-passphrase"

    registered = api["auth_register_create"].sync_detailed(
        client=anonymous,
        body=models.RegisterRequest(username=username, email=f"{username}@example.com", password=password),
    )
    assert registered.status_code == HTTPStatus.CREATED
    assert registered.parsed.role == models.RoleEnum.USER

    login = api["auth_login_create"].sync_detailed(
        client=anonymous, body=models.LoginRequest(username=f"{username}@EXAMPLE.com", password=password)
    )
    assert login.status_code == HTTPStatus.OK, login.content
    tokens = login.parsed
    assert tokens.token_type == models.TokenTypeEnum.BEARER
    assert tokens.user.username == username
    signed_in = client_module.AuthenticatedClient(base_url=server.url, token=tokens.access)

    created = api["posts_create"].sync_detailed(
        client=signed_in, body=models.PostRequest(title="Made by a generated client", body="Hello ✓")
    )
    assert created.status_code == HTTPStatus.CREATED
    post = created.parsed
    assert post.author.username == username

    vote = api["posts_vote_create"].sync_detailed(
        id=post.id, client=signed_in, body=models.VoteRequest(value=models.VoteValueEnum.VALUE_1)
    )
    assert vote.status_code == HTTPStatus.CREATED
    assert vote.parsed.score == 1

    feed = api["posts_list"].sync(client=signed_in, author=registered.parsed.id)
    assert [(p.id, p.score, p.my_vote) for p in feed.results] == [(post.id, 1, 1)]

    products = api["products_list"].sync(client=signed_in, ordering=[models.ProductsListOrderingItem("-price")])
    assert products.count > 0
    prices = [product.price for product in products.results]
    assert prices == sorted(prices, key=float, reverse=True)

    # A script's API key: made with the login, used with the `Api-Key` scheme, revoked.
    made = api["auth_api_keys_create"].sync_detailed(
        client=signed_in,
        body=models.ApiKeyCreateRequest(name="generated client script", scopes=[models.ApiKeyScopeEnum.READ]),
    )
    assert made.status_code == HTTPStatus.CREATED, made.content
    assert made.parsed.key.startswith(made.parsed.prefix)
    keyed = client_module.AuthenticatedClient(base_url=server.url, token=made.parsed.key, prefix="Api-Key")
    assert api["auth_me_retrieve"].sync(client=keyed).username == username
    assert [p.id for p in api["posts_list"].sync(client=keyed, author=registered.parsed.id).results] == [post.id]
    refused = api["posts_create"].sync_detailed(client=keyed, body=models.PostRequest(title="t", body="b"))
    assert refused.status_code == HTTPStatus.FORBIDDEN  # a read key
    assert [k.prefix for k in api["auth_api_keys_list"].sync(client=signed_in).results] == [made.parsed.prefix]
    revoked = api["auth_api_keys_destroy"].sync_detailed(id=made.parsed.id, client=signed_in)
    assert revoked.status_code == HTTPStatus.NO_CONTENT
    assert api["auth_me_retrieve"].sync_detailed(client=keyed).status_code == HTTPStatus.UNAUTHORIZED

    logout = api["auth_logout_create"].sync_detailed(
        client=signed_in, body=models.RefreshRequest(refresh=tokens.refresh)
    )
    assert logout.status_code == HTTPStatus.NO_CONTENT

    after = api["auth_me_retrieve"].sync_detailed(
        client=client_module.AuthenticatedClient(base_url=server.url, token=tokens.access)
    )
    assert after.status_code == HTTPStatus.UNAUTHORIZED
