"""Login with authorization code + PKCE, the callback, and logout."""

from __future__ import annotations

import logging
import re
import secrets

from chassis.errors import Unauthenticated
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from gateway.auth.oidc import LoginFailed, TokenRefused
from gateway.auth.pkce import code_challenge, new_code_verifier, new_nonce
from gateway.auth.portal import apply_tokens, clear_session_cookie, current_session, set_session_cookie
from gateway.auth.session import PendingLogin
from gateway.runtime import get_runtime

log = logging.getLogger(__name__)

router = APIRouter()

# Our `state` is secrets.token_urlsafe(32); a code is printable ASCII (RFC 6749 VSCHAR), Keycloak's
# are uuid-like. Anything else is not an answer to our request and must not reach a comparison or
# the token endpoint (a non-ASCII state used to be a 500).
STATE_FORM = re.compile(r"[A-Za-z0-9_-]{1,128}")
CODE_FORM = re.compile(r"[\x21-\x7e]{1,2048}")


def safe_next(target: str | None) -> str:
    """Return a local path to go to after login; anything else (another site) becomes `/`."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


@router.get("/login")
async def login(request: Request, next: str | None = None) -> RedirectResponse:
    """Send the browser to Keycloak with a fresh state, nonce and PKCE challenge."""
    runtime = get_runtime(request)
    session = current_session(request, runtime) or runtime.sessions.create()
    verifier = new_code_verifier()
    session.login = PendingLogin(
        state=new_nonce(), nonce=new_nonce(), code_verifier=verifier, next_url=safe_next(next)
    )
    url = runtime.oidc.authorization_url(
        state=session.login.state, nonce=session.login.nonce, code_challenge=code_challenge(verifier)
    )
    response = RedirectResponse(url, status_code=303)
    set_session_cookie(response, runtime, session)
    return response


@router.get("/auth/callback")
async def callback(
    request: Request,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> RedirectResponse:
    """Finish the login: check the state, trade the code, check the nonce and the access token."""
    runtime = get_runtime(request)
    session = current_session(request, runtime)
    pending = session.login if session else None
    if (
        session is None
        or pending is None
        or not state
        or not STATE_FORM.fullmatch(state)
        or not secrets.compare_digest(state.encode(), pending.state.encode())
    ):
        raise LoginFailed(
            "Вход не удался: ответ сервиса входа не относится к этому сеансу. Попробуйте войти ещё раз.",
            code="login_state_mismatch",
        )
    session.login = None  # a state is good for one answer only
    if error or not code:
        log.info("login refused by the identity provider", extra={"oidc_error": error or "no_code"})
        raise LoginFailed("Вход не выполнен. Попробуйте войти ещё раз.")
    if not CODE_FORM.fullmatch(code):
        log.info("malformed authorization code on the callback")
        raise LoginFailed(
            "Вход не выполнен: сервис входа вернул повреждённый код. Попробуйте войти ещё раз.",
            code="login_code_invalid",
        )
    try:
        tokens = await runtime.oidc.exchange_code(code=code, code_verifier=pending.code_verifier)
    except TokenRefused:
        raise LoginFailed("Код входа устарел или уже использован. Попробуйте войти ещё раз.") from None
    claims = runtime.oidc.id_token_claims(tokens.id_token, nonce=pending.nonce)
    try:
        principal = await runtime.verifier.verify(tokens.access_token)
    except Unauthenticated as exc:
        # Not a 401: that would send the browser back to Keycloak and around in a loop.
        log.warning("access token from the login was rejected", extra={"reason": exc.code})
        raise LoginFailed("Сервис входа выдал недействительный токен. Сообщите администратору.") from None
    session = runtime.sessions.rotate(session)
    apply_tokens(session, tokens, principal, claims)
    response = RedirectResponse(pending.next_url, status_code=303)
    set_session_cookie(response, runtime, session)
    return response


@router.api_route("/logout", methods=["GET", "POST"])
async def logout(request: Request) -> RedirectResponse:
    """Forget the session and end the Keycloak session too."""
    runtime = get_runtime(request)
    session = current_session(request, runtime)
    id_token = session.id_token if session else ""
    if session is not None:
        runtime.sessions.delete(session.session_id)
    url = runtime.oidc.logout_url(
        id_token_hint=id_token, post_logout_redirect_uri=f"{runtime.settings.base_url}/"
    )
    response = RedirectResponse(url, status_code=303)
    clear_session_cookie(response, runtime)
    return response
