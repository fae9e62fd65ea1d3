"""Substitutions («замены», R2.4, §4.5.2, §4.6.1): the administration records that a pair of the
timetable on a date is taught by another teacher of the college; the substitute may then fill the
journal for that lesson only (the lesson, its marks, attendance and homework), nothing else of the load.

The substitution is kept on the slot — group (or subgroup), discipline, date and pair — so it can be
recorded before the lesson is: the substitute records the lesson. Who actually taught a lesson is the
lesson's teacher (the one who recorded it); `taught_by` answers it with the substitution in view.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from chassis.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound

from journal_service.domain import lesson_errors, lessons, model, timetable, year

# The longest span ListSubstitutions reads at once.
MAX_LIST_DAYS = 366


class SubstitutionReason(enum.StrEnum):
    """Why a teacher is replaced: a category, never a diagnosis or free text (mirrors the proto by name)."""

    SICK_LEAVE = "sick_leave"
    BUSINESS_TRIP = "business_trip"
    VACATION = "vacation"
    TRAINING = "training"
    OTHER = "other"


@dataclass(frozen=True)
class Slot:
    """A pair of a group (or one of its subgroups) in a discipline on a date."""

    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    discipline_id: uuid.UUID
    lesson_date: date
    pair_number: int

    @classmethod
    def of_lesson(cls, lesson: lessons.Lesson) -> Slot:
        """Return the slot a lesson takes."""
        return cls(
            lesson.group_id, lesson.subgroup_id, lesson.discipline_id, lesson.lesson_date, lesson.pair_number
        )


@dataclass(frozen=True)
class Substitution:
    """A slot taught by `substitute_id` instead of `teacher_id` (the timetable entry's teacher)."""

    id: uuid.UUID
    slot: Slot
    teacher_id: uuid.UUID
    substitute_id: uuid.UUID
    reason: SubstitutionReason
    recorded_by: uuid.UUID
    cancelled: bool = False


@dataclass(frozen=True)
class SubstitutionView:
    """A substitution as listed: with the lesson recorded in its slot and who recorded (taught) it."""

    substitution: Substitution
    lesson_id: uuid.UUID | None = None
    taught_by: uuid.UUID | None = None


# --- errors ---------------------------------------------------------------------------------------


class InvalidSubstitutionReason(InvalidArgument):
    """Every substitution has a reason category."""

    def __init__(self) -> None:
        super().__init__("Укажите причину замены", code="invalid_substitution_reason")


class SubstitutionDateOutsideYear(FailedPrecondition):
    """The date falls in no semester of an open academic year."""

    def __init__(self, day: date) -> None:
        super().__init__(
            f"{day:%d.%m.%Y} не входит ни в один семестр учебного года", code="date_outside_year"
        )


class SlotNotInTimetable(FailedPrecondition):
    """The group has no such pair of that discipline on that date in its timetable."""

    def __init__(self, day: date, pair: int) -> None:
        super().__init__(
            f"В расписании группы нет {pair}-й пары этой дисциплины на {day:%d.%m.%Y}",
            code="slot_not_in_timetable",
        )


class SubstituteIsOwnTeacher(FailedPrecondition):
    """The substitute is the teacher of the pair."""

    def __init__(self) -> None:
        super().__init__(
            "Заменяющий преподаватель — тот же, кто ведёт эту пару по расписанию",
            code="substitute_is_own_teacher",
        )


class SubstituteBusy(FailedPrecondition):
    """The substitute has a pair of their own (or another substitution) at the same time."""

    def __init__(self, day: date, pair: int) -> None:
        super().__init__(
            f"У заменяющего преподавателя {day:%d.%m.%Y} на {pair}-й паре своё занятие",
            code="substitute_busy",
        )


class SubstitutionExists(AlreadyExists):
    """The slot already has a substitution in force."""

    def __init__(self, day: date, pair: int) -> None:
        super().__init__(
            f"На {day:%d.%m.%Y}, {pair}-ю пару у группы замена уже записана", code="substitution_exists"
        )


class SubstitutionNotFound(NotFound):
    """No substitution in force with this id."""

    def __init__(self) -> None:
        super().__init__("Замена не найдена", code="substitution_not_found")


class SubstitutionUsed(FailedPrecondition):
    """The substitute already recorded the lesson: cancelling would orphan it."""

    def __init__(self) -> None:
        super().__init__(
            "Заменяющий преподаватель уже записал это занятие — замену нельзя отменить",
            code="substitution_used",
        )


class InvalidSubstitutionRange(InvalidArgument):
    """The list's period runs backwards or is longer than a year."""

    def __init__(self) -> None:
        super().__init__(
            f"Период замен: окончание не раньше начала, не длиннее {MAX_LIST_DAYS} дней",
            code="invalid_substitution_range",
        )


# --- rules ----------------------------------------------------------------------------------------


def check_range(span: year.DateSpan) -> year.DateSpan:
    """Return the span when it runs forward and is at most MAX_LIST_DAYS long."""
    if span.ends_on < span.starts_on or (span.ends_on - span.starts_on).days > MAX_LIST_DAYS:
        raise InvalidSubstitutionRange()
    return span


def timetable_entry_of(
    slot: Slot,
    *,
    placement: timetable.Placement | None,
    pairs: Iterable[int],
    teaching_day: bool,
    group_entries: Iterable[timetable.TimetableEntry],
) -> timetable.TimetableEntry:
    """Return the timetable entry the slot is on: the date inside a semester (`date_outside_year`),
    the pair in the bell schedule (`pair_not_in_schedule`), a teaching day of the group's calendar
    (`not_a_teaching_day`: holidays, session), and an entry of the group's timetable on that weekday
    and week for the discipline and subgroup (`slot_not_in_timetable`)."""
    if placement is None:
        raise SubstitutionDateOutsideYear(slot.lesson_date)
    if slot.pair_number not in set(pairs):
        raise lesson_errors.PairNotInSchedule(slot.pair_number)
    if not teaching_day:
        raise lesson_errors.NotATeachingDay(slot.lesson_date)
    on_day = timetable.entries_on(slot.lesson_date, placement, group_entries, {})
    for entry in on_day:
        if (entry.group_id, entry.subgroup_id, entry.discipline_id, entry.pair_number) == (
            slot.group_id,
            slot.subgroup_id,
            slot.discipline_id,
            slot.pair_number,
        ):
            return entry
    raise SlotNotInTimetable(slot.lesson_date, slot.pair_number)


def new_substitution(
    slot: Slot,
    *,
    entry: timetable.TimetableEntry,
    substitute_id: uuid.UUID,
    reason: SubstitutionReason,
    recorded_by: uuid.UUID,
    substitute_pairs: Iterable[int],
    slot_taken: bool,
) -> Substitution:
    """Create a substitution of the entry's teacher on the slot after checking its rules: not the
    entry's own teacher, no pair of the substitute's own at that pair (`substitute_pairs`: the pair
    numbers the substitute teaches on that date — timetable, lessons and substitutions) and, checked
    first, no other substitution in force on the slot (`slot_taken`)."""
    if substitute_id == entry.teacher_id:
        raise SubstituteIsOwnTeacher()
    if slot_taken:
        raise SubstitutionExists(slot.lesson_date, slot.pair_number)
    if slot.pair_number in set(substitute_pairs):
        raise SubstituteBusy(slot.lesson_date, slot.pair_number)
    return Substitution(
        id=uuid.uuid4(),
        slot=slot,
        teacher_id=entry.teacher_id,
        substitute_id=substitute_id,
        reason=reason,
        recorded_by=recorded_by,
    )


def grant(found: Sequence[Substitution], teacher_id: uuid.UUID, slot: Slot) -> model.TeachingLoad | None:
    """Return the write right a substitution in force gives the teacher on this slot — a load covering
    only this lesson's group, discipline and subgroup, used by the write paths on this slot alone — or
    None. A whole-group substitution also covers a subgroup's lesson in its slot, as a whole-group
    load does."""
    for sub in found:
        s = sub.slot
        if (
            not sub.cancelled
            and sub.substitute_id == teacher_id
            and (s.group_id, s.discipline_id, s.lesson_date, s.pair_number)
            == (slot.group_id, slot.discipline_id, slot.lesson_date, slot.pair_number)
            and (s.subgroup_id is None or s.subgroup_id == slot.subgroup_id)
        ):
            return model.TeachingLoad(
                id=sub.id,
                teacher_id=teacher_id,
                group_id=s.group_id,
                discipline_id=s.discipline_id,
                subgroup_id=s.subgroup_id,
            )
    return None


def may_cancel(sub: Substitution, lesson: lessons.Lesson | None) -> None:
    """Refuse to cancel a substitution whose lesson the substitute has recorded (`substitution_used`)."""
    if lesson is not None and lesson.teacher_id == sub.substitute_id:
        raise SubstitutionUsed()


def day_entries(
    teacher_id: uuid.UUID,
    placement: timetable.Placement,
    entries: Sequence[timetable.TimetableEntry],
    found: Iterable[Substitution],
) -> list[tuple[timetable.TimetableEntry, Substitution | None]]:
    """Return a teacher's day («Сегодня») with the substitutions in force that day: their own entries,
    each with the substitution that hands it to someone else (if any), and the pairs they take as a
    substitute (an entry made from the slot, its teacher the substitute), by pair."""
    found = list(found)
    day: list[tuple[timetable.TimetableEntry, Substitution | None]] = []
    for entry in entries:
        given = next(
            (
                s
                for s in found
                if s.teacher_id == teacher_id
                and (s.slot.group_id, s.slot.subgroup_id, s.slot.discipline_id, s.slot.pair_number)
                == (entry.group_id, entry.subgroup_id, entry.discipline_id, entry.pair_number)
            ),
            None,
        )
        day.append((entry, given))
    for s in found:
        if s.substitute_id == teacher_id:
            slot = s.slot
            taken = timetable.TimetableEntry(
                id=s.id,
                group_id=slot.group_id,
                year_id=placement.academic_year.id,
                semester=placement.semester,
                weekday=slot.lesson_date.isoweekday(),
                pair_number=slot.pair_number,
                parity=timetable.WeekParity.EVERY,
                discipline_id=slot.discipline_id,
                subgroup_id=slot.subgroup_id,
                teacher_id=teacher_id,
            )
            day.append((taken, s))
    return sorted(
        day, key=lambda pair: (pair[0].pair_number, str(pair[0].group_id), str(pair[0].subgroup_id or ""))
    )
