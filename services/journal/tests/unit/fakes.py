"""In-memory stand-ins for the journal's unit of work, for millisecond handler tests."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime

from chassis import testing
from chassis.errors import ServiceUnavailable
from journal_service.application import ports
from journal_service.domain import correction_requests as cr
from journal_service.domain import (
    curriculum,
    demo_exam,
    final_rules,
    finals,
    ktp,
    lessons,
    mark_changes,
    model,
    movement,
    read_models,
    retakes,
    timetable,
    year,
)
from journal_service.domain import history as history_model
from journal_service.domain.subgroup_membership import Stay, SubgroupMembership

from .fakes_period_locks import FakePeriodLocks, FakeReopenRequests
from .fakes_substitutions import FakeCurriculumExecutions, FakeSubstitutions

DEFAULT_DICTIONARY = model.MarkDictionary(
    kinds={
        v: model.MarkKind(v, v, v.isdigit(), v == "н", v != "н")
        for v in ("5", "4", "3", "2", "зач", "незач", "н/а", "осв", "н")
    }
)


class FakeGroups:
    def __init__(self) -> None:
        self.items: dict[uuid.UUID, model.Group] = {}
        self.enrollments: set[tuple[uuid.UUID, uuid.UUID]] = set()
        self.dated: list[movement.Enrolment] = []
        self.movements: list[tuple[movement.Movement, uuid.UUID]] = []
        self.locked: list[uuid.UUID] = []
        # The teaching loads (shared with FakeLoads by FakeStore), for `search` by person.
        self.loads: list[model.TeachingLoad] = []
        self.searches = 0

    async def get(self, group_id: uuid.UUID) -> model.Group | None:
        return self.items.get(group_id)

    async def name_taken(self, name: str) -> bool:
        return any(g.name == name for g in self.items.values())

    def add(self, group: model.Group) -> None:
        self.items[group.id] = group

    # `enrollments` holds the memberships a test put in directly (in force on every date); dated
    # ones — made by `enroll` and by movements — are in `dated`, which wins for its group and student.
    def all_enrolments(self) -> list[movement.Enrolment]:
        dated_keys = {(e.group_id, e.student_id) for e in self.dated}
        legacy = [
            movement.Enrolment(uuid.uuid5(g, str(s)), g, s, date.min)
            for g, s in self.enrollments
            if (g, s) not in dated_keys
        ]
        return [*legacy, *self.dated]

    def _in_force(self, group_id: uuid.UUID, on: date | None) -> list[movement.Enrolment]:
        return [
            e
            for e in self.all_enrolments()
            if e.group_id == group_id and (e.left_on is None if on is None else e.covers(on))
        ]

    async def enroll(self, group_id: uuid.UUID, student_id: uuid.UUID, on: date) -> bool:
        if any(e.student_id == student_id for e in self._in_force(group_id, None)):
            return False
        if (group_id, student_id) in self.enrollments and not any(
            (e.group_id, e.student_id) == (group_id, student_id) for e in self.dated
        ):
            return False
        self.dated.append(movement.Enrolment(uuid.uuid4(), group_id, student_id, on))
        self.enrollments.add((group_id, student_id))
        return True

    async def is_enrolled(self, group_id: uuid.UUID, student_id: uuid.UUID, on: date | None = None) -> bool:
        return any(e.student_id == student_id for e in self._in_force(group_id, on))

    async def students_of(self, group_id: uuid.UUID, on: date | None = None) -> list[uuid.UUID]:
        return sorted({e.student_id for e in self._in_force(group_id, on)})

    async def lock_student(self, student_id: uuid.UUID) -> None:
        self.locked.append(student_id)

    async def enrolments_of(self, student_id: uuid.UUID) -> list[movement.Enrolment]:
        return sorted(
            (e for e in self.all_enrolments() if e.student_id == student_id), key=lambda e: e.enrolled_on
        )

    async def close_enrolment(self, enrolment_id: uuid.UUID, left_on: date) -> None:
        found = next(e for e in self.all_enrolments() if e.id == enrolment_id)
        self.dated = [e for e in self.dated if e.id != enrolment_id]
        self.dated.append(dataclasses.replace(found, left_on=left_on))

    async def add_movement(self, moved: movement.Movement, recorded_by: uuid.UUID) -> None:
        self.movements.append((moved, recorded_by))

    async def search(
        self, name_prefix: str, limit: int, *, person_id: uuid.UUID | None = None
    ) -> list[model.Group]:
        self.searches += 1
        taught = {load.group_id for load in self.loads if load.teacher_id == person_id}
        found = [
            g
            for g in self.items.values()
            if g.name.startswith(name_prefix)
            and (person_id is None or g.class_teacher_id == person_id or g.id in taught)
        ]
        return sorted(found, key=lambda g: g.name)[:limit]

    async def is_class_teacher_of_student(self, teacher_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        return any(
            self.items[g].class_teacher_id == teacher_id
            for g, s in self.enrollments
            if s == student_id and g in self.items
        )


class FakeMovements:
    """The movements FakeGroups staged; `records` holds (student, group) → dates of marks/absences."""

    def __init__(self, groups: FakeGroups) -> None:
        self._groups = groups
        self.records: dict[tuple[uuid.UUID, uuid.UUID], list[date]] = {}

    async def of_student(self, student_id: uuid.UUID) -> list[movement.Movement]:
        return movement.history_order([m for m, _ in self._groups.movements if m.student_id == student_id])

    async def of_group(self, group_id: uuid.UUID) -> list[movement.Movement]:
        return movement.history_order(
            [m for m, _ in self._groups.movements if group_id in (m.from_group_id, m.to_group_id)]
        )

    async def first_record_from(self, student_id: uuid.UUID, group_id: uuid.UUID, on: date) -> date | None:
        return min((d for d in self.records.get((student_id, group_id), []) if d >= on), default=None)


class FakeDisciplines:
    def __init__(self) -> None:
        self.items: dict[uuid.UUID, model.Discipline] = {}
        # The id sets each `views` call was asked for: a diary asks once, for its marks' disciplines.
        self.view_queries: list[set[uuid.UUID]] = []

    async def get(self, discipline_id: uuid.UUID) -> model.Discipline | None:
        return self.items.get(discipline_id)

    def add(self, discipline: model.Discipline) -> None:
        self.items[discipline.id] = discipline

    async def views(self, discipline_ids: Collection[uuid.UUID]) -> list[model.DisciplineView]:
        self.view_queries.append(set(discipline_ids))
        found = sorted(
            (d for d in self.items.values() if d.id in discipline_ids),
            key=lambda d: (d.code, d.name, str(d.id)),
        )
        return [model.DisciplineView(d.id, d.code, d.name, d.kind) for d in found]

    async def search(self, folded_query: str, *, limit: int) -> list[model.DisciplineView]:
        from journal_service.domain.teaching_load import discipline_matches

        found = sorted(
            (d for d in self.items.values() if discipline_matches(d.code, d.name, folded_query)),
            key=lambda d: (d.code, d.name, str(d.id)),
        )
        return [model.DisciplineView(d.id, d.code, d.name, d.kind) for d in found[:limit]]


class FakeLoads:
    def __init__(self, groups: FakeGroups) -> None:
        self.items: list[model.TeachingLoad] = []
        self._groups = groups
        # Set by FakeStore: RemoveTeachingLoad looks for the load's lessons, marks and timetable entries.
        self.store: FakeStore | None = None

    async def get_for_update(self, load_id: uuid.UUID) -> model.TeachingLoad | None:
        return next((load for load in self.items if load.id == load_id), None)

    async def has_history(self, load: model.TeachingLoad) -> bool:
        assert self.store is not None
        key = (load.teacher_id, load.group_id, load.discipline_id)
        whole = load.subgroup_id is None
        return any(
            (x.teacher_id, x.group_id, x.discipline_id) == key
            and (whole or x.subgroup_id == load.subgroup_id)
            for x in self.store.lessons.items.values()
        ) or any(
            (m.teacher_id, m.group_id, m.discipline_id) == key and (whole or m.lesson_id is None)
            for m in self.store.marks.items
        )

    async def in_timetable(self, load: model.TeachingLoad) -> bool:
        assert self.store is not None
        key = (load.teacher_id, load.group_id, load.discipline_id)
        return any(
            (e.teacher_id, e.group_id, e.discipline_id) == key
            and (load.subgroup_id is None or e.subgroup_id == load.subgroup_id)
            for e in self.store.timetables.items.values()
        )

    async def remove(self, load: model.TeachingLoad) -> None:
        self.items.remove(load)

    async def teaches_student(self, teacher_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        groups = {g for g, s in self._groups.enrollments if s == student_id}
        return any(load.teacher_id == teacher_id and load.group_id in groups for load in self.items)

    async def find(
        self, teacher_id: uuid.UUID, group_id: uuid.UUID, discipline_id: uuid.UUID
    ) -> model.TeachingLoad | None:
        key = (teacher_id, group_id, discipline_id)
        matching = [
            load for load in self.items if (load.teacher_id, load.group_id, load.discipline_id) == key
        ]
        return min(matching, key=lambda load: load.subgroup_id is not None, default=None)

    async def of_teacher(self, teacher_id: uuid.UUID) -> list[model.TeachingLoad]:
        return [load for load in self.items if load.teacher_id == teacher_id]

    def add(self, load: model.TeachingLoad) -> None:
        self.items.append(load)

    async def of_group(self, group_id: uuid.UUID) -> list[model.TeachingLoad]:
        return [load for load in self.items if load.group_id == group_id]


class FakeMarks:
    def __init__(self) -> None:
        self.items: list[model.Mark] = []

    async def dictionary(self, *, knowing: str | None = None) -> model.MarkDictionary:
        return DEFAULT_DICTIONARY

    async def add(self, mark: model.Mark) -> None:
        mark.recorded_at = datetime.now(UTC)
        self.items.append(mark)

    async def of_student(self, student_id: uuid.UUID, *, limit: int = 500) -> list[model.MarkView]:
        marks = sorted(
            (m for m in self.items if m.student_id == student_id), key=lambda m: m.lesson_date, reverse=True
        )
        return [
            model.MarkView(
                m.id,
                m.student_id,
                m.group_id,
                m.discipline_id,
                m.teacher_id,
                m.lesson_date,
                m.value,
                m.recorded_at,
                m.lesson_id,
                m.kind_of_work,
                m.weight,
            )
            for m in marks[:limit]
        ]


class FakeMarkChanges:
    """Marks changed in place; a removed mark leaves FakeMarks.items (so every fake read skips it)."""

    def __init__(self, marks: FakeMarks) -> None:
        self.marks = marks
        self.removed: dict[uuid.UUID, model.Mark] = {}
        self.changes: list[mark_changes.MarkChange] = []

    async def get_for_update(self, mark_id: uuid.UUID) -> model.Mark | None:
        found = next((m for m in self.marks.items if m.id == mark_id), None)
        return None if found is None else dataclasses.replace(found)

    async def change(self, mark: model.Mark, change: mark_changes.MarkChange) -> None:
        self.marks.items = [mark if m.id == mark.id else m for m in self.marks.items]
        self.changes.append(dataclasses.replace(change, changed_at=datetime.now(UTC)))

    async def remove(self, mark: model.Mark, change: mark_changes.MarkChange) -> None:
        self.removed[mark.id] = mark
        self.marks.items = [m for m in self.marks.items if m.id != mark.id]
        self.changes.append(dataclasses.replace(change, changed_at=datetime.now(UTC)))

    async def history(self, mark_id: uuid.UUID) -> list[mark_changes.MarkChange]:
        return [c for c in self.changes if c.mark_id == mark_id]


class FakeYears:
    def __init__(self) -> None:
        self.items: dict[uuid.UUID, year.AcademicYear] = {}
        self.calendars: dict[tuple[uuid.UUID, uuid.UUID], list[year.CalendarSpan]] = {}

    async def get(self, year_id: uuid.UUID) -> year.AcademicYear | None:
        return self.items.get(year_id)

    async def add(self, academic_year: year.AcademicYear) -> bool:
        if any(y.name == academic_year.name for y in self.items.values()):
            return False
        self.items[academic_year.id] = academic_year
        return True

    async def all(self) -> list[year.AcademicYear]:
        return sorted(self.items.values(), key=lambda y: y.span.starts_on, reverse=True)

    async def calendar_of(self, group_id: uuid.UUID, year_id: uuid.UUID) -> list[year.CalendarSpan]:
        return list(self.calendars.get((group_id, year_id), []))

    async def replace_calendar(
        self, group_id: uuid.UUID, year_id: uuid.UUID, spans: Sequence[year.CalendarSpan]
    ) -> None:
        self.calendars[(group_id, year_id)] = sorted(spans, key=lambda s: s.span.starts_on)


class FakeBells:
    def __init__(self) -> None:
        self.items: list[year.BellPair] = [year.BellPair(1, 510, 600), year.BellPair(2, 610, 700)]

    async def pairs(self) -> list[year.BellPair]:
        return sorted(self.items, key=lambda p: p.number)

    async def replace(self, pairs: Sequence[year.BellPair]) -> None:
        self.items = list(pairs)


class FakeSubgroups:
    def __init__(self) -> None:
        self.items: list[year.Subgroup] = []

    async def name_taken(self, group_id: uuid.UUID, discipline_id: uuid.UUID, name: str) -> bool:
        return any(
            (s.group_id, s.discipline_id, s.name) == (group_id, discipline_id, name) for s in self.items
        )

    async def students_in_subgroups(self, group_id: uuid.UUID, discipline_id: uuid.UUID) -> set[uuid.UUID]:
        return {
            student
            for s in self.items
            if (s.group_id, s.discipline_id) == (group_id, discipline_id)
            for student in s.student_ids
        }

    async def add(self, subgroup: year.Subgroup, year_start: date) -> None:
        self.items.append(subgroup)

    async def of_group(self, group_id: uuid.UUID) -> list[year.Subgroup]:
        return sorted(
            (s for s in self.items if s.group_id == group_id), key=lambda s: (str(s.discipline_id), s.name)
        )

    async def get(self, subgroup_id: uuid.UUID) -> year.Subgroup | None:
        return next((s for s in self.items if s.id == subgroup_id), None)


class FakeSubgroupMemberships:
    """Slice J: dated memberships; a subgroup's members without a dated row belong from date.min."""

    def __init__(self, subgroups: FakeSubgroups, groups: FakeGroups) -> None:
        self.subgroups = subgroups
        self.groups = groups
        self.items: list[SubgroupMembership] = []
        self.records: dict[tuple[uuid.UUID, uuid.UUID], date] = {}  # (student, subgroup) → a record's day

    def _all(self) -> list[SubgroupMembership]:
        dated = {(m.subgroup_id, m.student_id) for m in self.items}
        implicit = [
            SubgroupMembership(s.id, student, date.min)
            for s in self.subgroups.items
            for student in s.student_ids
            if (s.id, student) not in dated
        ]
        return sorted(
            [*self.items, *implicit], key=lambda m: (str(m.subgroup_id), str(m.student_id), m.from_date)
        )

    def _subgroup(self, subgroup_id: uuid.UUID) -> year.Subgroup | None:
        return next((s for s in self.subgroups.items if s.id == subgroup_id), None)

    async def of_group(self, group_id: uuid.UUID) -> list[SubgroupMembership]:
        ids = {s.id for s in self.subgroups.items if s.group_id == group_id}
        return [m for m in self._all() if m.subgroup_id in ids]

    async def of_subgroup(self, subgroup_id: uuid.UUID) -> list[SubgroupMembership]:
        return [m for m in self._all() if m.subgroup_id == subgroup_id]

    async def of_student(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, student_id: uuid.UUID
    ) -> list[SubgroupMembership]:
        ids = {
            s.id for s in self.subgroups.items if (s.group_id, s.discipline_id) == (group_id, discipline_id)
        }
        found = [m for m in self._all() if m.subgroup_id in ids and m.student_id == student_id]
        return sorted(found, key=lambda m: m.from_date)

    async def move(
        self,
        closed: SubgroupMembership,
        opened: SubgroupMembership,
        group_id: uuid.UUID,
        discipline_id: uuid.UUID,
    ) -> None:
        rows = self._all()
        self.items = [
            closed if (m.subgroup_id, m.student_id, m.from_date) == (closed.subgroup_id, closed.student_id,
                                                                     closed.from_date) else m
            for m in rows
        ] + [opened]  # fmt: skip
        for subgroup_id in (closed.subgroup_id, opened.subgroup_id):
            found = self._subgroup(subgroup_id)
            if found is not None:
                current = {
                    m.student_id for m in self.items if m.subgroup_id == subgroup_id and m.to_date is None
                }
                index = self.subgroups.items.index(found)
                self.subgroups.items[index] = dataclasses.replace(
                    found, student_ids=tuple(sorted(current, key=str))
                )

    async def first_record_from(self, student_id: uuid.UUID, subgroup_id: uuid.UUID, on: date) -> date | None:
        day = self.records.get((student_id, subgroup_id))
        return day if day is not None and day >= on else None

    async def group_stays(self, group_id: uuid.UUID, span: year.DateSpan) -> dict[uuid.UUID, list[Stay]]:
        found: dict[uuid.UUID, list[Stay]] = {}
        for e in self.groups.all_enrolments():
            stay = Stay(e.enrolled_on, e.left_on)
            if e.group_id == group_id and stay.overlaps(span):
                found.setdefault(e.student_id, []).append(stay)
        return found


