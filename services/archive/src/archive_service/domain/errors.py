"""Errors of the archive, each naming the state that forbids the action."""

from __future__ import annotations

from chassis.errors import PermissionDenied
from chassis.validation import PageSizeOutOfRange  # noqa: F401  re-exported: chassis.validation.page_size raises it


class RoleRequired(PermissionDenied):
    """The caller lacks the role the action needs."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Недостаточно прав: {what}", code="role_required")
