"""Use cases of reports: keep the projection fed by events and answer summaries from it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chassis.events import Delivery
from chassis.ports import claim_batch
from chassis.principal import Principal

from reports_service.application import commands
from reports_service.application.ports import UnitOfWorkFactory
from reports_service.application.substitutions import SubstitutionHandlers
from reports_service.domain import access, model


class ReportsHandlers:
    """Reports' use cases, wired with their ports in the composition root."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow
        self.substitutions = SubstitutionHandlers(uow)

    async def project_mark_recorded(self, cmd: commands.ProjectMarkRecorded, delivery: Delivery) -> bool:
        """Add the mark to the projection; return False when the event was already applied."""
        return await self.project_marks_recorded([(cmd, delivery)]) == 1

    async def project_marks_recorded(
        self, items: Sequence[tuple[commands.ProjectMarkRecorded, Delivery]]
    ) -> int:
        """Add a batch of marks to the projection in one transaction; return how many were new
        (an event already applied is skipped by its inbox claim)."""
        async with self._uow() as uow:
            facts = [
                _fact(cmd, cmd.recorded_at, delivery) for cmd, delivery in await claim_batch(uow.inbox, items)
            ]
            if facts:
                await uow.mark_facts.add(facts)
                await uow.commit()
            return len(facts)

    async def project_mark_changes(
        self, items: Sequence[tuple[commands.ProjectMarkChanged, Delivery]]
    ) -> int:
        """Apply a batch of changed or removed marks in one transaction: a change sets the value, a
        removal keeps the mark uncounted; return how many were new (repeats skipped by the inbox)."""
        async with self._uow() as uow:
            applied = 0
            for cmd, delivery in await claim_batch(uow.inbox, items):
                fact = _fact(cmd, cmd.occurred_at, delivery)
                await (uow.mark_facts.remove(fact) if cmd.removed else uow.mark_facts.change(fact))
                applied += 1
            if applied:
                await uow.commit()
            return applied

    async def group_mark_summary(
        self, query: commands.GetGroupMarkSummary, actor: Principal
    ) -> model.GroupMarkSummary:
        """Count a group's marks by value (staff); an unknown group has zero counts, not an error."""
        access.require_group_summary_reader(actor)
        async with self._uow() as uow:
            return model.summarize(query.group_id, await uow.mark_facts.tallies_of_group(query.group_id))


def _fact(
    cmd: commands.ProjectMarkRecorded | commands.ProjectMarkChanged, recorded_at: datetime, delivery: Delivery
) -> model.MarkFact:
    """The projection's row of a recorded or changed mark, as of `recorded_at`."""
    return model.MarkFact(
        mark_id=cmd.mark_id,
        group_id=cmd.group_id,
        discipline_id=cmd.discipline_id,
        student_id=cmd.student_id,
        value=cmd.value,
        lesson_date=cmd.lesson_date,
        recorded_at=recorded_at,
        event_id=delivery.event_id,
    )
