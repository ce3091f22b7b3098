"""Linking rules: an email match never links silently, sign in then link, and unlinking keeps a way in."""

from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.test_reauthentication import assert_reauthentication_required, stale_access
from audit.models import Event, SecurityEvent
from social.models import Identity, Ticket
from social.tests.conftest import EXCHANGE, browser_sign_in, social_login, ticket_of
from social.tests.provider import FakeProvider

pytestmark = pytest.mark.django_db
IDENTITIES = "/api/v1/auth/identities/"


@pytest.fixture
def owner(make_user):
    return make_user(username="owner", email="someone@example.com", email_verified=True)


@pytest.mark.parametrize(
    ("slug", "email_verified", "owner_verified"),
    [
        ("oidc", True, True),  # an untrusted provider's word is not enough
        ("trusted", False, True),  # a trusted provider that does not vouch for the address
        ("trusted", None, True),
        ("trusted", True, False),  # the account's own address was never verified (pre-registration)
    ],
)
def test_an_email_match_without_every_guarantee_requires_signing_in_first(
    provider, owner, slug, email_verified, owner_verified
):
    User.objects.filter(pk=owner.pk).update(email_verified=owner_verified)
    response = social_login(APIClient(), provider, slug, email_verified=email_verified)
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["errors"][0]["code"] == "link_required"
    assert Identity.objects.count() == 0
    assert User.objects.count() == 1
    refused = SecurityEvent.objects.get(event=Event.LOGIN_FAILED)
    assert (refused.user_id, refused.detail["reason"]) == (owner.pk, "identity_not_linked")


