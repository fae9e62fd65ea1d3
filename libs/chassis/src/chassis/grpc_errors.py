"""Where a DomainError becomes a gRPC status, and a gRPC status an HTTP status: one table each."""

from __future__ import annotations

import asyncio
import errno

import grpc

from chassis.errors import DomainError, ErrorKind

ERROR_CODE_KEY = "ejournal-error-code"

STATUS_OF_KIND: dict[ErrorKind, grpc.StatusCode] = {
    ErrorKind.INVALID_ARGUMENT: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    ErrorKind.ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    ErrorKind.PERMISSION_DENIED: grpc.StatusCode.PERMISSION_DENIED,
    ErrorKind.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED,
    ErrorKind.FAILED_PRECONDITION: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.CONFLICT: grpc.StatusCode.ABORTED,
    ErrorKind.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
    ErrorKind.TOO_LARGE: grpc.StatusCode.RESOURCE_EXHAUSTED,
}

# FAILED_PRECONDITION is 409: the request was valid, the state is not.
GRPC_TO_HTTP: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}


def grpc_status_of(error: DomainError) -> grpc.StatusCode:
    """Return the gRPC status a DomainError travels with."""
    return STATUS_OF_KIND[error.kind]


def http_status_for(code: grpc.StatusCode) -> int:
    """Return the HTTP status for a gRPC status code; anything unknown is 500."""
    return GRPC_TO_HTTP.get(code, 500)


def http_status_of(error: DomainError) -> int:
    """Return the HTTP status of a DomainError (through its gRPC status: one table)."""
    if error.kind is ErrorKind.TOO_LARGE:
        return 413
    return http_status_for(grpc_status_of(error))


# Names of driver and pool errors that mean "the database or the broker is not there right now",
# matched by class name along the exception chain so that the chassis imports no driver here.
_OUTAGE_CLASS_NAMES = frozenset(
    {
        # asyncpg
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "ConnectionFailureError",
        "AdminShutdownError",
        "CrashShutdownError",
        "ServerNotReadyError",
        "ConnectionRejectionError",
        "TooManyConnectionsError",
        "InterfaceError",
        "InternalClientError",
        # SQLAlchemy's wrappers around a lost connection and an exhausted pool
        "DisconnectionError",
        "TimeoutError",
        # nats-py
        "NoServersError",
        "ConnectionClosedError",
        "StaleConnectionError",
        "OutboundBufferLimitError",
    }
)
_OUTAGE_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE, errno.ETIMEDOUT}
)


def is_outage(exc: BaseException) -> bool:
    """Tell whether an unexpected error means a dependency is down (so: UNAVAILABLE, not INTERNAL)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionError | asyncio.TimeoutError):
            return True
        if isinstance(current, OSError) and current.errno in _OUTAGE_ERRNOS:
            return True
        if getattr(current, "connection_invalidated", False):
            return True
        for klass in type(current).__mro__:
            if klass.__name__ in _OUTAGE_CLASS_NAMES:
                return True
        current = current.__cause__ or current.__context__
    return False
