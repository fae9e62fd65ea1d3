"""Dated subgroup membership (slice J, issue 7 item 8, R2.6): the administration (admin or deputy)
moves a student from one subgroup of a group's discipline to another on a date; the administration,
the group's teachers and its class teacher read who was in which subgroup when.

A transfer is one transaction under the student's advisory lock (the one group movements take): the
membership in force ends on the date, the new one starts on it, the event
`journal.subgroup_member.moved.v1` (ids and the date) and the audit `student.moved:subgroup_transfer`
(the student as subject). Refused: not the administration `role_required`; an unknown subgroup
`subgroup_not_found`; the same subgroup `transfer_to_same_subgroup`; subgroups of another group or
discipline `subgroups_not_alike`; not in the group on the date `student_not_in_group`; not in the
source subgroup on the date `student_not_in_subgroup`; a later or same-day membership there
`movement_overlaps`; marks or attendance at the source subgroup's lessons on or after the date
`records_after_movement`; a date in a closed period `period_closed` (audited as a refused write)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from chassis.principal import Principal
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import events_pb2 as events

from journal_service.application.academic_year import may_see_group
from journal_service.application.period_locks import ensure_open
from journal_service.application.ports import UnitOfWorkFactory
from journal_service.application.refused_writes import refusal_audited
from journal_service.domain import access, errors, lesson_errors, movement
from journal_service.domain import subgroup_membership as membership

MOVERS = (access.ADMIN, "deputy")


@dataclass(frozen=True)
class MoveStudentBetweenSubgroups:
    """Move a student from one subgroup to another of the same group and discipline on a date."""

    student_id: uuid.UUID
    from_subgroup_id: uuid.UUID
    to_subgroup_id: uuid.UUID
    on_date: date


@dataclass(frozen=True)
class ListSubgroupMemberships:
    """Read the dated memberships of a group's subgroups."""

    group_id: uuid.UUID


class SubgroupMembershipHandlers:
    """Use cases of dated subgroup membership."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def move(self, cmd: MoveStudentBetweenSubgroups, actor: Principal) -> membership.SubgroupTransfer:
        """Move the student on the date (admin or deputy): one transaction, event and audit."""
        if not actor.has_any(*MOVERS):
            raise errors.RoleRequired("перевод между подгруппами оформляет администрация")
        if cmd.from_subgroup_id == cmd.to_subgroup_id:  # refused before anything is looked up
            raise membership.TransferToSameSubgroup()
        async with (
            refusal_audited(
                self._uow,
                actor,
                action="subgroup_member.move",
                resource_type="student",
                resource_id=str(cmd.student_id),
            ),
            self._uow() as uow,
        ):
            source = await uow.subgroups.get(cmd.from_subgroup_id)
            target = await uow.subgroups.get(cmd.to_subgroup_id)
            if source is None or target is None:
                raise lesson_errors.SubgroupNotFound()
            await uow.groups.lock_student(cmd.student_id)
            transfer = membership.plan_subgroup_transfer(
                student_id=cmd.student_id,
                source=source,
                target=target,
                on_date=cmd.on_date,
                memberships=await uow.subgroup_memberships.of_student(
                    source.group_id, source.discipline_id, cmd.student_id
                ),
                in_group_on_date=await uow.groups.is_enrolled(
                    source.group_id, cmd.student_id, on=cmd.on_date
                ),
            )
            left_behind = await uow.subgroup_memberships.first_record_from(
                cmd.student_id, source.id, cmd.on_date
            )
            if left_behind is not None:
                raise movement.MarksAfterMovement(left_behind)
            # R1.5: the days from the transfer on change hands; none of them may be in a closed period.
            await ensure_open(
                uow,
                group_id=transfer.group_id,
                discipline_id=transfer.discipline_id,
                on_date=cmd.on_date,
                actor=actor,
            )
            await uow.subgroup_memberships.move(
                transfer.closed, transfer.opened, transfer.group_id, transfer.discipline_id
            )
            await uow.emit(
                events.StudentMovedBetweenSubgroups(
                    student_id=str(cmd.student_id),
                    group_id=str(transfer.group_id),
                    discipline_id=str(transfer.discipline_id),
                    from_subgroup_id=str(source.id),
                    to_subgroup_id=str(target.id),
                    on_date=common_pb2.LocalDate(
                        year=cmd.on_date.year, month=cmd.on_date.month, day=cmd.on_date.day
                    ),
                    moved_by=str(access.person_id(actor)),
                )
            )
            await uow.audit(
                f"student.moved:{membership.SUBGROUP_TRANSFER}",
                actor=actor,
                resource_type="subgroup",
                resource_id=str(target.id),
                subject_person_id=str(cmd.student_id),
            )
            await uow.commit()
            return transfer

    async def of_group(
        self, query: ListSubgroupMemberships, actor: Principal
    ) -> list[membership.SubgroupMembership]:
        """Return the memberships of a group's subgroups to the administration, its teachers and its
        class teacher (`group_not_found` to anyone else); audited (the list names students by id)."""
        async with self._uow() as uow:
            if not await may_see_group(uow, actor, query.group_id):
                raise errors.GroupNotFound()
            if await uow.groups.get(query.group_id) is None:
                raise errors.GroupNotFound()
            found = await uow.subgroup_memberships.of_group(query.group_id)
            await uow.audit(
                "subgroup_memberships.read",
                actor=actor,
                resource_type="group",
                resource_id=str(query.group_id),
            )
            await uow.commit()
            return found
