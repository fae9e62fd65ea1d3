"""Teaching load: which teacher teaches which discipline to which group (the administrator)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events

from journal_service.application.academic_year import may_see_group
from journal_service.application.people import PeopleHandlers
from journal_service.application.ports import UnitOfWorkFactory
from journal_service.domain import access, errors, lesson_errors, model, timetable
from journal_service.domain import teaching_load as load_rules
from journal_service.domain.people import require_teacher


@dataclass(frozen=True)
class AssignTeachingLoad:
    """Assign a teacher to a discipline in a group, or in one of its subgroups."""

    teacher_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    subgroup_id: uuid.UUID | None = None


@dataclass(frozen=True)
class RemoveTeachingLoad:
    """Remove a teacher's load from a group or subgroup."""

    load_id: uuid.UUID


@dataclass(frozen=True)
class ListTeachingLoads:
    """Read a group's teaching loads."""

    group_id: uuid.UUID


class TeachingLoadHandlers:
    """Use cases of the teaching load."""

    def __init__(self, uow: UnitOfWorkFactory, people: PeopleHandlers) -> None:
        self._uow = uow
        self._people = people

    async def assign(self, cmd: AssignTeachingLoad, actor: Principal) -> model.TeachingLoad:
        """Assign a teacher to a discipline in a group (admin); idempotent.

        The person must be known to identity as a teacher or a class teacher (asked once when the
        journal's projection does not hold them yet). A subgroup must be of that group and discipline;
        a teacher may hold the whole group's load and each subgroup's, each once.
        """
        access.require_admin(actor, "нагрузку распределяет администратор")
        role = await self._people.role_of(cmd.teacher_id)
        async with self._uow() as uow:
            if await uow.groups.get(cmd.group_id) is None:
                raise errors.GroupNotFound()
            if await uow.disciplines.get(cmd.discipline_id) is None:
                raise errors.DisciplineNotFound()
            if cmd.subgroup_id is not None:
                subgroup = await uow.subgroups.get(cmd.subgroup_id)
                if subgroup is None:
                    raise lesson_errors.SubgroupNotFound()
                if (subgroup.group_id, subgroup.discipline_id) != (cmd.group_id, cmd.discipline_id):
                    raise timetable.SubgroupOfOtherGroup()
            require_teacher(role)
            for existing in await uow.loads.of_group(cmd.group_id):
                if (existing.teacher_id, existing.discipline_id, existing.subgroup_id) == (
                    cmd.teacher_id,
                    cmd.discipline_id,
                    cmd.subgroup_id,
                ):
                    return existing
            load = model.TeachingLoad(
                id=uuid.uuid4(),
                teacher_id=cmd.teacher_id,
                group_id=cmd.group_id,
                discipline_id=cmd.discipline_id,
                subgroup_id=cmd.subgroup_id,
            )
            uow.loads.add(load)
            await uow.emit(
                events.TeachingLoadAssigned(
                    load_id=str(load.id),
                    teacher_id=str(load.teacher_id),
                    group_id=str(load.group_id),
                    discipline_id=str(load.discipline_id),
                    subgroup_id=str(load.subgroup_id or ""),
                )
            )
            await uow.commit()
            return load

    async def of_group(self, query: ListTeachingLoads, actor: Principal) -> list[model.TeachingLoad]:
        """Return a group's loads (the whole group's and its subgroups') to the administration, the
        group's teachers and its class teacher; anyone else is told the group is not found."""
        async with self._uow() as uow:
            if not await may_see_group(uow, actor, query.group_id):
                raise errors.GroupNotFound()
            if await uow.groups.get(query.group_id) is None:
                raise errors.GroupNotFound()
            loads = await uow.loads.of_group(query.group_id)
        return sorted(
            loads,
            key=lambda load: (
                str(load.discipline_id),
                load.subgroup_id is not None,
                str(load.subgroup_id or ""),
                str(load.teacher_id),
            ),
        )

    async def remove(self, cmd: RemoveTeachingLoad, actor: Principal) -> model.TeachingLoad:
        """Remove a load (admin) that holds no history and is not in the timetable.

        Lessons or marks of the load's teacher under it refuse (load_has_lessons: the journal's history
        is never lost; giving the group to another teacher is a substitution); timetable entries of the
        teacher, group and discipline (a subgroup's load: of that subgroup) refuse (load_in_timetable).
        The row is locked, so two removals of one load do not both succeed.
        """
        access.require_admin(actor, "нагрузку снимает администратор")
        async with self._uow() as uow:
            load = await uow.loads.get_for_update(cmd.load_id)
            if load is None:
                raise load_rules.TeachingLoadNotFound()
            if await uow.loads.has_history(load):
                raise load_rules.LoadHasLessons()
            if await uow.loads.in_timetable(load):
                raise load_rules.LoadInTimetable()
            await uow.loads.remove(load)
            await uow.emit(
                events.TeachingLoadRemoved(
                    load_id=str(load.id),
                    teacher_id=str(load.teacher_id),
                    group_id=str(load.group_id),
                    discipline_id=str(load.discipline_id),
                    subgroup_id=str(load.subgroup_id or ""),
                    removed_by=actor.subject,
                )
            )
            await uow.audit(
                "load.removed", actor=actor, resource_type="teaching_load", resource_id=str(load.id)
            )
            await uow.commit()
            return load
