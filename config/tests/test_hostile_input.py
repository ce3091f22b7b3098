"""
Hostile input against every write endpoint and every list of the real app.

Never a 5xx, never a traceback, always the standard error shape, and a rejected request
leaves the database exactly as it was.
"""

import json
from dataclasses import dataclass
from http import HTTPStatus

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Max

from accounts.models import Role

pytestmark = pytest.mark.django_db

SNAPSHOT_MODELS = [
    *("accounts.User", "posts.Post", "posts.Vote", "products.Product", "apikeys.ApiKey"),
    *("mfa.Authenticator", "mfa.RecoveryCode", "mfa.LoginChallenge"),
    "devices.Device",
]


def snapshot() -> dict:
    """Row counts and the newest change of every model a request could write."""
    state = {}
    for label in SNAPSHOT_MODELS:
        model = apps.get_model(label)
        fields = {f.name for f in model._meta.get_fields()}
        stamp = "updated_at" if "updated_at" in fields else "pk"
        state[label] = (model.objects.count(), model.objects.aggregate(latest=Max(stamp))["latest"])
    state["users"] = list(apps.get_model("accounts.User").objects.values_list("username", "email", "role", "password"))
    users = apps.get_model("accounts.User").objects
    state["email ownership"] = list(users.values_list("email_verified", "pending_email"))
    state["two-factor"] = list(users.values_list("mfa_enabled", flat=True))
    state["authenticators"] = list(
        apps.get_model("mfa.Authenticator").objects.values_list("pk", "confirmed_at", "last_used_step")
    )
    state["login challenges"] = list(apps.get_model("mfa.LoginChallenge").objects.values_list("pk", "failures"))
    # Background jobs wait for the test transaction's commit (which never comes): none may be queued.
    state["queued jobs"] = len(connection.run_on_commit)
    # A refused login is recorded by design (the security log); any other event means something changed.
    events = apps.get_model("audit.SecurityEvent").objects.exclude(event="login_failed")
    state["security events"] = list(events.values_list("pk", flat=True))
    state["sessions"] = list(apps.get_model("accounts.LoginSession").objects.values_list("sid", "ended_at"))
    state["login alerts"] = list(apps.get_model("devices.LoginAlert").objects.values_list("pk", "disowned_at"))
    state["api keys"] = list(apps.get_model("apikeys.ApiKey").objects.values_list("pk", "revoked_at", "name"))
    state["deletions"] = list(apps.get_model("privacy.DeletionRequest").objects.values_list("pk", "cancelled_at"))
    state["exports"] = list(apps.get_model("privacy.DataExport").objects.values_list("pk", "downloaded_at"))
    return state


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # may contain {post}, {product} or {user}
    body: dict
    role: str | None  # None: anonymous

    def url(self, objects: dict) -> str:
        return self.path.format(**objects)


