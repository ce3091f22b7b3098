"""
The authorization code flow with a provider (PKCE S256, `state`, `nonce`), and the tickets that
hand its result to the client application.

`authorization_start` keeps the request server-side (10 minutes) under a reference only the
browser's cookie holds, so a callback is accepted only in the browser that started it (no login
CSRF). `callback_finish` takes the request once (a replayed callback finds nothing), exchanges the
code, validates the ID token, and leaves the verified claims behind a 60-second single-use ticket.
"""

import hashlib
import hmac
import secrets
import time
from datetime import timedelta

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.integrity import field_error
from social.errors import ProviderError, ProviderUnavailable
from social.id_tokens import LEEWAY_SECONDS, IdTokenInvalid, id_token_validate
from social.models import AuthorizationRequest, Ticket
from social.providers import Provider, discovery, http_json

REQUEST_SECONDS = 10 * 60
TICKET_SECONDS = 60
STATE_INVALID = "This sign-in was not started in this browser, was already finished, or expired; start again."
CODE_REJECTED = "The provider refused the authorization code (used already or expired); start again."
ISSUER_MISMATCH = "The sign-in came back from another provider than it went to; start again."
TICKET_INVALID = "This ticket is invalid, used or expired; sign in with the provider again."
ID_TOKEN_REJECTED = "The provider's ID token did not pass validation."
ID_TOKEN_USED = "This ID token was used already; sign in with the provider again."


def secret_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _session(provider: Provider, *, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=provider.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )


def authorization_start(*, provider: Provider, redirect_uri: str, link_user: User | None = None) -> tuple[str, str]:
    """Start a sign-in at `provider`: (the provider's authorization URL, the reference for the browser's cookie)."""
    endpoint = discovery(provider)["authorization_endpoint"]
    reference, state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    extra = {"nonce": nonce} if provider.is_oidc else {}
    url, _ = _session(provider, redirect_uri=redirect_uri).create_authorization_url(
        endpoint, state=state, code_verifier=verifier, **extra
    )
    AuthorizationRequest.objects.create(
        reference_hash=secret_hash(reference),
        provider=provider.slug,
        state=state,
        nonce=nonce,
        code_verifier=verifier,
        redirect_uri=redirect_uri,
        link_user=link_user,
        expires_at=timezone.now() + timedelta(seconds=REQUEST_SECONDS),
    )
    return url, reference


def _request_take(*, provider: Provider, reference: str, state: str) -> AuthorizationRequest:
    """The browser's request for this callback, deleted as it is taken (single use); 400 otherwise."""
    with transaction.atomic():
        request = (
            AuthorizationRequest.objects.select_for_update()
            .filter(reference_hash=secret_hash(reference or ""), provider=provider.slug)
            .first()
        )
        if request is not None:
            request.delete()
    if request is None or request.expires_at <= timezone.now() or not hmac.compare_digest(request.state, state or ""):
        raise field_error("state", STATE_INVALID, code="state_invalid")
    return request


def _token_fetch(provider: Provider, request: AuthorizationRequest, code: str) -> dict:
    session = _session(provider, redirect_uri=request.redirect_uri)
    try:
        return session.fetch_token(
            discovery(provider)["token_endpoint"],
            code=code,
            code_verifier=request.code_verifier,
            timeout=settings.SOCIAL_HTTP_TIMEOUT,
        )
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise ProviderUnavailable() from exc
    except OAuthError as exc:
        if exc.error in ("invalid_grant", "bad_verification_code"):
            raise field_error("code", CODE_REJECTED, code="code_rejected") from exc
        raise ProviderError() from exc
    except (requests.RequestException, ValueError, TypeError, KeyError) as exc:
        raise ProviderError() from exc


def _github_claims(provider: Provider, access_token: str) -> dict:
    """GitHub speaks plain OAuth 2.0: the account and its verified email from its API."""
    api, headers = discovery(provider)["api_url"], {"Authorization": f"Bearer {access_token}"}
    account = http_json("GET", f"{api}/user", headers=headers)
    emails = http_json("GET", f"{api}/user/emails", headers=headers, expect=list)
    if not all(isinstance(item, dict) for item in emails):
        raise ProviderError()
    chosen = next((e for e in emails if e.get("primary") and e.get("verified")), None)
    chosen = chosen or next((e for e in emails if e.get("verified")), None)
    chosen = chosen or next((e for e in emails if e.get("primary")), {})
    if not isinstance(account.get("id"), int):
        raise ProviderError()
    return {
        "iss": discovery(provider)["issuer"],
        "sub": str(account["id"]),
        "email": chosen.get("email") or "",
        "email_verified": chosen.get("verified") is True,
        "preferred_username": account.get("login") or "",
    }


