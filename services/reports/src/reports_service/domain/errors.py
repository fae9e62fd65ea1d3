"""Errors of reports, each naming the state that forbids the action."""

from __future__ import annotations

from chassis.errors import InvalidArgument, PermissionDenied


class RoleRequired(PermissionDenied):
    """The caller lacks the role the report needs."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Недостаточно прав: {what}", code="role_required")


class InvalidPeriod(InvalidArgument):
    """A report's period ends before it starts or is too long."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_period")