WRITE_ENDPOINTS = [
    Endpoint(
        "register",
        "post",
        "/api/v1/auth/register/",
        {"username": "newbie", "email": "newbie@example.com", "password": "a-long-unusual-passphrase"},
        None,
    ),
    Endpoint("login", "post", "/api/v1/auth/login/", {"username": "someone", "password": "whatever-it-is"}, None),
    Endpoint("me", "patch", "/api/v1/auth/me/", {"username": "renamed"}, Role.USER),
    Endpoint(
        "password-change",
        "post",
        "/api/v1/auth/password/change/",
        {"old_password": "correct-horse-battery-staple", "new_password": "another-long-passphrase"},
        Role.USER,
    ),
    Endpoint("logout", "post", "/api/v1/auth/logout/", {"refresh": "not-a-token"}, Role.USER),
    Endpoint("user-update", "patch", "/api/v1/users/{user}/", {"role": "moderator"}, Role.ADMIN),
    Endpoint("post-create", "post", "/api/v1/posts/", {"title": "A title", "body": "A body"}, Role.USER),
    Endpoint("post-update", "patch", "/api/v1/posts/{post}/", {"title": "Changed"}, Role.USER),
    Endpoint("vote", "post", "/api/v1/posts/{post}/vote/", {"value": 1}, Role.USER),
    Endpoint(
        "product-create",
        "post",
        "/api/v1/products/",
        {"name": "Lamp", "sku": "LAMP-1", "description": "", "price": "12.50", "stock": 3},
        Role.ADMIN,
    ),
    Endpoint("product-update", "patch", "/api/v1/products/{product}/", {"price": "9.99"}, Role.ADMIN),
    Endpoint("password-reset", "post", "/api/v1/auth/password/reset/", {"email": "someone@example.com"}, None),
    Endpoint(
        "password-reset-confirm",
        "post",
        "/api/v1/auth/password/reset/confirm/",
        {"token": "not-a-real-token", "new_password": "another-long-passphrase"},
        None,
    ),
    Endpoint("email-verify", "post", "/api/v1/auth/email/verify/", {"token": "not-a-real-token"}, None),
    Endpoint("email-change-cancel", "post", "/api/v1/auth/email/change/cancel/", {"token": "not-a-real-token"}, None),
    Endpoint("login-disown", "post", "/api/v1/auth/login/disown/", {"token": "not-a-real-token"}, None),
    Endpoint("email-verify-resend", "post", "/api/v1/auth/email/verify/resend/", {"email": "a@example.com"}, None),
    Endpoint("deletion-cancel", "post", "/api/v1/auth/account/deletion/cancel/", {"token": "not-a-real-token"}, None),
    Endpoint("export-download", "post", "/api/v1/auth/account/export/download/", {"token": "not-a-real-token"}, None),
    Endpoint(
        "api-key-create",
        "post",
        "/api/v1/auth/api-keys/",
        {"name": "nightly job", "scopes": ["read", "write"], "expires_at": "2099-01-01T00:00:00Z"},
        Role.USER,
    ),
    Endpoint("mfa-login", "post", "/api/v1/auth/login/mfa/", {"mfa_token": "not-a-real-token", "code": "123456"}, None),
    Endpoint("mfa-totp", "post", "/api/v1/auth/mfa/totp/", {"password": "not-the-password"}, Role.USER),
    Endpoint("mfa-totp-confirm", "post", "/api/v1/auth/mfa/totp/confirm/", {"code": "123 456"}, Role.USER),
    Endpoint("mfa-disable", "post", "/api/v1/auth/mfa/disable/", {"password": "not-the-password"}, Role.USER),
    Endpoint("mfa-recovery-codes", "post", "/api/v1/auth/mfa/recovery-codes/", {"password": "x"}, Role.USER),
]
LISTS = [
    ("/api/v1/posts/", Role.USER),
    ("/api/v1/products/", Role.USER),
    ("/api/v1/users/", Role.ADMIN),
    ("/api/v1/auth/events/", Role.USER),
    ("/api/v1/audit-events/", Role.ADMIN),
    ("/api/v1/auth/api-keys/", Role.USER),
    ("/api/v1/auth/sessions/", Role.USER),
]


@pytest.fixture
def world(make_user, client_for):
    """One user of each role, a post owned by the user, a product; clients per role."""
    from posts.models import Post
    from products.models import Product

    users = {role: make_user(role=role) for role in (Role.USER, Role.MODERATOR, Role.ADMIN)}
    post = Post.objects.create(author=users[Role.USER], title="Original", body="Original body")
    product = Product.objects.create(name="Chair", sku="CHAIR-1", price="10.00", stock=1)
    clients = {role: client_for(user) for role, user in users.items()}
    objects = {"post": post.pk, "product": product.pk, "user": users[Role.USER].pk}
    return {"users": users, "objects": objects, "clients": clients}


def client_of(world, endpoint: Endpoint, api_client):
    return world["clients"][endpoint.role] if endpoint.role else api_client


