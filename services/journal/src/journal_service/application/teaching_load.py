"""Teaching load: which teacher teaches which discipline to which group (the administrator)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events

from journal_service.application.ports import UnitOfWorkFactory
from journal_service.domain import access, errors, model


@dataclass(frozen=True)
class AssignTeachingLoad:
    """Assign a teacher to a discipline in a group."""

    teacher_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID


class TeachingLoadHandlers:
    """Use cases of the teaching load."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def assign(self, cmd: AssignTeachingLoad, actor: Principal) -> model.TeachingLoad:
        """Assign a teacher to a discipline in a group (admin); idempotent."""
        access.require_admin(actor, "нагрузку распределяет администратор")
        async with self._uow() as uow:
            if await uow.groups.get(cmd.group_id) is None:
                raise errors.GroupNotFound()
            if await uow.disciplines.get(cmd.discipline_id) is None:
                raise errors.DisciplineNotFound()
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
