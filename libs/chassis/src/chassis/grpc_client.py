"""gRPC client channels with deadlines, forwarded identity and error translation."""

from __future__ import annotations

import grpc

from chassis.context import correlation_id, request_id_var
from chassis.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ServiceUnavailable,
    Unauthenticated,
)
from chassis.grpc_errors import ERROR_CODE_KEY

DEFAULT_TIMEOUT = 5.0

_BY_STATUS: dict[grpc.StatusCode, type[DomainError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.OUT_OF_RANGE: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.ABORTED: Conflict,
    grpc.StatusCode.UNAVAILABLE: ServiceUnavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: ServiceUnavailable,
}


def make_channel(address: str) -> grpc.aio.Channel:
    """Open an insecure channel to a service on the cluster network (mTLS is the mesh's job)."""
    return grpc.aio.insecure_channel(
        address,
        options=[
            ("grpc.keepalive_time_ms", 30000),
            ("grpc.keepalive_timeout_ms", 10000),
            ("grpc.enable_retries", 1),
        ],
    )


def call_metadata(token: str) -> tuple[tuple[str, str], ...]:
    """Return the metadata of an outgoing call: the bearer token and the request context ids."""
    return (
        ("authorization", f"Bearer {token}"),
        ("x-correlation-id", correlation_id()),
        ("x-request-id", request_id_var.get() or correlation_id()),
    )


def error_code_of(error: grpc.aio.AioRpcError) -> str:
    """Return the stable error code a service put in the trailers, or the status name."""
    for key, value in error.trailing_metadata() or ():
        if key == ERROR_CODE_KEY and isinstance(value, str):
            return value
    return str(error.code().name).lower()


def translate_rpc_error(error: grpc.aio.AioRpcError) -> DomainError:
    """Turn a downstream failure into the DomainError to raise upstream (INTERNAL becomes UNAVAILABLE)."""
    kind = _BY_STATUS.get(error.code(), ServiceUnavailable)
    message = error.details() or "Сервис временно недоступен"
    if kind is ServiceUnavailable:
        message = "Связанный сервис временно недоступен, попробуйте позже"
    return kind(message, code=error_code_of(error))
