"""Per-request context: the request id (logged, echoed and forwarded to services) and safe headers."""

from __future__ import annotations

import logging
import re
import time

from chassis.context import correlation_id_var, new_id, request_id_var
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("gateway.http")

# A client may pass its own id, but only a short plain one: it ends up in logs and other services.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

PORTAL_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def _clean(value: str | None) -> str | None:
    return value if value and _SAFE_ID.match(value) else None


class RequestContextMiddleware:
    """Set request and correlation ids for the request, log one line per request, add headers.

    A plain ASGI middleware (not BaseHTTPMiddleware), so the context variables it sets are seen by
    the endpoint and by `chassis.grpc_client.call_metadata`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = _clean(headers.get("x-request-id")) or new_id()
        correlation_id = _clean(headers.get("x-correlation-id")) or request_id
        tokens = (request_id_var.set(request_id), correlation_id_var.set(correlation_id))
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
                if not path.startswith("/static/"):
                    # Marks and names are personal data: no shared or browser caches.
                    out["Cache-Control"] = "no-store"
                if not path.startswith("/api/"):
                    out["X-Frame-Options"] = "DENY"
                    out.setdefault("Content-Security-Policy", PORTAL_CSP)
            await send(message)

        try:
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
