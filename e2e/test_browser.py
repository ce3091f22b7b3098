"""Swagger UI, ReDoc and the Django admin in a real browser, against gunicorn with debug off."""

import json
import re
import time
from decimal import Decimal

import pytest

from accounts.demo import DEMO_PASSWORD
from e2e.browser import chromium_page
from mfa import totp

pytestmark = pytest.mark.e2e


def assert_page_stayed_local(log) -> None:
    assert log.requests, "the page made no request at all"
    assert log.outside() == [], f"requests left 127.0.0.1: {log.outside()}"
    assert log.console_errors == [], f"console errors: {log.console_errors}; failed responses: {log.failed}"


def test_swagger_ui_renders_every_tag_and_tries_out_me_with_a_token(server, artifacts_dir):
    status, schema = server.request("GET", "/api/schema/?format=json")
    assert status == 200
    tags = {tag for item in schema["paths"].values() for op in item.values() for tag in op.get("tags", [])}
    token = server.login("user", DEMO_PASSWORD)

    with chromium_page() as (page, log):
        page.goto(f"{server.url}/api/docs/")
        page.wait_for_selector("h3.opblock-tag")
        rendered = set(page.locator("h3.opblock-tag").evaluate_all("els => els.map(e => e.dataset.tag)"))
        assert tags <= rendered, f"tags missing from Swagger UI: {tags - rendered}"

        authorize(page, "jwtAuth", token)
        assert try_out_me(page) == ("200", "user")
        page.screenshot(path=artifacts_dir / "swagger-ui.png", full_page=False)

    assert_page_stayed_local(log)


def authorize(page, scheme: str, value: str) -> None:
    """Swagger UI's Authorize dialog: fill the one scheme's field, authorize, close."""
    page.click("button.authorize")
    container = page.locator(".auth-container", has=page.locator("h4", has_text=scheme))
    container.locator("input").fill(value)
    container.locator("button.authorize").click()
    page.click(".auth-btn-wrapper button.btn-done")


def try_out_me(page) -> tuple[str, str]:
    """Try out GET auth/me/; return the status and the username answered."""
    operation = page.locator(".opblock-get", has=page.locator('[data-path="/api/v1/auth/me/"]')).first
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status_cell = operation.locator(".live-responses-table tbody .response-col_status").first
    status_cell.wait_for()
    body = operation.locator(".live-responses-table .response-col_description pre").first.inner_text()
    username = re.search(r'"username": "([^"]*)"', body)
    return status_cell.inner_text().strip(), username.group(1) if username else body


def test_swagger_ui_authorizes_with_an_api_key(server, artifacts_dir):
    token = server.login("moderator", DEMO_PASSWORD)
    status, made = server.request("POST", "/api/v1/auth/api-keys/", {"name": "swagger", "scopes": ["read"]}, token)
    assert status == 201, made

    with chromium_page() as (page, log):
        page.goto(f"{server.url}/api/docs/")
        page.wait_for_selector("h3.opblock-tag")
        authorize(page, "apiKeyAuth", f"Api-Key {made['key']}")
        assert try_out_me(page) == ("200", "moderator")
        page.screenshot(path=artifacts_dir / "swagger-ui-api-key.png", full_page=False)

    assert_page_stayed_local(log)


def try_out_post(page, path: str, body: dict) -> tuple[str, dict]:
    """Try out a POST in Swagger UI with a JSON body of our own; return the status and the parsed answer."""
    operation = page.locator(".opblock-post", has=page.locator(f'[data-path="{path}"]')).first
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("textarea.body-param__text").fill(json.dumps(body))
    operation.locator("button.execute").click()
    status_cell = operation.locator(".live-responses-table tbody .response-col_status").first
    status_cell.wait_for()
    answer = operation.locator(".live-responses-table .response-col_description pre").first.inner_text()
    return status_cell.inner_text().strip(), json.loads(answer)


def test_swagger_ui_logs_in_a_user_with_two_factor_and_authorizes_with_the_token(server, artifacts_dir):
    username, password = "swagger-two-factor", "a-long-unusual-passphrase-for-totp"
    body = {"username": username, "email": f"{username}@example.com", "password": password}
    assert server.request("POST", "/api/v1/auth/register/", body)[0] == 201
    token = server.login(username, password)
    status, enrolled = server.request("POST", "/api/v1/auth/mfa/totp/", {"password": password}, token)
    assert status == 201, enrolled
    step = totp.step_at(time.time())
    code = totp.code_at_step(enrolled["secret"], step)
    assert server.request("POST", "/api/v1/auth/mfa/totp/confirm/", {"code": code}, token)[0] == 200

    with chromium_page() as (page, log):
        page.goto(f"{server.url}/api/docs/")
        page.wait_for_selector("h3.opblock-tag")
        status, challenge = try_out_post(page, "/api/v1/auth/login/", {"username": username, "password": password})
        assert status == "202", challenge
        assert challenge["mfa_required"] is True
        next_code = totp.code_at_step(enrolled["secret"], step + 1)  # the confirming code is spent
        status, tokens = try_out_post(
            page, "/api/v1/auth/login/mfa/", {"mfa_token": challenge["mfa_token"], "code": next_code}
        )
        assert status == "200", tokens
        authorize(page, "jwtAuth", tokens["access"])
        assert try_out_me(page) == ("200", username)
        page.screenshot(path=artifacts_dir / "swagger-ui-two-factor.png", full_page=False)

    assert_page_stayed_local(log)


def test_redoc_renders(server, artifacts_dir):
    with chromium_page() as (page, log):
        page.goto(f"{server.url}/api/redoc/")
        page.wait_for_selector(".api-content")
        assert page.locator("h1").first.inner_text().startswith("Django API")
        assert page.locator("li[data-item-id^='tag/']").count() >= 1
        page.screenshot(path=artifacts_dir / "redoc.png")
    assert_page_stayed_local(log)


def test_admin_changes_a_price_in_the_list_and_the_api_sees_it(server, artifacts_dir):
    admin_token = server.login("admin", DEMO_PASSWORD)
    with chromium_page() as (page, log):
        page.goto(f"{server.url}/admin/login/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(re.compile(r".*/admin/$"))

        page.goto(f"{server.url}/admin/products/product/")
        product_id = page.locator("input[name='form-0-id']").input_value()
        old_price = Decimal(page.locator("input[name='form-0-price']").input_value())
        new_price = old_price + Decimal("1.25")
        page.fill("input[name='form-0-price']", str(new_price))
        page.click("input[name='_save']")
        page.wait_for_selector(".messagelist .success")
        page.screenshot(path=artifacts_dir / "admin-products.png")

        status, product = server.request("GET", f"/api/v1/products/{product_id}/", token=admin_token)
        assert status == 200
        assert product["price"] == f"{new_price:.2f}"

        status, feed = server.request("GET", "/api/v1/posts/?ordering=-score", token=admin_token)
        assert status == 200
        post = feed["results"][0]
        assert post["score"] > 0, "demo data should have a post with up-votes"
        page.goto(f"{server.url}/admin/posts/post/{post['id']}/change/")
        votes = page.locator(".inline-group", has_text=re.compile("vote", re.IGNORECASE)).first
        votes.wait_for()
        assert votes.locator("tbody tr.has_original, tbody tr:has(td)").count() >= post["score"]
        page.screenshot(path=artifacts_dir / "admin-post-votes.png", full_page=True)

    assert_page_stayed_local(log)
