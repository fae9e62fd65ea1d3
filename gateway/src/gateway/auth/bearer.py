"""Bearer authentication of the REST API: the token is verified here, before any service call."""

from __future__ import annotations

from typing import Annotated

from chassis.auth import JwtVerifier, Principal
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
    verifier: JwtVerifier = request.app.state.runtime.verifier
    return await verifier.verify(credentials.credentials)


Caller = Annotated[Principal, Depends(require_principal)]