def test_a_trusted_provider_vouching_for_a_verified_accounts_email_links_it_and_mails_the_owner(
    provider, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = social_login(APIClient(), provider, "trusted")
    assert response.status_code == HTTPStatus.OK
    assert (response.json()["user"]["id"], response.json()["user_created"]) == (owner.pk, False)
    assert Identity.objects.get().user == owner
    assert SecurityEvent.objects.filter(user=owner, event=Event.IDENTITY_LINKED).count() == 1
    [message] = mail.outbox
    assert message.to == ["someone@example.com"]
    assert "Trusted" in message.body


def _link_ticket(client: APIClient, provider: FakeProvider, slug: str = "oidc", **claims) -> str:
    link = client.post(f"/api/v1/auth/social/{slug}/link/")
    assert link.status_code == HTTPStatus.OK, link.content
    url = urlsplit(link.json()["authorization_url"])
    browser = APIClient()
    started = browser.get(f"{url.path}?{url.query}")
    code, state = provider.authorize(started["Location"], **claims)
    return ticket_of(browser.get(f"/api/v1/auth/social/{slug}/callback/", {"code": code, "state": state}))


def test_sign_in_then_link_attaches_the_provider_to_the_callers_account(provider, owner, client_for):
    client = client_for(owner)
    ticket = _link_ticket(client, provider)
    response = client.post(IDENTITIES, {"ticket": ticket}, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    assert response.json()["provider"] == "oidc"
    assert Identity.objects.get().user == owner
    # From now on the provider signs in to that account.
    assert social_login(APIClient(), provider).json()["user"]["id"] == owner.pk


def test_a_link_ticket_posted_by_someone_else_is_refused_and_spent(provider, owner, make_user, client_for):
    ticket = _link_ticket(client_for(owner), provider)
    response = client_for(make_user()).post(IDENTITIES, {"ticket": ticket}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "ticket"
    assert client_for(owner).post(IDENTITIES, {"ticket": ticket}, format="json").status_code == 400
    assert Identity.objects.count() == 0


def test_a_link_ticket_cannot_be_exchanged_for_a_login_nor_a_login_ticket_link(provider, owner, client_for):
    link_ticket = _link_ticket(client_for(owner), provider)
    assert APIClient().post(EXCHANGE, {"ticket": link_ticket}, format="json").status_code == 400
    login_ticket = ticket_of(browser_sign_in(APIClient(), provider, sub="another"))
    assert client_for(owner).post(IDENTITIES, {"ticket": login_ticket}, format="json").status_code == 400
    assert Ticket.objects.count() == 0


def test_linking_an_identity_of_another_user_is_refused(provider, owner, client_for):
    social_login(APIClient(), provider, email="first@example.com")
    ticket = _link_ticket(client_for(owner), provider)
    response = client_for(owner).post(IDENTITIES, {"ticket": ticket}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "identity_taken"


def test_a_forged_link_request_is_refused(provider):
    response = APIClient().get("/api/v1/auth/social/oidc/start/", {"link": "1:forged"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "link"


def test_a_link_request_dies_with_the_sessions_it_came_from(provider, owner, client_for):
    link = client_for(owner).post("/api/v1/auth/social/oidc/link/").json()["authorization_url"]
    User.objects.filter(pk=owner.pk).update(token_version=owner.token_version + 1)  # logout-all
    url = urlsplit(link)
    assert APIClient().get(f"{url.path}?{url.query}").status_code == HTTPStatus.BAD_REQUEST


def test_linking_needs_a_signed_in_caller(provider):
    assert APIClient().post("/api/v1/auth/social/oidc/link/").status_code == HTTPStatus.UNAUTHORIZED
    assert APIClient().post(IDENTITIES, {"ticket": "x"}, format="json").status_code == HTTPStatus.UNAUTHORIZED


def test_the_list_shows_only_the_callers_identities(provider, owner, client_for, make_user):
    Identity.objects.create(user=owner, provider="oidc", issuer="i", subject="1", email="a@example.com")
    Identity.objects.create(user=make_user(), provider="oidc", issuer="i", subject="2")
    body = client_for(owner).get(IDENTITIES).json()
    assert body["count"] == 1
    assert body["results"][0]["email"] == "a@example.com"
    assert set(body["results"][0]) == {"id", "provider", "issuer", "email", "created_at", "last_used_at"}


@pytest.mark.parametrize("page_size", [1, 10])
def test_the_list_is_not_n_plus_one(owner, client_for, django_assert_num_queries, page_size):
    for n in range(12):
        Identity.objects.create(user=owner, provider="oidc", issuer="i", subject=str(n))
    client = client_for(owner)
    # Authentication (user and session), the count, the page.
    with django_assert_num_queries(3):
        response = client.get(IDENTITIES, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


def test_unlinking_removes_the_identity_and_records_it(owner, client_for):
    identity = Identity.objects.create(user=owner, provider="oidc", issuer="i", subject="1")
    response = client_for(owner).delete(f"{IDENTITIES}{identity.pk}/")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not Identity.objects.exists()
    assert SecurityEvent.objects.get(event=Event.IDENTITY_UNLINKED).detail["identity"] == identity.pk


def test_the_last_way_to_sign_in_cannot_be_unlinked(make_user, client_for):
    user = make_user()
    user.set_unusable_password()
    user.save()
    first = Identity.objects.create(user=user, provider="oidc", issuer="i", subject="1")
    second = Identity.objects.create(user=user, provider="trusted", issuer="j", subject="1")
    client = client_for(user)
    assert client.delete(f"{IDENTITIES}{first.pk}/").status_code == HTTPStatus.NO_CONTENT
    response = client.delete(f"{IDENTITIES}{second.pk}/")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "last_sign_in_method"
    assert Identity.objects.filter(pk=second.pk).exists()


def test_someone_elses_identity_is_a_404(owner, make_user, client_for):
    identity = Identity.objects.create(user=make_user(), provider="oidc", issuer="i", subject="1")
    assert client_for(owner).delete(f"{IDENTITIES}{identity.pk}/").status_code == HTTPStatus.NOT_FOUND
    assert client_for(owner).delete(f"{IDENTITIES}999999/").status_code == HTTPStatus.NOT_FOUND


def test_unlinking_needs_a_recent_authentication(owner):
    identity = Identity.objects.create(user=owner, provider="oidc", issuer="i", subject="1")
    access, _ = stale_access(owner)
    response = APIClient(HTTP_AUTHORIZATION=f"Bearer {access}").delete(f"{IDENTITIES}{identity.pk}/")
    assert_reauthentication_required(response)
    assert Identity.objects.exists()


def test_a_link_request_starts_one_sign_in_only(provider, owner, client_for):
    link = urlsplit(client_for(owner).post("/api/v1/auth/social/oidc/link/").json()["authorization_url"])
    assert APIClient().get(f"{link.path}?{link.query}").status_code == HTTPStatus.FOUND
    again = APIClient().get(f"{link.path}?{link.query}")
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert again.json()["errors"][0]["attr"] == "link"