class FakeLessons:
    """Lessons by id and each lesson's attendance."""

    def __init__(self) -> None:
        self.items: dict[uuid.UUID, lessons.Lesson] = {}
        self.attendance: dict[uuid.UUID, list[lessons.AttendanceEntry]] = {}

    async def in_slot(
        self, group_id: uuid.UUID, subgroup_id: uuid.UUID | None, lesson_date: date, pair_number: int
    ) -> lessons.Lesson | None:
        holding = [
            lesson
            for lesson in self.items.values()
            if (lesson.group_id, lesson.lesson_date, lesson.pair_number)
            == (group_id, lesson_date, pair_number)
            and (subgroup_id is None or lesson.subgroup_id in {None, subgroup_id})
        ]
        return min(holding, key=lambda lesson: lesson.subgroup_id != subgroup_id, default=None)

    async def add(self, lesson: lessons.Lesson) -> None:
        self.items[lesson.id] = lesson

    async def get(
        self, lesson_id: uuid.UUID, *, for_update: bool = False, recipients: bool = True
    ) -> lessons.Lesson | None:
        return self.items.get(lesson_id)

    async def of_group(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> list[lessons.Lesson]:
        return sorted(
            (
                lesson
                for lesson in self.items.values()
                if (lesson.group_id, lesson.discipline_id) == (group_id, discipline_id)
                and span.contains(lesson.lesson_date)
            ),
            key=lambda lesson: (lesson.lesson_date, lesson.pair_number),
        )

    async def attendance_of(self, lesson_id: uuid.UUID) -> list[lessons.AttendanceEntry]:
        return list(self.attendance.get(lesson_id, []))

    async def replace_attendance(
        self, lesson_id: uuid.UUID, entries: Sequence[lessons.AttendanceEntry]
    ) -> None:
        self.attendance[lesson_id] = list(entries)


class FakeTimetables:
    """The groups' timetables (entries by id), and the lessons' slots read through FakeLessons."""

    def __init__(self, years: FakeYears, lessons: FakeLessons) -> None:
        self.items: dict[uuid.UUID, timetable.TimetableEntry] = {}
        self.locked: list[uuid.UUID] = []
        self._years = years
        self._lessons = lessons

    async def lock_year(self, year_id: uuid.UUID) -> bool:
        self.locked.append(year_id)
        return await self._years.get(year_id) is not None

    def _where(self, keep: Callable[[timetable.TimetableEntry], bool]) -> list[timetable.TimetableEntry]:
        return sorted((e for e in self.items.values() if keep(e)), key=timetable.sort_key)

    async def of_group(
        self, group_id: uuid.UUID, year_id: uuid.UUID, semester: int
    ) -> list[timetable.TimetableEntry]:
        return self._where(lambda e: (e.group_id, e.year_id, e.semester) == (group_id, year_id, semester))

    async def of_teachers(
        self,
        teacher_ids: Collection[uuid.UUID],
        year_id: uuid.UUID,
        semester: int,
        *,
        exclude_group: uuid.UUID,
    ) -> list[timetable.TimetableEntry]:
        return self._where(
            lambda e: (
                e.teacher_id in teacher_ids
                and (e.year_id, e.semester) == (year_id, semester)
                and e.group_id != exclude_group
            )
        )

    async def of_teacher(
        self, teacher_id: uuid.UUID, year_id: uuid.UUID, semester: int, *, weekday: int
    ) -> list[timetable.TimetableEntry]:
        return self._where(
            lambda e: (
                (e.teacher_id, e.year_id, e.semester, e.weekday) == (teacher_id, year_id, semester, weekday)
            )
        )

    async def replace(
        self,
        group_id: uuid.UUID,
        year_id: uuid.UUID,
        semester: int,
        entries: Sequence[timetable.TimetableEntry],
    ) -> None:
        for old in await self.of_group(group_id, year_id, semester):
            del self.items[old.id]
        self.items.update((e.id, e) for e in entries)

    async def lessons_on(
        self, day: date, group_ids: Collection[uuid.UUID]
    ) -> dict[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID, int], uuid.UUID]:
        return {
            (lesson.group_id, lesson.subgroup_id, lesson.discipline_id, lesson.pair_number): lesson.id
            for lesson in self._lessons.items.values()
            if lesson.lesson_date == day and lesson.group_id in group_ids
        }


