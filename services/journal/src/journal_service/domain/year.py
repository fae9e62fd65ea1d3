"""The academic year's structure (R2.1): years and semesters, the «календарный учебный график»,
the bell schedule, group attributes and subgroups. Pure rules, no I/O."""

from __future__ import annotations

import enum
import itertools
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from journal_service.domain import errors, year_errors

MAX_SPANS = 100
MAX_PAIRS = 8
MAX_SUBGROUP_STUDENTS = 100
MINUTES_IN_DAY = 24 * 60
_YEAR_NAME = re.compile(r"^(\d{4})/(\d{4})$")
_SPECIALTY_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")


class CalendarSpanKind(enum.StrEnum):
    """Kind of a span of the «календарный учебный график» (mirrors the proto by name)."""

    THEORY = "theory"
    STUDY_PRACTICE = "study_practice"
    INDUSTRIAL_PRACTICE = "industrial_practice"
    SESSION = "session"
    GIA = "gia"
    HOLIDAYS = "holidays"


# Lessons take place in these spans only (R2.1): theory and practice, never session weeks or holidays.
TEACHING_KINDS = frozenset(
    {CalendarSpanKind.THEORY, CalendarSpanKind.STUDY_PRACTICE, CalendarSpanKind.INDUSTRIAL_PRACTICE}
)


class StudyForm(enum.StrEnum):
    """Form of study (mirrors the proto by name)."""

    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    EXTRAMURAL = "extramural"


@dataclass(frozen=True)
class DateSpan:
    """Days from `starts_on` to `ends_on`, both included."""

    starts_on: date
    ends_on: date

    def contains(self, day: date) -> bool:
        """Return True when the day falls inside."""
        return self.starts_on <= day <= self.ends_on

    def covers(self, other: DateSpan) -> bool:
        """Return True when the other span lies wholly inside this one."""
        return self.starts_on <= other.starts_on and other.ends_on <= self.ends_on


@dataclass(frozen=True)
class AcademicYear:
    """An academic year («2026/2027») and its two semesters (`Period`s)."""

    id: uuid.UUID
    name: str
    span: DateSpan
    semester1: DateSpan
    semester2: DateSpan


@dataclass(frozen=True)
class CalendarSpan:
    """One span of a group's calendar."""

    kind: CalendarSpanKind
    span: DateSpan


@dataclass(frozen=True)
class BellPair:
    """A numbered pair: two academic hours of 45 minutes with a break; times in minutes after midnight."""

    number: int
    starts_at: int
    ends_at: int


@dataclass(frozen=True)
class GroupAttributes:
    """What UpdateGroup may set; None leaves an attribute as it is ("" clears a text, see `clear_*`)."""

    course_year: int | None = None
    specialty_code: str | None = None
    specialty_name: str | None = None
    study_form: StudyForm | None = None
    class_teacher_id: uuid.UUID | None = None
    clear_class_teacher: bool = False


@dataclass(frozen=True)
class Subgroup:
    """A subgroup of a group for one discipline."""

    id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    name: str
    student_ids: tuple[uuid.UUID, ...]


def new_academic_year(name: str, span: DateSpan, semester1: DateSpan, semester2: DateSpan) -> AcademicYear:
    """Open a year after checking its name, its span and the order of its semesters."""
    found = _YEAR_NAME.match(name)
    if found is None or int(found[2]) != int(found[1]) + 1:
        raise year_errors.InvalidYearName()
    first = int(found[1])
    if span.starts_on.year != first or span.ends_on < span.starts_on:
        raise year_errors.InvalidYearSpan()
    try:
        year_later = span.starts_on.replace(year=first + 1)
    except ValueError:  # 29 February
        year_later = date(first + 1, 3, 1)
    if span.ends_on >= year_later:
        raise year_errors.InvalidYearSpan()
    if not (
        span.starts_on
        <= semester1.starts_on
        <= semester1.ends_on
        < semester2.starts_on
        <= semester2.ends_on
        <= span.ends_on
    ):
        raise year_errors.SemestersOutOfOrder()
    return AcademicYear(id=uuid.uuid4(), name=name, span=span, semester1=semester1, semester2=semester2)


