"""What every request goes through first: its ids and safe headers, a body size cap, no control characters."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from urllib.parse import parse_qsl

from chassis.context import correlation_id_var, new_id, request_id_var
from chassis.errors import InvalidArgument, PayloadTooLarge
from chassis.idempotency_keys import IdempotencyKeyInvalid, idempotency_key_var, require_key
from chassis.validation import InvalidText, has_forbidden_control
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import answer_before_routing
from gateway.resources.common import INVALID_TEXT

log = logging.getLogger("gateway.http")

# A client may pass its own id, but only a short plain one: it ends up in logs and other services.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

PORTAL_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
"""JSON answers load nothing and are never framed (the API docs page sets its own, see gateway.docs)."""
HSTS = "max-age=31536000; includeSubDomains"


# The methods whose `Idempotency-Key` is forwarded to the services (reads need none).
_KEYED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _clean(value: str | None) -> str | None:
    return value if value and _SAFE_ID.match(value) else None


class RequestContextMiddleware:
    """Set request and correlation ids for the request, log one line per request, add headers.

    Security headers go on every answer, errors and static files included: a Content-Security-Policy
    without inline script, nosniff, no referrer, no framing, and HSTS when the request came over TLS
    (`X-Forwarded-Proto: https` counts only from `trusted_proxies`).

    A plain ASGI middleware (not BaseHTTPMiddleware), so the context variables it sets are seen by
    the endpoint and by `chassis.grpc_client.call_metadata`.
    """

    def __init__(self, app: ASGIApp, *, trusted_proxies: Sequence[str] = ()) -> None:
        self.app = app
        self.trusted_proxies = frozenset(trusted_proxies)

    def _over_tls(self, scope: Scope, headers: Headers) -> bool:
        """Tell whether the browser reached us over TLS: directly, or through a proxy we trust."""
        if scope.get("scheme") == "https":
            return True
        client = scope.get("client")
        proxied = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        return proxied == "https" and client is not None and client[0] in self.trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        over_tls = self._over_tls(scope, headers)
        request_id = _clean(headers.get("x-request-id")) or new_id()
        correlation_id = _clean(headers.get("x-correlation-id")) or request_id
        tokens = (request_id_var.set(request_id), correlation_id_var.set(correlation_id))
        # A write's Idempotency-Key goes with every call the request makes (`gateway.clients.call`).
        key = headers.get("idempotency-key") if scope.get("method") in _KEYED_METHODS else None
        key_token = idempotency_key_var.set(key)
        path: str = scope.get("path", "")
        status = 500
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                out = MutableHeaders(scope=message)
                out["X-Request-Id"] = request_id
                out["X-Content-Type-Options"] = "nosniff"
                out["Referrer-Policy"] = "no-referrer"
                out["X-Frame-Options"] = "DENY"
                out["Cross-Origin-Opener-Policy"] = "same-origin"
                out["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
                if over_tls:
                    out["Strict-Transport-Security"] = HSTS
                if not path.startswith("/static/"):
                    # Marks and names are personal data: no shared or browser caches.
                    out["Cache-Control"] = "no-store"
                # Every answer has a policy; a page that needs another one (the API docs) sets its own.
                out.setdefault("Content-Security-Policy", API_CSP if path.startswith("/api/") else PORTAL_CSP)
            await send(message)

        try:
            if key is not None:
                try:
                    require_key(key)
                except IdempotencyKeyInvalid as bad_key:
                    await answer_before_routing(scope, receive, send_with_headers, bad_key)
                    return
            await self.app(scope, receive, send_with_headers)
        finally:
            log.info(
                "http",
                extra={
                    "method": scope.get("method", ""),
                    "path": path,
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_id_var.reset(tokens[0])
            correlation_id_var.reset(tokens[1])
            idempotency_key_var.reset(key_token)


def _size(limit: int) -> str:
    """Return a byte count as a Russian reader expects it: «1 МБ», «512 КБ», «100 байт»."""
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} МБ"
    if limit % 1024 == 0:
        return f"{limit // 1024} КБ"
    return f"{limit} байт"


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # the server refuses such a request; if not, the streamed bytes are counted


class BodySizeLimit:
    """Refuse a request body larger than `max_bytes` with 413 `payload_too_large`, without reading it.

    A declared Content-Length over the limit is answered at once, before a byte of the body is read;
    a body without one (chunked) is counted as it streams and cut off as soon as it passes the limit.
    A plain ASGI middleware: BaseHTTPMiddleware would read the body first. `wider` names the few paths
    (a full match) that take a larger body, each with its own limit: the year's XLSX upload.
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, wider: Sequence[tuple[re.Pattern[str], int]] = ()
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.wider = tuple(wider)

    def _limit(self, scope: Scope) -> int:
        path: str = scope.get("path", "")
        return next((limit for pattern, limit in self.wider if pattern.fullmatch(path)), self.max_bytes)

    def _error(self, limit: int) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"Запрос слишком большой: тело запроса должно быть не больше {_size(limit)}",
            code="payload_too_large",
        )

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        # The rest of the body stays unread, so the connection cannot carry another request.
        await answer_before_routing(scope, receive, send, self._error(limit), headers={"Connection": "close"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise self._error(limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # whatever the app made of the cut-off body, the answer is the 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(scope, receive, send, limit)


class RefuseControlCharacters:
    """Answer 400 `invalid_text` when the path or a query parameter holds NUL or another control character.

    Checked before routing, so no page, API route or static file ever sees such text (JSON bodies are
    checked by `gateway.resources.common.RequestBody`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if has_forbidden_control(scope.get("path", "")):
                refused = InvalidArgument(
                    "Адрес запроса содержит недопустимый управляющий символ", code=INVALID_TEXT
                )
                await answer_before_routing(scope, receive, send, refused)
                return
            query = scope.get("query_string", b"").decode("latin-1")
            for name, value in parse_qsl(query, keep_blank_values=True):
                if has_forbidden_control(name) or has_forbidden_control(value):
                    field = "параметр запроса" if has_forbidden_control(name) else name
                    await answer_before_routing(scope, receive, send, InvalidText(field), fields=[field])
                    return
        await self.app(scope, receive, send)
