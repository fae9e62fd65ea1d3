"""Bearer authentication of the REST API: the token is verified here, before any service call.

A client sends the same access token with every request until it expires, so the gateway keeps the
principal of each token it has verified for a short while (`VerifiedTokens`): the RS256 check and
PyJWT's parsing cost far more than the rest of a request like GET /api/v1/me. A remembered token is
taken only while the verifier itself would still take it (its expiry, with the same leeway).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from typing import Annotated

from chassis.auth import JwtVerifier, Principal
from chassis.errors import Unauthenticated
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

# auto_error=False: a missing token is answered by our own 401 in the common error format.
bearer_scheme = HTTPBearer(auto_error=False, description="Токен доступа Keycloak (аудитория ejournal-api)")

# The verifier's own leeway on `exp`: a remembered token is taken exactly as long as it would be.
EXPIRY_LEEWAY_SECONDS = 5.0


def _expiry(token: str) -> float | None:
    """Return the `exp` claim of a token the verifier has just accepted, or None if it has none."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        exp = claims.get("exp") if isinstance(claims, dict) else None
    except (IndexError, ValueError, binascii.Error):
        return None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


class VerifiedTokens:
    """Remember the principals of verified tokens until they expire, or `keep_seconds` at most.

    `keep_seconds` bounds how long a token is taken without a new check of its signature (the
    verifier's JWKS refetch cool-down is 30 s); at most `max_entries` tokens are kept, the oldest
    dropped first.
    """

    def __init__(
        self, *, keep_seconds: float = 30.0, max_entries: int = 10_000, clock: Callable[[], float] = time.time
    ) -> None:
        self._keep = keep_seconds
        self._max = max_entries
        self._clock = clock
        self._known: dict[str, tuple[Principal, float, float]] = {}

    async def verify(self, verifier: JwtVerifier, token: str) -> Principal:
        """Return the token's principal: remembered, or verified now (which raises Unauthenticated)."""
        now = self._clock()
        known = self._known.get(token)
        if known is not None:
            principal, expires_at, checked_at = known
            if now <= expires_at + EXPIRY_LEEWAY_SECONDS and now - checked_at < self._keep:
                return principal
            del self._known[token]
        principal = await verifier.verify(token)
        exp = _expiry(token)
        if exp is not None:
            if len(self._known) >= self._max:
                del self._known[next(iter(self._known))]
            self._known[token] = (principal, exp, now)
        return principal


async def require_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """Return the principal of the request's bearer token, or raise Unauthenticated (401)."""
    if credentials is None or not credentials.credentials:
        raise Unauthenticated(
            "Требуется вход в систему: передайте токен в заголовке Authorization: Bearer",
            code="unauthenticated",
        )
    runtime = request.app.state.runtime
    tokens: VerifiedTokens = runtime.tokens
    return await tokens.verify(runtime.verifier, credentials.credentials)


Caller = Annotated[Principal, Depends(require_principal)]
