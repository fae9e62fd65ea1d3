"""Errors of the archive, each naming the state that forbids the action."""

from __future__ import annotations

from chassis.errors import InvalidArgument, PermissionDenied


class PageSizeOutOfRange(InvalidArgument):
    """A list was asked for with a page size outside the allowed range."""

    def __init__(self, maximum: int, default: int) -> None:
        super().__init__(
            f"Размер страницы должен быть от 1 до {maximum} (0 — по умолчанию {default})",
            code="invalid_page_size",
        )


class RoleRequired(PermissionDenied):
    """The caller lacks the role the action needs."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Недостаточно прав: {what}", code="role_required")
