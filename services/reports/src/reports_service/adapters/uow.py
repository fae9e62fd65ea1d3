"""Reports' unit of work: the chassis transaction plus the reports repositories."""

from __future__ import annotations

from chassis.uow import UnitOfWork

from reports_service.adapters.repositories import MarkFactRepository


class ReportsUnitOfWork(UnitOfWork):
    """One transaction over the reports database."""

    mark_facts: MarkFactRepository

    def _open(self) -> None:
        self.mark_facts = MarkFactRepository(self.session)