def send_raw(client, endpoint: Endpoint, world, data, content_type: str = "application/json"):
    """Send `data` as the raw body; an empty `content_type` is what a request without the header looks like."""
    return client.generic(endpoint.method.upper(), endpoint.url(world["objects"]), data, content_type=content_type)


def assert_rejected(response, before: dict, statuses: set[int]) -> dict:
    assert response.status_code in statuses, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["type"] in ("validation_error", "client_error")
    assert all(set(error) == {"code", "detail", "attr"} for error in body["errors"])
    assert "Traceback" not in response.content.decode(errors="replace")
    assert snapshot() == before, "a rejected request changed the database"
    return body


ids = [e.name for e in WRITE_ENDPOINTS]
BAD_JSON = ['{"title": ', '{"title": "x",}', "{'title': 'x'}", "[1, 2", "nul\x00", "", "   ", "{"]


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS, ids=ids)
@pytest.mark.parametrize("payload", BAD_JSON)
def test_malformed_or_truncated_json_is_400(world, api_client, endpoint, payload):
    before = snapshot()
    response = send_raw(client_of(world, endpoint, api_client), endpoint, world, payload)
    if payload == "" and endpoint.method == "patch":
        # No body is an empty partial update, a success that leaves the data as it was.
        assert response.status_code == HTTPStatus.OK
        return
    assert_rejected(response, before, {HTTPStatus.BAD_REQUEST})


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS, ids=ids)
@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x", ""])
def test_wrong_or_missing_content_type_is_415(world, api_client, endpoint, content_type):
    before = snapshot()
    response = send_raw(
        client_of(world, endpoint, api_client), endpoint, world, json.dumps(endpoint.body), content_type
    )
    assert_rejected(response, before, {HTTPStatus.UNSUPPORTED_MEDIA_TYPE})


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS, ids=ids)
def test_body_over_the_upload_limit_is_413(world, api_client, endpoint, settings):
    body = {**endpoint.body, "padding": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}
    before = snapshot()
    response = send_raw(client_of(world, endpoint, api_client), endpoint, world, json.dumps(body))
    assert_rejected(response, before, {HTTPStatus.REQUEST_ENTITY_TOO_LARGE})


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS, ids=ids)
def test_deeply_nested_json_is_400(world, api_client, endpoint):
    before = snapshot()
    nested = '{"title": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = send_raw(client_of(world, endpoint, api_client), endpoint, world, nested)
    assert_rejected(response, before, {HTTPStatus.BAD_REQUEST})


HOSTILE_VALUES = [
    10**300,
    -(10**30),
    1.5e308,
    "x" * 100_000,
    "nul\x00byte",
    ["a", "list"],
    {"an": "object"},
    True,
    None,
]


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS, ids=ids)
@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=lambda v: type(v).__name__ + str(len(str(v))))
def test_absurd_values_in_every_field_are_4xx_and_change_nothing(world, api_client, endpoint, value):
    client = client_of(world, endpoint, api_client)
    for field in endpoint.body:
        before = snapshot()
        response = send_raw(client, endpoint, world, json.dumps({**endpoint.body, field: value}))
        if endpoint.name in ("login", "mfa-login"):
            assert_rejected(response, before, {HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED})
        elif field == "description" and value == "x" * 100_000:
            assert response.status_code < 300  # descriptions have no length limit
        elif field == "expires_at" and value is None:
            assert response.status_code < 300  # a key that never expires
        else:
            assert_rejected(response, before, {HTTPStatus.BAD_REQUEST})


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS, ids=ids)
def test_integer_literal_too_long_to_convert_is_400(world, api_client, endpoint):
    field = next(iter(endpoint.body))
    raw = json.dumps(endpoint.body).replace(json.dumps(endpoint.body[field]), "9" * 5000, 1)
    before = snapshot()
    response = send_raw(client_of(world, endpoint, api_client), endpoint, world, raw)
    assert_rejected(response, before, {HTTPStatus.BAD_REQUEST})


