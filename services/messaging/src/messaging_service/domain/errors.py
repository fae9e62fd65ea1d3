"""Errors of messaging, each naming the state that forbids the action."""

from __future__ import annotations

from chassis.errors import PermissionDenied
from chassis.validation import PageSizeOutOfRange  # noqa: F401  re-exported: chassis.validation.page_size raises it


class PersonRequired(PermissionDenied):
    """Only a person has notifications; a service account or an odd subject has none."""

    def __init__(self) -> None:
        super().__init__("Уведомления доступны только пользователю", code="person_required")
