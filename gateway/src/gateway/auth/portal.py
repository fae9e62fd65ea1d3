"""The portal's session as a dependency: read the cookie, refresh tokens near expiry, or demand a login."""

from __future__ import annotations

import logging
import time
from typing import Annotated, Any

from chassis.auth import Principal
from chassis.errors import Unauthenticated
from fastapi import Depends, Request, Response

from gateway.auth.oidc import TokenRefused, TokenSet
from gateway.auth.session import COOKIE_NAME, Session
from gateway.runtime import Runtime, get_runtime

log = logging.getLogger(__name__)

# Refresh this long before the access token expires, so a page's service calls never carry a dead token.
REFRESH_MARGIN = 30.0


def current_session(request: Request, runtime: Runtime) -> Session | None:
    """Return the live session named by the request's cookie, if any."""
    session_id = runtime.cookie.load(request.cookies.get(COOKIE_NAME))
    return runtime.sessions.get(session_id) if session_id else None


def set_session_cookie(response: Response, runtime: Runtime, session: Session) -> None:
    """Point the browser's cookie at a session."""
    response.set_cookie(
        COOKIE_NAME,
        runtime.cookie.dump(session.session_id),
        max_age=runtime.cookie.max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=runtime.cookie.secure,
    )


def clear_session_cookie(response: Response, runtime: Runtime) -> None:
    """Remove the browser's session cookie."""
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=runtime.cookie.secure)


def apply_tokens(session: Session, tokens: TokenSet, principal: Principal, claims: dict[str, Any]) -> None:
    """Store fresh tokens and who they belong to in the session."""
    now = time.time()
    session.access_token = tokens.access_token
    session.access_expires_at = now + tokens.expires_in
    if tokens.refresh_token:
        session.refresh_token = tokens.refresh_token
        session.refresh_expires_at = now + tokens.refresh_expires_in if tokens.refresh_expires_in else 0.0
    if tokens.id_token:
        session.id_token = tokens.id_token
    session.subject = principal.subject
    session.roles = principal.roles
    name = claims.get("name") or claims.get("preferred_username")
    if name:
        session.display_name = str(name)


async def _refresh(runtime: Runtime, session: Session) -> None:
    async with session.lock:
        # Another request of the same browser may have refreshed while this one waited.
        if session.access_expires_at - time.time() > REFRESH_MARGIN:
            return
        if not session.refresh_token:
            raise TokenRefused("no refresh token")
        tokens = await runtime.oidc.refresh(session.refresh_token)
        principal = await runtime.verifier.verify(tokens.access_token)
        apply_tokens(session, tokens, principal, {})


async def require_session(request: Request) -> Session:
    """Return the logged-in session with a fresh access token, or raise Unauthenticated (→ login)."""
    runtime = get_runtime(request)
    session = current_session(request, runtime)
    if session is None or not session.authenticated:
        raise Unauthenticated("Войдите в систему", code="login_required")
    if session.access_expires_at - time.time() <= REFRESH_MARGIN:
        try:
            await _refresh(runtime, session)
        except (TokenRefused, Unauthenticated):
            log.info("session refresh refused; login required")
            runtime.sessions.delete(session.session_id)
            raise Unauthenticated("Сеанс истёк, войдите снова", code="session_expired") from None
    return session


PortalSession = Annotated[Session, Depends(require_session)]


async def optional_session(request: Request) -> Session | None:
    """Return the logged-in session, refreshed when needed, or None for an anonymous visitor."""
    try:
        return await require_session(request)
    except Unauthenticated:
        return None


MaybeSession = Annotated[Session | None, Depends(optional_session)]
