"""Portal sessions: tokens kept server-side, in memory, under a random id in a signed cookie.

The browser only ever holds the signed session id (HttpOnly, SameSite=Lax); the access, refresh and
ID tokens stay in this process. Sessions are lost on restart and are not shared between replicas:
users log in again (Keycloak's own SSO session usually makes that a redirect without a password).

Only a finished login creates a server-side session. A login in progress (state, nonce, PKCE
verifier) lives in the browser's own signed, short-lived cookie (`LoginCookie`, at most
`MAX_PENDING_LOGINS` per browser), so an anonymous visitor cannot add entries to the store, let
alone push logged-in people out of it. Each person keeps at most `max_per_subject` sessions (their
oldest goes first); the overall cap only ever evicts sessions of people who logged in.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "ejournal_session"
LOGIN_COOKIE_NAME = "ejournal_login"
LOGIN_COOKIE_PATH = "/auth"
"""The pending-login cookie goes only to /auth/callback."""
MAX_PENDING_LOGINS = 3
"""Logins in progress one browser may have at once (tabs sent to the login page together)."""
MAX_NEXT_URL = 512


@dataclass
class PendingLogin:
    """An authorization request sent to Keycloak and not yet answered."""

    state: str
    nonce: str
    code_verifier: str
    next_url: str


@dataclass
class Session:
    """One browser's session: the tokens of a logged-in person."""

    session_id: str
    last_seen: float
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
    """Logged-in sessions by id, dropped after idle time; capped per person and in all."""

    def __init__(
        self,
        *,
        idle_timeout: float = 30 * 60,
        max_sessions: int = 20_000,
        max_per_subject: int = 10,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._idle = idle_timeout
        self._max = max_sessions
        self._per_subject = max_per_subject
        self._clock = clock

    def __len__(self) -> int:
        return len(self._sessions)

    def _expired(self, session: Session, now: float) -> bool:
        if now - session.last_seen > self._idle:
            return True
        return 0 < session.refresh_expires_at < now and session.access_expires_at < now

    def _purge_expired(self, now: float) -> None:
        for session_id in [sid for sid, s in self._sessions.items() if self._expired(s, now)]:
            del self._sessions[session_id]

    def create(self, subject: str) -> Session:
        """Start the session of a person who has just logged in (never for an anonymous visitor)."""
        now = self._clock()
        own = [sid for sid, s in self._sessions.items() if s.subject == subject]
        for session_id in own[: max(0, len(own) - self._per_subject + 1)]:
            del self._sessions[session_id]  # the person's least recently used sessions
        if len(self._sessions) >= self._max:
            self._purge_expired(now)
        while len(self._sessions) >= self._max:
            self._sessions.popitem(last=False)
        session = Session(session_id=secrets.token_urlsafe(32), last_seen=now, subject=subject)
        self._sessions[session.session_id] = session
        return session

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

    def delete(self, session_id: str) -> None:
        """Forget a session."""
        self._sessions.pop(session_id, None)

    def end_sessions_of(self, subjects: Iterable[str]) -> int:
        """Forget every portal session of these people (a password reset, a disabled account): their
        next page goes to the login at once rather than at the portal's next token refresh. Returns how
        many sessions ended."""
        ending = set(subjects)
        gone = [sid for sid, s in self._sessions.items() if s.subject in ending]
        for session_id in gone:
            del self._sessions[session_id]
        return len(gone)


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


class LoginCookie:
    """Sign and read the pending logins of one browser (newest first, at most `MAX_PENDING_LOGINS`)."""

    def __init__(self, secret: str, *, secure: bool, max_age: int = 10 * 60) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="ejournal-portal-login")
        self.secure = secure
        self.max_age = max_age

    def dump(self, logins: list[PendingLogin]) -> str:
        """Return the signed cookie value of these pending logins (the newest `MAX_PENDING_LOGINS`)."""
        return self._serializer.dumps([asdict(login) for login in logins[:MAX_PENDING_LOGINS]])

    def load(self, value: str | None) -> list[PendingLogin]:
        """Return the pending logins of a cookie value; none when it is absent, forged, too old or odd."""
        if not value:
            return []
        try:
            raw = self._serializer.loads(value, max_age=self.max_age)
        except BadSignature:
            return []
        if not isinstance(raw, list):
            return []
        logins: list[PendingLogin] = []
        for item in raw[:MAX_PENDING_LOGINS]:
            if isinstance(item, dict) and all(isinstance(item.get(k), str) for k in _PENDING_FIELDS):
                logins.append(PendingLogin(**{k: item[k] for k in _PENDING_FIELDS}))
        return logins


_PENDING_FIELDS = ("state", "nonce", "code_verifier", "next_url")
