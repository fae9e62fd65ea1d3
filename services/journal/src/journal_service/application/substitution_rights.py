"""The one place the write paths (RecordLesson, RecordAttendance, RecordMark, ChangeMark, RemoveMark)
learn which loads a teacher writes under: their own, plus a substitution's right on exactly the slot
being written (R2.4: the substitute fills the journal for that lesson only)."""

from __future__ import annotations

import uuid
from datetime import date

from journal_service.application.ports import JournalUnitOfWork
from journal_service.domain import model, year
from journal_service.domain import substitutions as rules


async def loads_for_writing(
    uow: JournalUnitOfWork,
    teacher_id: uuid.UUID,
    *,
    slot: rules.Slot | None = None,
    lesson_id: uuid.UUID | None = None,
) -> list[model.TeachingLoad]:
    """Return the loads the teacher writes under on this slot (or the slot of this lesson): their own
    and, when a substitution in force names them the substitute of exactly this slot, a load covering
    that lesson only. Without a slot (a mark by date only) their own loads alone."""
    loads = await uow.loads.of_teacher(teacher_id)
    if slot is None and lesson_id is not None:
        lesson = await uow.lessons.get(lesson_id)
        slot = None if lesson is None else rules.Slot.of_lesson(lesson)
    if slot is not None and not any(
        load.covers(teacher_id, slot.group_id, slot.discipline_id, slot.subgroup_id) for load in loads
    ):
        found = await uow.substitutions.in_slot(slot.group_id, slot.lesson_date, slot.pair_number)
        granted = rules.grant(found, teacher_id, slot)
        if granted is not None:
            loads.append(granted)
    return loads


# Any day: a substitution in force on any date opens the group's plan reads (GetGroup, ListSubgroups, KTP).
ANY_DAY = year.DateSpan(date.min, date.max)


async def substitutes_in(
    uow: JournalUnitOfWork, teacher_id: uuid.UUID, group_id: uuid.UUID, span: year.DateSpan = ANY_DAY
) -> bool:
    """Return True when a substitution in force in the span names the teacher the substitute in the
    group (R2.4): they read the group's journal pages of that span and its plan, to fill that lesson."""
    found = await uow.substitutions.listed(
        span, group_id=group_id, teacher_id=teacher_id, include_cancelled=False
    )
    return any(view.substitution.substitute_id == teacher_id for view in found)
