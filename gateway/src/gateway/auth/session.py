"""Portal sessions: tokens kept server-side, in memory, under a random id in a signed cookie.

The browser only ever holds the signed session id (HttpOnly, SameSite=Lax); the access, refresh and
ID tokens stay in this process. Sessions are lost on restart and are not shared between replicas:
users log in again (Keycloak's own SSO session usually makes that a redirect without a password).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "ejournal_session"


@dataclass
class PendingLogin:
    """An authorization request sent to Keycloak and not yet answered."""

    state: str
    nonce: str
    code_verifier: str
    next_url: str


@dataclass
class Session:
    """One browser's session: a login in progress, or the tokens of a logged-in person."""

    session_id: str
    last_seen: float
    login: PendingLogin | None = None
    subject: str = ""
    roles: frozenset[str] = frozenset()
    display_name: str = ""
    access_token: str = field(default="", repr=False)
    access_expires_at: float = 0.0
    refresh_token: str = field(default="", repr=False)
    refresh_expires_at: float = 0.0
    id_token: str = field(default="", repr=False)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @property
    def authenticated(self) -> bool:
        """Return True once the login finished and tokens are held."""
        return bool(self.access_token)


class SessionStore:
    """Sessions by id, dropped after idle time, with a cap so that anonymous logins cannot fill memory."""

    def __init__(
        self,
        *,
        idle_timeout: float = 30 * 60,
        login_timeout: float = 10 * 60,
        max_sessions: int = 20_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._idle = idle_timeout
        self._login_timeout = login_timeout
        self._max = max_sessions
        self._clock = clock

    def __len__(self) -> int:
        return len(self._sessions)

    def _expired(self, session: Session, now: float) -> bool:
        limit = self._idle if session.authenticated else self._login_timeout
        if now - session.last_seen > limit:
            return True
        return (
            session.authenticated and 0 < session.refresh_expires_at < now and session.access_expires_at < now
        )

    def _add(self, session: Session) -> Session:
        self._sessions[session.session_id] = session
        while len(self._sessions) > self._max:
            self._sessions.popitem(last=False)
        return session

    def create(self) -> Session:
        """Start a new, anonymous session."""
        return self._add(Session(session_id=secrets.token_urlsafe(32), last_seen=self._clock()))

    def get(self, session_id: str) -> Session | None:
        """Return a live session and mark it used, or None."""
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = self._clock()
        if self._expired(session, now):
            del self._sessions[session_id]
            return None
        session.last_seen = now
        self._sessions.move_to_end(session_id)
        return session

    def rotate(self, session: Session) -> Session:
        """Give the session a new id (after login, against session fixation) and return it."""
        self._sessions.pop(session.session_id, None)
        session.session_id = secrets.token_urlsafe(32)
        session.last_seen = self._clock()
        return self._add(session)

    def delete(self, session_id: str) -> None:
        """Forget a session."""
        self._sessions.pop(session_id, None)


class SessionCookie:
    """Sign and read the session id cookie."""

    def __init__(self, secret: str, *, secure: bool, max_age: int = 10 * 60 * 60) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="ejournal-portal-session")
        self.secure = secure
        self.max_age = max_age

    def dump(self, session_id: str) -> str:
        """Return the signed cookie value of a session id."""
        return self._serializer.dumps(session_id)

    def load(self, value: str | None) -> str | None:
        """Return the session id of a cookie value, or None when it is absent, forged or too old."""
        if not value:
            return None
        try:
            session_id = self._serializer.loads(value, max_age=self.max_age)
        except BadSignature:
            return None
        return session_id if isinstance(session_id, str) else None