ROUND_TRIP = [
    "Emoji 👋🏽🧑‍🚀 and flags 🇳🇱",
    "עברית מימין לשמאל",
    "العربية من اليمين إلى اليسار",
    "'; DROP TABLE posts_post; --",
    "{{ settings.SECRET_KEY }} {% debug %}",
    "<script>alert(1)</script>",
    "Robert'); SELECT pg_sleep(5);--",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_unicode_and_injection_looking_text_round_trips_verbatim(world, text):
    client = world["clients"][Role.USER]
    created = client.post("/api/v1/posts/", {"title": text[:200], "body": text}, format="json")
    assert created.status_code == HTTPStatus.CREATED, created.content
    fetched = client.get(f"/api/v1/posts/{created.json()['id']}/").json()
    assert (fetched["title"], fetched["body"]) == (text[:200], text)
    found = client.get("/api/v1/posts/", {"search": text[:20]}).json()["results"]
    assert created.json()["id"] in [post["id"] for post in found]


def test_unknown_fields_are_ignored_and_cannot_set_protected_ones(world):
    user = world["users"][Role.USER]
    client = world["clients"][Role.USER]
    response = client.post(
        "/api/v1/posts/",
        {"title": "t", "body": "b", "author": world["users"][Role.ADMIN].pk, "score": 999, "id": 1, "zzz": 1},
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["author"]["id"] == user.pk
    assert response.json()["score"] == 0


@pytest.mark.parametrize(("path", "role"), LISTS)
@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=0",
        "page=99999999999999999999999",
        "page=abc",
        "page_size=-5",
        "page_size=0",
        "page_size=99999999999999999999999",
        "page_size=1e3",
        "page=1&page=2&page=abc",
        "page_size=5&page_size=abc",
        "ordering=-id;DROP",
        "ordering=price&ordering=-price",
        "search=%00",
        "search=" + "x" * 5000,
        "author=99999999999999999999999",
        "author=-1",
        "min_price=1e999999",
        "min_price=NaN",
        "max_price=-Infinity",
        "in_stock=maybe",
        "role=superhero",
        "is_active=perhaps",
        "event=%00",
        "event=login_succeeded&event=bogus",
        "user=99999999999999999999999",
        "actor=-1",
        "actor=1e3",
        "cursor=%%%",
        "cursor=" + "A" * 500,
    ],
)
def test_absurd_list_parameters_are_never_a_server_error(world, path, role, query):
    response = world["clients"][role].get(f"{path}?{query}")
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND), (
        query,
        response.status_code,
        response.content[:300],
    )
    body = response.json()
    if response.status_code == HTTPStatus.OK:
        assert isinstance(body["results"], list)
        assert len(body["results"]) <= 100
    else:
        assert body["type"] in ("validation_error", "client_error")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/posts/99999999999999999999999/",
        "/api/v1/posts/-1/",
        "/api/v1/posts/abc/",
        "/api/v1/posts/1%00/",
        "/api/v1/products/99999999999999999999999/",
        "/api/v1/users/99999999999999999999999/",
        "/api/v1/posts/99999999999999999999999/vote/",
        "/api/v1/auth/api-keys/99999999999999999999999/",
        "/api/v1/auth/api-keys/-1/",
        "/api/v1/auth/sessions/00000000-0000-0000-0000-000000000000/",
        "/api/v1/auth/sessions/not-a-session/",
    ],
)
def test_absurd_ids_in_paths_are_404(world, path):
    response = world["clients"][Role.ADMIN].get(path)
    assert response.status_code in (HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED), response.content[:300]
    assert response.json()["type"] == "client_error"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/posts/99999999999999999999999/vote/"),
        ("delete", "/api/v1/posts/99999999999999999999999/vote/"),
        ("patch", "/api/v1/posts/99999999999999999999999/"),
        ("delete", "/api/v1/posts/99999999999999999999999/"),
        ("patch", "/api/v1/products/99999999999999999999999/"),
        ("delete", "/api/v1/products/99999999999999999999999/"),
        ("patch", "/api/v1/users/99999999999999999999999/"),
        ("delete", "/api/v1/auth/api-keys/99999999999999999999999/"),
        ("delete", "/api/v1/auth/api-keys/1e3/"),
        ("delete", "/api/v1/auth/sessions/00000000-0000-0000-0000-000000000000/"),
        ("delete", "/api/v1/auth/sessions/ffffffffffffffffffffffffffffffff/"),
        ("delete", "/api/v1/auth/sessions/------------------------------------/"),
    ],
)
def test_writes_to_absurd_ids_are_404_and_change_nothing(world, method, path):
    before = snapshot()
    response = getattr(world["clients"][Role.ADMIN], method)(path, {"value": 1}, format="json")
    assert_rejected(response, before, {HTTPStatus.NOT_FOUND})


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_to_the_index_are_405_and_change_nothing(world, api_client, method):
    before = snapshot()
    response = getattr(api_client, method)("/api/v1/", {"users": "http://evil.example/"}, format="json")
    assert_rejected(response, before, {HTTPStatus.METHOD_NOT_ALLOWED})


