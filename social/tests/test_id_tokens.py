"""ID token validation with keys the test makes: signature, key rotation, iss, aud, exp, nonce, Microsoft tenants."""

import base64
import json
import time

import pytest
from joserfc.jwk import RSAKey

from social.id_tokens import IdTokenInvalid, id_token_validate
from social.providers import provider_get
from social.tests.provider import CLIENT_ID, rsa_key

pytestmark = pytest.mark.django_db


def test_a_well_formed_token_gives_its_claims(provider):
    claims = id_token_validate(provider_get("oidc"), provider.sign(provider.claims(nonce="n-1")), nonce="n-1")
    assert claims["sub"] == "subject-1"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"iss": "https://evil.example.com"}, "iss"),
        ({"aud": "another-client"}, "aud"),
        ({"exp": int(time.time()) - 3600}, "exp"),
        ({"exp": None}, "exp"),
        ({"iat": None}, "iat"),
        ({"sub": None}, "sub"),
        ({"nonce": "other"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"aud": [CLIENT_ID, "other"]}, "azp"),
    ],
)
def test_a_token_failing_a_claim_check_is_refused(provider, overrides, reason):
    token = provider.sign(provider.claims(**{"nonce": "n-1", **overrides}))
    with pytest.raises(IdTokenInvalid) as refused:
        id_token_validate(provider_get("oidc"), token, nonce="n-1")
    assert refused.value.reason == reason


def test_several_audiences_are_accepted_when_we_are_the_authorized_party(provider):
    token = provider.sign(provider.claims(aud=[CLIENT_ID, "other"], azp=CLIENT_ID))
    assert id_token_validate(provider_get("oidc"), token, nonce=None)["azp"] == CLIENT_ID


def test_a_token_signed_by_a_key_the_provider_does_not_publish_is_refused(provider):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "key-1"})  # the published kid, another key
    with pytest.raises(IdTokenInvalid) as refused:
        id_token_validate(provider_get("oidc"), provider.sign(provider.claims(), key=stranger), nonce=None)
    assert refused.value.reason == "signature"


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_unsigned_and_symmetric_tokens_are_refused(provider, alg):
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    token = f"{part({'alg': alg, 'kid': 'key-1'})}.{part(provider.claims())}.c2ln"
    with pytest.raises(IdTokenInvalid):
        id_token_validate(provider_get("oidc"), token, nonce=None)


@pytest.mark.parametrize("raw", ["", "not-a-jwt", "a.b", "a.b.c", "eyJ.eyJ.sig"])
def test_garbage_is_refused_as_malformed_or_bad_signature(provider, raw):
    with pytest.raises(IdTokenInvalid):
        id_token_validate(provider_get("oidc"), raw, nonce=None)


def test_a_new_kid_refetches_the_keys_once(provider):
    id_token_validate(provider_get("oidc"), provider.sign(provider.claims()), nonce=None)
    assert provider.requests.count("/jwks") == 1
    provider.keys = [rsa_key("key-2")]  # the provider rotated its key
    id_token_validate(provider_get("oidc"), provider.sign(provider.claims()), nonce=None)
    assert provider.requests.count("/jwks") == 2
    # Known kids come from the cache.
    id_token_validate(provider_get("oidc"), provider.sign(provider.claims()), nonce=None)
    assert provider.requests.count("/jwks") == 2


def test_made_up_kids_refetch_the_keys_at_most_once_a_minute(provider):
    id_token_validate(provider_get("oidc"), provider.sign(provider.claims()), nonce=None)
    for kid in ("made-up-1", "made-up-2", "made-up-3"):
        with pytest.raises(IdTokenInvalid):
            id_token_validate(provider_get("oidc"), provider.sign(provider.claims(), header={"kid": kid}), nonce=None)
    assert provider.requests.count("/jwks") == 2


TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
OTHER_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


@pytest.fixture
def microsoft(provider, settings):
    """The Microsoft preset against the loopback provider, which publishes the multi-tenant issuer template."""
    template = f"{provider.url}/{{tenantid}}/v2.0"
    original = provider.discovery
    provider.discovery = lambda: {**original(), "issuer": template}
    settings.SOCIAL_PROVIDERS = {
        **settings.SOCIAL_PROVIDERS,
        "microsoft": {
            **settings.SOCIAL_PROVIDERS["oidc"],
            "preset": "microsoft",
            "name": "Microsoft",
            "trusted": False,
            "tenant": "common",
        },
    }
    return provider


def test_microsoft_issuer_is_the_template_filled_with_the_tokens_tenant(microsoft):
    token = microsoft.sign(microsoft.claims(iss=f"{microsoft.url}/{TENANT}/v2.0", tid=TENANT))
    assert id_token_validate(provider_get("microsoft"), token, nonce=None)["tid"] == TENANT


def test_microsoft_issuer_of_another_tenant_than_the_tokens_is_refused(microsoft):
    token = microsoft.sign(microsoft.claims(iss=f"{microsoft.url}/{OTHER_TENANT}/v2.0", tid=TENANT))
    with pytest.raises(IdTokenInvalid) as refused:
        id_token_validate(provider_get("microsoft"), token, nonce=None)
    assert refused.value.reason == "iss"


@pytest.mark.parametrize("tid", [None, "not-a-tenant", "../x"])
def test_microsoft_token_without_a_valid_tenant_is_refused(microsoft, tid):
    token = microsoft.sign(microsoft.claims(iss=f"{microsoft.url}/{TENANT}/v2.0", tid=tid))
    with pytest.raises(IdTokenInvalid) as refused:
        id_token_validate(provider_get("microsoft"), token, nonce=None)
    assert refused.value.reason == "tid"


def test_microsoft_with_a_tenant_configured_refuses_other_tenants(microsoft, settings):
    settings.SOCIAL_PROVIDERS["microsoft"]["tenant"] = TENANT
    token = microsoft.sign(microsoft.claims(iss=f"{microsoft.url}/{OTHER_TENANT}/v2.0", tid=OTHER_TENANT))
    with pytest.raises(IdTokenInvalid) as refused:
        id_token_validate(provider_get("microsoft"), token, nonce=None)
    assert refused.value.reason == "tid"
    mine = microsoft.sign(microsoft.claims(iss=f"{microsoft.url}/{TENANT}/v2.0", tid=TENANT))
    assert id_token_validate(provider_get("microsoft"), mine, nonce=None)["tid"] == TENANT
