"""What the application needs from the outside world, as protocols (adapters and fakes satisfy them)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
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


class Guardianships(Protocol):
    """Messaging's projection of identity's parent↔student links (ids only)."""

    async def add(self, parent_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        """Stage a link unless it is known; return True when it is new."""
        ...

    async def fetched(self, student_id: uuid.UUID) -> bool:
        """Return True once the student's links were fetched from identity."""
        ...

    async def record_fetched(self, student_id: uuid.UUID, parent_ids: list[uuid.UUID]) -> None:
        """Stage the links identity gave for the student (added to, never replacing, the known ones)."""
        ...

    async def parents_of(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        """Return the student's parents known to the projection, in id order."""
        ...

    async def parents_of_fetched(
        self, student_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[uuid.UUID]]:
        """Return the parents (in id order) of those of the students whose links were fetched from
        identity; a student never fetched is not in the answer."""
        ...


class MessagingUnitOfWork(UnitOfWorkPort, Protocol):
    """One transaction over the messaging database."""

    @property
    def notifications(self) -> Notifications:
        """The notifications of every recipient."""
        ...

    @property
    def guardianships(self) -> Guardianships:
        """The projection of parent↔student links."""
        ...


class GuardianDirectory(Protocol):
    """Knows the parents of each student (owned by the identity service); asked once per student."""

    async def guardians_of(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        """Return the person ids of the student's parents; raise when the directory does not answer."""
        ...


class ParentAccessDirectory(Protocol):
    """Which of a student's parents may read the student's data today (identity's rule, issue 8
    item 5: an adult student's parent only with the student's consent). Asked at every notification."""

    async def readable_parents(self, student_id: uuid.UUID) -> set[uuid.UUID]:
        """Return the ids of the parents with access today; raise when the directory does not answer."""
        ...


UnitOfWorkFactory = Callable[[], MessagingUnitOfWork]
