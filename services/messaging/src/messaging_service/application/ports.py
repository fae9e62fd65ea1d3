"""What the application needs from the outside world, as protocols (adapters and fakes satisfy them)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Protocol

from chassis.ports import UnitOfWorkPort

from messaging_service.domain import model
from messaging_service.domain.parent_access import AccessFact, Reader


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


class ParentAccessProjection(Protocol):
    """Messaging's projection of parents' access (ADR 0013): per guardian link, the date identity
    says the parent's access to the student's data ends. Ids and a date only."""

    async def apply(self, facts: Sequence[AccessFact], changed_at: datetime) -> int:
        """Stage the facts and their links unless a newer fact of the link is known; return how
        many facts were written."""
        ...

    async def mark_fetched(self, student_ids: Collection[uuid.UUID]) -> None:
        """Stage the students as fetched: identity named every link they have."""
        ...

    async def readers_of(self, student_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Reader]]:
        """Return the parents (in id order) with their access end of those of the students whose
        links were fetched; a student never fetched is not in the answer."""
        ...

    async def caught_up(self) -> bool:
        """Return True once the projection caught up from identity's snapshot."""
        ...

    async def mark_caught_up(self) -> None:
        """Stage that the projection caught up from identity's snapshot."""
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

    @property
    def parent_access(self) -> ParentAccessProjection:
        """The projection of parents' access (ADR 0013)."""
        ...


class GuardianDirectory(Protocol):
    """Knows the parents of each student (owned by the identity service); asked once per student."""

    async def guardians_of(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        """Return the person ids of the student's parents; raise when the directory does not answer."""
        ...


class ParentAccessDirectory(Protocol):
    """Identity's facts of parents' access (ADR 0013), asked only to catch up: at the first start
    (every link, paged) and for a student with a link whose fact the projection lacks."""

    async def facts_of(self, student_id: uuid.UUID) -> list[AccessFact]:
        """Return the facts of the student's links; raise when identity does not answer."""
        ...

    async def facts_page(self, page_token: str) -> tuple[list[AccessFact], str]:
        """Return a page of every link's fact and the next page's token ('' after the last)."""
        ...


UnitOfWorkFactory = Callable[[], MessagingUnitOfWork]
