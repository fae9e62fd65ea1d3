"""Login with authorization code + PKCE, the callback, and logout."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets

from chassis.errors import Unauthenticated
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from gateway.auth.oidc import LoginFailed, TokenRefused
from gateway.auth.pkce import code_challenge, new_code_verifier, new_nonce
from gateway.auth.portal import apply_tokens, clear_session_cookie, current_session, set_session_cookie
from gateway.auth.session import (
    LOGIN_COOKIE_NAME,
    LOGIN_COOKIE_PATH,
    MAX_NEXT_URL,
    LoginCookie,
    PendingLogin,
    Session,
)
from gateway.errors import handle_domain_error
from gateway.runtime import Runtime, get_runtime
from gateway.web.csrf import CsrfRefused

log = logging.getLogger(__name__)

router = APIRouter()

# Our `state` is secrets.token_urlsafe(32); a code is printable ASCII (RFC 6749 VSCHAR), Keycloak's
# are uuid-like. Anything else is not an answer to our request and must not reach a comparison or
# the token endpoint (a non-ASCII state used to be a 500).
STATE_FORM = re.compile(r"[A-Za-z0-9_-]{1,128}")
CODE_FORM = re.compile(r"[\x21-\x7e]{1,2048}")


LOGOUT_FIELD = "logout_token"
"""The logout form's CSRF field: its own name and value, so that pages without a form of their own
stay free of `csrf_token` (the header's «Выйти» is on every page)."""


def logout_token(request: Request, session: Session) -> str:
    """Return the session's logout token: HMAC-SHA256 of the session id under the session secret."""
    secret = get_runtime(request).settings.session_secret.get_secret_value()
    return hmac.new(secret.encode(), f"logout:{session.session_id}".encode(), hashlib.sha256).hexdigest()


def safe_next(target: str | None) -> str:
    """Return a local path to go to after login; anything else (another site) becomes `/`."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _login_cookie(runtime: Runtime) -> LoginCookie:
    return LoginCookie(runtime.settings.session_secret.get_secret_value(), secure=runtime.cookie.secure)


@router.get("/login")
async def login(request: Request, next: str | None = None) -> RedirectResponse:
    """Send the browser to Keycloak with a fresh state, nonce and PKCE challenge.

    Nothing is stored on the server for an anonymous visitor: the pending login goes into the
    browser's own signed cookie, next to at most two other pending logins of the same browser.
    """
    runtime = get_runtime(request)
    cookie = _login_cookie(runtime)
    verifier = new_code_verifier()
    target = safe_next(next)
    pending = PendingLogin(
        state=new_nonce(),
        nonce=new_nonce(),
        code_verifier=verifier,
        next_url=target if len(target) <= MAX_NEXT_URL else "/",
    )
    url = runtime.oidc.authorization_url(
        state=pending.state, nonce=pending.nonce, code_challenge=code_challenge(verifier)
    )
    others = cookie.load(request.cookies.get(LOGIN_COOKIE_NAME))
    response = RedirectResponse(url, status_code=303)
    _set_login_cookie(response, cookie, [pending, *others])
    return response


def _set_login_cookie(response: Response, cookie: LoginCookie, logins: list[PendingLogin]) -> None:
    if not logins:
        response.delete_cookie(
            LOGIN_COOKIE_NAME, path=LOGIN_COOKIE_PATH, httponly=True, samesite="lax", secure=cookie.secure
        )
        return
    response.set_cookie(
        LOGIN_COOKIE_NAME,
        cookie.dump(logins),
        max_age=cookie.max_age,
        path=LOGIN_COOKIE_PATH,
        httponly=True,
        samesite="lax",  # Keycloak's redirect back is a top-level GET: the cookie goes with it
        secure=cookie.secure,
    )


def _take_pending(logins: list[PendingLogin], state: str | None) -> PendingLogin | None:
    if not state or not STATE_FORM.fullmatch(state):
        return None
    for login in logins:
        if secrets.compare_digest(state.encode(), login.state.encode()):
            return login
    return None


@router.get("/auth/callback")
async def callback(
    request: Request,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> Response:
    """Finish the login: check the state, trade the code, check the nonce and the access token."""
    runtime = get_runtime(request)
    cookie = _login_cookie(runtime)
    logins = cookie.load(request.cookies.get(LOGIN_COOKIE_NAME))
    pending = _take_pending(logins, state)
    if pending is None:
        raise LoginFailed(
            "Вход не удался: ответ сервиса входа не относится к этому сеансу. Попробуйте войти ещё раз.",
            code="login_state_mismatch",
        )
    # A state is good for one answer only: whatever the outcome, it leaves the browser's cookie.
    rest = [login for login in logins if login is not pending]
    try:
        response: Response = await _finish_login(request, runtime, pending, code=code, error=error)
    except LoginFailed as failed:
        response = await handle_domain_error(request, failed)
    _set_login_cookie(response, cookie, rest)
    return response


async def _finish_login(
    request: Request,
    runtime: Runtime,
    pending: PendingLogin,
    *,
    code: str | None,
    error: str | None,
) -> RedirectResponse:
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
    previous = current_session(request, runtime)
    if previous is not None:
        runtime.sessions.delete(previous.session_id)
    # A new id for the logged-in session (never one the browser brought: no session fixation).
    session = runtime.sessions.create(principal.subject)
    apply_tokens(session, tokens, principal, claims)
    response = RedirectResponse(pending.next_url, status_code=303)
    set_session_cookie(response, runtime, session)
    return response


@router.post("/logout")
async def logout(request: Request) -> RedirectResponse:
    """End the session here and at Keycloak: a POST from the portal's own form, with its CSRF token.

    A GET is 405 (a link or an image on another site cannot log anybody out). Without a live session
    there is nothing to protect: the cookie is cleared and the browser goes home.
    """
    runtime = get_runtime(request)
    session = current_session(request, runtime)
    if session is None or not session.authenticated:
        response = RedirectResponse("/", status_code=303)
        clear_session_cookie(response, runtime)
        return response
    form = await request.form()
    sent = form.get(LOGOUT_FIELD)
    expected = logout_token(request, session)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()
    runtime.sessions.delete(session.session_id)
    url = runtime.oidc.logout_url(
        id_token_hint=session.id_token, post_logout_redirect_uri=f"{runtime.settings.base_url}/"
    )
    response = RedirectResponse(url, status_code=303)
    clear_session_cookie(response, runtime)
    return response
