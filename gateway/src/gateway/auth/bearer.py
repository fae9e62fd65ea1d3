"""Bearer authentication of the REST API: the token is verified here, before any service call.

A client sends the same access token with every request until it expires, so the gateway keeps the
principal of each token it has verified for a short while (`chassis.auth.VerifiedTokens`, which the
services' gRPC interceptor uses too).
"""

from __future__ import annotations

from typing import Annotated

from chassis.auth import Principal, VerifiedTokens
from chassis.errors import Unauthenticated
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

# auto_error=False: a missing token is answered by our own 401 in the common error format.
bearer_scheme = HTTPBearer(auto_error=False, description="Токен доступа Keycloak (аудитория ejournal-api)")


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

__all__ = ["Caller", "VerifiedTokens", "bearer_scheme", "require_principal"]
