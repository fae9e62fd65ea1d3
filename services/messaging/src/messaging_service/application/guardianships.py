"""Messaging's projection of guardianships: which parents to tell about a student's marks.

Identity owns the parent↔student links. Messaging keeps their ids, fed by
identity.guardian.linked.v1 (durable `messaging-guardianships`, which starts at the beginning of
identity's stream). Links older than the stream holds are fetched from identity once per student,
on the first mark of a student whose links were never fetched; from then on the events keep the
student current. Identity has no paged «every link» RPC, so there is no catch-up on start.

The race: a link made while that fetch runs may be missing from identity's answer. Its event adds
it whenever it is applied, whether or not the student was fetched, and the fetch only adds links,
never replaces them; both inserts are idempotent. So no link is lost, whichever comes first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.events import Delivery

from messaging_service.application.ports import GuardianDirectory, MessagingUnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class ProjectGuardianLinked:
    """Remember that identity linked a parent to a student."""

    parent_id: uuid.UUID
    student_id: uuid.UUID


class GuardianshipHandlers:
    """Keep the projection of guardianships and answer «who are this student's parents»."""

    def __init__(self, uow: UnitOfWorkFactory, directory: GuardianDirectory) -> None:
        self._uow = uow
        self._directory = directory

    async def project_guardian_linked(self, cmd: ProjectGuardianLinked, delivery: Delivery) -> bool:
        """Remember the link, once per event; False when the event was applied before.

        The link is stored whether or not the student's links were fetched from identity yet: an
        event applied before or during that fetch is kept, never overwritten.
        """
        async with self._uow() as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.consumer, delivery.subject):
                return False
            await uow.guardianships.add(cmd.parent_id, cmd.student_id)
            await uow.commit()
            return True

    async def ask_identity(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        """Ask identity for the parents of a student the projection never fetched; raise when it is down."""
        return await self._directory.guardians_of(student_id)

    @staticmethod
    async def store_fetched(
        uow: MessagingUnitOfWork, student_id: uuid.UUID, fetched: list[uuid.UUID]
    ) -> list[uuid.UUID]:
        """Store what identity answered and return the projection's parents.

        Read after the store, in the caller's transaction: the union of the fetch and of every link
        event already applied.
        """
        await uow.guardianships.record_fetched(student_id, fetched)
        return await uow.guardianships.parents_of(student_id)
