"""The DomainError family and its one mapping to gRPC codes and HTTP statuses."""

from __future__ import annotations

from typing import ClassVar

import grpc

ERROR_CODE_KEY = "ejournal-error-code"


class DomainError(Exception):
    """A failure the caller can understand: a stable code, a Russian message, a status."""

    grpc_status: ClassVar[grpc.StatusCode] = grpc.StatusCode.FAILED_PRECONDITION
    default_code: ClassVar[str] = "failed_precondition"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code


class InvalidArgument(DomainError):
    """The request is malformed or a value is out of range."""

    grpc_status = grpc.StatusCode.INVALID_ARGUMENT
    default_code = "invalid_argument"


class NotFound(DomainError):
    """The thing asked for does not exist (or the caller may not know it exists)."""

    grpc_status = grpc.StatusCode.NOT_FOUND
    default_code = "not_found"


class AlreadyExists(DomainError):
    """Creating would duplicate something unique."""

    grpc_status = grpc.StatusCode.ALREADY_EXISTS
    default_code = "already_exists"


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""

    grpc_status = grpc.StatusCode.PERMISSION_DENIED
    default_code = "permission_denied"


class Unauthenticated(DomainError):
    """The caller presented no valid token."""

    grpc_status = grpc.StatusCode.UNAUTHENTICATED
    default_code = "unauthenticated"


class FailedPrecondition(DomainError):
    """The state forbids the action now (e.g. a closed period)."""

    grpc_status = grpc.StatusCode.FAILED_PRECONDITION
    default_code = "failed_precondition"


class Conflict(DomainError):
    """A concurrent change won; try again."""

    grpc_status = grpc.StatusCode.ABORTED
    default_code = "conflict"


class ServiceUnavailable(DomainError):
    """A dependency does not answer; try again later."""

    grpc_status = grpc.StatusCode.UNAVAILABLE
    default_code = "unavailable"


# One table, used by the gateway. FAILED_PRECONDITION is 409: the request was valid, the state is not.
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


def http_status_for(code: grpc.StatusCode) -> int:
    """Return the HTTP status for a gRPC status code; anything unknown is 500."""
    return GRPC_TO_HTTP.get(code, 500)
