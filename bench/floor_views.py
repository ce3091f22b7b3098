"""
Hand-written "floor" views: the same pages as the API's, with nothing but what they need.

Each one decodes the bearer JWT with PyJWT, runs the same user query as authentication and
the same page queries as the endpoint through `connection.cursor()` (hand-written SQL), and
answers with `json.dumps`: what a page costs with Django's request handling and the database
and none of DRF, the ORM or the app's layers. `bench.inprocess` measures each endpoint against
its floor in the same run (and checks that both answer the same JSON); the issue's target is
at most 1.5 times the floor.

They skip what the real endpoints must do (permission classes, throttling, filter validation,
the error shape): they are yardsticks, mounted only by `bench.plain_urls`, never by the app.
Each comes in two kinds: `plain` runs `cursor.execute` as the issue's floor did; `prepared`
runs the statements as the app runs its own (`cursor.execute_prepared`, common.postgresql: prepared,
binary rows), so the database driver's tricks count for both sides and only the layers above
the database are compared.
"""

import base64
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import jwt
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework_simplejwt.settings import api_settings as jwt_settings

PAGE_SIZE = 20

# The statement authentication sends (accounts.selectors.user_for_token).
USER_SQL = (
    "SELECT u.*, NOT EXISTS (SELECT 1 FROM accounts_loginsession r "
    "WHERE r.sid = %s AND r.user_id = u.id AND r.ended_at IS NULL AND r.expires_at > now()) "
    "AS session_revoked FROM accounts_user u WHERE u.id = %s"
)
FEED_SQL = (
    "SELECT p.id, p.title, p.body, p.author_id, a.username, p.score, "
    "(SELECT v.value FROM posts_vote v WHERE v.post_id = p.id AND v.user_id = %s LIMIT 1), "
    "p.created_at, p.updated_at "
    "FROM posts_post p JOIN accounts_user a ON a.id = p.author_id "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT 21"
)
USERS_COUNT_SQL = "SELECT count(*) FROM accounts_user"
USERS_PAGE_SQL = (
    "SELECT id, username, email, role, is_active, date_joined, email_verified, pending_email, mfa_enabled "
    "FROM accounts_user ORDER BY id LIMIT 20 OFFSET 0"
)
PRODUCTS_COUNT_SQL = "SELECT count(*) FROM products_product WHERE is_active"
PRODUCTS_PAGE_SQL = (
    "SELECT id, name, sku, description, price, stock, is_active, created_at, updated_at "
    "FROM products_product WHERE is_active ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0"
)


def _iso(value: datetime) -> str:
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _execute(cursor, sql: str, params: list, *, prepared: bool) -> None:
    if prepared:
        cursor.execute_prepared(sql, params)
    else:
        # Another text than the prepared floor's: psycopg runs any statement whose text it has prepared
        # on the connection as prepared, and the plain floor must be planned every time.
        cursor.execute(f"{sql} -- plain", params)


def _caller(request: HttpRequest, cursor, *, prepared: bool) -> dict | None:
    """The bearer token's user row (a dict), or None when the token is revoked or the user inactive."""
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    claims = jwt.decode(token, jwt_settings.SIGNING_KEY, algorithms=["HS256"])
    _execute(cursor, USER_SQL, [uuid.UUID(hex=claims["sid"]), int(claims["user_id"])], prepared=prepared)
    row = cursor.fetchone()
    if row is None:
        return None
    user = dict(zip([column.name for column in cursor.description], row, strict=True))
    if not user["is_active"] or user["token_version"] != claims["ver"] or user["session_revoked"]:
        return None
    return user


def _json(body: dict) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(), content_type="application/json"
    )


def feed_floor(request: HttpRequest, prepared: bool = False) -> HttpResponse:
    """The feed's first page: 20 newest posts with author, score and the caller's vote, and a `next` cursor."""
    with connection.cursor() as cursor:
        caller = _caller(request, cursor, prepared=prepared)
        if caller is None:
            return JsonResponse({"detail": "unauthorized"}, status=401)
        _execute(cursor, FEED_SQL, [caller["id"]], prepared=prepared)
        rows = cursor.fetchall()
    results = [
        {
            "id": post_id,
            "title": title,
            "body": body,
            "author": {"id": author_id, "username": username},
            "score": score,
            "my_vote": my_vote,
            "created_at": _iso(created),
            "updated_at": _iso(updated),
        }
        for post_id, title, body, author_id, username, score, my_vote, created, updated in rows[:PAGE_SIZE]
    ]
    next_link = None
    if len(rows) > PAGE_SIZE:
        last = rows[PAGE_SIZE - 1]
        payload = {"o": "-created_at,-id", "k": [last[7].isoformat(), last[0]], "r": 0}
        token = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
        next_link = request.build_absolute_uri("/api/v1/posts/") + f"?cursor={token}"
    return _json({"next": next_link, "previous": None, "results": results})


def _page(request: HttpRequest, path: str, count_sql: str, page_sql: str, render, prepared: bool) -> HttpResponse:
    with connection.cursor() as cursor:
        if _caller(request, cursor, prepared=prepared) is None:
            return JsonResponse({"detail": "unauthorized"}, status=401)
        _execute(cursor, count_sql, [], prepared=prepared)
        count = cursor.fetchone()[0]
        _execute(cursor, page_sql, [], prepared=prepared)
        rows = cursor.fetchall()
    next_link = request.build_absolute_uri(path) + "?page=2" if count > PAGE_SIZE else None
    return _json({"count": count, "next": next_link, "previous": None, "results": [render(row) for row in rows]})


def users_floor(request: HttpRequest, prepared: bool = False) -> HttpResponse:
    """The admin user list's first page (the floor skips the admin check)."""

    def render(row):
        user_id, username, email, role, is_active, joined, email_verified, pending_email, mfa_enabled = row
        return {
            "id": user_id,
            "username": username,
            "email": email,
            "role": role,
            "is_active": is_active,
            "date_joined": _iso(joined),
            "email_verified": email_verified,
            "pending_email": pending_email,
            "mfa_enabled": mfa_enabled,
        }

    return _page(request, "/api/v1/users/", USERS_COUNT_SQL, USERS_PAGE_SQL, render, prepared)


def products_floor(request: HttpRequest, prepared: bool = False) -> HttpResponse:
    """The product list's first page for a non-admin: active products, newest first."""

    def render(row):
        product_id, name, sku, description, price, stock, is_active, created, updated = row
        return {
            "id": product_id,
            "name": name,
            "sku": sku,
            "description": description,
            "price": f"{Decimal(price):f}",
            "stock": stock,
            "is_active": is_active,
            "created_at": _iso(created),
            "updated_at": _iso(updated),
        }

    return _page(request, "/api/v1/products/", PRODUCTS_COUNT_SQL, PRODUCTS_PAGE_SQL, render, prepared)
