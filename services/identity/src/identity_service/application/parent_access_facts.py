"""Parents' access as a date for other services (ADR 0013): the fact of each guardian link staged
as `identity.parent_access.changed.v1` whenever what the rule reads changes (a link, a consent, a
birth date), and the paged snapshot `ListParentAccessFacts` a projection catches up from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from chassis.principal import Principal
from ejournal.common.v1 import common_pb2
from ejournal.identity.v1 import parent_access_facts_pb2 as facts_pb

from identity_service.application.ports import IdentityUnitOfWork, UnitOfWorkFactory
from identity_service.domain import access
from identity_service.domain.parent_access_facts import LinkKey, LinkState

# One student has a handful of links; the bound only keeps a broken database from flooding the outbox.
MAX_LINKS_OF_STUDENT = 1000


def _local_date(value: date) -> common_pb2.LocalDate:
    return common_pb2.LocalDate(year=value.year, month=value.month, day=value.day)


def fact_to_pb(link: LinkState) -> facts_pb.ParentAccessFact:
    """Return the wire form of a link's fact: ids and the access end (unset: no end known)."""
    fact = facts_pb.ParentAccessFact(student_id=str(link.student_id), parent_id=str(link.parent_id))
    until = link.access_until
    if until is not None:
        fact.access_until.CopyFrom(_local_date(until))
    return fact


async def stage_access_facts(
    uow: IdentityUnitOfWork, student_id: uuid.UUID, parent_id: uuid.UUID | None = None
) -> int:
    """Stage `ParentAccessChanged` for the student's links (only `parent_id`'s when given), read in
    this transaction after the change; return how many. The student's row is locked first, so of
    two changes at once the later-committed one stages the fact in force."""
    links = await uow.parent_access.link_states(
        student_id=student_id, after=None, limit=MAX_LINKS_OF_STUDENT, lock_student=True
    )
    staged = 0
    for link in links:
        if parent_id is None or link.parent_id == parent_id:
            await uow.emit(facts_pb.ParentAccessChanged(fact=fact_to_pb(link)))
            staged += 1
    return staged


@dataclass(frozen=True)
class ListParentAccessFacts:
    """A page of guardian links with their access end; one student's when `student_id` is given."""

    student_id: uuid.UUID | None
    after: LinkKey | None
    page_size: int


class ParentAccessFactsHandlers:
    """The snapshot of parents' access for another service's projection (messaging only)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def list_facts(self, query: ListParentAccessFacts, actor: Principal) -> list[LinkState]:
        """Return a page of links with their access end (services only; audited once per page,
        as the dates derive from birth dates)."""
        access.require_service(actor, "сведения о доступе родителей получают только сервисы журнала")
        async with self._uow() as uow:
            links = await uow.parent_access.link_states(
                student_id=query.student_id, after=query.after, limit=query.page_size
            )
            await uow.audit(
                "parent_access_facts.read",
                actor=actor,
                resource_type="parent_access_facts",
                resource_id=str(query.student_id) if query.student_id else "*",
                subject_person_id=str(query.student_id) if query.student_id else "",
            )
            await uow.commit()
            return links
