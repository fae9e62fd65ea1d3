"""Test helpers: a local token issuer for service-level tests (end-to-end tests use real Keycloak)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from chassis.auth import JwtVerifier, Principal

TEST_ISSUER = "http://issuer.test/realms/ejournal"
TEST_AUDIENCE = "ejournal-api"


class LocalIssuer:
    """Sign RS256 tokens like Keycloak does and serve the matching JWKS to a JwtVerifier."""

    def __init__(self, issuer: str = TEST_ISSUER, audience: str = TEST_AUDIENCE) -> None:
        self.issuer = issuer
        self.audience = audience
        self.kid = uuid.uuid4().hex
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        """Return the public key set."""
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        public.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [public]}

    def token(
        self,
        subject: str | None = None,
        roles: tuple[str, ...] = (),
        *,
        lifetime: int = 300,
        audience: str | None = None,
        issuer: str | None = None,
    ) -> str:
        """Return a signed access token for a subject with realm roles."""
        now = int(time.time())
        claims = {
            "sub": subject or str(uuid.uuid4()),
            "iss": issuer or self.issuer,
            "aud": audience or self.audience,
            "iat": now,
            "exp": now + lifetime,
            "azp": "ejournal-cli",
            "realm_access": {"roles": list(roles)},
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def principal(self, subject: str | None = None, roles: tuple[str, ...] = ()) -> Principal:
        """Return a principal as the verifier would build it from a token."""
        subject = subject or str(uuid.uuid4())
        return Principal(subject=subject, roles=frozenset(roles), token=self.token(subject, roles))

    def verifier(self) -> JwtVerifier:
        """Return a verifier that fetches this issuer's JWKS through an in-process transport."""
        jwks = self.jwks()

        def handle(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json=jwks)

        client = httpx.AsyncClient(transport=httpx.MockTransport(handle))
        return JwtVerifier(self.issuer, self.audience, http=client)


async def eventually(predicate: Callable[[], Awaitable[Any]], within: float = 10.0) -> Any:
    """Poll an async predicate until it returns something truthy; fail after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = await predicate()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.05)
