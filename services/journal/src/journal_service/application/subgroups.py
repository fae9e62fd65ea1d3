"""Subgroups of a group per discipline (R2.1), e.g. «подгруппа 1» for English."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events

from journal_service.application.academic_year import may_see_group
from journal_service.application.ports import Today, UnitOfWorkFactory
from journal_service.domain import access, errors, movement, year, year_errors


@dataclass(frozen=True)
class CreateSubgroup:
    """Create a subgroup of a group for a discipline."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID
    name: str
    student_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class ListSubgroups:
    """Read a group's subgroups."""

    group_id: uuid.UUID


class SubgroupHandlers:
    """Use cases of subgroups."""

    def __init__(self, uow: UnitOfWorkFactory, today: Today) -> None:
        self._uow = uow
        self._today = today

    async def create(self, cmd: CreateSubgroup, actor: Principal) -> year.Subgroup:
        """Create a subgroup (admin): its students enrolled in the group and in no other subgroup."""
        access.require_admin(actor, "подгруппы создаёт администратор")
        async with self._uow() as uow:
            if await uow.groups.get(cmd.group_id) is None:
                raise errors.GroupNotFound()
            if await uow.disciplines.get(cmd.discipline_id) is None:
                raise errors.DisciplineNotFound()
            taken = await uow.subgroups.students_in_subgroups(cmd.group_id, cmd.discipline_id)
            if await uow.subgroups.name_taken(cmd.group_id, cmd.discipline_id, cmd.name):
                raise year_errors.SubgroupNameTaken(cmd.name)
            subgroup = year.new_subgroup(
                group_id=cmd.group_id,
                discipline_id=cmd.discipline_id,
                name=cmd.name,
                student_ids=cmd.student_ids,
                enrolled=await uow.groups.students_of(cmd.group_id),
                in_other_subgroups=taken,
            )
            await uow.subgroups.add(subgroup, movement.academic_year_start(self._today()))
            await uow.emit(
                events.SubgroupCreated(
                    subgroup_id=str(subgroup.id),
                    group_id=str(subgroup.group_id),
                    discipline_id=str(subgroup.discipline_id),
                    student_ids=[str(s) for s in subgroup.student_ids],
                )
            )
            await uow.commit()
            return subgroup

    async def of_group(self, query: ListSubgroups, actor: Principal) -> list[year.Subgroup]:
        """Return a group's subgroups to the administration, its teachers and its class teacher."""
        async with self._uow() as uow:
            if not await may_see_group(uow, actor, query.group_id):
                raise errors.GroupNotFound()
            if await uow.groups.get(query.group_id) is None:
                raise errors.GroupNotFound()
            return await uow.subgroups.of_group(query.group_id)
