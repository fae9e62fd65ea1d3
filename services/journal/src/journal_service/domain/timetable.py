"""The timetable («расписание», R2.1) and the teacher's day («Сегодня»): pure rules, no I/O.

Weeks are numbered from the week (Monday to Sunday) holding the first day of the year's semester 1:
that week is 1 (odd), the next 2 (even), and so on through the whole year, across semester 2 and the
holidays between them. An entry of parity `odd` takes place in odd weeks, `even` in even weeks,
`every` in all of them.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from chassis.errors import FailedPrecondition, InvalidArgument

from journal_service.domain import lessons, model, year

MAX_ENTRIES = 200
MAX_ROOM = 32
SATURDAY = 6


class WeekParity(enum.StrEnum):
    """Which weeks an entry takes place in (mirrors the proto by name; stored as checked text)."""

    EVERY = "every"
    ODD = "odd"
    EVEN = "even"

    def overlaps(self, other: WeekParity) -> bool:
        """Return True when the two parities share a week."""
        return WeekParity.EVERY in (self, other) or self is other


@dataclass(frozen=True)
class TimetableEntry:
    """One pair of a group's timetable for a semester: for the whole group or one of its subgroups."""

    id: uuid.UUID
    group_id: uuid.UUID
    year_id: uuid.UUID
    semester: int
    weekday: int
    pair_number: int
    parity: WeekParity
    discipline_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    teacher_id: uuid.UUID
    room: str = ""

    def meets_with(self, other: TimetableEntry) -> bool:
        """Return True when both take place at the same weekday and pair in a common week."""
        return (self.weekday, self.pair_number) == (
            other.weekday,
            other.pair_number,
        ) and self.parity.overlaps(other.parity)


# --- errors ---------------------------------------------------------------------------------------


class InvalidSemester(InvalidArgument):
    """A semester is 1 or 2."""

    def __init__(self) -> None:
        super().__init__("Семестр — 1 или 2", code="invalid_semester")


class TooManyTimetableEntries(InvalidArgument):
    """A group's timetable for a semester has at most MAX_ENTRIES entries."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"В расписании группы на семестр не больше {limit} занятий", code="too_many_timetable_entries"
        )


class InvalidWeekday(InvalidArgument):
    """Lessons are from Monday (1) to Saturday (6)."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Занятие №{index + 1}: день недели — от 1 (понедельник) до 6 (суббота)", code="invalid_weekday"
        )


class PairNotFound(InvalidArgument):
    """The pair is not in the college's bell schedule."""

    def __init__(self, index: int, number: int) -> None:
        super().__init__(
            f"Занятие №{index + 1}: пары №{number} нет в расписании звонков", code="pair_not_found"
        )


class InvalidRoom(InvalidArgument):
    """A room is written in at most MAX_ROOM characters."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Занятие №{index + 1}: аудитория — не больше {MAX_ROOM} символов", code="invalid_room"
        )


class TimetableDisciplineNotFound(InvalidArgument):
    """An entry names a discipline the journal does not know."""

    def __init__(self, index: int) -> None:
        super().__init__(f"Занятие №{index + 1}: дисциплина не найдена", code="discipline_not_found")


class SubgroupOfOtherGroup(FailedPrecondition):
    """A subgroup belongs to one group and one discipline."""

    def __init__(self, index: int | None = None) -> None:
        where = "" if index is None else f"Занятие №{index + 1}: "
        super().__init__(
            f"{where}подгруппа не относится к этой группе и дисциплине", code="subgroup_of_other_group"
        )


class TeacherHasNoLoad(FailedPrecondition):
    """An entry's teacher holds no load of the group (or subgroup) and discipline."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Занятие №{index + 1}: у преподавателя нет нагрузки по этой дисциплине в этой группе "
            "(или подгруппе)",
            code="teacher_has_no_load",
        )


class TimetableGroupClash(FailedPrecondition):
    """Two entries of the group meet at once (only subgroups of one discipline may share a pair)."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Занятие №{index + 1}: у группы в это время уже есть другое занятие",
            code="timetable_group_clash",
        )


class TimetableTeacherClash(FailedPrecondition):
    """A teacher cannot give two pairs at once, in this group or another."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Занятие №{index + 1}: у преподавателя в это время уже есть занятие",
            code="timetable_teacher_clash",
        )


# --- rules ----------------------------------------------------------------------------------------


def check_semester(semester: int) -> int:
    """Return the semester after checking it is 1 or 2."""
    if semester not in (1, 2):
        raise InvalidSemester()
    return semester


def _group_clash(a: TimetableEntry, b: TimetableEntry) -> bool:
    """Subgroups of one discipline meet in parallel; anything else at the same pair clashes."""
    parallel = (
        a.subgroup_id is not None
        and b.subgroup_id is not None
        and a.subgroup_id != b.subgroup_id
        and a.discipline_id == b.discipline_id
    )
    return a.meets_with(b) and not parallel


