"""Lessons and attendance (R2.3) against in-memory fakes: the rules, who may write and read, events."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.auth import Principal
from chassis.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from journal_service.application.handlers import JournalHandlers
from journal_service.application.lessons import GetAttendance, ListLessons, RecordAttendance, RecordLesson
from journal_service.domain import lessons, model, year
from journal_service.domain.lessons import AbsenceReason, AttendanceEntry, AttendanceStatus, LessonKind
from journal_service.domain.year import BellPair, CalendarSpan, CalendarSpanKind, DateSpan

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 10, 15)
GROUP, MATH, ENGLISH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, CLASS_TEACHER = uuid.uuid4(), uuid.uuid4()
STUDENTS = [uuid.uuid4() for _ in range(3)]
SUBGROUP = uuid.uuid4()


def person(*roles: str, subject: uuid.UUID | None = None) -> Principal:
    return Principal(subject=str(subject or uuid.uuid4()), roles=frozenset(roles), token="t")


AS_TEACHER = person("teacher", subject=TEACHER)


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21", class_teacher_id=CLASS_TEACHER))
    for student in STUDENTS:
        store.groups.enrollments.add((GROUP, student))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, ENGLISH))
    store.bells.items = [BellPair(1, 510, 600), BellPair(2, 610, 700)]
    store.subgroups.items.append(year.Subgroup(SUBGROUP, GROUP, ENGLISH, "подгруппа 1", (STUDENTS[0],)))
    opened = year.new_academic_year(
        "2026/2027",
        DateSpan(date(2026, 9, 1), date(2027, 8, 31)),
        DateSpan(date(2026, 9, 1), date(2026, 12, 31)),
        DateSpan(date(2027, 1, 12), date(2027, 6, 30)),
    )
    store.years.items[opened.id] = opened
    store.years.calendars[(GROUP, opened.id)] = [
        CalendarSpan(CalendarSpanKind.THEORY, DateSpan(date(2026, 9, 8), date(2026, 12, 20)))
    ]
    return store


@pytest.fixture
def handlers(store: FakeStore) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: TODAY,
        people=person_directory(FakePersonDirectory()),
    )


def lesson(**changes: object) -> RecordLesson:
    fields: dict[str, object] = {
        "group_id": GROUP,
        "subgroup_id": None,
        "discipline_id": MATH,
        "lesson_date": date(2026, 10, 14),
        "pair_number": 1,
        "topic": "Пределы",
        "kind": LessonKind.LECTURE,
    }
    fields.update(changes)
    return RecordLesson(**fields)  # type: ignore[arg-type]


async def test_a_lesson_is_recorded_once_and_a_repeat_is_the_same_lesson(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    first = await handlers.lessons.record(lesson(), AS_TEACHER)
    again = await handlers.lessons.record(lesson(), AS_TEACHER)
    assert (first.created, again.created, again.lesson.id) == (True, False, first.lesson.id)
    assert store.subjects == ["journal.lesson.recorded.v1"]
    assert store.events_of(events.LessonRecorded)[0].lesson_id == str(first.lesson.id)


@pytest.mark.parametrize(
    ("changes", "actor", "error", "code"),
    [
        ({}, person("teacher"), PermissionDenied, "not_teaching_this_group"),
        ({}, person("admin"), PermissionDenied, "role_required"),
        ({"lesson_date": date(2026, 10, 16)}, AS_TEACHER, InvalidArgument, "lesson_date_in_future"),
        ({"pair_number": 3}, AS_TEACHER, InvalidArgument, "pair_not_in_schedule"),
        ({"lesson_date": date(2026, 9, 3)}, AS_TEACHER, FailedPrecondition, "not_a_teaching_day"),
        ({"subgroup_id": SUBGROUP}, AS_TEACHER, NotFound, "subgroup_not_found"),
        ({"homework_deadline": date(2026, 10, 20)}, AS_TEACHER, InvalidArgument, "invalid_homework_deadline"),
    ],
)
async def test_bad_lessons_are_refused_and_write_nothing(
    handlers: JournalHandlers,
    store: FakeStore,
    changes: dict[str, object],
    actor: Principal,
    error: type[Exception],
    code: str,
) -> None:
    with pytest.raises(error) as refused:
        await handlers.lessons.record(lesson(**changes), actor)
    assert getattr(refused.value, "code", None) == code
    assert (store.lessons.items, store.subjects) == ({}, [])


async def test_a_slot_holds_one_lesson_and_subgroups_meet_in_parallel(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await handlers.lessons.record(lesson(), AS_TEACHER)
    second = year.Subgroup(uuid.uuid4(), GROUP, ENGLISH, "подгруппа 2", (STUDENTS[1],))
    store.subgroups.items.append(second)
    for taken_slot in (lesson(topic="Другое"), lesson(discipline_id=ENGLISH, subgroup_id=SUBGROUP)):
        with pytest.raises(AlreadyExists) as taken:
            await handlers.lessons.record(taken_slot, AS_TEACHER)
        assert taken.value.code == "lesson_slot_taken"
    first = await handlers.lessons.record(
        lesson(discipline_id=ENGLISH, subgroup_id=SUBGROUP, pair_number=2), AS_TEACHER
    )
    parallel = await handlers.lessons.record(
        lesson(discipline_id=ENGLISH, subgroup_id=second.id, pair_number=2), AS_TEACHER
    )
    again = await handlers.lessons.record(
        lesson(discipline_id=ENGLISH, subgroup_id=second.id, pair_number=2), AS_TEACHER
    )
    assert (first.created, parallel.created, again.created, again.lesson.id) == (
        True,
        True,
        False,
        parallel.lesson.id,
    )
    with pytest.raises(AlreadyExists):
        await handlers.lessons.record(lesson(pair_number=2), AS_TEACHER)


def test_a_day_is_allowed_when_the_year_or_the_groups_calendar_is_not_set() -> None:
    day = date(2026, 9, 3)
    assert lessons.teaching_day_allowed([], {}, day)
    opened = year.new_academic_year(
        "2026/2027",
        DateSpan(date(2026, 9, 1), date(2027, 8, 31)),
        DateSpan(date(2026, 9, 1), date(2026, 12, 31)),
        DateSpan(date(2027, 1, 12), date(2027, 6, 30)),
    )
    assert lessons.teaching_day_allowed([opened], {}, day)
    holidays = [CalendarSpan(CalendarSpanKind.HOLIDAYS, DateSpan(day, day))]
    assert not lessons.teaching_day_allowed([opened], {opened.id: holidays}, day)


async def test_attendance_is_replaced_whole_evented_and_audited(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    recorded = (await handlers.lessons.record(lesson(), AS_TEACHER)).lesson
    entries = (
        AttendanceEntry(STUDENTS[2], AttendanceStatus.ABSENT, AbsenceReason.ILLNESS),
        AttendanceEntry(STUDENTS[0], AttendanceStatus.PRESENT),
        AttendanceEntry(STUDENTS[1], AttendanceStatus.LATE),
    )
    stored = await handlers.lessons.record_attendance(RecordAttendance(recorded.id, entries), AS_TEACHER)
    assert [e.student_id for e in stored] == sorted(STUDENTS, key=str)
    event = store.events_of(events.AttendanceRecorded)[0]
    assert (event.lesson_id, len(event.entries)) == (str(recorded.id), 3)
    assert [(a.action, a.actor_id) for a in store.audits] == [("attendance.recorded", str(TEACHER))]
    await handlers.lessons.record_attendance(RecordAttendance(recorded.id, entries[:1]), AS_TEACHER)
    assert store.lessons.attendance[recorded.id] == [entries[0]]
    read = await handlers.lessons.attendance(
        GetAttendance(recorded.id), person("class_teacher", subject=CLASS_TEACHER)
    )
    assert read.entries == [entries[0]]


@pytest.mark.parametrize(
    ("entries", "error", "code"),
    [
        (
            (AttendanceEntry(uuid.uuid4(), AttendanceStatus.PRESENT),),
            FailedPrecondition,
            "student_not_in_group",
        ),
        (
            (AttendanceEntry(STUDENTS[0], AttendanceStatus.PRESENT),) * 2,
            InvalidArgument,
            "duplicate_attendance_student",
        ),
        (
            (AttendanceEntry(STUDENTS[0], AttendanceStatus.PRESENT, AbsenceReason.ILLNESS),),
            InvalidArgument,
            "reason_without_absence",
        ),
    ],
)
async def test_bad_attendance_is_refused_and_writes_nothing(
    handlers: JournalHandlers,
    store: FakeStore,
    entries: tuple[AttendanceEntry, ...],
    error: type[Exception],
    code: str,
) -> None:
    recorded = (await handlers.lessons.record(lesson(), AS_TEACHER)).lesson
    with pytest.raises(error) as refused:
        await handlers.lessons.record_attendance(RecordAttendance(recorded.id, entries), AS_TEACHER)
    assert getattr(refused.value, "code", None) == code
    assert store.lessons.attendance == {}


async def test_a_subgroups_lesson_takes_only_its_students(handlers: JournalHandlers) -> None:
    recorded = (
        await handlers.lessons.record(lesson(discipline_id=ENGLISH, subgroup_id=SUBGROUP), AS_TEACHER)
    ).lesson
    with pytest.raises(FailedPrecondition) as refused:
        await handlers.lessons.record_attendance(
            RecordAttendance(recorded.id, (AttendanceEntry(STUDENTS[1], AttendanceStatus.PRESENT),)),
            AS_TEACHER,
        )
    assert refused.value.code == "student_not_in_subgroup"


async def test_lessons_are_read_by_the_load_the_class_teacher_and_the_administration(
    handlers: JournalHandlers,
) -> None:
    await handlers.lessons.record(lesson(), AS_TEACHER)
    query = ListLessons(GROUP, MATH, DateSpan(date(2026, 9, 1), TODAY))
    for reader in (AS_TEACHER, person("class_teacher", subject=CLASS_TEACHER), person("curator")):
        assert len(await handlers.lessons.of_group(query, reader)) == 1
    for stranger in (person("teacher"), person("student"), person("class_teacher")):
        with pytest.raises(NotFound):
            await handlers.lessons.of_group(query, stranger)
    with pytest.raises(InvalidArgument):
        await handlers.lessons.of_group(
            ListLessons(GROUP, MATH, DateSpan(TODAY, date(2026, 9, 1))), AS_TEACHER
        )
