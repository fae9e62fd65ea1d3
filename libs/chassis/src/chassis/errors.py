"""The DomainError family: a stable code, a Russian message and a kind, and nothing heavier.

The kind says what sort of failure it is; the wire layers choose what it becomes there (the gRPC
status in `chassis.grpc_errors`, the HTTP status in the gateway from that one table). A domain
raises these without knowing about either.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class ErrorKind(StrEnum):
    """What sort of failure a DomainError is; each maps to exactly one gRPC status."""

    INVALID_ARGUMENT = "invalid_argument"
    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    PERMISSION_DENIED = "permission_denied"
    UNAUTHENTICATED = "unauthenticated"
    FAILED_PRECONDITION = "failed_precondition"
    CONFLICT = "conflict"
    UNAVAILABLE = "unavailable"
    TOO_LARGE = "too_large"


class DomainError(Exception):
    """A failure the caller can understand: a stable code, a Russian message, a kind."""

    kind: ClassVar[ErrorKind] = ErrorKind.FAILED_PRECONDITION

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.kind.value


class InvalidArgument(DomainError):
    """The request is malformed or a value is out of range."""

    kind = ErrorKind.INVALID_ARGUMENT


class NotFound(DomainError):
    """The thing asked for does not exist (or the caller may not know it exists)."""

    kind = ErrorKind.NOT_FOUND


class AlreadyExists(DomainError):
    """Creating would duplicate something unique."""

    kind = ErrorKind.ALREADY_EXISTS


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""

    kind = ErrorKind.PERMISSION_DENIED


class Unauthenticated(DomainError):
    """The caller presented no valid token."""

    kind = ErrorKind.UNAUTHENTICATED


class FailedPrecondition(DomainError):
    """The state forbids the action now (e.g. a closed period)."""

    kind = ErrorKind.FAILED_PRECONDITION


class Conflict(DomainError):
    """A concurrent change won; try again."""

    kind = ErrorKind.CONFLICT


class ServiceUnavailable(DomainError):
    """A dependency does not answer; try again later."""

    kind = ErrorKind.UNAVAILABLE


class PayloadTooLarge(DomainError):
    """The request is larger than the service accepts."""

    kind = ErrorKind.TOO_LARGE


UNAVAILABLE_MESSAGE = "Сервис временно недоступен, повторите попытку через минуту"
