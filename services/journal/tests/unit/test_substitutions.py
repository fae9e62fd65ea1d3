"""Substitutions (R2.4) against in-memory fakes: who records them, every refusal, and the substitute's
write right on that lesson only (through the write paths' one check, substitution_rights)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from chassis.auth import Principal
from chassis.errors import AlreadyExists, DomainError, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from journal_service.application import period_locks as locks_app
from journal_service.application.handlers import JournalHandlers
from journal_service.application.lessons import RecordAttendance, RecordLesson
from journal_service.application.mark_changes import ChangeMark
from journal_service.application.marks import RecordMark
from journal_service.application.period_locks import ListPeriodLocks
from journal_service.application.substitutions import (
    CancelSubstitution,
    ListSubstitutions,
    RecordSubstitution,
)
from journal_service.application.timetable import GetTeacherDay
from journal_service.domain import model, timetable, year
from journal_service.domain.lessons import AttendanceEntry, AttendanceStatus, LessonKind
from journal_service.domain.substitutions import Slot, SubstitutionReason
from journal_service.domain.year import BellPair, CalendarSpan, CalendarSpanKind, DateSpan

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 10, 15)
WEDNESDAY = date(2026, 10, 14)
EARLIER_WEDNESDAY = date(2026, 10, 7)
GROUP, OTHER_GROUP, MATH, PHYSICS = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, SUBSTITUTE, BUSY, STUDENT_PERSON, ADMIN = (uuid.uuid4() for _ in range(5))
STUDENT = uuid.uuid4()
YEAR = year.new_academic_year(
    "2026/2027",
    DateSpan(date(2026, 9, 1), date(2027, 8, 31)),
    DateSpan(date(2026, 9, 1), date(2026, 12, 31)),
    DateSpan(date(2027, 1, 12), date(2027, 6, 30)),
)


def person(*roles: str, subject: uuid.UUID | None = None) -> Principal:
    return Principal(subject=str(subject or uuid.uuid4()), roles=frozenset(roles), token="t")


AS_ADMIN = person("admin", subject=ADMIN)
AS_DEPUTY = person("deputy")
AS_TEACHER = person("teacher", subject=TEACHER)
AS_SUBSTITUTE = person("teacher", subject=SUBSTITUTE)


def entry(group: uuid.UUID, discipline: uuid.UUID, teacher: uuid.UUID, pair: int) -> timetable.TimetableEntry:
    return timetable.TimetableEntry(
        uuid.uuid4(), group, YEAR.id, 1, 3, pair, timetable.WeekParity.EVERY, discipline, None, teacher
    )


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21"))
    store.groups.add(model.Group(OTHER_GROUP, "ИС-22"))
    store.groups.enrollments.add((GROUP, STUDENT))
    for discipline in (MATH, PHYSICS):
        store.disciplines.add(
            model.Discipline(
                discipline, f"ОП.{len(store.disciplines.items)}", "Д", model.DisciplineKind.DISCIPLINE
            )
        )
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), BUSY, OTHER_GROUP, PHYSICS))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), SUBSTITUTE, OTHER_GROUP, PHYSICS))
    store.bells.items = [BellPair(1, 510, 600), BellPair(2, 610, 700)]
    store.years.items[YEAR.id] = YEAR
    store.years.calendars[(GROUP, YEAR.id)] = [
        CalendarSpan(CalendarSpanKind.THEORY, DateSpan(date(2026, 9, 1), date(2026, 12, 20)))
    ]
    for e in (entry(GROUP, MATH, TEACHER, 1), entry(OTHER_GROUP, PHYSICS, BUSY, 1)):
        store.timetables.items[e.id] = e
    return store


@pytest.fixture
def directory() -> FakePersonDirectory:
    return FakePersonDirectory(
        {TEACHER: "teacher", SUBSTITUTE: "teacher", BUSY: "class_teacher", STUDENT_PERSON: "student"}
    )


@pytest.fixture
def handlers(store: FakeStore, directory: FakePersonDirectory) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: TODAY,
        people=person_directory(directory),
    )


def substitution(**changes: object) -> RecordSubstitution:
    slot: dict[str, object] = {
        "group_id": GROUP,
        "subgroup_id": None,
        "discipline_id": MATH,
        "lesson_date": WEDNESDAY,
        "pair_number": 1,
    }
    slot.update({k: v for k, v in changes.items() if k in slot})
    return RecordSubstitution(
        slot=Slot(**slot),  # type: ignore[arg-type]
        substitute_id=changes.get("substitute_id", SUBSTITUTE),  # type: ignore[arg-type]
        reason=SubstitutionReason.SICK_LEAVE,
    )


def lesson(day: date = WEDNESDAY) -> RecordLesson:
    return RecordLesson(GROUP, None, MATH, day, 1, "Пределы", LessonKind.LECTURE)


def mark(lesson_id: uuid.UUID) -> RecordMark:
    return RecordMark(STUDENT, None, None, None, "5", lesson_id=lesson_id)


async def test_the_substitute_fills_that_lesson_and_it_records_who_taught_it(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    recorded = await handlers.substitutions.record(substitution(), AS_ADMIN)
    assert (recorded.substitution.teacher_id, recorded.substitution.substitute_id) == (TEACHER, SUBSTITUTE)
    [event] = store.events_of(events.SubstitutionRecorded)
    assert (event.teacher_id, event.substitute_teacher_id, event.recorded_by) == (
        str(TEACHER),
        str(SUBSTITUTE),
        str(ADMIN),
    )
    assert [(a.action, a.actor_id) for a in store.audits] == [("substitution.recorded", str(ADMIN))]

    taught = (await handlers.lessons.record(lesson(), AS_SUBSTITUTE)).lesson
    assert taught.teacher_id == SUBSTITUTE
    given = await handlers.marks.record(mark(taught.id), AS_SUBSTITUTE)
    await handlers.lessons.record_attendance(
        RecordAttendance(taught.id, (AttendanceEntry(STUDENT, AttendanceStatus.PRESENT),)), AS_SUBSTITUTE
    )
    await handlers.mark_changes.change(ChangeMark(given.id, "4"), AS_SUBSTITUTE)
    # The load's own teacher keeps the journal of their load, this lesson too.
    await handlers.marks.record(mark(taught.id), AS_TEACHER)

    [listed] = await handlers.substitutions.listed(
        ListSubstitutions(DateSpan(WEDNESDAY, WEDNESDAY), group_id=GROUP), AS_ADMIN
    )
    assert (listed.lesson_id, listed.taught_by) == (taught.id, SUBSTITUTE)


async def test_the_substitute_writes_nothing_else_of_the_load(handlers: JournalHandlers) -> None:
    await handlers.substitutions.record(substitution(), AS_ADMIN)
    other = (await handlers.lessons.record(lesson(EARLIER_WEDNESDAY), AS_TEACHER)).lesson
    for write in (
        handlers.marks.record(mark(other.id), AS_SUBSTITUTE),
        handlers.lessons.record(lesson(date(2026, 9, 30)), AS_SUBSTITUTE),
        handlers.marks.record(RecordMark(STUDENT, GROUP, MATH, WEDNESDAY, "5"), AS_SUBSTITUTE),
        handlers.lessons.record_attendance(RecordAttendance(other.id, ()), AS_SUBSTITUTE),
    ):
        with pytest.raises(PermissionDenied) as refused:
            await write
        assert refused.value.code == "not_teaching_this_group"


async def test_a_cancelled_substitution_gives_no_right(handlers: JournalHandlers, store: FakeStore) -> None:
    recorded = await handlers.substitutions.record(substitution(), AS_DEPUTY)
    cancelled = await handlers.substitutions.cancel(CancelSubstitution(recorded.substitution.id), AS_ADMIN)
    assert cancelled.substitution.cancelled
    assert store.events_of(events.SubstitutionCancelled)[0].cancelled_by == str(ADMIN)
    with pytest.raises(PermissionDenied):
        await handlers.lessons.record(lesson(), AS_SUBSTITUTE)
    with pytest.raises(NotFound) as again:
        await handlers.substitutions.cancel(CancelSubstitution(recorded.substitution.id), AS_ADMIN)
    assert again.value.code == "substitution_not_found"


async def test_a_used_substitution_cannot_be_cancelled(handlers: JournalHandlers, store: FakeStore) -> None:
    recorded = await handlers.substitutions.record(substitution(), AS_ADMIN)
    await handlers.lessons.record(lesson(), AS_SUBSTITUTE)
    with pytest.raises(DomainError) as refused:
        await handlers.substitutions.cancel(CancelSubstitution(recorded.substitution.id), AS_ADMIN)
    assert refused.value.code == "substitution_used"
    assert store.events_of(events.SubstitutionCancelled) == []


@pytest.mark.parametrize(
    ("changes", "actor", "code"),
    [
        ({}, person("teacher", subject=TEACHER), "role_required"),
        ({}, person("curator"), "role_required"),
        ({}, person("director"), "role_required"),
        ({"substitute_id": uuid.uuid4()}, AS_ADMIN, "person_not_found"),
        ({"substitute_id": STUDENT_PERSON}, AS_ADMIN, "person_not_teacher"),
        ({"substitute_id": TEACHER}, AS_ADMIN, "substitute_is_own_teacher"),
        ({"pair_number": 2}, AS_ADMIN, "slot_not_in_timetable"),
        ({"discipline_id": PHYSICS}, AS_ADMIN, "slot_not_in_timetable"),
        ({"lesson_date": date(2026, 10, 13)}, AS_ADMIN, "slot_not_in_timetable"),
        ({"pair_number": 5}, AS_ADMIN, "pair_not_in_schedule"),
        ({"lesson_date": date(2027, 7, 7)}, AS_ADMIN, "date_outside_year"),
        ({"lesson_date": date(2026, 12, 23)}, AS_ADMIN, "not_a_teaching_day"),
        ({"substitute_id": BUSY}, AS_ADMIN, "substitute_busy"),
        ({"group_id": uuid.uuid4()}, AS_ADMIN, "group_not_found"),
        ({"discipline_id": uuid.uuid4()}, AS_ADMIN, "discipline_not_found"),
    ],
)
async def test_bad_substitutions_are_refused_and_write_nothing(
    handlers: JournalHandlers, store: FakeStore, changes: dict[str, object], actor: Principal, code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        await handlers.substitutions.record(substitution(**changes), actor)
    assert refused.value.code == code
    assert (store.substitutions.items, store.subjects, store.audits) == ({}, [], [])


async def test_a_slot_takes_one_substitution_and_a_substitute_one_pair_at_a_time(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await handlers.substitutions.record(substitution(), AS_ADMIN)
    with pytest.raises(AlreadyExists) as duplicate:
        await handlers.substitutions.record(substitution(substitute_id=BUSY), AS_ADMIN)
    assert duplicate.value.code == "substitution_exists"
    # The substitute's own recorded lesson at that pair makes them busy too.
    physics = entry(OTHER_GROUP, PHYSICS, BUSY, 2)
    store.timetables.items[physics.id] = physics
    await handlers.lessons.record(
        RecordLesson(OTHER_GROUP, None, PHYSICS, WEDNESDAY, 2, "Оптика", LessonKind.LECTURE), AS_SUBSTITUTE
    )
    with pytest.raises(DomainError) as busy:
        await handlers.substitutions.record(
            substitution(group_id=OTHER_GROUP, discipline_id=PHYSICS, pair_number=2), AS_ADMIN
        )
    assert busy.value.code == "substitute_busy"


async def test_the_teacher_day_shows_the_pair_taken_and_the_pair_given(handlers: JournalHandlers) -> None:
    recorded = await handlers.substitutions.record(substitution(), AS_ADMIN)
    taken = await handlers.timetable.teacher_day(GetTeacherDay(SUBSTITUTE, WEDNESDAY), AS_SUBSTITUTE)
    [pair] = taken.pairs
    assert (pair.entry.group_id, pair.entry.pair_number, pair.substitution) == (
        GROUP,
        1,
        recorded.substitution,
    )
    given = await handlers.timetable.teacher_day(GetTeacherDay(TEACHER, WEDNESDAY), AS_TEACHER)
    assert [p.substitution for p in given.pairs] == [recorded.substitution]


async def test_who_lists_substitutions(handlers: JournalHandlers, store: FakeStore) -> None:
    await handlers.substitutions.record(substitution(), AS_ADMIN)
    week = ListSubstitutions(DateSpan(date(2026, 10, 12), date(2026, 10, 18)))
    assert len(await handlers.substitutions.listed(week, person("curator"))) == 1
    assert len(await handlers.substitutions.listed(week, AS_SUBSTITUTE)) == 1
    assert await handlers.substitutions.listed(week, person("teacher")) == []
    # Of one group, its journal pages' readers see them all (the page marks the substitute's lessons).
    class_teacher = uuid.uuid4()
    store.groups.items[GROUP].class_teacher_id = class_teacher
    of_group = ListSubstitutions(week.span, group_id=GROUP)
    assert (
        len(await handlers.substitutions.listed(of_group, person("class_teacher", subject=class_teacher)))
        == 1
    )
    assert await handlers.substitutions.listed(of_group, person("teacher")) == []
    with pytest.raises(PermissionDenied):
        await handlers.substitutions.listed(week, person("student"))
    with pytest.raises(DomainError) as backwards:
        await handlers.substitutions.listed(
            ListSubstitutions(DateSpan(date(2026, 10, 18), date(2026, 10, 12))), AS_ADMIN
        )
    assert backwards.value.code == "invalid_substitution_range"


async def test_the_substitute_reads_the_pages_locks_on_the_colleges_today_not_the_utc_date(
    store: FakeStore, directory: FakePersonDirectory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """00:30 in Moscow on the day of the pair is still the day before in UTC: the substitute's right
    to the group's journal is judged on the college's day."""
    on_the_day = JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: WEDNESDAY,
        people=person_directory(directory),
    )
    await on_the_day.substitutions.record(substitution(), AS_ADMIN)
    monkeypatch.setattr(locks_app, "clock", lambda: datetime(2026, 10, 13, 21, 30, tzinfo=UTC))
    assert await on_the_day.period_locks.of_group(ListPeriodLocks(GROUP, MATH), AS_SUBSTITUTE) == []
    with pytest.raises(NotFound):  # a teacher with no load and no substitution there still reads nothing
        await on_the_day.period_locks.of_group(ListPeriodLocks(GROUP, MATH), person("teacher"))
