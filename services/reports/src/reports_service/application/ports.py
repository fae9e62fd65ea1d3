"""What the application needs from the outside world, as protocols (adapters and fakes satisfy them)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol

from chassis.ports import UnitOfWorkPort

from reports_service.domain import model, substitutions


class MarkFacts(Protocol):
    """The projection of recorded marks."""

    async def add(self, facts: Sequence[model.MarkFact]) -> int:
        """Stage a batch's mark facts in one statement; return how many were new (a mark the
        projection already holds is left as it is)."""
        ...

    async def change(self, fact: model.MarkFact) -> None:
        """Stage a changed mark's value (added when the projection lacks it; a removed one stays so)."""
        ...

    async def remove(self, fact: model.MarkFact) -> None:
        """Stage a mark's removal (kept as removed, even when the projection lacked it)."""
        ...

    async def tallies_of_group(self, group_id: uuid.UUID) -> list[model.ValueTally]:
        """Return per-value counts of a group's marks with the newest recording time of each."""
        ...


class SubstitutionFacts(Protocol):
    """The projection of substitutions (slice L)."""

    async def record(self, fact: substitutions.SubstitutionFact) -> None:
        """Stage a substitution (nothing when the projection holds it already, cancelled or not)."""
        ...

    async def cancel(self, fact: substitutions.SubstitutionFact) -> None:
        """Stage a substitution's cancellation (kept as cancelled, even when the projection lacked it)."""
        ...

    async def of_period(self, date_from: date, date_to: date) -> list[substitutions.SubstitutionFact]:
        """Return the substitutions not cancelled whose pair falls in the period."""
        ...


class ReportsUnitOfWork(UnitOfWorkPort, Protocol):
    """One transaction over the reports database."""

    @property
    def mark_facts(self) -> MarkFacts:
        """The mark projection."""
        ...

    @property
    def substitution_facts(self) -> SubstitutionFacts:
        """The substitution projection."""
        ...


UnitOfWorkFactory = Callable[[], ReportsUnitOfWork]
