"""The KTP («календарно-тематический план», R2.2): the teacher with the load (or the admin) replaces
it; the readers of the group read it; the administration lists the loads still without one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events

from journal_service.application.academic_year import may_see_group
from journal_service.application.ports import Today, UnitOfWorkFactory
from journal_service.domain import access, errors, ktp, lesson_errors, year_errors


@dataclass(frozen=True)
class SetKtp:
    """Replace the KTP of a group (or subgroup) and discipline with these topics, in order."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    topics: tuple[ktp.TopicDraft, ...]


@dataclass(frozen=True)
class GetKtp:
    """Read the KTP of a group (or subgroup) and discipline."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID
    subgroup_id: uuid.UUID | None


@dataclass(frozen=True)
class ListDisciplinesWithoutKtp:
    """The teaching loads without a KTP on a date of an academic year (None = today)."""

    year_id: uuid.UUID
    as_of: date | None


@dataclass(frozen=True)
class MissingKtps:
    """The loads without a KTP on `as_of`, the year's deadline, and whether `as_of` is past it."""

    loads: list[ktp.LoadWithoutKtp]
    as_of: date
    deadline: date
    past_deadline: bool


class KtpHandlers:
    """Use cases of the KTP."""

    def __init__(self, uow: UnitOfWorkFactory, today: Today) -> None:
        self._uow = uow
        self._today = today

    async def set(self, cmd: SetKtp, actor: Principal) -> ktp.Ktp:
        """Replace the KTP (the teacher with that load, or the admin): topics named by id keep it, a
        topic a lesson follows cannot be dropped; one writer of the group at a time."""
        is_admin = actor.has_any(access.ADMIN)
        if not is_admin and not actor.has_any(access.TEACHER):
            raise errors.RoleRequired("КТП составляет преподаватель или администратор")
        async with self._uow() as uow:
            # A whole group's load covers its KTP and its subgroups'; a subgroup's load that subgroup's only.
            if not is_admin:
                teacher = access.person_id(actor)
                loads = await uow.loads.of_teacher(teacher)
                if not any(
                    load.covers(teacher, cmd.group_id, cmd.discipline_id, cmd.subgroup_id) for load in loads
                ):
                    raise errors.NotTeachingThisGroup()
            if await uow.groups.get(cmd.group_id) is None:
                raise errors.GroupNotFound()
            if await uow.disciplines.get(cmd.discipline_id) is None:
                raise errors.DisciplineNotFound()
            if cmd.subgroup_id is not None:
                subgroup = await uow.subgroups.get(cmd.subgroup_id)
                if subgroup is None or (subgroup.group_id, subgroup.discipline_id) != (
                    cmd.group_id,
                    cmd.discipline_id,
                ):
                    raise lesson_errors.SubgroupNotFound()
            previous = await uow.ktps.get(cmd.group_id, cmd.discipline_id, cmd.subgroup_id, lock=True)
            in_use = (
                await uow.ktps.topics_in_use([t.id for t in previous.topics])
                if previous is not None
                else set()
            )
            plan = ktp.replace_ktp(
                previous,
                group_id=cmd.group_id,
                subgroup_id=cmd.subgroup_id,
                discipline_id=cmd.discipline_id,
                drafts=cmd.topics,
                in_use=in_use,
            )
            await uow.ktps.save(plan, previous=previous, today=self._today())
            await uow.emit(
                events.KtpSet(
                    ktp_id=str(plan.id),
                    group_id=str(plan.group_id),
                    subgroup_id=str(plan.subgroup_id or ""),
                    discipline_id=str(plan.discipline_id),
                    actor_id=actor.subject,
                    topic_count=len(plan.topics),
                    total_hours=plan.total_hours,
                )
            )
            await uow.commit()
            return plan

    async def get(self, query: GetKtp, actor: Principal) -> ktp.Ktp | None:
        """Return the KTP (None when none was set) to the administration, the group's teachers and its
        class teacher; anyone else is told the group is not found."""
        async with self._uow() as uow:
            if not await may_see_group(uow, actor, query.group_id):
                raise errors.GroupNotFound()
            if await uow.groups.get(query.group_id) is None:
                raise errors.GroupNotFound()
            return await uow.ktps.get(query.group_id, query.discipline_id, query.subgroup_id)

    async def without_ktp(self, query: ListDisciplinesWithoutKtp, actor: Principal) -> MissingKtps:
        """Return the loads with no KTP on the date (the administration), the year's deadline
        (10 September) and whether the date is past it."""
        if not actor.has_any(*access.READ_ALL_ROLES):
            raise errors.RoleRequired("список дисциплин без КТП видит администрация")
        as_of = query.as_of or self._today()
        async with self._uow() as uow:
            academic_year = await uow.years.get(query.year_id)
            if academic_year is None:
                raise year_errors.AcademicYearNotFound()
            deadline = ktp.deadline_of(academic_year.span.starts_on)
            return MissingKtps(
                loads=await uow.ktps.loads_without_ktp(as_of),
                as_of=as_of,
                deadline=deadline,
                past_deadline=as_of > deadline,
            )
