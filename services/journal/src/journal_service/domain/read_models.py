"""Read models people use (issue 6, item 6) and the class teacher's «Пропуски» (item 5), pure.

The journal page (students × lessons of a discipline), the class teacher's group view (students ×
disciplines), the student's diary (day by day) and a group's week of absences are assembled here from
plain rows the repository reads in a few queries; every average comes from `domain/averages.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from chassis.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied

from journal_service.domain import averages, lessons, model, period_locks
from journal_service.domain.subgroup_membership import PageMembership

MAX_CORRECTIONS = 500
# Reasons that excuse an absence (§4.2.2: the class teacher sorts them out week by week); «не указана»
# and «неуважительная» do not.
VALID_REASONS = frozenset(
    {lessons.AbsenceReason.ILLNESS, lessons.AbsenceReason.DOCUMENTED, lessons.AbsenceReason.COLLEGE_BUSINESS}
)


# --- rows as the repository reads them -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupReaders:
    """Who besides the administration reads a group: its class teacher, and whether the caller has a
    teaching load in it; read along with the group's students (in a stable order)."""

    class_teacher_id: uuid.UUID | None
    teaches: bool
    student_ids: Sequence[uuid.UUID] = ()


class LessonRow(NamedTuple):
    """A lesson as the read models show it (a diary's homework already filtered for its student). A
    named tuple: every page builds one per lesson from the driver's rows, and a frozen dataclass's
    __init__ cost ~2 µs a row (0.08 ms of a 40-lesson page)."""

    id: uuid.UUID
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    discipline_id: uuid.UUID
    teacher_id: uuid.UUID
    lesson_date: date
    pair_number: int
    topic: str
    kind: str
    homework: str
    homework_deadline: date | None
    ktp_topic_id: uuid.UUID | None = None
    homework_kind: str = ""
    homework_student_ids: Sequence[uuid.UUID] = ()


class MarkRow(NamedTuple):
    """A mark as a cell shows it (its id as text); satisfies `averages.Averaged`. A named tuple: a page
    builds hundreds straight from the driver's rows."""

    id: str
    student_id: uuid.UUID
    discipline_id: uuid.UUID
    lesson_id: uuid.UUID | None
    lesson_date: date
    value: str
    kind_of_work: str
    weight: int


class PageMarkRow(NamedTuple):
    """A mark as a journal page's cell shows it, every id as text (a page reads hundreds, and the
    database's text is several times cheaper to read than a UUID object); satisfies
    `averages.Weighed`."""

    id: str
    student_id: str
    discipline_id: str
    lesson_id: str | None
    lesson_date: date
    value: str
    kind_of_work: str
    weight: int


class AttendanceRow(NamedTuple):
    """One student's attendance of one lesson (a category of reason, never a diagnosis); a named tuple,
    like `LessonRow`."""

    lesson_id: uuid.UUID
    student_id: uuid.UUID
    status: str
    reason: str


@dataclass(frozen=True, slots=True)
class AbsenceCount:
    """A student's absences in a discipline over a period, counted by the database."""

    student_id: uuid.UUID
    discipline_id: uuid.UUID
    absences: int
    without_valid_reason: int
    lateness: int


@dataclass(frozen=True, slots=True)
class AbsenceRow:
    """An absence or lateness of a student at a lesson of the group («Пропуски»)."""

    student_id: uuid.UUID
    lesson_id: uuid.UUID
    lesson_date: date
    pair_number: int
    discipline_id: uuid.UUID
    status: str
    reason: str


# --- the journal page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageAttendance:
    """A page's absences and lateness, and the lessons whose attendance was taken (a student without an
    entry at such a lesson was present)."""

    missed: list[AttendanceRow]
    taken: set[uuid.UUID]


@dataclass(frozen=True)
class PageCells:
    """A page's cells (a student × a lesson with a mark, an absence or a lateness) as columns of equal
    length, by student and lesson: cell i is the student at position `student[i]` of the page's students
    at the lesson at position `lesson[i]` of its lessons; `status`/`reason` are empty for marks only.
    Columns, not an object per cell: the page is read on every visit, and columns of numbers travel to
    the gateway and on to the browser without being rebuilt cell by cell (ADR 0009)."""

    student: list[int] = field(default_factory=list)
    lesson: list[int] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    reason: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class JournalPage:
    """Students × lessons of a group's (or subgroup's) discipline in a period.

    `marks` are the marks at the page's lessons by cell, each in the order recorded, with `mark_cell[i]`
    the position in `cells` of `marks[i]`; `means`/`weighted_means` follow `student_ids`."""

    student_ids: list[uuid.UUID]
    lessons: list[LessonRow]
    cells: PageCells
    marks: list[PageMarkRow]
    mark_cell: list[int]
    marks_without_lesson: list[PageMarkRow]
    means: list[Decimal | None]
    weighted_means: list[Decimal | None]
    lessons_with_attendance: list[uuid.UUID] = field(default_factory=list)
    # Slice B: the closed periods overlapping the page's dates (R1.5; the grid is read-only on their days).
    period_locks: list[period_locks.PeriodLock] = field(default_factory=list)
    # Slice J: per student (student_ids' order), joining and leaving within the page's dates.
    memberships: list[PageMembership] = field(default_factory=list)


