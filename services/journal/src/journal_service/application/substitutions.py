"""Substitutions («замены», R2.4): the admin or a deputy records that a pair of a group's timetable on
a date is taught by another teacher of the college; the substitute then fills the journal for that
lesson only (`application/substitution_rights.py`: the one place the write paths learn it)."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, replace
from datetime import date

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events

from journal_service.application.marks import local_date
from journal_service.application.people import PeopleHandlers
from journal_service.application.ports import UnitOfWorkFactory
from journal_service.application.read_models import readable_group
from journal_service.domain import access, errors, lesson_errors, lessons, timetable, year
from journal_service.domain import substitutions as rules
from journal_service.domain.people import require_teacher

# Who records and cancels substitutions (§4.6.1: the administration; the deputy for study work).
RECORDERS = (access.ADMIN, "deputy")


@dataclass(frozen=True)
class RecordSubstitution:
    """Record that a pair of the group's timetable on a date is taught by another teacher."""

    slot: rules.Slot
    substitute_id: uuid.UUID
    reason: rules.SubstitutionReason


@dataclass(frozen=True)
class CancelSubstitution:
    """Cancel a substitution not used yet."""

    substitution_id: uuid.UUID


@dataclass(frozen=True)
class ListSubstitutions:
    """Read the substitutions between two dates (of one group, or all)."""

    span: year.DateSpan
    group_id: uuid.UUID | None = None
    include_cancelled: bool = False


def _require_recorder(actor: Principal) -> uuid.UUID:
    if not actor.has_any(*RECORDERS):
        raise errors.RoleRequired("замены записывает администрация (администратор, заместитель директора)")
    return access.person_id(actor)


