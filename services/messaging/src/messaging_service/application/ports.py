"""What the application needs from the outside world, as protocols (adapters and fakes satisfy them)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Protocol

from chassis.ports import UnitOfWorkPort

from messaging_service.domain import model


class Notifications(Protocol):
    """Notifications of every recipient."""

    async def add_all(self, notifications: list[model.Notification]) -> None:
        """Stage new notifications; one that already exists for its event and recipient is skipped."""
        ...

    async def of_recipient(self, recipient_id: uuid.UUID, *, limit: int) -> list[model.Notification]:
        """Return a recipient's notifications, newest first."""
        ...


class MessagingUnitOfWork(UnitOfWorkPort, Protocol):
    """One transaction over the messaging database."""

    @property
    def notifications(self) -> Notifications:
        """The notifications of every recipient."""
        ...


class GuardianDirectory(Protocol):
    """Knows the parents of each student (owned by the identity service)."""

    async def guardians_of(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        """Return the person ids of the student's parents; raise when the directory does not answer."""
        ...


UnitOfWorkFactory = Callable[[], MessagingUnitOfWork]