def journal_page(
    student_ids: Sequence[uuid.UUID],
    lesson_rows: Sequence[LessonRow],
    marks: Iterable[PageMarkRow],
    attendance: PageAttendance,
    dictionary: model.MarkDictionary,
) -> JournalPage:
    """Assemble a page: the marks, absences and lateness of the page's students at its lessons (a cell
    only where there is one), each student's averages over their marks on the page (on its lessons and
    by date only), the lessons whose attendance was taken."""
    # Students and lessons become their positions once; a cell is keyed by one number, its student's
    # position × the number of lessons + its lesson's (so the cells sort by student, then lesson).
    # The marks' ids are text (PageMarkRow), so the positions are looked up by text.
    students = {str(s): i for i, s in enumerate(student_ids)}
    lesson_order = {str(lesson.id): i for i, lesson in enumerate(lesson_rows)}
    width = len(lesson_rows) or 1
    marks_at: dict[int, list[PageMarkRow]] = {}
    missed: dict[int, AttendanceRow] = {}
    undated: list[tuple[int, PageMarkRow]] = []
    by_student: list[list[PageMarkRow]] = [[] for _ in student_ids]
    for mark in marks:
        row = students.get(mark.student_id)
        if row is None:
            continue
        if mark.lesson_id is None:
            undated.append((row, mark))
        else:
            column = lesson_order.get(mark.lesson_id)
            if column is None:
                continue  # a mark on another subgroup's lesson: not on this page
            key = row * width + column
            at = marks_at.get(key)
            if at is None:
                marks_at[key] = [mark]
            else:
                at.append(mark)
        by_student[row].append(mark)
    for entry in attendance.missed:
        row, column = students.get(str(entry.student_id)), lesson_order.get(str(entry.lesson_id))
        if row is not None and column is not None:
            missed[row * width + column] = entry
    keys = sorted(marks_at.keys() | missed.keys())
    cells = PageCells(student=[key // width for key in keys], lesson=[key % width for key in keys])
    absences = [missed.get(key) for key in keys]
    cells.status.extend("" if a is None else a.status for a in absences)
    cells.reason.extend("" if a is None else a.reason for a in absences)
    page_marks: list[PageMarkRow] = []
    mark_cell: list[int] = []
    for position, key in enumerate(keys):
        at = marks_at.get(key)
        if at is not None:
            page_marks += at
            mark_cell += [position] * len(at)
    undated.sort(key=lambda item: (item[0], item[1].lesson_date))
    pairs = [averages.both(items, dictionary) for items in by_student]
    return JournalPage(
        student_ids=list(student_ids),
        lessons=list(lesson_rows),
        cells=cells,
        marks=page_marks,
        mark_cell=mark_cell,
        marks_without_lesson=[mark for _, mark in undated],
        means=[mean for mean, _ in pairs],
        weighted_means=[weighted for _, weighted in pairs],
        lessons_with_attendance=[lesson.id for lesson in lesson_rows if lesson.id in attendance.taken],
    )


# --- the class teacher's group view ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OverviewCell:
    """One student × one discipline of the group view."""

    student_id: uuid.UUID
    discipline_id: uuid.UUID
    mean: Decimal | None
    weighted_mean: Decimal | None
    mark_count: int
    absences: int
    without_valid_reason: int
    lateness: int


@dataclass(frozen=True)
class GroupOverview:
    """The group's students × disciplines over a period (read-only)."""

    student_ids: list[uuid.UUID]
    disciplines: list[model.DisciplineView]
    cells: list[OverviewCell]


def group_overview(
    student_ids: Sequence[uuid.UUID],
    disciplines: Sequence[model.DisciplineView],
    marks: Iterable[MarkRow],
    absences: Iterable[AbsenceCount],
    dictionary: model.MarkDictionary,
) -> GroupOverview:
    """Assemble the view: per student and discipline the averages, the marks that count, the absences."""
    students = {s: i for i, s in enumerate(student_ids)}
    ordered_disciplines = sorted(disciplines, key=lambda d: (d.code, d.name, str(d.id)))
    discipline_order = {d.id: i for i, d in enumerate(ordered_disciplines)}
    marks_of: dict[tuple[uuid.UUID, uuid.UUID], list[MarkRow]] = {}
    for mark in marks:
        if mark.student_id in students and mark.discipline_id in discipline_order:
            marks_of.setdefault((mark.student_id, mark.discipline_id), []).append(mark)
    counts = {
        (a.student_id, a.discipline_id): a
        for a in absences
        if a.student_id in students and a.discipline_id in discipline_order
    }
    cells = []
    for key in sorted(
        marks_of.keys() | counts.keys(), key=lambda k: (students[k[0]], discipline_order[k[1]])
    ):
        items = marks_of.get(key, [])
        count = counts.get(key)
        mean, weighted_mean = averages.both(items, dictionary)
        cells.append(
            OverviewCell(
                student_id=key[0],
                discipline_id=key[1],
                mean=mean,
                weighted_mean=weighted_mean,
                mark_count=sum(1 for m in items if averages.counts(m, dictionary)),
                absences=count.absences if count else 0,
                without_valid_reason=count.without_valid_reason if count else 0,
                lateness=count.lateness if count else 0,
            )
        )
    return GroupOverview(list(student_ids), ordered_disciplines, cells)


# --- the student's diary ---------------------------------------------------------------------------


@dataclass(slots=True)
class DiaryLesson:
    """One lesson of a diary day with the student's marks and attendance."""

    lesson: LessonRow
    marks: list[MarkRow] = field(default_factory=list)
    status: str = ""
    reason: str = ""


@dataclass(slots=True)
class DiaryDay:
    """One day of a diary."""

    day: date
    lessons: list[DiaryLesson] = field(default_factory=list)
    marks_without_lesson: list[MarkRow] = field(default_factory=list)


@dataclass(frozen=True)
class Diary:
    """A student's diary over a period."""

    days: list[DiaryDay]
    disciplines: list[model.DisciplineView]
    averages: list[averages.DisciplineAverages]


def diary(
    lesson_rows: Sequence[LessonRow],
    marks: Sequence[MarkRow],
    attendance: Iterable[AttendanceRow],
    disciplines: Sequence[model.DisciplineView],
    dictionary: model.MarkDictionary,
) -> Diary:
    """Assemble a diary: lessons by date and pair, the student's marks on them (a mark on a lesson the
    diary does not show goes with its day's marks by date), attendance, averages per discipline."""
    days: dict[date, DiaryDay] = {}
    on_lesson: dict[uuid.UUID, DiaryLesson] = {}
    for row in sorted(lesson_rows, key=lambda r: (r.lesson_date, r.pair_number, str(r.subgroup_id or ""))):
        day = days.get(row.lesson_date)
        if day is None:
            day = days[row.lesson_date] = DiaryDay(row.lesson_date)
        item = on_lesson[row.id] = DiaryLesson(row)
        day.lessons.append(item)
    for mark in marks:
        target = on_lesson.get(mark.lesson_id) if mark.lesson_id is not None else None
        if target is not None:
            target.marks.append(mark)
            continue
        day = days.get(mark.lesson_date)
        if day is None:
            day = days[mark.lesson_date] = DiaryDay(mark.lesson_date)
        day.marks_without_lesson.append(mark)
    for entry in attendance:
        target = on_lesson.get(entry.lesson_id)
        if target is not None:
            target.status, target.reason = entry.status, entry.reason
    ordered = sorted(disciplines, key=lambda d: (d.code, d.name, str(d.id)))
    by_date: list[MarkRow] = sorted(marks, key=lambda m: (m.lesson_date, str(m.id)))
    return Diary(
        days=[days[d] for d in sorted(days)],
        disciplines=ordered,
        averages=averages.by_discipline(by_date, dictionary),
    )


# --- «Пропуски» ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekOfAbsences:
    """A group's absences and lateness of one week, by student, date and pair."""

    student_ids: list[uuid.UUID]
    absences: list[AbsenceRow]
    disciplines: list[model.DisciplineView]


def week_of(week_start: date) -> tuple[date, date]:
    """Return Monday and Sunday of the week starting on `week_start`; refuse any other day."""
    if week_start.weekday() != 0:
        raise InvalidWeekStart(week_start)
    return week_start, week_start + timedelta(days=6)


def order_absences(student_ids: Sequence[uuid.UUID], rows: Iterable[AbsenceRow]) -> list[AbsenceRow]:
    """Return the rows of the group's current students by student order, then date and pair."""
    students = {s: i for i, s in enumerate(student_ids)}
    return sorted(
        (r for r in rows if r.student_id in students),
        key=lambda r: (students[r.student_id], r.lesson_date, r.pair_number, str(r.lesson_id)),
    )


@dataclass(frozen=True, slots=True)
class ReasonCorrection:
    """The reason category to set on one student's absence at one lesson."""

    lesson_id: uuid.UUID
    student_id: uuid.UUID
    reason: lessons.AbsenceReason


@dataclass(frozen=True, slots=True)
class CorrectedReason:
    """A corrected reason: before and after (equal when nothing changed)."""

    lesson_id: uuid.UUID
    student_id: uuid.UUID
    old_reason: lessons.AbsenceReason
    reason: lessons.AbsenceReason

    @property
    def changed(self) -> bool:
        """Return True when the category changed."""
        return self.old_reason != self.reason


def check_corrections(corrections: Sequence[ReasonCorrection]) -> None:
    """Refuse an empty or oversized batch and a lesson and student named twice."""
    if not corrections:
        raise MissingCorrections()
    if len(corrections) > MAX_CORRECTIONS:
        raise TooManyCorrections(MAX_CORRECTIONS)
    seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for index, c in enumerate(corrections):
        if (c.lesson_id, c.student_id) in seen:
            raise DuplicateCorrection(index)
        seen.add((c.lesson_id, c.student_id))


def correct_reasons(
    group_id: uuid.UUID,
    corrections: Sequence[ReasonCorrection],
    lesson_groups: dict[uuid.UUID, uuid.UUID],
    entries: dict[tuple[uuid.UUID, uuid.UUID], AttendanceRow],
) -> list[CorrectedReason]:
    """Decide every correction or refuse the batch: each lesson of the group, each an absence or
    lateness already recorded. `lesson_groups` maps the lessons found to their group."""
    check_corrections(corrections)
    result = []
    for index, c in enumerate(corrections):
        owner = lesson_groups.get(c.lesson_id)
        if owner is None:
            raise CorrectionLessonNotFound(index)
        if owner != group_id:
            raise LessonOfAnotherGroup(index)
        entry = entries.get((c.lesson_id, c.student_id))
        if entry is None or entry.status == lessons.AttendanceStatus.PRESENT.value:
            raise NotAnAbsence(index)
        result.append(
            CorrectedReason(c.lesson_id, c.student_id, lessons.AbsenceReason(entry.reason), c.reason)
        )
    return result


# --- errors ----------------------------------------------------------------------------------------


class InvalidWeekStart(InvalidArgument):
    """A week of «Пропуски» starts on a Monday."""

    def __init__(self, day: date) -> None:
        super().__init__(
            f"Неделя начинается с понедельника, а {day:%d.%m.%Y} — не понедельник", code="invalid_week_start"
        )


class MissingCorrections(InvalidArgument):
    """A batch of corrections names at least one absence."""

    def __init__(self) -> None:
        super().__init__(
            "Укажите хотя бы один пропуск, причину которого нужно исправить", code="missing_corrections"
        )


class TooManyCorrections(InvalidArgument):
    """A batch of corrections is at most a few weeks of a group."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"Не больше {limit} исправлений за раз", code="too_many_corrections")


class DuplicateCorrection(InvalidArgument):
    """Each lesson and student once in a batch."""

    def __init__(self, index: int) -> None:
        super().__init__(f"Строка №{index + 1}: этот пропуск уже указан выше", code="duplicate_correction")


class UnknownAbsenceReason(InvalidArgument):
    """The reason is one of the categories (never free text)."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Строка №{index + 1}: выберите категорию причины из списка",
            code="invalid_absence_reason",
        )


class CorrectionLessonNotFound(NotFound):
    """A correction names a lesson that does not exist."""

    def __init__(self, index: int) -> None:
        super().__init__(f"Строка №{index + 1}: занятие не найдено", code="lesson_not_found")


class LessonOfAnotherGroup(FailedPrecondition):
    """The class teacher corrects the absences of their own group only."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Строка №{index + 1}: занятие другой группы — исправлять можно только пропуски этой группы",
            code="lesson_of_another_group",
        )


class NotAnAbsence(FailedPrecondition):
    """Only a recorded absence or lateness has a reason to correct."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Строка №{index + 1}: у обучающегося на этом занятии не отмечены пропуск или опоздание",
            code="not_an_absence",
        )


class NotClassTeacherOfGroup(PermissionDenied):
    """Reasons of a group's absences are corrected by its class teacher (and the admin)."""

    def __init__(self) -> None:
        super().__init__(
            "Причины пропусков исправляет классный руководитель этой группы", code="not_class_teacher"
        )
