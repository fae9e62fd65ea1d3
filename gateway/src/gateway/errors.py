"""Every failure becomes one answer: JSON `{"error": {code, message}}` (API) or a Russian page (portal).

The gRPC status → HTTP status table lives in `chassis.grpc_errors.http_status_for`; this module only
chooses the words. A message from a service is shown only when the service marked the error as its
own (the error-code trailer) and the status is not 500; anything else gets a generic Russian text,
so the internals of a failure never reach a client.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import grpc
from chassis.context import request_id_var
from chassis.errors import DomainError
from chassis.grpc_client import error_code_of
from chassis.grpc_errors import ERROR_CODE_KEY, http_status_for, http_status_of
from chassis.validation import InvalidText
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from gateway.auth.portal import current_session
from gateway.auth.session import Session
from gateway.resources.common import INVALID_TEXT

log = logging.getLogger(__name__)

INTERNAL_CODE = "internal"

GENERIC_MESSAGES: dict[int, str] = {
    400: "Запрос содержит ошибку",
    401: "Требуется вход в систему",
    403: "Недостаточно прав для этого действия",
    404: "Не найдено",
    405: "Этот метод здесь не поддерживается",
    409: "Действие сейчас невозможно",
    413: "Запрос слишком большой",
    429: "Слишком много запросов, попробуйте позже",
    501: "Действие пока не поддерживается",
    503: "Сервис временно недоступен, попробуйте позже",
    504: "Сервис не ответил вовремя, попробуйте позже",
}

STATUS_CODES: dict[int, str] = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    429: "too_many_requests",
    501: "unimplemented",
    503: "unavailable",
    504: "deadline_exceeded",
}


def internal_message() -> str:
    """Return the text of a 500: nothing about the cause, the request id to quote to the admin."""
    rid = request_id_var.get()
    suffix = f" Если ошибка повторяется, сообщите администратору номер запроса {rid}." if rid else ""
    return "Внутренняя ошибка, попробуйте позже." + suffix


def generic_message(status: int) -> str:
    """Return a Russian message for a status when there is nothing better to say."""
    if status >= 500 and status not in GENERIC_MESSAGES:
        return internal_message()
    return GENERIC_MESSAGES.get(status, "Запрос не выполнен")


def is_api_request(request: Request) -> bool:
    """Return True for the JSON API and /healthz; everything else is a portal page."""
    path = request.url.path
    return path.startswith("/api/") or path in {"/api", "/healthz"}


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    *,
    fields: list[str] | None = None,
) -> Response:
    """Return the error as JSON (API) or as a Russian page (portal; 401 sends the browser to login)."""
    if is_api_request(request):
        error: dict[str, Any] = {"code": code, "message": message}
        if fields is not None:
            error["fields"] = fields
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"error": error}, status_code=status, headers=headers)
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "error.html",
        {
            "session": _logged_in(request),
            "status": status,
            "code": code,
            "message": message,
            "request_id": request_id_var.get(),
        },
        status_code=status,
    )


def _logged_in(request: Request) -> Session | None:
    """Return the caller's logged-in session, so an error page keeps its header (name, «Выйти»)."""
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None:
        return None
    session = current_session(request, runtime)
    return session if session is not None and session.authenticated else None


def _has_service_code(error: grpc.aio.AioRpcError) -> bool:
    return any(key == ERROR_CODE_KEY for key, _ in error.trailing_metadata() or ())


async def answer_before_routing(
    scope: Scope,
    receive: Receive,
    send: Send,
    error: DomainError,
    *,
    fields: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer from an ASGI middleware exactly as a handler would: JSON for the API, a page elsewhere."""
    # A page resolves url_for('static') through the router, which routing would have put in the scope.
    scope = {**scope, "router": scope["app"].router}
    request = Request(scope, receive)
    response = error_response(request, http_status_of(error), error.code, error.message, fields=fields)
    response.headers.update(headers or {})
    await response(scope, receive, send)


async def handle_rpc_error(request: Request, exc: Exception) -> Response:
    """Map a failed downstream call to the HTTP status of its gRPC code."""
    assert isinstance(exc, grpc.aio.AioRpcError)
    status = http_status_for(exc.code())
    if status >= 500:
        log.warning(
            "downstream call failed",
            extra={"grpc_status": exc.code().name, "grpc_details": exc.details(), "status": status},
        )
    if status == 500:
        return error_response(request, 500, INTERNAL_CODE, internal_message())
    if _has_service_code(exc):
        code = error_code_of(exc)
        message = exc.details() or generic_message(status)
    else:
        # Raised by the gRPC library itself (service down, deadline): its details are not for users.
        code = STATUS_CODES.get(status, str(exc.code().name).lower())
        message = generic_message(status)
    return error_response(request, status, code, message)


async def handle_domain_error(request: Request, exc: Exception) -> Response:
    """Map a DomainError raised in the gateway itself to its own status."""
    assert isinstance(exc, DomainError)
    return error_response(request, http_status_of(exc), exc.code, exc.message)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc[1:]] if len(loc) > 1 else [str(p) for p in loc]
    return ".".join(parts)


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    """Answer a malformed request (bad JSON, wrong types, bad dates or ids) with 400 and the fields."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    text = next((e for e in errors if e.get("type") == INVALID_TEXT), None)
    if text is not None:
        field = str((text.get("ctx") or {}).get("field") or _field_name(text.get("loc", ())))
        refused = InvalidText(field)
        return error_response(request, 400, refused.code, refused.message, fields=[field])
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(
            request, 400, "invalid_request", "Тело запроса не является корректным JSON", fields=["body"]
        )
    fields = list(dict.fromkeys(_field_name(e.get("loc", ())) for e in errors))
    message = "Проверьте поля запроса: " + ", ".join(fields) if fields else GENERIC_MESSAGES[400]
    return error_response(request, 400, "invalid_request", message, fields=fields)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Answer routing errors (unknown path, wrong method) in the same format."""
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 404:
        message = "Страница не найдена" if not is_api_request(request) else "Такого адреса в API нет"
    else:
        message = generic_message(status)
    return error_response(request, status, STATUS_CODES.get(status, "http_error"), message)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """Answer a bug with a generic 500; the details go to the log only."""
    log.error("unhandled error", exc_info=exc)
    return error_response(request, 500, INTERNAL_CODE, internal_message())


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(grpc.aio.AioRpcError, handle_rpc_error)
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(Exception, handle_unexpected)
