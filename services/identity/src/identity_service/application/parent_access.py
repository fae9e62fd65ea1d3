"""Adult students and their parents' access (issue 8 item 5, 152-ФЗ): birth dates, the student's
consent, and the rule applied wherever a guardian link gives access (CheckGuardianship, ListChildren,
GetPerson, GetPeople)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from chassis.principal import Principal
from ejournal.identity.v1 import events_pb2 as events

from identity_service.application.parent_access_facts import stage_access_facts
from identity_service.application.ports import IdentityUnitOfWork, UnitOfWorkFactory
from identity_service.domain import access, errors, model
from identity_service.domain.parent_access import (
    ParentAccess,
    ParentNotLinked,
    is_adult,
    parent_may_read,
    parse_birth_date,
)

Today = Callable[[], date]
DEFAULT_COLLEGE_TIMEZONE = "Europe/Moscow"


def college_clock(timezone: str = DEFAULT_COLLEGE_TIMEZONE) -> Today:
    """Return a function giving today's date in the college's time zone (a birthday starts there)."""
    zone = ZoneInfo(timezone)

    def today() -> date:
        return datetime.now(zone).date()

    return today


async def guardian_may_read(
    uow: IdentityUnitOfWork, parent_id: uuid.UUID, student_id: uuid.UUID, today: date
) -> bool:
    """Return True when the parent is linked to the student and the rule gives access today."""
    link = await uow.parent_access.guardian_link(parent_id, student_id)
    return link is not None and parent_may_read(link[0], link[1], today)


async def readable_children(
    uow: IdentityUnitOfWork, parent_id: uuid.UUID, today: date
) -> tuple[list[model.Person], list[uuid.UUID]]:
    """Return the parent's children the rule lets them read today, and the ids of those it does not."""
    children = await uow.people.children_of(parent_id)
    if not any(is_adult(child.birth_date, today) for child in children):
        return children, []
    consenting = await uow.parent_access.consenting_students(parent_id)
    readable = [c for c in children if parent_may_read(c.birth_date, c.id in consenting, today)]
    return readable, [c.id for c in children if c not in readable]


async def readable_parents(
    uow: IdentityUnitOfWork, student_id: uuid.UUID, parents: list[uuid.UUID], today: date
) -> list[uuid.UUID]:
    """Return those of the student's parents the rule lets read the student's data today, in order."""
    student = await uow.people.get(student_id)
    born = student.birth_date if student else None
    if not is_adult(born, today):
        return parents
    consenting = {p.parent_id for p in await uow.parent_access.of_student(student_id) if p.consent}
    return [p for p in parents if parent_may_read(born, p in consenting, today)]


@dataclass(frozen=True)
class SetBirthDate:
    """Record (or with an empty value clear) a person's birth date, YYYY-MM-DD."""

    person_id: uuid.UUID
    birth_date: str


@dataclass(frozen=True)
class ConsentChanged:
    """A consent after a grant or withdrawal; `access` whether the parent reads the data today."""

    parent: ParentAccess
    access: bool
    changed: bool


@dataclass(frozen=True)
class ParentsAccess:
    """A student's linked parents with their consent; `adult` whether consent decides today."""

    parents: list[tuple[ParentAccess, bool]]
    adult: bool
    names: dict[uuid.UUID, model.Person]


def _student(actor: Principal) -> uuid.UUID:
    student_id = access.subject_id(actor)
    if student_id is None or not actor.has_any(model.Role.STUDENT):
        raise errors.RoleRequired("согласие на доступ родителей даёт и отзывает сам обучающийся")
    return student_id


class ParentAccessHandlers:
    """Birth dates (admin) and the student's consent to their parents' access (the student)."""

    def __init__(self, uow: UnitOfWorkFactory, today: Today) -> None:
        self._uow = uow
        self._today = today

    async def set_birth_date(self, cmd: SetBirthDate, actor: Principal) -> tuple[date | None, bool]:
        """Record the birth date (admin); return it and whether it changed; audit `person.birth_date_set`."""
        access.require_admin(actor, "дату рождения записывает администратор")
        born = parse_birth_date(cmd.birth_date, self._today())
        async with self._uow() as uow:
            person = await uow.people.get(cmd.person_id)
            if person is None:
                raise errors.PersonNotFound()
            if person.birth_date == born:
                return born, False
            await uow.parent_access.set_birth_date(cmd.person_id, born)
            await stage_access_facts(uow, cmd.person_id)
            await uow.audit(
                "person.birth_date_set",
                actor=actor,
                resource_type="person",
                resource_id=str(cmd.person_id),
                subject_person_id=str(cmd.person_id),
            )
            await uow.commit()
            return born, True

    async def grant(self, parent_id: uuid.UUID, actor: Principal) -> ConsentChanged:
        """The student consents to a linked parent's access; audit and event when it changes."""
        student_id = _student(actor)
        async with self._uow() as uow:
            current = await uow.parent_access.get_for_update(student_id, parent_id)
            if current is None:
                raise ParentNotLinked()
            if current.consent:
                return ConsentChanged(current, True, False)
            granted = await uow.parent_access.grant(student_id, parent_id)
            await uow.emit(events.ParentAccessGranted(student_id=str(student_id), parent_id=str(parent_id)))
            await stage_access_facts(uow, student_id, parent_id)
            await self._audit(uow, "parent_access.granted", actor, student_id, parent_id)
            await uow.commit()
            return ConsentChanged(granted, True, True)

    async def withdraw(self, parent_id: uuid.UUID, actor: Principal) -> ConsentChanged:
        """The student withdraws that consent; audit and event when it changes."""
        student_id = _student(actor)
        async with self._uow() as uow:
            current = await uow.parent_access.get_for_update(student_id, parent_id)
            if current is None:
                raise ParentNotLinked()
            me = await uow.people.get(student_id)
            minor_access = parent_may_read(me.birth_date if me else None, False, self._today())
            if not current.consent:
                return ConsentChanged(current, minor_access, False)
            withdrawn = await uow.parent_access.withdraw(student_id, parent_id)
            await uow.emit(events.ParentAccessWithdrawn(student_id=str(student_id), parent_id=str(parent_id)))
            await stage_access_facts(uow, student_id, parent_id)
            await self._audit(uow, "parent_access.withdrawn", actor, student_id, parent_id)
            await uow.commit()
            return ConsentChanged(withdrawn, minor_access, True)

    async def list(self, actor: Principal) -> ParentsAccess:
        """The student's own linked parents with their consent (the student themself only)."""
        student_id = _student(actor)
        async with self._uow() as uow:
            me = await uow.people.get(student_id)
            parents = await uow.parent_access.of_student(student_id)
            names = await uow.people.named([p.parent_id for p in parents]) if parents else []
            # Each parent named is another person: `person.read`, as GetPeople writes.
            for person in names:
                await uow.audit(
                    "person.read",
                    actor=actor,
                    resource_type="person",
                    resource_id=str(person.id),
                    subject_person_id=str(person.id),
                )
            if names:
                await uow.commit()
        born, today = (me.birth_date if me else None), self._today()
        return ParentsAccess(
            [(p, parent_may_read(born, p.consent, today)) for p in parents],
            is_adult(born, today),
            {person.id: person for person in names},
        )

    @staticmethod
    async def _audit(
        uow: IdentityUnitOfWork, action: str, actor: Principal, student_id: uuid.UUID, parent_id: uuid.UUID
    ) -> None:
        await uow.audit(
            action,
            actor=actor,
            resource_type="guardianship",
            resource_id=f"{parent_id}/{student_id}",
            subject_person_id=str(student_id),
        )
