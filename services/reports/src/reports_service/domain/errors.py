"""Errors of reports, each naming the state that forbids the action."""

from __future__ import annotations

from chassis.errors import PermissionDenied


class RoleRequired(PermissionDenied):
    """The caller lacks the role the report needs."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Недостаточно прав: {what}", code="role_required")