def check_calendar(year: AcademicYear, spans: Sequence[CalendarSpan]) -> list[CalendarSpan]:
    """Return the spans by start date after checking each lies in the year and none overlaps another."""
    if len(spans) > MAX_SPANS:
        raise year_errors.TooManySpans(MAX_SPANS)
    for index, item in enumerate(spans):
        if item.span.ends_on < item.span.starts_on:
            raise year_errors.InvalidSpanDates(index)
        if not year.span.covers(item.span):
            raise year_errors.SpanOutsideYear(index)
    ordered = sorted(spans, key=lambda s: (s.span.starts_on, s.span.ends_on))
    for before, after in itertools.pairwise(ordered):
        if after.span.starts_on <= before.span.ends_on:
            raise year_errors.SpansOverlap(after.span.starts_on)
    return ordered


def is_teaching_day(calendar: Iterable[CalendarSpan], day: date) -> bool:
    """Return True when the day falls in a theory or practice span of the calendar (never holidays)."""
    return any(item.kind in TEACHING_KINDS and item.span.contains(day) for item in calendar)


def check_bell_schedule(pairs: Sequence[BellPair]) -> list[BellPair]:
    """Return the pairs by number after checking numbers 1..8 (each once) and times that do not overlap."""
    if not pairs:
        raise year_errors.InvalidBellSchedule("нужна хотя бы одна пара")
    if len(pairs) > MAX_PAIRS:
        raise year_errors.InvalidBellSchedule(f"не больше {MAX_PAIRS} пар")
    numbers = [p.number for p in pairs]
    if len(set(numbers)) != len(numbers) or not all(1 <= n <= MAX_PAIRS for n in numbers):
        raise year_errors.InvalidBellSchedule(f"номера пар — от 1 до {MAX_PAIRS}, каждый один раз")
    ordered = sorted(pairs, key=lambda p: p.number)
    for pair in ordered:
        if not 0 <= pair.starts_at < pair.ends_at <= MINUTES_IN_DAY:
            raise year_errors.InvalidBellSchedule(f"пара №{pair.number} начинается позже, чем кончается")
    for before, after in itertools.pairwise(ordered):
        if after.starts_at < before.ends_at:
            raise year_errors.PairsOverlap(after.number)
    return ordered


def check_group_attributes(attributes: GroupAttributes) -> GroupAttributes:
    """Return the attributes after checking the course year and the specialty code."""
    if attributes.course_year is not None and not 1 <= attributes.course_year <= 5:
        raise year_errors.InvalidCourseYear()
    code = attributes.specialty_code
    if code and _SPECIALTY_CODE.match(code) is None:
        raise year_errors.InvalidSpecialtyCode()
    return attributes


def new_subgroup(
    *,
    group_id: uuid.UUID,
    discipline_id: uuid.UUID,
    name: str,
    student_ids: Sequence[uuid.UUID],
    enrolled: Iterable[uuid.UUID],
    in_other_subgroups: Iterable[uuid.UUID],
) -> Subgroup:
    """Create a subgroup after checking its students are enrolled and in no other subgroup."""
    students = tuple(dict.fromkeys(student_ids))
    if len(students) > MAX_SUBGROUP_STUDENTS:
        raise year_errors.TooManySubgroupStudents(MAX_SUBGROUP_STUDENTS)
    if not set(students) <= set(enrolled):
        raise errors.StudentNotInGroup()
    if set(students) & set(in_other_subgroups):
        raise year_errors.StudentInAnotherSubgroup()
    return Subgroup(
        id=uuid.uuid4(), group_id=group_id, discipline_id=discipline_id, name=name, student_ids=students
    )
