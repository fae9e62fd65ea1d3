"""What the application needs from the outside world, as protocols (fakes in unit tests)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Protocol

from messaging_service.adapters.uow import MessagingUnitOfWork


class GuardianDirectory(Protocol):
    """Knows the parents of each student (owned by the identity service)."""

    async def guardians_of(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        """Return the person ids of the student's parents; raise when the directory does not answer."""
        ...


UnitOfWorkFactory = Callable[[], MessagingUnitOfWork]
