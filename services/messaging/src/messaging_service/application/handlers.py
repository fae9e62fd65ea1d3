"""Use cases of messaging: open a unit of work, apply the domain, commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from chassis.events import Delivery
from chassis.ports import claim_batch
from chassis.principal import Principal

from messaging_service.application import commands
from messaging_service.application.guardianships import GuardianshipHandlers
from messaging_service.application.parent_access import ParentAccessHandlers, Today, college_today
from messaging_service.application.ports import (
    GuardianDirectory,
    MessagingUnitOfWork,
    ParentAccessDirectory,
    UnitOfWorkFactory,
)
from messaging_service.domain import access, model
from messaging_service.domain.parent_access import Reader, all_known, told


class StudentNotInProjection(Exception):
    """A batch of marks met a student whose guardians were never fetched from identity, or a link
    whose access fact the projection lacks."""


class MessagingHandlers:
    """Messaging's use cases, wired with their ports in the composition root."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        guardians: GuardianDirectory,
        parent_access: ParentAccessDirectory | None = None,
        today: Today | None = None,
    ) -> None:
        self._uow = uow
        self.guardianships = GuardianshipHandlers(uow, guardians)
        # Issue 8 item 5, ADR 0013: which parents may still be told comes from messaging's own
        # projection of identity's facts (a date per link), compared with the college's today; no
        # identity call per notification. None: every projected parent is told (tests of the
        # guardianship projection alone); main.py always wires identity's facts.
        self.parent_access = ParentAccessHandlers(uow, parent_access)
        self._today = today or college_today()

    def _told(self, readers: list[Reader]) -> list[uuid.UUID]:
        if not self.parent_access.wired:
            return [r.parent_id for r in readers]
        return told(readers, self._today())

    def _complete(self, readers: list[Reader] | None) -> bool:
        """True when the projection can answer for the student without asking identity."""
        return readers is not None and (not self.parent_access.wired or all_known(readers))

    async def notify_guardians_of_mark(self, cmd: commands.NotifyGuardiansOfMark, delivery: Delivery) -> int:
        """Store one notification per parent told of the student's mark; a repeated event changes
        nothing. Return how many notifications were stored.

        One transaction reads the student's parents with each link's access end from the projection,
        claims the event and stores the notifications. Only a student never fetched, or with a link
        whose access fact is missing, is asked of identity: that first transaction ends uncommitted
        (nothing claimed), identity is asked outside any transaction, and a second one stores its
        answer with the claim. When identity does not answer, the error propagates, nothing is
        stored and the event is retried.
        """
        async with self._uow() as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.consumer, delivery.subject):
                return 0
            readers = (await uow.parent_access.readers_of({cmd.student_id})).get(cmd.student_id)
            if readers is not None and self._complete(readers):
                return await self._notify(uow, cmd, delivery, self._told(readers))
        if self.parent_access.wired:
            facts, stamp = await self.parent_access.ask_identity(cmd.student_id)
            async with self._uow() as uow:
                if not await uow.inbox.claim(delivery.event_id, delivery.consumer, delivery.subject):
                    return 0
                await self.parent_access.store_asked(uow, cmd.student_id, facts, stamp)
                readers = (await uow.parent_access.readers_of({cmd.student_id})).get(cmd.student_id, [])
                return await self._notify(uow, cmd, delivery, self._told(readers))
        fetched = await self.guardianships.ask_identity(cmd.student_id)
        async with self._uow() as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.consumer, delivery.subject):
                return 0
            guardians = await self.guardianships.store_fetched(uow, cmd.student_id, fetched)
            return await self._notify(uow, cmd, delivery, guardians)

    async def notify_guardians_of_marks(
        self, items: Sequence[tuple[commands.NotifyGuardiansOfMark, Delivery]]
    ) -> int:
        """Store the notifications of a batch of marks in one transaction; return how many.

        Only from the projection (one query for every student of the batch): when a student of the
        batch was never fetched or has a link without its access fact, nothing is stored and
        `StudentNotInProjection` is raised, so the batch goes one by one through
        `notify_guardians_of_mark` (which asks identity outside any transaction)."""
        async with self._uow() as uow:
            chosen = await claim_batch(uow.inbox, items)
            readers = await uow.parent_access.readers_of({cmd.student_id for cmd, _ in chosen})
            stored = 0
            for cmd, delivery in chosen:
                known = readers.get(cmd.student_id)
                if known is None or not self._complete(known):
                    raise StudentNotInProjection()
                stored += await self._stage(uow, cmd, delivery, self._told(known))
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