def check_timetable(
    entries: Sequence[TimetableEntry],
    *,
    pairs: Iterable[int],
    disciplines: Iterable[uuid.UUID],
    subgroups: Mapping[uuid.UUID, year.Subgroup],
    loads: Iterable[model.TeachingLoad],
    teachers_elsewhere: Iterable[TimetableEntry],
) -> list[TimetableEntry]:
    """Return the entries by weekday, pair and parity after checking each one and that neither the
    group nor any teacher has two pairs at once (`teachers_elsewhere`: the other groups' entries of the
    same year and semester). Errors name the entry by its place in the request (1-based)."""
    if len(entries) > MAX_ENTRIES:
        raise TooManyTimetableEntries(MAX_ENTRIES)
    known_pairs, known_disciplines, all_loads = set(pairs), set(disciplines), list(loads)
    for index, entry in enumerate(entries):
        if not 1 <= entry.weekday <= SATURDAY:
            raise InvalidWeekday(index)
        if entry.pair_number not in known_pairs:
            raise PairNotFound(index, entry.pair_number)
        if len(entry.room) > MAX_ROOM:
            raise InvalidRoom(index)
        if entry.discipline_id not in known_disciplines:
            raise TimetableDisciplineNotFound(index)
        if entry.subgroup_id is not None:
            subgroup = subgroups.get(entry.subgroup_id)
            if subgroup is None or (subgroup.group_id, subgroup.discipline_id) != (
                entry.group_id,
                entry.discipline_id,
            ):
                raise SubgroupOfOtherGroup(index)
        if not any(
            load.covers(entry.teacher_id, entry.group_id, entry.discipline_id, entry.subgroup_id)
            for load in all_loads
        ):
            raise TeacherHasNoLoad(index)
    elsewhere = list(teachers_elsewhere)
    for index, entry in enumerate(entries):
        earlier = entries[:index]
        if any(_group_clash(entry, other) for other in earlier):
            raise TimetableGroupClash(index)
        busy = (*earlier, *elsewhere)
        if any(other.teacher_id == entry.teacher_id and entry.meets_with(other) for other in busy):
            raise TimetableTeacherClash(index)
    return sorted(entries, key=sort_key)


def sort_key(entry: TimetableEntry) -> tuple[int, int, str, str, str]:
    """Order of a timetable: weekday, pair, parity, then subgroup and id for stability."""
    return (entry.weekday, entry.pair_number, entry.parity.value, str(entry.subgroup_id or ""), str(entry.id))


def with_ids(entries: Iterable[TimetableEntry]) -> list[TimetableEntry]:
    """Give every entry a new id (a request's ids are ignored: the timetable is replaced whole)."""
    return [replace(entry, id=uuid.uuid4()) for entry in entries]


# --- the teacher's day ----------------------------------------------------------------------------


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_number(academic_year: year.AcademicYear, day: date) -> int:
    """Return the study week of the day: 1 for the week of semester 1's first day (may be ≤ 0 before)."""
    return (_monday(day) - _monday(academic_year.semester1.starts_on)).days // 7 + 1


def parity_of_week(number: int) -> WeekParity:
    """Return ODD or EVEN for a week number."""
    return WeekParity.ODD if number % 2 else WeekParity.EVEN


@dataclass(frozen=True)
class Placement:
    """Where a date falls: its academic year, semester and study week."""

    academic_year: year.AcademicYear
    semester: int
    week: int


def place(years: Iterable[year.AcademicYear], day: date) -> Placement | None:
    """Return the year, semester and week holding the day, or None outside every semester."""
    for academic_year in years:
        for number, span in ((1, academic_year.semester1), (2, academic_year.semester2)):
            if span.contains(day):
                return Placement(academic_year, number, week_number(academic_year, day))
    return None


def entries_on(
    day: date,
    placement: Placement,
    entries: Iterable[TimetableEntry],
    calendars: Mapping[uuid.UUID, Sequence[year.CalendarSpan]],
) -> list[TimetableEntry]:
    """Return the entries taking place on the day, by pair: its weekday, its week's parity, and a
    teaching day of the entry's group calendar (a group with no calendar in the year yet is taken as
    teaching, as RecordLesson does)."""
    weekday, parity = day.isoweekday(), parity_of_week(placement.week)
    chosen = [
        entry
        for entry in entries
        if entry.year_id == placement.academic_year.id
        and entry.semester == placement.semester
        and entry.weekday == weekday
        and entry.parity in (WeekParity.EVERY, parity)
        and lessons.teaching_day_allowed(
            [placement.academic_year],
            {placement.academic_year.id: list(calendars.get(entry.group_id, ()))},
            day,
        )
    ]
    return sorted(chosen, key=lambda e: (e.pair_number, str(e.group_id), str(e.subgroup_id or "")))
