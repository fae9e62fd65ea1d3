"""Use cases of messaging: open a unit of work, apply the domain, commit."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

from chassis.events import Delivery
from chassis.ports import claim_batch
from chassis.principal import Principal

from messaging_service.application import commands
from messaging_service.application.guardianships import GuardianshipHandlers
from messaging_service.application.ports import (
    GuardianDirectory,
    MessagingUnitOfWork,
    ParentAccessDirectory,
    UnitOfWorkFactory,
)
from messaging_service.domain import access, model


def _told(
    parents: list[uuid.UUID],
    cmd: commands.NotifyGuardiansOfMark,
    readable: dict[uuid.UUID, set[uuid.UUID]] | None,
) -> list[uuid.UUID]:
    """The projection's parents of the student that identity says may read their data today."""
    if readable is None:
        return parents
    allowed = readable.get(cmd.student_id, set())
    return [p for p in parents if p in allowed]


class StudentNotInProjection(Exception):
    """A batch of marks met a student whose guardians were never fetched from identity."""


class MessagingHandlers:
    """Messaging's use cases, wired with their ports in the composition root."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        guardians: GuardianDirectory,
        parent_access: ParentAccessDirectory | None = None,
    ) -> None:
        self._uow = uow
        self.guardianships = GuardianshipHandlers(uow, guardians)
        # Issue 8 item 5: identity is asked at each notification which parents may still read the
        # student's data (an adult student's parent only with consent). None: every projected parent
        # is told (tests of the projection alone); main.py always wires identity.
        self._parent_access = parent_access

    async def _readable(self, student_ids: set[uuid.UUID]) -> dict[uuid.UUID, set[uuid.UUID]] | None:
        """Ask identity, outside any transaction, which parents of each student may read their data."""
        if self._parent_access is None:
            return None
        directory = self._parent_access
        students = sorted(student_ids)
        answers = await asyncio.gather(*(directory.readable_parents(s) for s in students))
        return dict(zip(students, answers, strict=True))

    async def notify_guardians_of_mark(self, cmd: commands.NotifyGuardiansOfMark, delivery: Delivery) -> int:
        """Store one notification per parent of the student; a repeated event changes nothing.

        Return how many notifications were stored. The parents come from the projection, in one
        transaction with the inbox claim. A student the projection never fetched is asked of identity
        once: that first transaction ends uncommitted (nothing claimed), identity is asked outside any
        transaction (no database connection held across the call), and a second one stores its
        answer with the claim. When identity does not answer, the error propagates, nothing is
        stored and the event is retried.
        """
        readable = await self._readable({cmd.student_id})
        async with self._uow() as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.consumer, delivery.subject):
                return 0
            if await uow.guardianships.fetched(cmd.student_id):
                parents = await uow.guardianships.parents_of(cmd.student_id)
                return await self._notify(uow, cmd, delivery, _told(parents, cmd, readable))
        fetched = await self.guardianships.ask_identity(cmd.student_id)
        async with self._uow() as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.consumer, delivery.subject):
                return 0
            guardians = await self.guardianships.store_fetched(uow, cmd.student_id, fetched)
            return await self._notify(uow, cmd, delivery, _told(guardians, cmd, readable))

    async def notify_guardians_of_marks(
        self, items: Sequence[tuple[commands.NotifyGuardiansOfMark, Delivery]]
    ) -> int:
        """Store the notifications of a batch of marks in one transaction; return how many.

        Only from the projection: when a student of the batch was never fetched, nothing is stored
        and `StudentNotInProjection` is raised, so the batch goes one by one through
        `notify_guardians_of_mark` (which asks identity outside any transaction)."""
        readable = await self._readable({cmd.student_id for cmd, _ in items})
        async with self._uow() as uow:
            chosen = await claim_batch(uow.inbox, items)
            parents = await uow.guardianships.parents_of_fetched({cmd.student_id for cmd, _ in chosen})
            stored = 0
            for cmd, delivery in chosen:
                if cmd.student_id not in parents:
                    raise StudentNotInProjection()
                stored += await self._stage(uow, cmd, delivery, _told(parents[cmd.student_id], cmd, readable))
            await uow.commit()
            return stored

    @classmethod
    async def _notify(
        cls,
        uow: MessagingUnitOfWork,
        cmd: commands.NotifyGuardiansOfMark,
        delivery: Delivery,
        guardians: list[uuid.UUID],
    ) -> int:
        """Stage one notification per parent, commit with the claim; return how many."""
        count = await cls._stage(uow, cmd, delivery, guardians)
        await uow.commit()
        return count

    @staticmethod
    async def _stage(
        uow: MessagingUnitOfWork,
        cmd: commands.NotifyGuardiansOfMark,
        delivery: Delivery,
        guardians: list[uuid.UUID],
    ) -> int:
        """Stage one notification per parent; return how many."""
        notifications = model.notifications_for_mark(
            guardians=guardians,
            source_event_id=delivery.event_id,
            student_id=cmd.student_id,
            discipline_id=cmd.discipline_id,
            mark_value=cmd.mark_value,
            lesson_date=cmd.lesson_date,
            kind=cmd.kind,
        )
        await uow.notifications.add_all(notifications)
        return len(notifications)

    async def list_notifications(
        self, query: commands.ListNotifications, actor: Principal
    ) -> list[model.Notification]:
        """Return the caller's own notifications, newest first (reading one's own needs no audit)."""
        limit = model.page_size(query.page_size)
        recipient = access.recipient_id(actor)
        async with self._uow() as uow:
            return await uow.notifications.of_recipient(recipient, limit=limit)
