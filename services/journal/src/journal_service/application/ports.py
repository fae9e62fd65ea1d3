"""What the application needs from the outside world, as protocols (adapters and fakes satisfy them)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Protocol

from chassis.ports import UnitOfWorkPort

from journal_service.domain import (
    correction_requests,
    curriculum,
    curriculum_execution,
    demo_exam,
    final_rules,
    finals,
    history,
    ktp,
    lessons,
    mark_changes,
    model,
    movement,
    period_locks,
    read_models,
    reopen_requests,
    retakes,
    subgroup_membership,
    substitutions,
    timetable,
    year,
)


class Groups(Protocol):
    """Groups and enrolments."""

    async def get(self, group_id: uuid.UUID) -> model.Group | None:
        """Return the group or None."""
        ...

    async def name_taken(self, name: str) -> bool:
        """Return True when a group already has this name."""
        ...

    def add(self, group: model.Group) -> None:
        """Stage a new group."""
        ...

    async def enroll(self, group_id: uuid.UUID, student_id: uuid.UUID, on: date) -> bool:
        """Enrol the student from `on`; return False when an enrolment in the group is open already."""
        ...

    async def is_enrolled(self, group_id: uuid.UUID, student_id: uuid.UUID, on: date | None = None) -> bool:
        """Return True when the student is in the group on `on` (without a date: an open enrolment)."""
        ...

    async def students_of(self, group_id: uuid.UUID, on: date | None = None) -> list[uuid.UUID]:
        """Return the students in the group on `on` (enrolled_on ≤ on < left_on; without a date: with
        an open enrolment), in a stable order. Lessons, marks and attendance ask it with their date."""
        ...

    async def lock_student(self, student_id: uuid.UUID) -> None:
        """Hold the student's movements still until the unit of work ends."""
        ...

    async def enrolments_of(self, student_id: uuid.UUID) -> list[movement.Enrolment]:
        """Return every enrolment of the student, past and present, by first day."""
        ...

    async def close_enrolment(self, enrolment_id: uuid.UUID, left_on: date) -> None:
        """Set the first day the student is no longer in the group (the row stays)."""
        ...

    async def add_movement(self, moved: movement.Movement, recorded_by: uuid.UUID) -> None:
        """Stage a movement with its order number and who recorded it."""
        ...

    async def search(
        self, name_prefix: str, limit: int, *, person_id: uuid.UUID | None = None
    ) -> list[model.Group]:
        """Return groups by name whose name starts with the prefix, at most `limit`.

        With `person_id`: only the groups that person teaches (a teaching load) or leads as class
        teacher. One query.
        """
        ...

    async def is_class_teacher_of_student(self, teacher_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        """Return True when the person is the class teacher of a group the student is enrolled in."""
        ...


class Disciplines(Protocol):
    """Disciplines of the curriculum."""

    async def get(self, discipline_id: uuid.UUID) -> model.Discipline | None:
        """Return the discipline or None."""
        ...

    def add(self, discipline: model.Discipline) -> None:
        """Stage a new discipline."""
        ...

    async def views(self, discipline_ids: Collection[uuid.UUID]) -> list[model.DisciplineView]:
        """Return the disciplines with these ids by code and name, as read models."""
        ...

    async def search(self, folded_query: str, *, limit: int) -> list[model.DisciplineView]:
        """Return at most `limit` disciplines whose code or a word of whose name the folded query
        starts (`domain.teaching_load.discipline_matches`; "" all), by code and name."""
        ...


class TeachingLoads(Protocol):
    """Teaching load: who teaches what to whom."""

    async def find(
        self, teacher_id: uuid.UUID, group_id: uuid.UUID, discipline_id: uuid.UUID
    ) -> model.TeachingLoad | None:
        """Return the load of exactly this teacher, group and discipline, or None."""
        ...

    async def of_teacher(self, teacher_id: uuid.UUID) -> list[model.TeachingLoad]:
        """Return every load of a teacher."""
        ...

    def add(self, load: model.TeachingLoad) -> None:
        """Stage a new load."""
        ...

    async def teaches_student(self, teacher_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        """Return True when the teacher has a load in any group the student is enrolled in."""
        ...

    async def of_group(self, group_id: uuid.UUID) -> list[model.TeachingLoad]:
        """Return every load in a group (the whole group's and its subgroups')."""
        ...

    async def get_for_update(self, load_id: uuid.UUID) -> model.TeachingLoad | None:
        """Return the load, its row locked until commit, or None."""
        ...

    async def has_history(self, load: model.TeachingLoad) -> bool:
        """Return True when lessons or marks (removed ones too) of the load's teacher are recorded
        under it: its group and discipline, and for a subgroup's load that subgroup's lessons."""
        ...

    async def in_timetable(self, load: model.TeachingLoad) -> bool:
        """Return True when timetable entries of the load's teacher, group and discipline (a subgroup's
        load: of that subgroup) exist in any year."""
        ...

    async def remove(self, load: model.TeachingLoad) -> None:
        """Delete the load's row."""
        ...


class Marks(Protocol):
    """Marks and the mark dictionary."""

    async def dictionary(self, *, knowing: str | None = None) -> model.MarkDictionary:
        """Load the college's mark dictionary; with `knowing`, one that is sure about that value (a
        cached dictionary without it is read afresh)."""
        ...

    async def add(self, mark: model.Mark) -> None:
        """Stage a new mark and fill its server-side defaults (recorded_at)."""
        ...

    async def of_student(self, student_id: uuid.UUID, *, limit: int = 500) -> list[model.MarkView]:
        """Return a student's marks, newest lesson first, as read models."""
        ...


class MarkChanges(Protocol):
    """Changing and removing marks, each change kept (R3.3)."""

    async def get_for_update(self, mark_id: uuid.UUID) -> model.Mark | None:
        """Return a mark not removed, its row locked until commit, or None."""
        ...

    async def change(self, mark: model.Mark, change: mark_changes.MarkChange) -> None:
        """Stage the mark's new value, kind and weight and keep the change."""
        ...

    async def remove(self, mark: model.Mark, change: mark_changes.MarkChange) -> None:
        """Stage the mark's removal (the row stays, removed_at/removed_by set) and keep the change."""
        ...

    async def history(self, mark_id: uuid.UUID) -> list[mark_changes.MarkChange]:
        """Return the mark's changes, oldest first."""
        ...


class AcademicYears(Protocol):
    """Academic years, their semesters and the groups' calendars (R2.1)."""

    async def get(self, year_id: uuid.UUID) -> year.AcademicYear | None:
        """Return the year with its semesters, or None."""
        ...

    async def add(self, academic_year: year.AcademicYear) -> bool:
        """Stage a new year and its two semesters; False (nothing staged) when the name is taken."""
        ...

    async def all(self) -> list[year.AcademicYear]:
        """Return every year, newest first."""
        ...

    async def calendar_of(self, group_id: uuid.UUID, year_id: uuid.UUID) -> list[year.CalendarSpan]:
        """Return a group's spans in a year, by start date."""
        ...

    async def replace_calendar(
        self, group_id: uuid.UUID, year_id: uuid.UUID, spans: Sequence[year.CalendarSpan]
    ) -> None:
        """Replace a group's spans in a year (the group row is locked first: one writer at a time)."""
        ...


class BellSchedules(Protocol):
    """The college's bell schedule."""

    async def pairs(self) -> list[year.BellPair]:
        """Return the pairs by number."""
        ...

    async def replace(self, pairs: Sequence[year.BellPair]) -> None:
        """Replace every pair (the table is locked first: one writer at a time)."""
        ...


class Movements(Protocol):
    """Student movements (R2.6): histories and a group's list; the movement is staged by `Groups`."""

    async def of_student(self, student_id: uuid.UUID) -> list[movement.Movement]:
        """Return the student's movements, oldest first."""
        ...

    async def of_group(self, group_id: uuid.UUID) -> list[movement.Movement]:
        """Return the movements into or out of the group, oldest first."""
        ...

    async def first_record_from(self, student_id: uuid.UUID, group_id: uuid.UUID, on: date) -> date | None:
        """Return the first date on or after `on` with a mark or attendance entry of the student in
        the group's lessons, or None."""
        ...


class Subgroups(Protocol):
    """Subgroups of groups per discipline."""

    async def name_taken(self, group_id: uuid.UUID, discipline_id: uuid.UUID, name: str) -> bool:
        """Return True when the group has a subgroup of this name for the discipline."""
        ...

    async def students_in_subgroups(self, group_id: uuid.UUID, discipline_id: uuid.UUID) -> set[uuid.UUID]:
        """Return the students already in a subgroup of the group for the discipline."""
        ...

    async def add(self, subgroup: year.Subgroup, year_start: date) -> None:
        """Stage a new subgroup and its members (a member never enrolled belongs from `year_start`,
        1 September of the college's current academic year)."""
        ...

    async def of_group(self, group_id: uuid.UUID) -> list[year.Subgroup]:
        """Return a group's subgroups by discipline and name, members in a stable order."""
        ...

    async def get(self, subgroup_id: uuid.UUID) -> year.Subgroup | None:
        """Return the subgroup with its members, or None."""
        ...


class SubgroupMemberships(Protocol):
    """Slice J: the dated memberships of subgroups (migration 0019)."""

    async def of_group(self, group_id: uuid.UUID) -> list[subgroup_membership.SubgroupMembership]:
        """Return every membership of the group's subgroups, by subgroup, student and start."""
        ...

    async def of_subgroup(self, subgroup_id: uuid.UUID) -> list[subgroup_membership.SubgroupMembership]:
        """Return every membership of the subgroup, by student and start."""
        ...

    async def of_student(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, student_id: uuid.UUID
    ) -> list[subgroup_membership.SubgroupMembership]:
        """Return the student's memberships in the subgroups of the group's discipline, oldest first."""
        ...

    async def move(
        self,
        closed: subgroup_membership.SubgroupMembership,
        opened: subgroup_membership.SubgroupMembership,
        group_id: uuid.UUID,
        discipline_id: uuid.UUID,
    ) -> None:
        """Stage a transfer: the membership in force ends on `closed.to_date`, the new one starts."""
        ...

    async def first_record_from(self, student_id: uuid.UUID, subgroup_id: uuid.UUID, on: date) -> date | None:
        """Return the first date on or after `on` with a mark or attendance of the student at the
        subgroup's lessons, or None."""
        ...

    async def group_stays(
        self, group_id: uuid.UUID, span: year.DateSpan
    ) -> dict[uuid.UUID, list[subgroup_membership.Stay]]:
        """Return each student's stays in the group overlapping `span`, with the movement kinds that
        began and ended them (a plain enrolment: "")."""
        ...


class Lessons(Protocol):
    """Lessons and their attendance (R2.3)."""

    async def in_slot(
        self, group_id: uuid.UUID, subgroup_id: uuid.UUID | None, lesson_date: date, pair_number: int
    ) -> lessons.Lesson | None:
        """Return a lesson holding the slot, or None: for the whole group any lesson of the group on that
        date and pair, for a subgroup the whole group's or that subgroup's (subgroups meet in parallel);
        the group row is locked first, so two teachers recording the same slot at once see each other."""
        ...

    async def add(self, lesson: lessons.Lesson) -> None:
        """Stage a new lesson."""
        ...

    async def get(
        self, lesson_id: uuid.UUID, *, for_update: bool = False, recipients: bool = True
    ) -> lessons.Lesson | None:
        """Return the lesson or None; `for_update` locks its row (one attendance writer at a time);
        without `recipients` its homework's chosen students are not read (left empty: for a caller
        that needs only where and when the lesson is, such as a mark)."""
        ...

    async def of_group(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> list[lessons.Lesson]:
        """Return a group's lessons of a discipline (its subgroups' too) in the span, by date and pair."""
        ...

    async def attendance_of(self, lesson_id: uuid.UUID) -> list[lessons.AttendanceEntry]:
        """Return a lesson's attendance by student id."""
        ...

    async def replace_attendance(
        self, lesson_id: uuid.UUID, entries: Sequence[lessons.AttendanceEntry]
    ) -> None:
        """Replace a lesson's attendance with these entries."""
        ...


class Timetables(Protocol):
    """The groups' timetables per year and semester, and the lessons a teacher's day points at."""

    async def lock_year(self, year_id: uuid.UUID) -> bool:
        """Lock the year's row (timetable writers of a year go one at a time); False when no such year."""
        ...

    async def of_group(
        self, group_id: uuid.UUID, year_id: uuid.UUID, semester: int
    ) -> list[timetable.TimetableEntry]:
        """Return a group's entries for the semester by weekday, pair and parity."""
        ...

    async def of_teachers(
        self,
        teacher_ids: Collection[uuid.UUID],
        year_id: uuid.UUID,
        semester: int,
        *,
        exclude_group: uuid.UUID,
    ) -> list[timetable.TimetableEntry]:
        """Return the entries of these teachers in the semester in every group but `exclude_group`."""
        ...

    async def of_teacher(
        self, teacher_id: uuid.UUID, year_id: uuid.UUID, semester: int, *, weekday: int
    ) -> list[timetable.TimetableEntry]:
        """Return a teacher's entries on a weekday of the semester."""
        ...

    async def replace(
        self,
        group_id: uuid.UUID,
        year_id: uuid.UUID,
        semester: int,
        entries: Sequence[timetable.TimetableEntry],
    ) -> None:
        """Replace a group's entries for the semester with these."""
        ...

    async def lessons_on(
        self, day: date, group_ids: Collection[uuid.UUID]
    ) -> dict[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID, int], uuid.UUID]:
        """Return the lessons of these groups on the day: (group, subgroup, discipline, pair) → lesson id."""
        ...


class Curricula(Protocol):
    """The groups' curricula per academic year (R2.1)."""

    async def of_group(self, group_id: uuid.UUID, year_id: uuid.UUID) -> list[curriculum.CurriculumRow]:
        """Return a group's rows for a year by semester and discipline code."""
        ...

    async def replace(
        self, group_id: uuid.UUID, year_id: uuid.UUID, rows: Sequence[curriculum.CurriculumRow]
    ) -> None:
        """Replace a group's rows for a year (the group row is locked first: one writer at a time)."""
        ...


class Ktps(Protocol):
    """KTPs per group (or subgroup) and discipline and their topics (R2.2)."""

    async def get(
        self,
        group_id: uuid.UUID,
        discipline_id: uuid.UUID,
        subgroup_id: uuid.UUID | None,
        *,
        lock: bool = False,
    ) -> ktp.Ktp | None:
        """Return the KTP with its topics in order, or None; `lock` locks the group row first."""
        ...

    async def save(self, plan: ktp.Ktp, *, previous: ktp.Ktp | None, today: date) -> None:
        """Store the KTP over its previous version (kept topics keep their ids); a new one dated `today`."""
        ...

    async def topic(self, topic_id: uuid.UUID) -> ktp.TopicOf | None:
        """Return the topic with its KTP's group, subgroup and discipline, or None."""
        ...

    async def topics_in_use(self, topic_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Return those of the topics a recorded lesson follows."""
        ...

    async def loads_without_ktp(self, as_of: date) -> list[ktp.LoadWithoutKtp]:
        """Return every teaching load whose group and discipline had no KTP set on or before `as_of`."""
        ...


class People(Protocol):
    """The projection of identity's people: person ids and roles (no names)."""

    async def role_of(self, person_id: uuid.UUID) -> str | None:
        """Return the person's role, or None when the journal does not know the person."""
        ...

    async def remember(self, people: Collection[tuple[uuid.UUID, str]]) -> None:
        """Store (person id, role) pairs; a known person gets the role given now."""
        ...


class YearImports(Protocol):
    """What the year's XLSX import and the copy of a year read by natural keys, in bulk (R2.1)."""

    async def groups_by_name(self, names: Collection[str]) -> dict[str, model.Group]:
        """Return the groups with these names (tracked: attributes set on them are saved), by name."""
        ...

    async def disciplines_by_code(self, codes: Collection[str]) -> dict[str, list[model.Discipline]]:
        """Return the disciplines with these codes, by code (a code may be held by several)."""
        ...

    async def loads_in_groups(
        self, group_ids: Collection[uuid.UUID]
    ) -> set[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
        """Return the (teacher, group, discipline) of every load in these groups."""
        ...

    async def calendars_in_year(self, year_id: uuid.UUID) -> dict[uuid.UUID, list[year.CalendarSpan]]:
        """Return every group's spans in the year, by group, each by start date."""
        ...

    async def roles_of(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Return the roles the people projection holds for these people."""
        ...

    async def curricula_in_year(self, year_id: uuid.UUID) -> dict[uuid.UUID, list[curriculum.CurriculumRow]]:
        """Return every group's curriculum rows in the year, by group."""
        ...

    async def timetables_in_year(
        self, year_id: uuid.UUID
    ) -> dict[tuple[uuid.UUID, int], list[timetable.TimetableEntry]]:
        """Return every group's timetable entries in the year, by (group, semester)."""
        ...

    async def lock_empty_year(self, year_id: uuid.UUID) -> bool:
        """Lock the year's row and return True when it holds no calendar, curriculum or timetable yet."""
        ...

    async def flush(self) -> None:
        """Send the rows staged so far, so rows referring to them may follow in the same transaction."""
        ...


class ReadModels(Protocol):
    """The read models' queries: journal page, group view, diary, «Пропуски» (a few queries each)."""

    async def group_readers(
        self, group_id: uuid.UUID, person_id: uuid.UUID | None, span: year.DateSpan | None = None
    ) -> read_models.GroupReaders | None:
        """Return the group's class teacher, whether the person has a load in it and its students in a
        stable order (those in the group on some day of `span`; without it, those enrolled now);
        None: no group."""
        ...

    async def page_lessons(
        self,
        group_id: uuid.UUID,
        discipline_id: uuid.UUID,
        subgroup_id: uuid.UUID | None,
        span: year.DateSpan,
    ) -> list[read_models.LessonRow]:
        """Return a page's lessons by date and pair (a subgroup's page: its own and the whole group's)."""
        ...

    async def page_marks(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> list[read_models.MarkRow]:
        """Return the group's marks in the discipline and period, in the order recorded."""
        ...

    async def page_cell_marks(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> list[read_models.PageMarkRow]:
        """Return the same marks as `page_marks`, every id as text (the journal page's cells)."""
        ...

    async def page_attendance(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> read_models.PageAttendance:
        """Return the absences and lateness at the group's lessons of the discipline in the period and
        the lessons whose attendance was taken."""
        ...

    async def group_marks(self, group_id: uuid.UUID, span: year.DateSpan) -> list[read_models.MarkRow]:
        """Return the group's marks in every discipline in the period, in the order recorded."""
        ...

    async def group_absence_counts(
        self, group_id: uuid.UUID, span: year.DateSpan
    ) -> list[read_models.AbsenceCount]:
        """Return per student and discipline the absences, those without a valid reason, the lateness."""
        ...

    async def group_disciplines(self, group_id: uuid.UUID, span: year.DateSpan) -> list[model.DisciplineView]:
        """Return the disciplines with lessons or marks of the group in the period."""
        ...

    async def diary_lessons(self, student_id: uuid.UUID, span: year.DateSpan) -> list[read_models.LessonRow]:
        """Return the lessons in the period of the groups the student was in on their dates (and of
        the student's subgroups), the homework only when it is for the whole group or for them."""
        ...

    async def diary_marks(self, student_id: uuid.UUID, span: year.DateSpan) -> list[read_models.MarkRow]:
        """Return the student's marks in the period, in the order recorded."""
        ...

    async def diary_attendance(
        self, student_id: uuid.UUID, span: year.DateSpan
    ) -> list[read_models.AttendanceRow]:
        """Return the student's attendance of lessons in the period."""
        ...

    async def group_absences(self, group_id: uuid.UUID, span: year.DateSpan) -> list[read_models.AbsenceRow]:
        """Return the absences and lateness at the group's lessons in the period."""
        ...

    async def lock_lessons(self, lesson_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """Lock the lessons' rows in id order and return each one's group (unknown ids are left out)."""
        ...

    async def attendance_entries(
        self, lesson_ids: Collection[uuid.UUID], student_ids: Collection[uuid.UUID]
    ) -> dict[tuple[uuid.UUID, uuid.UUID], read_models.AttendanceRow]:
        """Return the attendance of those students at those lessons, by (lesson, student)."""
        ...

    async def set_reasons(self, changes: Sequence[read_models.CorrectedReason]) -> None:
        """Set the reason categories of these absences."""
        ...


class History(Protocol):
    """The trail of marks and attendance (R3.3): attendance changes kept, a mark read even removed."""

    async def keep_attendance_changes(self, changes: Sequence[history.AttendanceChange]) -> None:
        """Stage these attendance changes."""
        ...

    async def attendance_changes(
        self, lesson_id: uuid.UUID, student_id: uuid.UUID
    ) -> list[history.AttendanceChange]:
        """Return a student's attendance changes at a lesson, oldest first."""
        ...

    async def mark(self, mark_id: uuid.UUID) -> tuple[model.Mark, bool] | None:
        """Return a mark, removed or not, and whether it was removed; None when there is none."""
        ...


class CorrectionRequests(Protocol):
    """Students' correction requests about their marks and the teachers' answers (R3.3)."""

    async def add(self, request: correction_requests.CorrectionRequest) -> None:
        """Stage a new request."""
        ...

    async def open_of_mark(self, mark_id: uuid.UUID) -> correction_requests.CorrectionRequest | None:
        """Return the mark's open request, or None."""
        ...

    async def of_mark(self, mark_id: uuid.UUID) -> list[correction_requests.CorrectionRequest]:
        """Return the mark's requests, oldest first."""
        ...

    async def get_for_update(self, request_id: uuid.UUID) -> correction_requests.CorrectionRequest | None:
        """Return a request, its row locked until commit, with its mark's date and subgroup; or None."""
        ...

    async def answer(self, request: correction_requests.CorrectionRequest) -> None:
        """Stage the request's answer (answered_at set by the database)."""
        ...

    async def of_student(self, student_id: uuid.UUID) -> list[correction_requests.CorrectionRequest]:
        """Return the student's requests (with the marks' dates), at most a few hundred."""
        ...

    async def of_loads(
        self, pairs: Collection[tuple[uuid.UUID, uuid.UUID]]
    ) -> list[correction_requests.CorrectionRequest]:
        """Return the requests about marks of these (group, discipline) pairs, with each mark's date
        and lesson subgroup."""
        ...


class Substitutions(Protocol):
    """Substitutions («замены», R2.4) on slots of the timetable (slice D)."""

    async def add(self, substitution: substitutions.Substitution) -> None:
        """Stage a new substitution."""
        ...

    async def get_for_update(self, substitution_id: uuid.UUID) -> substitutions.Substitution | None:
        """Return the substitution (cancelled or not), its row locked until commit; or None."""
        ...

    async def in_slot(
        self, group_id: uuid.UUID, lesson_date: date, pair_number: int
    ) -> list[substitutions.Substitution]:
        """Return the substitutions in force on the group's pair that day (whole group and subgroups);
        a writer of the slot locks the group row first with Lessons.in_slot."""
        ...

    async def taken_pairs(self, teacher_id: uuid.UUID, day: date) -> set[int]:
        """Return the pairs the teacher has that day outside the timetable: lessons they recorded and
        substitutions in force they take."""
        ...

    async def cancel(self, substitution_id: uuid.UUID, cancelled_by: uuid.UUID) -> None:
        """Mark the substitution cancelled (the row stays)."""
        ...

    async def of_teacher_on(self, teacher_id: uuid.UUID, day: date) -> list[substitutions.Substitution]:
        """Return the substitutions in force that day the teacher takes or is replaced in."""
        ...

    async def listed(
        self,
        span: year.DateSpan,
        *,
        group_id: uuid.UUID | None,
        teacher_id: uuid.UUID | None,
        include_cancelled: bool,
    ) -> list[substitutions.SubstitutionView]:
        """Return the substitutions in the period (of one group; of one teacher taking or replaced) by
        date, pair and group, each with the lesson recorded in its slot and that lesson's teacher."""
        ...


class CurriculumExecutions(Protocol):
    """What curriculum execution (R2.5) reads: one query set for any number of groups (slice D)."""

    async def facts(
        self, academic_year: year.AcademicYear, group_ids: Collection[uuid.UUID] | None, as_of: date
    ) -> dict[uuid.UUID, curriculum_execution.GroupFacts]:
        """Return per group with a curriculum in the year (those asked; None: every group) its
        curriculum, KTP hours, timetable, calendar and what was delivered up to `as_of`."""
        ...


class Debts(Protocol):
    """Retakes of academic debts and the keys of the finals they refer to (issue 7 item 3)."""

    async def final_key(
        self, final_id: uuid.UUID
    ) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, finals.FinalPeriod] | None:
        """Return the final's student, group, discipline and period, or None."""
        ...

    async def retakes_of(self, final_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[retakes.Retake]]:
        """Return the retakes of these finals by final, first one first."""
        ...

    async def add_retake(self, retake: retakes.Retake) -> bool:
        """Stage a retake; False when the final's retake of that number was recorded meanwhile."""
        ...


class DemoExams(Protocol):
    """The demonstration exam's conversion tables (versioned) and results (issue 7 item 4)."""

    async def scale(self, version: int) -> demo_exam.Scale | None:
        """Return the version, or None."""
        ...

    async def scale_in_force(self, day: date) -> demo_exam.Scale | None:
        """Return the newest version in force on the day, or None."""
        ...

    async def latest_for_update(self) -> demo_exam.Scale | None:
        """Return the newest version, holding new versions back until the unit of work ends."""
        ...

    async def add_scale(self, scale: demo_exam.Scale) -> None:
        """Stage a new version with its bands."""
        ...

    async def add_result(self, result: demo_exam.Result) -> bool:
        """Stage a result; return False when the student already has one for the discipline and semester."""
        ...

    async def results_of(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, year_id: uuid.UUID, semester: int
    ) -> list[demo_exam.Result]:
        """Return the group's results in the discipline and semester by student id."""
        ...


class PeriodLocks(Protocol):
    """Closed periods of a group × discipline and their history (slice B, R1.5)."""

    async def hold(self, group_id: uuid.UUID, discipline_id: uuid.UUID, *, exclusive: bool) -> None:
        """Hold the group × discipline's locks still until the unit of work ends (shared for a write,
        exclusive for a close or a reopen): a write lands before a close or sees it."""
        ...

    async def overlapping(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> list[period_locks.PeriodLock]:
        """Return the group × discipline's locks overlapping the span, by first day and semester."""
        ...

    async def get(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, year_id: uuid.UUID, semester: int
    ) -> period_locks.PeriodLock | None:
        """Return the lock of that period, or None."""
        ...

    async def of_group(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID | None
    ) -> list[period_locks.PeriodLock]:
        """Return a group's locks (of one discipline, or all), by first day, semester and discipline."""
        ...

    async def save(
        self, lock: period_locks.PeriodLock, history: period_locks.LockHistory, *, new: bool
    ) -> None:
        """Stage the lock (new or changed) and keep the close or reopen in its history."""
        ...

    async def history(self, lock_id: uuid.UUID) -> list[period_locks.LockHistory]:
        """Return every close and reopen of a lock, oldest first."""
        ...

    async def lesson_days(self, lesson_ids: Collection[uuid.UUID]) -> list[tuple[uuid.UUID, uuid.UUID, date]]:
        """Return each lesson's group, discipline and date (for the lock check of several lessons)."""
        ...

    async def ended_reopens(self, now: datetime, limit: int) -> list[period_locks.PeriodLock]:
        """Return up to `limit` locks whose reopen window has ended (`reopened_until <= now`), the
        earliest window end first (the reopen sweep's candidates)."""
        ...


class ReopenRequests(Protocol):
    """Teachers' requests to reopen a closed period and the deputies' decisions (slice B)."""

    async def add(self, request: reopen_requests.ReopenRequest) -> None:
        """Stage a new (pending) request."""
        ...

    async def pending_for(self, lock_id: uuid.UUID) -> bool:
        """Return True when the lock has a request waiting for a decision."""
        ...

    async def get(
        self, request_id: uuid.UUID, *, for_update: bool = False
    ) -> reopen_requests.ReopenRequest | None:
        """Return the request with its lock (its row locked when asked), or None."""
        ...

    async def decide(self, request: reopen_requests.ReopenRequest) -> None:
        """Stage the request's decision."""
        ...

    async def listed(
        self, *, status: reopen_requests.ReopenStatus | None, requested_by: uuid.UUID | None
    ) -> list[reopen_requests.ReopenRequest]:
        """Return requests (of one status, of one teacher, or all), newest first, at most 500."""
        ...


class Finals(Protocol):
    """Finals, their changes and the versions of the college's final rule (slice A)."""

    async def rules(self) -> list[final_rules.FinalRule]:
        """Return every version of the final rule, oldest first."""
        ...

    async def add_rule(self, rule: final_rules.FinalRule) -> bool:
        """Stage a new version; False (nothing staged) when its number was taken meanwhile."""
        ...

    async def get_for_update(
        self, student_id: uuid.UUID, group_id: uuid.UUID, discipline_id: uuid.UUID, period: finals.FinalPeriod
    ) -> finals.Final | None:
        """Return the student's final of this period and kind, its row locked until commit, or None."""
        ...

    async def add(self, final: finals.Final) -> finals.Final | None:
        """Stage a new final and return it as stored; None when one was added meanwhile."""
        ...

    async def change(self, final: finals.Final, change: finals.FinalChange) -> finals.Final:
        """Stage the final's new value and keep the change; return it as stored."""
        ...

    async def in_period(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, period: finals.FinalPeriod
    ) -> list[finals.Final]:
        """Return the group's finals of the discipline, period and kind."""
        ...

    async def of_group(
        self, group_id: uuid.UUID, year_id: uuid.UUID, semester: int | None
    ) -> list[finals.Final]:
        """Return the group's finals of the year (of one semester when given; 0 the year's)."""
        ...

    async def of_student(self, student_id: uuid.UUID, year_id: uuid.UUID | None) -> list[finals.Final]:
        """Return the student's finals of the year (of every year: None) in every group."""
        ...

    async def changes_of(self, final_id: uuid.UUID) -> list[finals.FinalChange]:
        """Return the final's changes, oldest first."""
        ...

    async def get(self, final_id: uuid.UUID) -> finals.Final | None:
        """Return a final by id, or None (slice K)."""
        ...

    async def add_change(self, change: finals.FinalChange) -> None:
        """Stage one entry of a final's history (its first setting; slice K)."""
        ...


class JournalUnitOfWork(UnitOfWorkPort, Protocol):
    """One transaction over the journal database."""

    @property
    def debts(self) -> Debts: ...

    @property
    def demo_exams(self) -> DemoExams: ...

    @property
    def groups(self) -> Groups: ...

    @property
    def period_locks(self) -> PeriodLocks: ...

    @property
    def reopen_requests(self) -> ReopenRequests: ...

    @property
    def substitutions(self) -> Substitutions: ...

    @property
    def curriculum_execution(self) -> CurriculumExecutions: ...

    @property
    def disciplines(self) -> Disciplines: ...

    @property
    def loads(self) -> TeachingLoads: ...

    @property
    def marks(self) -> Marks: ...

    @property
    def people(self) -> People: ...

    @property
    def years(self) -> AcademicYears: ...

    @property
    def bells(self) -> BellSchedules: ...

    @property
    def subgroups(self) -> Subgroups: ...

    @property
    def subgroup_memberships(self) -> SubgroupMemberships: ...

    @property
    def lessons(self) -> Lessons: ...

    @property
    def read_models(self) -> ReadModels: ...

    @property
    def curricula(self) -> Curricula: ...

    @property
    def ktps(self) -> Ktps: ...

    @property
    def mark_changes(self) -> MarkChanges: ...

    @property
    def timetables(self) -> Timetables: ...

    @property
    def year_import(self) -> YearImports: ...

    @property
    def finals(self) -> Finals: ...

    @property
    def movements(self) -> Movements: ...

    @property
    def history(self) -> History: ...

    @property
    def correction_requests(self) -> CorrectionRequests: ...


class GuardianDirectory(Protocol):
    """Knows which parent is linked to which student (owned by the identity service)."""

    async def is_guardian(self, *, token: str, parent_id: str, student_id: str) -> bool:
        """Return True when the parent is linked to the student."""
        ...


class PersonDirectory(Protocol):
    """Knows every person and their role (owned by the identity service); asked as the journal itself."""

    async def roles_of(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Return the roles of those of the people it knows; raise ServiceUnavailable when unreachable."""
        ...

    async def page(
        self, after: uuid.UUID | None, size: int
    ) -> tuple[list[tuple[uuid.UUID, str]], uuid.UUID | None]:
        """Return up to `size` (person id, role) pairs in id order after `after`, and the id the next
        page starts after (None on the last page)."""
        ...


UnitOfWorkFactory = Callable[[], JournalUnitOfWork]
Today = Callable[[], date]
