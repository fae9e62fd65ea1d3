"""The gateway remembers verified tokens (chassis.auth.VerifiedTokens), but never a tampered copy."""

from __future__ import annotations

import uuid

import httpx
from chassis.testing import LocalIssuer


async def test_a_tampered_copy_of_a_remembered_token_is_refused(
    client: httpx.AsyncClient, issuer: LocalIssuer
) -> None:
    token = issuer.token(str(uuid.uuid4()), ("teacher",))
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 200
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    reply = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "token_invalid"
    again = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 200
