"""The curriculum («учебный план», R2.1): the admin replaces a group's plan for a year; the
administration, the group's teachers and its class teacher read it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events

from journal_service.application.academic_year import may_see_group
from journal_service.application.ports import UnitOfWorkFactory
from journal_service.domain import access, curriculum, errors, year_errors


@dataclass(frozen=True)
class SetCurriculum:
    """Replace a group's curriculum for an academic year."""

    group_id: uuid.UUID
    year_id: uuid.UUID
    rows: tuple[curriculum.CurriculumRow, ...]


@dataclass(frozen=True)
class GetCurriculum:
    """Read a group's curriculum for an academic year."""

    group_id: uuid.UUID
    year_id: uuid.UUID


class CurriculumHandlers:
    """Use cases of the curriculum."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def set(self, cmd: SetCurriculum, actor: Principal) -> list[curriculum.CurriculumRow]:
        """Replace the group's plan for the year at once (admin); every row checked, nothing half-written."""
        access.require_admin(actor, "учебный план задаёт администратор")
        async with self._uow() as uow:
            if await uow.groups.get(cmd.group_id) is None:
                raise errors.GroupNotFound()
            if await uow.years.get(cmd.year_id) is None:
                raise year_errors.AcademicYearNotFound()
            known = {d.id for d in await uow.disciplines.views({r.discipline_id for r in cmd.rows})}
            rows = curriculum.check_curriculum(cmd.rows, known_disciplines=known)
            await uow.curricula.replace(cmd.group_id, cmd.year_id, rows)
            await uow.emit(
                events.CurriculumSet(
                    group_id=str(cmd.group_id), year_id=str(cmd.year_id), row_count=len(rows)
                )
            )
            stored = await uow.curricula.of_group(cmd.group_id, cmd.year_id)
            await uow.commit()
            return stored

    async def get(self, query: GetCurriculum, actor: Principal) -> list[curriculum.CurriculumRow]:
        """Return the group's plan for the year to the administration, its teachers and its class
        teacher; anyone else is told the group is not found."""
        async with self._uow() as uow:
            if not await may_see_group(uow, actor, query.group_id):
                raise errors.GroupNotFound()
            if await uow.groups.get(query.group_id) is None:
                raise errors.GroupNotFound()
            if await uow.years.get(query.year_id) is None:
                raise year_errors.AcademicYearNotFound()
            return await uow.curricula.of_group(query.group_id, query.year_id)