def _oidc_claims(provider: Provider, token: dict, *, nonce: str) -> dict:
    raw = token.get("id_token")
    if not isinstance(raw, str):
        raise ProviderError()
    try:
        claims = id_token_validate(provider, raw, nonce=nonce)
    except IdTokenInvalid as exc:
        raise ProviderError(ID_TOKEN_REJECTED) from exc
    userinfo_url = discovery(provider).get("userinfo_endpoint")
    if "email" not in claims and isinstance(userinfo_url, str) and token.get("access_token"):
        # Providers may keep profile claims out of the ID token in the code flow (OIDC Core 5.4).
        info = http_json("GET", userinfo_url, headers={"Authorization": f"Bearer {token['access_token']}"})
        if info.get("sub") != claims["sub"]:
            raise ProviderError()
        claims = {**info, **claims}
    return claims


def claims_normalize(claims: dict) -> dict:
    """What a ticket keeps: the identity's key and the profile claims, `email_verified` only when truly `true`."""
    email = claims.get("email")
    return {
        "iss": claims["iss"],
        "sub": claims["sub"],
        "email": email.strip().lower() if isinstance(email, str) else "",
        "email_verified": claims.get("email_verified") is True,
        "preferred_username": str(claims.get("preferred_username") or claims.get("nickname") or "")[:150],
    }


def callback_finish(*, provider: Provider, reference: str, state: str, code: str, iss: str | None = None) -> str:
    """
    Finish the browser's sign-in at the provider; return the ticket for the client application.
    A provider that names itself in the redirect (RFC 9207's `iss`) must be this one (mix-up defense).
    """
    request = _request_take(provider=provider, reference=reference, state=state)
    if iss is not None and iss != discovery(provider)["issuer"]:
        raise field_error("iss", ISSUER_MISMATCH, code="issuer_mismatch")
    if not code:
        raise field_error("code", CODE_REJECTED, code="code_rejected")
    token = _token_fetch(provider, request, code)
    if provider.is_oidc:
        claims = _oidc_claims(provider, token, nonce=request.nonce)
    else:
        access_token = token.get("access_token")
        if not isinstance(access_token, str):
            raise ProviderError()
        claims = _github_claims(provider, access_token)
    return ticket_issue(provider=provider, claims=claims_normalize(claims), link_user=request.link_user)


def ticket_issue(*, provider: Provider, claims: dict, link_user: User | None) -> str:
    ticket = secrets.token_urlsafe(32)
    Ticket.objects.create(
        ticket_hash=secret_hash(ticket),
        provider=provider.slug,
        claims=claims,
        link_user=link_user,
        expires_at=timezone.now() + timedelta(seconds=TICKET_SECONDS),
    )
    return ticket


def ticket_take(*, raw: str, link: bool, link_user: User | None = None) -> Ticket:
    """
    The ticket `raw`, deleted as it is taken (single use): a login ticket, or (`link`) a linking one made
    for `link_user`; 400 otherwise. A ticket tried with the wrong kind or user is spent all the same.
    """
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(ticket_hash=secret_hash(raw)).first()
        if ticket is not None:
            ticket.delete()
    expected = link_user.pk if link and link_user is not None else None
    wrong_kind = ticket is not None and (ticket.link_user_id != expected or (link and expected is None))
    if ticket is None or ticket.expires_at <= timezone.now() or wrong_kind:
        raise ValidationError({"ticket": ValidationError(TICKET_INVALID, code="invalid")})
    return ticket


def id_token_spend(*, raw: str, claims: dict) -> None:
    """A native app's ID token signs in once: a replay within its lifetime is refused (400 on `id_token`)."""
    seconds = max(int(claims["exp"] - time.time()) + LEEWAY_SECONDS, 1)
    if not cache.add(f"social:id-token:{secret_hash(raw)}", 1, seconds):
        raise field_error("id_token", ID_TOKEN_USED, code="invalid")


def requests_purge_expired() -> tuple[int, int]:
    """Delete authorization requests and tickets past their time (housekeeping)."""
    now = timezone.now()
    requests_deleted, _ = AuthorizationRequest.objects.filter(expires_at__lte=now).delete()
    tickets_deleted, _ = Ticket.objects.filter(expires_at__lte=now).delete()
    return requests_deleted, tickets_deleted