class SubstitutionHandlers:
    """Use cases of substitutions."""

    def __init__(self, uow: UnitOfWorkFactory, people: PeopleHandlers) -> None:
        self._uow = uow
        self._people = people

    async def record(self, cmd: RecordSubstitution, actor: Principal) -> rules.SubstitutionView:
        """Record a substitution (admin, deputy) after every rule; event and audit in one transaction."""
        recorder = _require_recorder(actor)
        slot = cmd.slot
        role = await self._people.role_of(cmd.substitute_id)
        async with self._uow() as uow:
            if await uow.groups.get(slot.group_id) is None:
                raise errors.GroupNotFound()
            if await uow.disciplines.get(slot.discipline_id) is None:
                raise errors.DisciplineNotFound()
            if slot.subgroup_id is not None:
                subgroup = await uow.subgroups.get(slot.subgroup_id)
                if subgroup is None or (subgroup.group_id, subgroup.discipline_id) != (
                    slot.group_id,
                    slot.discipline_id,
                ):
                    raise lesson_errors.SubgroupNotFound()
            require_teacher(role)
            placement = timetable.place(await uow.years.all(), slot.lesson_date)
            teaching_day = True
            group_entries: list[timetable.TimetableEntry] = []
            if placement is not None:
                year_id = placement.academic_year.id
                calendar = await uow.years.calendar_of(slot.group_id, year_id)
                teaching_day = not calendar or year.is_teaching_day(calendar, slot.lesson_date)
                group_entries = await uow.timetables.of_group(slot.group_id, year_id, placement.semester)
            entry = rules.timetable_entry_of(
                slot,
                placement=placement,
                pairs=[p.number for p in await uow.bells.pairs()],
                teaching_day=teaching_day,
                group_entries=group_entries,
            )
            assert placement is not None  # timetable_entry_of refused a date outside the year
            own = await uow.timetables.of_teacher(
                cmd.substitute_id,
                placement.academic_year.id,
                placement.semester,
                weekday=slot.lesson_date.isoweekday(),
            )
            calendars = {
                g: await uow.years.calendar_of(g, placement.academic_year.id)
                for g in {e.group_id for e in own}
            }
            busy = {e.pair_number for e in timetable.entries_on(slot.lesson_date, placement, own, calendars)}
            busy |= await uow.substitutions.taken_pairs(cmd.substitute_id, slot.lesson_date)
            # The group row is locked from here on (Lessons.in_slot): two writers of the slot queue up.
            lesson = await uow.lessons.in_slot(
                slot.group_id, slot.subgroup_id, slot.lesson_date, slot.pair_number
            )
            in_slot = await uow.substitutions.in_slot(slot.group_id, slot.lesson_date, slot.pair_number)
            substitution = rules.new_substitution(
                slot,
                entry=entry,
                substitute_id=cmd.substitute_id,
                reason=cmd.reason,
                recorded_by=recorder,
                substitute_pairs=busy,
                slot_taken=any(_same_or_nested(s.slot, slot) for s in in_slot),
            )
            await uow.substitutions.add(substitution)
            await uow.emit(
                events.SubstitutionRecorded(
                    substitution_id=str(substitution.id),
                    group_id=str(slot.group_id),
                    subgroup_id=str(slot.subgroup_id or ""),
                    discipline_id=str(slot.discipline_id),
                    lesson_date=local_date(slot.lesson_date),
                    pair_number=slot.pair_number,
                    teacher_id=str(substitution.teacher_id),
                    substitute_teacher_id=str(substitution.substitute_id),
                    recorded_by=str(recorder),
                )
            )
            await uow.audit(
                "substitution.recorded",
                actor=actor,
                resource_type="substitution",
                resource_id=str(substitution.id),
                subject_person_id=str(substitution.teacher_id),
            )
            await uow.commit()
            return _view(substitution, lesson)

    async def cancel(self, cmd: CancelSubstitution, actor: Principal) -> rules.SubstitutionView:
        """Cancel a substitution (admin, deputy) the substitute has not used yet; event and audit."""
        canceller = _require_recorder(actor)
        async with self._uow() as uow:
            found = await uow.substitutions.get_for_update(cmd.substitution_id)
            if found is None or found.cancelled:
                raise rules.SubstitutionNotFound()
            s = found.slot
            lesson = await uow.lessons.in_slot(s.group_id, s.subgroup_id, s.lesson_date, s.pair_number)
            rules.may_cancel(found, lesson)
            await uow.substitutions.cancel(found.id, canceller)
            await uow.emit(
                events.SubstitutionCancelled(
                    substitution_id=str(found.id),
                    group_id=str(s.group_id),
                    discipline_id=str(s.discipline_id),
                    lesson_date=local_date(s.lesson_date),
                    pair_number=s.pair_number,
                    teacher_id=str(found.teacher_id),
                    substitute_teacher_id=str(found.substitute_id),
                    cancelled_by=str(canceller),
                )
            )
            await uow.audit(
                "substitution.cancelled",
                actor=actor,
                resource_type="substitution",
                resource_id=str(found.id),
                subject_person_id=str(found.teacher_id),
            )
            await uow.commit()
            return _view(replace(found, cancelled=True), lesson)

    async def listed(self, query: ListSubstitutions, actor: Principal) -> list[rules.SubstitutionView]:
        """Return the substitutions in the period: every one to the administration and, of one group, to
        the readers of its journal pages; to another teacher those they take or are replaced in; others
        `role_required`."""
        span = rules.check_range(query.span)
        teacher_id: uuid.UUID | None = None
        if not actor.has_any(*access.READ_ALL_ROLES):
            if not actor.has_any(access.TEACHER, access.CLASS_TEACHER):
                raise errors.RoleRequired("замены видят администрация и преподаватели")
            teacher_id = access.person_id(actor)
        async with self._uow() as uow:
            if teacher_id is not None and query.group_id is not None:
                # The readers of the group's journal pages (its teachers, class teacher, a substitute)
                # see all of its substitutions in the period: the page marks the lessons a substitute
                # taught.
                with contextlib.suppress(errors.GroupNotFound):
                    await readable_group(uow, actor, query.group_id, span)
                    teacher_id = None
            return await uow.substitutions.listed(
                span,
                group_id=query.group_id,
                teacher_id=teacher_id,
                include_cancelled=query.include_cancelled,
            )


def _same_or_nested(a: rules.Slot, b: rules.Slot) -> bool:
    """Two slots of a group on a date and pair clash unless they are two different subgroups."""
    return a.subgroup_id is None or b.subgroup_id is None or a.subgroup_id == b.subgroup_id


def _view(substitution: rules.Substitution, lesson: lessons.Lesson | None) -> rules.SubstitutionView:
    if lesson is None or lesson.discipline_id != substitution.slot.discipline_id:
        return rules.SubstitutionView(substitution)
    return rules.SubstitutionView(substitution, lesson_id=lesson.id, taught_by=lesson.teacher_id)


def substitution_on(
    day: date, found: list[rules.Substitution], entry: timetable.TimetableEntry
) -> rules.Substitution | None:
    """Return the substitution in force on the entry's slot that day, or None (for the teacher's day)."""
    for sub in found:
        s = sub.slot
        if (s.group_id, s.subgroup_id, s.discipline_id, s.lesson_date, s.pair_number) == (
            entry.group_id,
            entry.subgroup_id,
            entry.discipline_id,
            day,
            entry.pair_number,
        ):
            return sub
    return None
