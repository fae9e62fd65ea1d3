"""Reports' unit of work: the chassis transaction plus the reports repositories."""

from __future__ import annotations

from chassis.uow import UnitOfWork

from reports_service.adapters.repositories import MarkFactRepository
from reports_service.adapters.substitutions import SubstitutionFactRepository


class ReportsUnitOfWork(UnitOfWork):
    """One transaction over the reports database."""

    mark_facts: MarkFactRepository
    substitution_facts: SubstitutionFactRepository

    def _open(self) -> None:
        self.mark_facts = MarkFactRepository(self.session)
        self.substitution_facts = SubstitutionFactRepository(self.session)
