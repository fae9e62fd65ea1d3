"""Token verification: pinned algorithm, exact issuer and audience, expiry, key rotation."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from chassis.auth import JwtVerifier
from chassis.errors import ServiceUnavailable, Unauthenticated
from chassis.testing import LocalIssuer


@pytest.fixture
def issuer() -> LocalIssuer:
    return LocalIssuer()


async def test_valid_token_gives_principal_with_roles(issuer: LocalIssuer) -> None:
    principal = await issuer.verifier().verify(issuer.token("abc", ("teacher", "class_teacher")))
    assert principal.subject == "abc"
    assert principal.roles == {"teacher", "class_teacher"}
    assert principal.has_any("teacher") and not principal.is_service


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"lifetime": -60}, "token_expired"),
        ({"audience": "account"}, "token_invalid"),
        ({"issuer": "http://127.0.0.1:1/realms/other"}, "token_invalid"),
    ],
)
async def test_bad_tokens_are_refused(issuer: LocalIssuer, kwargs: dict, code: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(Unauthenticated) as caught:
        await issuer.verifier().verify(issuer.token("abc", **kwargs))
    assert caught.value.code == code


async def test_symmetric_and_unsigned_tokens_are_refused(issuer: LocalIssuer) -> None:
    claims = {"sub": "x", "iss": issuer.issuer, "aud": issuer.audience, "exp": int(time.time()) + 60}
    verifier = issuer.verifier()
    for token in (
        jwt.encode(claims, "secret-secret-secret-secret-secret", algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
        "not-a-token",
    ):
        with pytest.raises(Unauthenticated):
            await verifier.verify(token)


async def test_token_from_another_key_is_refused(issuer: LocalIssuer) -> None:
    forger = LocalIssuer(issuer.issuer, issuer.audience)
    forger.kid = issuer.kid
    with pytest.raises(Unauthenticated):
        await issuer.verifier().verify(forger.token("abc"))


async def test_unknown_kid_refetches_at_most_once_per_cooldown(issuer: LocalIssuer) -> None:
    fetches = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal fetches
        fetches += 1
        return httpx.Response(200, json=issuer.jwks())

    verifier = JwtVerifier(
        issuer.issuer, issuer.audience, http=httpx.AsyncClient(transport=httpx.MockTransport(handle))
    )
    await verifier.verify(issuer.token("a"))
    stranger = LocalIssuer(issuer.issuer, issuer.audience)
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            await verifier.verify(stranger.token("a"))
    assert fetches == 1, "unknown kids inside the cooldown do not hammer Keycloak"


async def test_unreachable_keycloak_is_unavailable_not_unauthenticated(issuer: LocalIssuer) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    verifier = JwtVerifier(
        issuer.issuer, issuer.audience, http=httpx.AsyncClient(transport=httpx.MockTransport(handle))
    )
    with pytest.raises(ServiceUnavailable):
        await verifier.verify(issuer.token("a"))
