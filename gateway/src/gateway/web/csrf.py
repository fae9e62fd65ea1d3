"""The portal's CSRF protection: a per-session token in every form, checked on every portal POST.

The token is an HMAC of the session id under the session secret, so it needs no storage, changes at
login (the session id is rotated then) and cannot be computed by another site, which never sees the
session id (it lives only in the signed HttpOnly cookie). SameSite=Lax already keeps the cookie off
cross-site POSTs in current browsers; the token is the second, browser-independent lock.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from chassis.errors import PermissionDenied
from fastapi import Depends, Request

from gateway.auth.portal import require_session
from gateway.auth.session import Session
from gateway.runtime import get_runtime

FIELD = "csrf_token"


class CsrfRefused(PermissionDenied):
    """A portal form came without this session's token (another site, or a page from an old session)."""

    def __init__(self) -> None:
        super().__init__(
            "Форма устарела или отправлена не со страницы журнала. Откройте страницу заново и повторите.",
            code="csrf_token_invalid",
        )


def csrf_token(request: Request, session: Session) -> str:
    """Return the CSRF token of this session, to put into a form as the hidden field `csrf_token`."""
    secret = get_runtime(request).settings.session_secret.get_secret_value()
    message = f"csrf:{session.session_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


async def checked_session(request: Request) -> Session:
    """Return the logged-in session of a portal POST whose form carries this session's token."""
    session = await require_session(request)
    form = await request.form()
    sent = form.get(FIELD)
    expected = csrf_token(request, session)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()
    return session


# Every portal POST route takes its session through this (a test walks the routes to make sure).
CsrfSession = Annotated[Session, Depends(checked_session)]
