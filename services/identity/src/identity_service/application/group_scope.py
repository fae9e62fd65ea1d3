"""The one place that decides what a class teacher may issue (issue 8 item 2, R1.2), on identity's
projection of the journal's groups (who leads which group, who is in it), and the consumer use case
that keeps that projection: each journal event once (inbox), with the system actor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from chassis.events import Delivery
from chassis.principal import Principal

from identity_service.application.ports import IdentityUnitOfWork, UnitOfWorkFactory
from identity_service.domain import access, errors, group_scope
from identity_service.domain.model import Person, Role


async def class_teacher_groups(uow: IdentityUnitOfWork, person_id: uuid.UUID) -> set[uuid.UUID]:
    """Return the ids of the groups this person leads as class teacher."""
    return await uow.group_scopes.groups_led_by(person_id)


async def ensure_may_issue_for_group(
    uow: IdentityUnitOfWork, *, actor: Principal, group_id: uuid.UUID
) -> group_scope.GroupLead:
    """Let the admin manage any group's accounts and a class teacher their own group's; an unknown
    group → GroupNotFound, anyone else → NotClassTeacherOfGroup."""
    lead = await uow.group_scopes.lead_of(group_id)
    if group_scope.is_admin(actor):
        if lead is None:
            raise group_scope.GroupNotFound()
        return lead
    if lead is None or not group_scope.leads(access.subject_id(actor), lead.class_teacher_id):
        # A stranger does not learn whether the group exists.
        raise group_scope.NotClassTeacherOfGroup()
    return lead


async def ensure_may_issue_for_person(
    uow: IdentityUnitOfWork, *, actor: Principal, person_id: uuid.UUID, today: date
) -> None:
    """Let the admin issue to anyone but themself; a class teacher to a student currently in a group
    they lead or to a parent linked to such a student; anyone else → PersonNotInYourGroup.

    An unknown person is `person_not_found` for the admin and `person_not_in_your_group` for the rest
    (they do not learn who exists). `today` is the college's date (a stay ended yesterday in Moscow
    no longer counts), never the box's."""
    if access.is_self(actor, person_id):
        raise group_scope.OwnCredentials()
    person = await uow.people.get(person_id)
    if group_scope.is_admin(actor):
        if person is None:
            raise errors.PersonNotFound()
        return
    me = access.subject_id(actor)
    led = await class_teacher_groups(uow, me) if me is not None and not actor.is_service else set()
    if person is not None and led:
        if person.role is Role.STUDENT:
            students = [person_id]
        elif person.role is Role.PARENT:
            students = [child.id for child in await uow.people.children_of(person_id)]
        else:
            students = []
        if await _any_in_led_group(uow, students, led, today):
            return
    raise group_scope.PersonNotInYourGroup()


async def _any_in_led_group(
    uow: IdentityUnitOfWork, students: list[uuid.UUID], led: set[uuid.UUID], today: date
) -> bool:
    if not students:
        return False
    stays = await uow.group_scopes.memberships_of(students)
    return group_scope.in_led_group((s.group_id for s in stays if s.current(today)), led)


async def may_read_profile(uow: IdentityUnitOfWork, actor: Principal, person: Person) -> bool:
    """Whether a member of staff reads this person's profile (issue 8 item 11, R1.4): the
    administration and services anyone; other staff their colleagues, and a student who is or was in
    a group they teach or lead (a teaching load, or as class teacher), or such a student's parent;
    nobody else (a student, a parent: their own rules in GetPerson)."""
    if access.reads_every_profile(actor):
        return True
    me = access.subject_id(actor)
    if me is None or not actor.has_any(*access.STAFF_ROLES):
        return False
    if person.role not in (Role.STUDENT, Role.PARENT):
        return True
    reach = await uow.group_scopes.groups_led_by(me) | await uow.group_scopes.groups_taught_by(me)
    if not reach:
        return False
    if person.role is Role.STUDENT:
        students = [person.id]
    else:
        students = [child.id for child in await uow.people.children_of(person.id)]
    if not students:
        return False
    stays = await uow.group_scopes.memberships_of(students)
    return group_scope.in_led_group((s.group_id for s in stays), reach)


async def current_students(uow: IdentityUnitOfWork, group_id: uuid.UUID, today: date) -> list[uuid.UUID]:
    """Return the ids of the group's current students (each once)."""
    stays = await uow.group_scopes.members_of(group_id)
    return list(dict.fromkeys(s.student_id for s in stays if s.current(today)))


@dataclass(frozen=True)
class RecordGroup:
    """The journal created a group or changed it (its class teacher, None when none)."""

    group_id: uuid.UUID
    class_teacher_id: uuid.UUID | None
    # A creation never overwrites what a later update already recorded.
    created: bool


@dataclass(frozen=True)
class RecordLoad:
    """The journal gave a teacher a load in a group (`teacher_id` set) or removed it (None)."""

    load_id: uuid.UUID
    teacher_id: uuid.UUID | None
    group_id: uuid.UUID | None


@dataclass(frozen=True)
class RecordMembership:
    """The journal enrolled or moved a student: the group left and the group joined on a date."""

    student_id: uuid.UUID
    on_date: date
    leave_group_id: uuid.UUID | None
    join_group_id: uuid.UUID | None


def membership_command(
    student_id: uuid.UUID,
    from_group_id: uuid.UUID | None,
    to_group_id: uuid.UUID | None,
    on_date: date,
) -> RecordMembership:
    """Return the projection's command for a movement or an enrolment (no group left)."""
    change = group_scope.membership_change(from_group_id, to_group_id)
    return RecordMembership(student_id, on_date, change.leave_group_id, change.join_group_id)


class GroupScopeProjection:
    """Keeps identity's copy of the journal's groups and memberships, each event once."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def record_group(self, cmd: RecordGroup, delivery: Delivery) -> bool:
        """Record the group and its class teacher; False for an event seen before."""
        async with self._uow() as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.consumer, delivery.subject):
                return False
            await uow.group_scopes.record_group(cmd.group_id, cmd.class_teacher_id, overwrite=not cmd.created)
            await uow.commit()
            return True

    async def record_load(self, cmd: RecordLoad, delivery: Delivery) -> bool:
        """Record a teaching load or drop it; False for an event seen before."""
        async with self._uow() as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.consumer, delivery.subject):
                return False
            if cmd.teacher_id is None or cmd.group_id is None:
                await uow.group_scopes.remove_load(cmd.load_id)
            else:
                await uow.group_scopes.record_load(cmd.load_id, cmd.teacher_id, cmd.group_id)
            await uow.commit()
            return True

    async def record_membership(self, cmd: RecordMembership, delivery: Delivery) -> bool:
        """End the stay in the group left and start one in the group joined; False for a repeat."""
        async with self._uow() as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.consumer, delivery.subject):
                return False
            if cmd.leave_group_id is not None:
                await uow.group_scopes.leave(cmd.student_id, cmd.leave_group_id, cmd.on_date)
            if cmd.join_group_id is not None:
                await uow.group_scopes.record_group(cmd.join_group_id, None, overwrite=False)
                await uow.group_scopes.join(cmd.join_group_id, cmd.student_id, cmd.on_date)
            await uow.commit()
            return True
