"""Teaching load: which teacher teaches which discipline to which group (the administrator)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events

from journal_service.application.people import PeopleHandlers
from journal_service.application.ports import UnitOfWorkFactory
from journal_service.domain import access, errors, model
from journal_service.domain.people import require_teacher


@dataclass(frozen=True)
class AssignTeachingLoad:
    """Assign a teacher to a discipline in a group."""

    teacher_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID


class TeachingLoadHandlers:
    """Use cases of the teaching load."""

    def __init__(self, uow: UnitOfWorkFactory, people: PeopleHandlers) -> None:
        self._uow = uow
        self._people = people

    async def assign(self, cmd: AssignTeachingLoad, actor: Principal) -> model.TeachingLoad:
        """Assign a teacher to a discipline in a group (admin); idempotent.

        The person must be known to identity as a teacher or a class teacher (asked once when the
        journal's projection does not hold them yet).
        """
        access.require_admin(actor, "нагрузку распределяет администратор")
        role = await self._people.role_of(cmd.teacher_id)
        async with self._uow() as uow:
            if await uow.groups.get(cmd.group_id) is None:
                raise errors.GroupNotFound()
            if await uow.disciplines.get(cmd.discipline_id) is None:
                raise errors.DisciplineNotFound()
            require_teacher(role)
            existing = await uow.loads.find(cmd.teacher_id, cmd.group_id, cmd.discipline_id)
            if existing is not None:
                return existing
            load = model.TeachingLoad(
                id=uuid.uuid4(),
                teacher_id=cmd.teacher_id,
                group_id=cmd.group_id,
                discipline_id=cmd.discipline_id,
            )
            uow.loads.add(load)
            await uow.emit(
                events.TeachingLoadAssigned(
                    load_id=str(load.id),
                    teacher_id=str(load.teacher_id),
                    group_id=str(load.group_id),
                    discipline_id=str(load.discipline_id),
                )
            )
            await uow.commit()
            return load
