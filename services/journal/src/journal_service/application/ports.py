"""What the application needs from the outside world, as protocols (fakes in unit tests)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol

from journal_service.adapters.uow import JournalUnitOfWork


class GuardianDirectory(Protocol):
    """Knows which parent is linked to which student (owned by the identity service)."""

    async def is_guardian(self, *, token: str, parent_id: str, student_id: str) -> bool:
        """Return True when the parent is linked to the student."""
        ...


UnitOfWorkFactory = Callable[[], JournalUnitOfWork]
Today = Callable[[], date]
