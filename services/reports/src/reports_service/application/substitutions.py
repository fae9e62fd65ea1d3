"""Use cases of the substitution projection and its report (slice L; issue 7 item 7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from chassis.events import Delivery
from chassis.ports import claim_batch
from chassis.principal import Principal

from reports_service.application.ports import UnitOfWorkFactory
from reports_service.domain import access, substitutions


@dataclass(frozen=True)
class ProjectSubstitution:
    """Apply journal.substitution.recorded.v1 (cancelled=False) or .cancelled.v1 (cancelled=True)."""

    fact: substitutions.SubstitutionFact


@dataclass(frozen=True)
class GetSubstitutionReport:
    """The substitutions of a period, both ends included."""

    date_from: date
    date_to: date


class SubstitutionHandlers:
    """Keep the substitution projection and answer the report from it."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def project(self, items: Sequence[tuple[ProjectSubstitution, Delivery]]) -> int:
        """Apply a batch of recorded/cancelled substitutions in one transaction; return how many were
        new (an event already applied is skipped by its inbox claim). A cancellation wins in any order."""
        async with self._uow() as uow:
            applied = 0
            for cmd, _delivery in await claim_batch(uow.inbox, items):
                repository = uow.substitution_facts
                await (repository.cancel(cmd.fact) if cmd.fact.cancelled else repository.record(cmd.fact))
                applied += 1
            if applied:
                await uow.commit()
            return applied

    async def report(
        self, query: GetSubstitutionReport, actor: Principal
    ) -> substitutions.SubstitutionReport:
        """The period's substitutions per teacher (administration only)."""
        access.require_substitution_report_reader(actor)
        substitutions.check_period(query.date_from, query.date_to)
        async with self._uow() as uow:
            facts = await uow.substitution_facts.of_period(query.date_from, query.date_to)
        return substitutions.build_report(query.date_from, query.date_to, facts)
