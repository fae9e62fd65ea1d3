"""Errors of the archive, each naming the state that forbids the action."""

from __future__ import annotations

from chassis.errors import NotFound, PermissionDenied
from chassis.validation import PageSizeOutOfRange  # noqa: F401  re-exported: chassis.validation.page_size raises it


class SubjectNotFound(NotFound):
    """The caller may not read that person's records: to them, the person is not there."""

    def __init__(self) -> None:
        super().__init__("Человек не найден или его данные вам недоступны", code="subject_not_found")


class RoleRequired(PermissionDenied):
    """The caller lacks the role the action needs."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Недостаточно прав: {what}", code="role_required")