@pytest.mark.parametrize("query", ["page=-1", "format=xml", "users=http://evil.example/", "x=" + "y" * 5000, "q=%00"])
def test_absurd_index_parameters_are_never_a_server_error(world, api_client, query):
    response = api_client.get(f"/api/v1/?{query}")
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.NOT_FOUND), (query, response.content[:300])
    if response.status_code == HTTPStatus.OK:
        assert "evil.example" not in response.content.decode()
    else:
        assert response.json()["type"] == "client_error"


@pytest.mark.parametrize("payload", BAD_JSON)
def test_a_signed_in_resend_with_a_malformed_body_is_400_and_queues_nothing(world, payload):
    before = snapshot()
    response = world["clients"][Role.USER].generic(
        "POST", "/api/v1/auth/email/verify/resend/", payload, content_type="application/json"
    )
    if payload == "":
        # No body is a resend for the caller (accepted), the one case that queues a job.
        assert response.status_code == HTTPStatus.ACCEPTED
        return
    assert_rejected(response, before, {HTTPStatus.BAD_REQUEST})


ABSURD_AUTHORIZATION = [
    "Api-Key",
    "Api-Key " + "A" * 100_000,
    "Api-Key dak_AAAAAAAA_" + "A" * 43,
    "Api-Key dak_AAAAAAAA_" + "A" * 42 + "\x00",
    "Api-Key dak_ÿÿÿÿÿÿÿÿ_" + "ÿ" * 43,
    "Api-Key\tdak_AAAAAAAA_" + "A" * 43,
    "api-key  dak_AAAAAAAA_" + "A" * 43 + " extra",
    "ApiKey dak_AAAAAAAA_" + "A" * 43,
    "Bearer dak_AAAAAAAA_" + "A" * 43,
    "Bearer " + "x" * 100_000,
    "Basic dXNlcjpwYXNz",
    "\x00",
    ",,,",
]


@pytest.mark.parametrize("endpoint", [e for e in WRITE_ENDPOINTS if e.role], ids=lambda e: e.name)
@pytest.mark.parametrize("header", ABSURD_AUTHORIZATION, ids=lambda h: f"{h[:12]!r}{len(h)}")
def test_absurd_authorization_headers_are_401_and_change_nothing(world, api_client, endpoint, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    before = snapshot()
    response = send_raw(api_client, endpoint, world, json.dumps(endpoint.body))
    body = assert_rejected(response, before, {HTTPStatus.UNAUTHORIZED})
    assert body["type"] == "client_error"
    assert "Api-Key" in response["WWW-Authenticate"]
    assert "Bearer" in response["WWW-Authenticate"]