class FakeCurricula:
    """The groups' curricula by (group, year); rows kept in the order the port promises."""

    def __init__(self, disciplines: FakeDisciplines) -> None:
        self.items: dict[tuple[uuid.UUID, uuid.UUID], list[curriculum.CurriculumRow]] = {}
        self._disciplines = disciplines

    async def of_group(self, group_id: uuid.UUID, year_id: uuid.UUID) -> list[curriculum.CurriculumRow]:
        def code(row: curriculum.CurriculumRow) -> str:
            found = self._disciplines.items.get(row.discipline_id)
            return found.code if found is not None else ""

        rows = self.items.get((group_id, year_id), [])
        return sorted(rows, key=lambda r: (r.semester, code(r), str(r.discipline_id)))

    async def replace(
        self, group_id: uuid.UUID, year_id: uuid.UUID, rows: Sequence[curriculum.CurriculumRow]
    ) -> None:
        self.items[(group_id, year_id)] = list(rows)


class FakeKtps:
    """KTPs by (group, discipline, subgroup), each with the day it was first set."""

    def __init__(self, lessons: FakeLessons, loads: FakeLoads) -> None:
        self.items: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID | None], ktp.Ktp] = {}
        self.created_on: dict[uuid.UUID, date] = {}
        self._lessons = lessons
        self._loads = loads

    async def get(
        self,
        group_id: uuid.UUID,
        discipline_id: uuid.UUID,
        subgroup_id: uuid.UUID | None,
        *,
        lock: bool = False,
    ) -> ktp.Ktp | None:
        return self.items.get((group_id, discipline_id, subgroup_id))

    async def save(self, plan: ktp.Ktp, *, previous: ktp.Ktp | None, today: date) -> None:
        self.items[(plan.group_id, plan.discipline_id, plan.subgroup_id)] = plan
        self.created_on.setdefault(plan.id, today)

    async def topic(self, topic_id: uuid.UUID) -> ktp.TopicOf | None:
        for plan in self.items.values():
            for topic in plan.topics:
                if topic.id == topic_id:
                    return ktp.TopicOf(topic, plan.group_id, plan.subgroup_id, plan.discipline_id)
        return None

    async def topics_in_use(self, topic_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        used = {lesson.ktp_topic_id for lesson in self._lessons.items.values()}
        return {t for t in topic_ids if t in used}

    async def loads_without_ktp(self, as_of: date) -> list[ktp.LoadWithoutKtp]:
        planned = {
            (plan.group_id, plan.discipline_id)
            for plan in self.items.values()
            if self.created_on[plan.id] <= as_of
        }
        return sorted(
            {
                ktp.LoadWithoutKtp(load.group_id, load.discipline_id, load.teacher_id)
                for load in self._loads.items
                if (load.group_id, load.discipline_id) not in planned
            },
            key=lambda m: (str(m.group_id), str(m.discipline_id), str(m.teacher_id)),
        )


class FakeReadModels:
    """The read models' queries over the other fakes' data (the store's groups, lessons, marks)."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        # homework_recipients: lesson id → the students its homework is for (none: the whole group).
        self.recipients: dict[uuid.UUID, set[uuid.UUID]] = {}

    async def group_readers(
        self, group_id: uuid.UUID, person_id: uuid.UUID | None, span: year.DateSpan | None = None
    ) -> read_models.GroupReaders | None:
        group = self.store.groups.items.get(group_id)
        if group is None:
            return None
        teaches = any(
            (load.teacher_id, load.group_id) == (person_id, group_id) for load in self.store.loads.items
        )
        stays = [e for e in self.store.groups.all_enrolments() if e.group_id == group_id]
        students = sorted(
            {
                e.student_id
                for e in stays
                if (
                    e.left_on is None
                    if span is None
                    else e.enrolled_on <= span.ends_on and (e.left_on is None or e.left_on > span.starts_on)
                )
            }
        )
        return read_models.GroupReaders(group.class_teacher_id, teaches, students)

    def _row(self, lesson: lessons.Lesson, homework: bool = True) -> read_models.LessonRow:
        return read_models.LessonRow(
            lesson.id,
            lesson.group_id,
            lesson.subgroup_id,
            lesson.discipline_id,
            lesson.teacher_id,
            lesson.lesson_date,
            lesson.pair_number,
            lesson.topic,
            lesson.kind.value,
            lesson.homework if homework else "",
            lesson.homework_deadline if homework else None,
            getattr(lesson, "ktp_topic_id", None),
            "homework" if lesson.homework and homework else "",
            tuple(sorted(self.recipients.get(lesson.id, ()))),
        )

    def _lessons(self, span: year.DateSpan) -> list[lessons.Lesson]:
        return sorted(
            (lesson for lesson in self.store.lessons.items.values() if span.contains(lesson.lesson_date)),
            key=lambda lesson: (lesson.lesson_date, lesson.pair_number, str(lesson.subgroup_id or "")),
        )

    def _marks(self, keep: Callable[[model.Mark], bool]) -> list[read_models.MarkRow]:
        return [
            read_models.MarkRow(
                str(m.id),
                m.student_id,
                m.discipline_id,
                m.lesson_id,
                m.lesson_date,
                m.value,
                m.kind_of_work.value,
                m.weight,
            )
            for m in self.store.marks.items
            if keep(m)
        ]

    def _attendance(
        self, keep: Callable[[lessons.Lesson, lessons.AttendanceEntry], bool]
    ) -> list[tuple[lessons.Lesson, lessons.AttendanceEntry]]:
        return [
            (lesson, entry)
            for lesson in self.store.lessons.items.values()
            for entry in self.store.lessons.attendance.get(lesson.id, [])
            if keep(lesson, entry)
        ]

    async def page_lessons(
        self,
        group_id: uuid.UUID,
        discipline_id: uuid.UUID,
        subgroup_id: uuid.UUID | None,
        span: year.DateSpan,
    ) -> list[read_models.LessonRow]:
        return [
            self._row(lesson)
            for lesson in self._lessons(span)
            if (lesson.group_id, lesson.discipline_id) == (group_id, discipline_id)
            and (subgroup_id is None or lesson.subgroup_id in {None, subgroup_id})
        ]

    async def page_marks(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> list[read_models.MarkRow]:
        return self._marks(
            lambda m: (
                (m.group_id, m.discipline_id) == (group_id, discipline_id) and span.contains(m.lesson_date)
            )
        )

    async def page_cell_marks(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> list[read_models.PageMarkRow]:
        return [
            read_models.PageMarkRow(
                m.id,
                str(m.student_id),
                str(m.discipline_id),
                str(m.lesson_id) if m.lesson_id else None,
                *m[4:],
            )
            for m in await self.page_marks(group_id, discipline_id, span)
        ]

    async def page_attendance(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, span: year.DateSpan
    ) -> read_models.PageAttendance:
        found = self._attendance(
            lambda lesson, _: (
                (lesson.group_id, lesson.discipline_id) == (group_id, discipline_id)
                and span.contains(lesson.lesson_date)
            )
        )
        return read_models.PageAttendance(
            missed=[
                read_models.AttendanceRow(lesson.id, e.student_id, e.status.value, e.reason.value)
                for lesson, e in found
                if e.status != lessons.AttendanceStatus.PRESENT
            ],
            taken={lesson.id for lesson, _ in found},
        )

    async def group_marks(self, group_id: uuid.UUID, span: year.DateSpan) -> list[read_models.MarkRow]:
        return self._marks(lambda m: m.group_id == group_id and span.contains(m.lesson_date))

    async def group_absence_counts(
        self, group_id: uuid.UUID, span: year.DateSpan
    ) -> list[read_models.AbsenceCount]:
        counts: dict[tuple[uuid.UUID, uuid.UUID], list[int]] = {}
        for lesson, e in self._attendance(
            lambda lesson, _: lesson.group_id == group_id and span.contains(lesson.lesson_date)
        ):
            if e.status == lessons.AttendanceStatus.PRESENT:
                continue
            count = counts.setdefault((e.student_id, lesson.discipline_id), [0, 0, 0])
            if e.status == lessons.AttendanceStatus.ABSENT:
                count[0] += 1
                count[1] += e.reason not in read_models.VALID_REASONS
            else:
                count[2] += 1
        return [read_models.AbsenceCount(s, d, *c) for (s, d), c in counts.items()]

    async def group_disciplines(self, group_id: uuid.UUID, span: year.DateSpan) -> list[model.DisciplineView]:
        ids = {lesson.discipline_id for lesson in self._lessons(span) if lesson.group_id == group_id}
        ids |= {m.discipline_id for m in await self.group_marks(group_id, span)}
        return await self.store.disciplines.views(ids)

    def _in_group_on(self, student_id: uuid.UUID, lesson: lessons.Lesson) -> bool:
        return any(
            e.student_id == student_id and e.group_id == lesson.group_id and e.covers(lesson.lesson_date)
            for e in self.store.groups.all_enrolments()
        )

    async def diary_lessons(self, student_id: uuid.UUID, span: year.DateSpan) -> list[read_models.LessonRow]:
        subgroups = {s.id for s in self.store.subgroups.items if student_id in s.student_ids}
        return [
            self._row(lesson, homework=student_id in self.recipients.get(lesson.id, {student_id}))
            for lesson in self._lessons(span)
            if self._in_group_on(student_id, lesson)
            and (lesson.subgroup_id is None or lesson.subgroup_id in subgroups)
        ]

    async def diary_marks(self, student_id: uuid.UUID, span: year.DateSpan) -> list[read_models.MarkRow]:
        return self._marks(lambda m: m.student_id == student_id and span.contains(m.lesson_date))

    async def diary_attendance(
        self, student_id: uuid.UUID, span: year.DateSpan
    ) -> list[read_models.AttendanceRow]:
        found = self._attendance(
            lambda lesson, e: (
                e.student_id == student_id
                and span.contains(lesson.lesson_date)
                and self._in_group_on(student_id, lesson)
            )
        )
        return [
            read_models.AttendanceRow(lesson.id, e.student_id, e.status.value, e.reason.value)
            for lesson, e in found
        ]

    async def group_absences(self, group_id: uuid.UUID, span: year.DateSpan) -> list[read_models.AbsenceRow]:
        found = self._attendance(
            lambda lesson, e: (
                lesson.group_id == group_id
                and span.contains(lesson.lesson_date)
                and e.status != lessons.AttendanceStatus.PRESENT
            )
        )
        return [
            read_models.AbsenceRow(
                e.student_id,
                lesson.id,
                lesson.lesson_date,
                lesson.pair_number,
                lesson.discipline_id,
                e.status.value,
                e.reason.value,
            )
            for lesson, e in found
        ]

    async def lock_lessons(self, lesson_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        items = self.store.lessons.items
        return {i: items[i].group_id for i in lesson_ids if i in items}

    async def attendance_entries(
        self, lesson_ids: Collection[uuid.UUID], student_ids: Collection[uuid.UUID]
    ) -> dict[tuple[uuid.UUID, uuid.UUID], read_models.AttendanceRow]:
        return {
            (lesson_id, e.student_id): read_models.AttendanceRow(
                lesson_id, e.student_id, e.status.value, e.reason.value
            )
            for lesson_id in lesson_ids
            for e in self.store.lessons.attendance.get(lesson_id, [])
            if e.student_id in student_ids
        }

    async def set_reasons(self, changes: Sequence[read_models.CorrectedReason]) -> None:
        for change in changes:
            entries = self.store.lessons.attendance[change.lesson_id]
            self.store.lessons.attendance[change.lesson_id] = [
                dataclasses.replace(e, reason=change.reason) if e.student_id == change.student_id else e
                for e in entries
            ]


class FakePeople:
    """The projection of people: person id → role."""

    def __init__(self) -> None:
        self.roles: dict[uuid.UUID, str] = {}

    async def role_of(self, person_id: uuid.UUID) -> str | None:
        return self.roles.get(person_id)

    async def remember(self, people: Collection[tuple[uuid.UUID, str]]) -> None:
        self.roles.update(people)


class FakeYearImports:
    """The import's bulk reads over the other fakes' data."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.flushes = 0

    async def groups_by_name(self, names: Collection[str]) -> dict[str, model.Group]:
        return {g.name: g for g in self._store.groups.items.values() if g.name in names}

    async def disciplines_by_code(self, codes: Collection[str]) -> dict[str, list[model.Discipline]]:
        found: dict[str, list[model.Discipline]] = {}
        for d in self._store.disciplines.items.values():
            if d.code in codes:
                found.setdefault(d.code, []).append(d)
        return found

    async def loads_in_groups(
        self, group_ids: Collection[uuid.UUID]
    ) -> set[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
        return {
            (x.teacher_id, x.group_id, x.discipline_id)
            for x in self._store.loads.items
            if x.group_id in group_ids
        }

    async def calendars_in_year(self, year_id: uuid.UUID) -> dict[uuid.UUID, list[year.CalendarSpan]]:
        return {
            g: list(spans) for (g, y), spans in self._store.years.calendars.items() if y == year_id and spans
        }

    async def roles_of(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        return {p: r for p, r in self._store.people.roles.items() if p in person_ids}

    async def curricula_in_year(self, year_id: uuid.UUID) -> dict[uuid.UUID, list[curriculum.CurriculumRow]]:
        return {
            g: list(rows) for (g, y), rows in self._store.curricula.items.items() if y == year_id and rows
        }

    async def timetables_in_year(
        self, year_id: uuid.UUID
    ) -> dict[tuple[uuid.UUID, int], list[timetable.TimetableEntry]]:
        found: dict[tuple[uuid.UUID, int], list[timetable.TimetableEntry]] = {}
        for entry in self._store.timetables.items.values():
            if entry.year_id == year_id:
                found.setdefault((entry.group_id, entry.semester), []).append(entry)
        return found

    async def lock_empty_year(self, year_id: uuid.UUID) -> bool:
        return not (
            any(y == year_id and spans for (_, y), spans in self._store.years.calendars.items())
            or await self.curricula_in_year(year_id)
            or await self.timetables_in_year(year_id)
        )

    async def flush(self) -> None:
        self.flushes += 1


class FakeDebts:
    """Retakes of debts; the keys of finals come from FakeFinals (the store's)."""

    def __init__(self, finals_: FakeFinals) -> None:
        self._finals = finals_
        self.retakes: list[retakes.Retake] = []

    async def final_key(
        self, final_id: uuid.UUID
    ) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, finals.FinalPeriod] | None:
        found = self._finals.items.get(final_id)
        if found is None:
            return None
        return found.student_id, found.group_id, found.discipline_id, found.period

    async def retakes_of(self, final_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[retakes.Retake]]:
        found: dict[uuid.UUID, list[retakes.Retake]] = {}
        for retake in sorted(self.retakes, key=lambda r: r.attempt):
            if retake.final_id in final_ids:
                found.setdefault(retake.final_id, []).append(retake)
        return found

    async def add_retake(self, retake: retakes.Retake) -> bool:
        if any((r.final_id, r.attempt) == (retake.final_id, retake.attempt) for r in self.retakes):
            return False
        self.retakes.append(retake)
        return True


class FakeDemoExams:
    """The demonstration exam's tables (version 1 the migration's default) and results."""

    def __init__(self) -> None:
        self.scales: dict[int, demo_exam.Scale] = {
            1: demo_exam.Scale(1, date(2000, 1, 1), None, demo_exam.DEFAULT_BANDS)
        }
        self.results: list[demo_exam.Result] = []

    async def scale(self, version: int) -> demo_exam.Scale | None:
        return self.scales.get(version)

    async def scale_in_force(self, day: date) -> demo_exam.Scale | None:
        found = [s for s in self.scales.values() if s.effective_from <= day]
        return max(found, key=lambda s: s.version, default=None)

    async def latest_for_update(self) -> demo_exam.Scale | None:
        return self.scales[max(self.scales)] if self.scales else None

    async def add_scale(self, scale: demo_exam.Scale) -> None:
        self.scales[scale.version] = scale

    async def add_result(self, result: demo_exam.Result) -> bool:
        key = (result.student_id, result.discipline_id, result.year_id, result.semester)
        if any((r.student_id, r.discipline_id, r.year_id, r.semester) == key for r in self.results):
            return False
        self.results.append(result)
        return True

    async def results_of(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, year_id: uuid.UUID, semester: int
    ) -> list[demo_exam.Result]:
        return sorted(
            (
                r
                for r in self.results
                if (r.group_id, r.discipline_id, r.year_id, r.semester)
                == (group_id, discipline_id, year_id, semester)
            ),
            key=lambda r: r.student_id,
        )


class FakeHistory:
    """Attendance changes kept in order; a mark read from FakeMarks or, removed, from FakeMarkChanges."""

    def __init__(self, changes: FakeMarkChanges) -> None:
        self._marks = changes
        self.attendance: list[history_model.AttendanceChange] = []

    async def keep_attendance_changes(self, changes: Sequence[history_model.AttendanceChange]) -> None:
        now = datetime.now(UTC)
        self.attendance.extend(dataclasses.replace(c, changed_at=now) for c in changes)

    async def attendance_changes(
        self, lesson_id: uuid.UUID, student_id: uuid.UUID
    ) -> list[history_model.AttendanceChange]:
        return [c for c in self.attendance if (c.lesson_id, c.student_id) == (lesson_id, student_id)]

    async def mark(self, mark_id: uuid.UUID) -> tuple[model.Mark, bool] | None:
        if mark_id in self._marks.removed:
            return self._marks.removed[mark_id], True
        found = next((m for m in self._marks.marks.items if m.id == mark_id), None)
        return None if found is None else (found, False)


class FakeCorrectionRequests:
    """Requests by id; each read adds the mark's date and lesson subgroup as the database joins them."""

    def __init__(self, history: FakeHistory, lessons_: FakeLessons) -> None:
        self._history = history
        self._lessons = lessons_
        self.items: dict[uuid.UUID, cr.CorrectionRequest] = {}

    async def _joined(self, request: cr.CorrectionRequest) -> cr.CorrectionRequest:
        found = await self._history.mark(request.mark_id)
        mark = found[0] if found else None
        lesson = self._lessons.items.get(mark.lesson_id) if mark and mark.lesson_id else None
        return dataclasses.replace(
            request,
            lesson_date=mark.lesson_date if mark else None,
            subgroup_id=lesson.subgroup_id if lesson else None,
        )

    async def add(self, request: cr.CorrectionRequest) -> None:
        self.items[request.id] = dataclasses.replace(request, filed_at=datetime.now(UTC))

    async def open_of_mark(self, mark_id: uuid.UUID) -> cr.CorrectionRequest | None:
        found = [r for r in self.items.values() if r.mark_id == mark_id and r.answer is None]
        return await self._joined(found[0]) if found else None

    async def of_mark(self, mark_id: uuid.UUID) -> list[cr.CorrectionRequest]:
        return [await self._joined(r) for r in self.items.values() if r.mark_id == mark_id]

    async def get_for_update(self, request_id: uuid.UUID) -> cr.CorrectionRequest | None:
        found = self.items.get(request_id)
        return None if found is None else await self._joined(found)

    async def answer(self, request: cr.CorrectionRequest) -> None:
        assert request.answer is not None
        answer = dataclasses.replace(request.answer, answered_at=datetime.now(UTC))
        self.items[request.id] = dataclasses.replace(request, answer=answer)

    async def of_student(self, student_id: uuid.UUID) -> list[cr.CorrectionRequest]:
        return [await self._joined(r) for r in self.items.values() if r.student_id == student_id]

    async def of_loads(self, pairs: Collection[tuple[uuid.UUID, uuid.UUID]]) -> list[cr.CorrectionRequest]:
        chosen = set(pairs)
        return [await self._joined(r) for r in self.items.values() if (r.group_id, r.discipline_id) in chosen]


class FakeFinals:
    """Finals (slice A): the rule's versions (version 1 the migration's default), finals and changes."""

    def __init__(self) -> None:
        self.rule_versions: list[final_rules.FinalRule] = [final_rules.DEFAULT_RULE]
        self.items: dict[uuid.UUID, finals.Final] = {}
        self.changes: list[finals.FinalChange] = []

    async def rules(self) -> list[final_rules.FinalRule]:
        return sorted(self.rule_versions, key=lambda r: r.version)

    async def add_rule(self, rule: final_rules.FinalRule) -> bool:
        if any(r.version == rule.version for r in self.rule_versions):
            return False
        self.rule_versions.append(rule)
        return True

    def _key(self, final: finals.Final) -> tuple[object, ...]:
        return (final.student_id, final.group_id, final.discipline_id, final.period)

    async def get_for_update(
        self, student_id: uuid.UUID, group_id: uuid.UUID, discipline_id: uuid.UUID, period: finals.FinalPeriod
    ) -> finals.Final | None:
        key = (student_id, group_id, discipline_id, period)
        return next((f for f in self.items.values() if self._key(f) == key), None)

    async def add(self, final: finals.Final) -> finals.Final | None:
        if any(self._key(f) == self._key(final) for f in self.items.values()):
            return None
        stored = dataclasses.replace(final, set_at=datetime.now(UTC))
        self.items[final.id] = stored
        return stored

    async def change(self, final: finals.Final, change: finals.FinalChange) -> finals.Final:
        stored = dataclasses.replace(final, set_at=datetime.now(UTC))
        self.items[final.id] = stored
        self.changes.append(dataclasses.replace(change, changed_at=datetime.now(UTC)))
        return stored

    async def in_period(
        self, group_id: uuid.UUID, discipline_id: uuid.UUID, period: finals.FinalPeriod
    ) -> list[finals.Final]:
        return [
            f
            for f in self.items.values()
            if (f.group_id, f.discipline_id, f.period) == (group_id, discipline_id, period)
        ]

    async def of_group(
        self, group_id: uuid.UUID, year_id: uuid.UUID, semester: int | None
    ) -> list[finals.Final]:
        return [
            f
            for f in self.items.values()
            if f.group_id == group_id
            and f.period.year_id == year_id
            and (semester is None or f.period.semester == semester)
        ]

    async def of_student(self, student_id: uuid.UUID, year_id: uuid.UUID | None) -> list[finals.Final]:
        return [
            f
            for f in self.items.values()
            if f.student_id == student_id and year_id in (None, f.period.year_id)
        ]

    async def changes_of(self, final_id: uuid.UUID) -> list[finals.FinalChange]:
        return [c for c in self.changes if c.final_id == final_id]

    async def get(self, final_id: uuid.UUID) -> finals.Final | None:
        return self.items.get(final_id)

    async def add_change(self, change: finals.FinalChange) -> None:
        self.changes.append(dataclasses.replace(change, changed_at=datetime.now(UTC)))


class FakeUnitOfWork(testing.FakeUnitOfWork):
    """Shares its repositories across instances (like one database); records what was committed."""

    def __init__(self, store: FakeStore) -> None:
        super().__init__(store)
        self.debts = store.debts
        self.demo_exams = store.demo_exams
        self.finals = store.finals
        self.groups = store.groups
        self.period_locks = store.period_locks
        self.reopen_requests = store.reopen_requests
        self.substitutions = store.substitutions
        self.curriculum_execution = store.curriculum_execution
        self.disciplines = store.disciplines
        self.loads = store.loads
        self.marks = store.marks
        self.people = store.people
        self.years = store.years
        self.bells = store.bells
        self.subgroups = store.subgroups
        self.subgroup_memberships = store.subgroup_memberships
        self.lessons = store.lessons
        self.read_models = store.read_models
        self.timetables = store.timetables
        self.curricula = store.curricula
        self.ktps = store.ktps
        self.mark_changes = store.mark_changes
        self.year_import = FakeYearImports(store)
        self.history = store.history
        self.correction_requests = store.correction_requests
        self.movements = store.movements


class FakeStore(testing.FakeLedger):
    def __init__(self) -> None:
        super().__init__()
        self.demo_exams = FakeDemoExams()
        self.finals = FakeFinals()
        self.debts = FakeDebts(self.finals)
        self.groups = FakeGroups()
        self.movements = FakeMovements(self.groups)
        self.disciplines = FakeDisciplines()
        self.loads = FakeLoads(self.groups)
        self.groups.loads = self.loads.items
        self.marks = FakeMarks()
        self.mark_changes = FakeMarkChanges(self.marks)
        self.people = FakePeople()
        self.years = FakeYears()
        self.bells = FakeBells()
        self.subgroups = FakeSubgroups()
        self.subgroup_memberships = FakeSubgroupMemberships(self.subgroups, self.groups)
        self.lessons = FakeLessons()
        self.period_locks = FakePeriodLocks(self.lessons.items)
        self.reopen_requests = FakeReopenRequests(self.period_locks)
        self.read_models = FakeReadModels(self)
        self.timetables = FakeTimetables(self.years, self.lessons)
        self.loads.store = self
        self.curricula = FakeCurricula(self.disciplines)
        self.ktps = FakeKtps(self.lessons, self.loads)
        self.substitutions = FakeSubstitutions(self)
        self.curriculum_execution = FakeCurriculumExecutions(self)
        self.history = FakeHistory(self.mark_changes)
        self.correction_requests = FakeCorrectionRequests(self.history, self.lessons)


def fake_unit_of_work(store: FakeStore) -> ports.JournalUnitOfWork:
    """Return a fake unit of work; mypy checks here that it satisfies the port."""
    return FakeUnitOfWork(store)


class FakeGuardians:
    def __init__(self, links: set[tuple[str, str]] | None = None) -> None:
        self.links = links or set()

    async def is_guardian(self, *, token: str, parent_id: str, student_id: str) -> bool:
        return (parent_id, student_id) in self.links


class FakePersonDirectory:
    """Identity's people and roles; `down` makes it unreachable; `asked` records each call."""

    def __init__(self, roles: dict[uuid.UUID, str] | None = None) -> None:
        self.roles = roles or {}
        self.down = False
        self.asked: list[list[uuid.UUID]] = []

    async def roles_of(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        self._answer(list(person_ids))
        return {p: self.roles[p] for p in person_ids if p in self.roles}

    async def page(
        self, after: uuid.UUID | None, size: int
    ) -> tuple[list[tuple[uuid.UUID, str]], uuid.UUID | None]:
        self._answer([])
        chosen = sorted(p for p in self.roles if after is None or p > after)[:size]
        return [(p, self.roles[p]) for p in chosen], chosen[-1] if len(chosen) == size else None

    def _answer(self, person_ids: list[uuid.UUID]) -> None:
        self.asked.append(person_ids)
        if self.down:
            raise ServiceUnavailable("Сервис учётных записей недоступен", code="identity_unavailable")


def person_directory(directory: FakePersonDirectory) -> ports.PersonDirectory:
    """Return the fake directory as the port; mypy checks here that it satisfies it."""
    return directory
