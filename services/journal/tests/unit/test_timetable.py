"""The timetable, subgroup loads and the teacher's day against in-memory fakes: the date logic
(weeks, parity, holidays, semester boundaries), every refusal, who may read, events and audit."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.auth import Principal
from chassis.errors import DomainError, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from journal_service.application.handlers import JournalHandlers
from journal_service.application.lessons import RecordAttendance, RecordLesson
from journal_service.application.marks import RecordMark
from journal_service.application.teaching_load import AssignTeachingLoad, ListTeachingLoads
from journal_service.application.timetable import GetGroupTimetable, GetTeacherDay, SetGroupTimetable
from journal_service.domain import lessons, model, timetable, year
from journal_service.domain.timetable import TimetableEntry, WeekParity
from journal_service.domain.year import CalendarSpan, CalendarSpanKind, DateSpan

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 10, 15)
GROUP, OTHER_GROUP, MATH, ENGLISH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, LINGUIST, SUB_TEACHER, CLASS_TEACHER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
STUDENTS = [uuid.uuid4() for _ in range(4)]
STRANGER_STUDENT = uuid.uuid4()
PARENT = uuid.uuid4()
SUB1, SUB2 = uuid.uuid4(), uuid.uuid4()
# Semester 1 starts on Tuesday 1 September 2026: week 1 is 31 August – 6 September (odd).
YEAR = year.new_academic_year(
    "2026/2027",
    DateSpan(date(2026, 9, 1), date(2027, 8, 31)),
    DateSpan(date(2026, 9, 1), date(2026, 12, 31)),
    DateSpan(date(2027, 1, 12), date(2027, 6, 30)),
)
# Autumn holidays of the group: 2–8 November 2026.
CALENDAR = [
    CalendarSpan(CalendarSpanKind.THEORY, DateSpan(date(2026, 9, 1), date(2026, 11, 1))),
    CalendarSpan(CalendarSpanKind.HOLIDAYS, DateSpan(date(2026, 11, 2), date(2026, 11, 8))),
    CalendarSpan(CalendarSpanKind.THEORY, DateSpan(date(2026, 11, 9), date(2026, 12, 31))),
]


def person(*roles: str, subject: uuid.UUID | None = None) -> Principal:
    return Principal(subject=str(subject or uuid.uuid4()), roles=frozenset(roles), token="t")


ADMIN = person("admin")
AS_TEACHER = person("teacher", subject=TEACHER)


def entry(
    weekday: int = 1,
    pair: int = 1,
    *,
    parity: WeekParity = WeekParity.EVERY,
    discipline: uuid.UUID = MATH,
    subgroup: uuid.UUID | None = None,
    teacher: uuid.UUID = TEACHER,
    group: uuid.UUID = GROUP,
    room: str = "",
    semester: int = 1,
) -> TimetableEntry:
    return TimetableEntry(
        uuid.uuid4(), group, YEAR.id, semester, weekday, pair, parity, discipline, subgroup, teacher, room
    )


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21", class_teacher_id=CLASS_TEACHER))
    store.groups.add(model.Group(OTHER_GROUP, "ИС-22"))
    for student in STUDENTS:
        store.groups.enrollments.add((GROUP, student))
    store.groups.enrollments.add((OTHER_GROUP, STRANGER_STUDENT))
    for discipline in (MATH, ENGLISH):
        store.disciplines.add(
            model.Discipline(discipline, "ОП", "Дисциплина", model.DisciplineKind.DISCIPLINE)
        )
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, OTHER_GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), LINGUIST, GROUP, ENGLISH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), SUB_TEACHER, GROUP, ENGLISH, subgroup_id=SUB2))
    store.subgroups.items.append(year.Subgroup(SUB1, GROUP, ENGLISH, "подгруппа 1", tuple(STUDENTS[:2])))
    store.subgroups.items.append(year.Subgroup(SUB2, GROUP, ENGLISH, "подгруппа 2", tuple(STUDENTS[2:])))
    store.bells.items = [year.BellPair(1, 510, 600), year.BellPair(2, 610, 700), year.BellPair(3, 740, 830)]
    store.years.items[YEAR.id] = YEAR
    store.years.calendars[(GROUP, YEAR.id)] = list(CALENDAR)
    return store


@pytest.fixture
def guardians() -> FakeGuardians:
    return FakeGuardians({(str(PARENT), str(STUDENTS[3]))})


@pytest.fixture
def handlers(store: FakeStore, guardians: FakeGuardians) -> JournalHandlers:
    roles = {TEACHER: "teacher", LINGUIST: "teacher", SUB_TEACHER: "teacher"}
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=guardians,
        today=lambda: TODAY,
        people=person_directory(FakePersonDirectory(dict(roles))),
    )


def set_cmd(*entries: TimetableEntry, group: uuid.UUID = GROUP, semester: int = 1) -> SetGroupTimetable:
    return SetGroupTimetable(group, YEAR.id, semester, tuple(entries))


# --- the date logic (pure) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "week", "parity"),
    [
        (date(2026, 9, 1), 1, WeekParity.ODD),  # Tuesday, the first day of semester 1
        (date(2026, 9, 6), 1, WeekParity.ODD),  # its Sunday
        (date(2026, 9, 7), 2, WeekParity.EVEN),  # the next Monday
        (date(2026, 10, 15), 7, WeekParity.ODD),
        (date(2027, 1, 12), 20, WeekParity.EVEN),  # semester 2 goes on counting from semester 1
    ],
)
def test_weeks_are_counted_from_the_week_of_semester_one_s_first_day(
    day: date, week: int, parity: WeekParity
) -> None:
    assert timetable.week_number(YEAR, day) == week
    assert timetable.parity_of_week(week) is parity


@pytest.mark.parametrize(
    ("day", "semester"),
    [
        (date(2026, 8, 31), None),  # before the year
        (date(2026, 9, 1), 1),
        (date(2026, 12, 31), 1),
        (date(2027, 1, 5), None),  # winter holidays between the semesters
        (date(2027, 1, 12), 2),
        (date(2027, 6, 30), 2),
        (date(2027, 7, 1), None),  # summer: in the year, in no semester
    ],
)
def test_a_date_is_placed_in_its_semester(day: date, semester: int | None) -> None:
    placement = timetable.place([YEAR], day)
    assert (placement.semester if placement else None) == semester


def on(
    day: date, *entries: TimetableEntry, calendar: list[CalendarSpan] | None = None
) -> list[TimetableEntry]:
    placement = timetable.place([YEAR], day)
    assert placement is not None
    return timetable.entries_on(day, placement, entries, {GROUP: CALENDAR if calendar is None else calendar})


def test_the_day_takes_the_weekday_and_the_week_s_parity_ordered_by_pair() -> None:
    monday_odd, monday_even = date(2026, 10, 12), date(2026, 10, 19)  # weeks 7 and 8
    every, odd, even = (
        entry(1, 3),
        entry(1, 1, parity=WeekParity.ODD),
        entry(1, 2, parity=WeekParity.EVEN),
    )
    tuesday = entry(2, 1)
    assert on(monday_odd, every, odd, even, tuesday) == [odd, every]
    assert on(monday_even, every, odd, even, tuesday) == [even, every]
    assert on(date(2026, 10, 18), every, tuesday) == []  # Sunday


def test_no_pairs_in_the_group_s_holidays_but_a_group_without_a_calendar_has_them() -> None:
    holiday_monday = date(2026, 11, 2)
    assert on(holiday_monday, entry(1, 1)) == []
    assert on(holiday_monday, entry(1, 1), calendar=[]) != []


def test_entries_of_the_other_semester_do_not_fall_on_the_day() -> None:
    assert on(date(2026, 10, 12), entry(1, 1, semester=2)) == []


# --- SetGroupTimetable ----------------------------------------------------------------------------


async def test_the_admin_replaces_a_group_s_timetable_for_a_semester(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await handlers.timetable.set(set_cmd(entry(1, 1), entry(2, 2)), ADMIN)
    stored = await handlers.timetable.set(set_cmd(entry(3, 1, room="301"), entry(1, 2)), ADMIN)
    assert [(e.weekday, e.pair_number, e.room) for e in stored] == [(1, 2, ""), (3, 1, "301")]
    assert [(e.weekday, e.pair_number) for e in store.timetables.items.values()] == [(1, 2), (3, 1)]
    event = store.events_of(events.GroupTimetableSet)[-1]
    assert (event.group_id, event.year_id, event.semester, event.entry_count) == (
        str(GROUP),
        str(YEAR.id),
        1,
        2,
    )
    assert store.timetables.locked == [YEAR.id, YEAR.id]


async def test_subgroups_of_one_discipline_share_a_pair_with_their_own_teachers(
    handlers: JournalHandlers,
) -> None:
    stored = await handlers.timetable.set(
        set_cmd(
            entry(1, 1, discipline=ENGLISH, subgroup=SUB1, teacher=LINGUIST),
            entry(1, 1, discipline=ENGLISH, subgroup=SUB2, teacher=SUB_TEACHER),
        ),
        ADMIN,
    )
    assert len(stored) == 2


async def test_odd_and_even_weeks_share_a_pair(handlers: JournalHandlers) -> None:
    stored = await handlers.timetable.set(
        set_cmd(
            entry(1, 1, parity=WeekParity.ODD),
            entry(1, 1, parity=WeekParity.EVEN, discipline=ENGLISH, teacher=LINGUIST),
        ),
        ADMIN,
    )
    assert len(stored) == 2


REFUSALS: list[tuple[str, tuple[TimetableEntry, ...], type[DomainError], str]] = [
    ("two whole-group pairs", (entry(1, 1), entry(1, 1, discipline=ENGLISH, teacher=LINGUIST)),
     FailedPrecondition, "timetable_group_clash"),
    ("every week against odd", (entry(1, 1, parity=WeekParity.ODD), entry(1, 1, discipline=ENGLISH,
     teacher=LINGUIST)), FailedPrecondition, "timetable_group_clash"),
    ("a subgroup beside the whole group", (entry(1, 1), entry(1, 1, discipline=ENGLISH, subgroup=SUB1,
     teacher=LINGUIST)), FailedPrecondition, "timetable_group_clash"),
    ("one subgroup twice", (entry(1, 1, discipline=ENGLISH, subgroup=SUB1, teacher=LINGUIST),
     entry(1, 1, discipline=ENGLISH, subgroup=SUB1, teacher=LINGUIST)), FailedPrecondition,
     "timetable_group_clash"),
    ("one teacher in two subgroups at once", (entry(1, 1, discipline=ENGLISH, subgroup=SUB1,
     teacher=LINGUIST), entry(1, 1, discipline=ENGLISH, subgroup=SUB2, teacher=LINGUIST)),
     FailedPrecondition, "timetable_teacher_clash"),
    ("no such pair", (entry(1, 7),), InvalidArgument, "pair_not_found"),
    ("Sunday", (entry(7, 1),), InvalidArgument, "invalid_weekday"),
    ("day zero", (entry(0, 1),), InvalidArgument, "invalid_weekday"),
    ("a long room", (entry(room="а" * 33),), InvalidArgument, "invalid_room"),
    ("an unknown discipline", (entry(discipline=uuid.uuid4()),), InvalidArgument, "discipline_not_found"),
    ("a subgroup of another discipline", (entry(subgroup=SUB1),), FailedPrecondition,
     "subgroup_of_other_group"),
    ("an unknown subgroup", (entry(discipline=ENGLISH, subgroup=uuid.uuid4(), teacher=LINGUIST),),
     FailedPrecondition, "subgroup_of_other_group"),
    ("a teacher without the load", (entry(discipline=ENGLISH),), FailedPrecondition, "teacher_has_no_load"),
    ("a subgroup's teacher for the whole group", (entry(discipline=ENGLISH, teacher=SUB_TEACHER),),
     FailedPrecondition, "teacher_has_no_load"),
    ("a subgroup's teacher for the other subgroup", (entry(discipline=ENGLISH, subgroup=SUB1,
     teacher=SUB_TEACHER),), FailedPrecondition, "teacher_has_no_load"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "entries", "kind", "code"), REFUSALS, ids=[r[0] for r in REFUSALS])
async def test_a_bad_timetable_is_refused_and_nothing_is_written(
    handlers: JournalHandlers,
    store: FakeStore,
    case: str,
    entries: tuple[TimetableEntry, ...],
    kind: type[DomainError],
    code: str,
) -> None:
    await handlers.timetable.set(set_cmd(entry(6, 3)), ADMIN)
    before = dict(store.timetables.items)
    with pytest.raises(kind) as refused:
        await handlers.timetable.set(set_cmd(entry(5, 1), *entries), ADMIN)
    assert refused.value.code == code
    assert store.timetables.items == before
    assert len(store.events_of(events.GroupTimetableSet)) == 1


async def test_the_clash_names_the_entry_by_its_place_in_the_request(handlers: JournalHandlers) -> None:
    with pytest.raises(FailedPrecondition, match="Занятие №3") as refused:
        await handlers.timetable.set(
            set_cmd(entry(1, 1), entry(2, 1), entry(1, 1, discipline=ENGLISH, teacher=LINGUIST)), ADMIN
        )
    assert refused.value.code == "timetable_group_clash"


async def test_a_teacher_busy_in_another_group_is_a_clash_unless_the_weeks_differ(
    handlers: JournalHandlers,
) -> None:
    await handlers.timetable.set(
        set_cmd(entry(1, 1, group=OTHER_GROUP, parity=WeekParity.ODD), group=OTHER_GROUP), ADMIN
    )
    with pytest.raises(FailedPrecondition, match="Занятие №1") as refused:
        await handlers.timetable.set(set_cmd(entry(1, 1)), ADMIN)
    assert refused.value.code == "timetable_teacher_clash"
    assert await handlers.timetable.set(set_cmd(entry(1, 1, parity=WeekParity.EVEN)), ADMIN)
    # The other semester is another timetable.
    assert await handlers.timetable.set(set_cmd(entry(1, 1, semester=2), semester=2), ADMIN)


@pytest.mark.parametrize("roles", [("teacher",), ("class_teacher",), ("director",), ("student",)])
async def test_only_the_admin_sets_a_timetable(handlers: JournalHandlers, roles: tuple[str, ...]) -> None:
    with pytest.raises(PermissionDenied) as refused:
        await handlers.timetable.set(set_cmd(entry()), person(*roles, subject=TEACHER))
    assert refused.value.code == "role_required"


@pytest.mark.parametrize(
    ("cmd", "kind", "code"),
    [
        (SetGroupTimetable(GROUP, YEAR.id, 3, ()), InvalidArgument, "invalid_semester"),
        (SetGroupTimetable(uuid.uuid4(), YEAR.id, 1, ()), NotFound, "group_not_found"),
        (SetGroupTimetable(GROUP, uuid.uuid4(), 1, ()), NotFound, "academic_year_not_found"),
        (
            SetGroupTimetable(GROUP, YEAR.id, 1, tuple(entry() for _ in range(201))),
            InvalidArgument,
            "too_many_timetable_entries",
        ),
    ],
)
async def test_the_group_the_year_and_the_semester_must_exist(
    handlers: JournalHandlers, cmd: SetGroupTimetable, kind: type[DomainError], code: str
) -> None:
    with pytest.raises(kind) as refused:
        await handlers.timetable.set(cmd, ADMIN)
    assert refused.value.code == code


# --- GetGroupTimetable ----------------------------------------------------------------------------


READERS = [
    person("admin"),
    person("deputy"),
    person("teacher", subject=TEACHER),
    person("teacher", subject=LINGUIST),
    person("class_teacher", subject=CLASS_TEACHER),
    person("student", subject=STUDENTS[0]),
    person("parent", subject=PARENT),
]
STRANGERS = [
    person("teacher"),
    person("student", subject=STRANGER_STUDENT),
    person("parent"),
    person("service"),
]


@pytest.mark.parametrize("reader", READERS, ids=lambda p: "+".join(sorted(p.roles)))
async def test_the_group_s_people_read_its_timetable(handlers: JournalHandlers, reader: Principal) -> None:
    await handlers.timetable.set(set_cmd(entry(1, 1), entry(1, 2)), ADMIN)
    found = await handlers.timetable.of_group(GetGroupTimetable(GROUP, YEAR.id, 1), reader)
    assert [e.pair_number for e in found] == [1, 2]


@pytest.mark.parametrize("stranger", STRANGERS, ids=lambda p: "+".join(sorted(p.roles)))
async def test_anyone_else_is_told_the_group_is_not_found(
    handlers: JournalHandlers, stranger: Principal
) -> None:
    with pytest.raises(NotFound) as refused:
        await handlers.timetable.of_group(GetGroupTimetable(GROUP, YEAR.id, 1), stranger)
    assert refused.value.code == "group_not_found"


# --- GetTeacherDay --------------------------------------------------------------------------------


async def test_the_teacher_s_day_has_its_pairs_times_rooms_and_recorded_lessons(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await handlers.timetable.set(set_cmd(entry(3, 2, room="214"), entry(3, 1, parity=WeekParity.EVEN)), ADMIN)
    await handlers.timetable.set(
        set_cmd(entry(3, 3, group=OTHER_GROUP, parity=WeekParity.ODD), group=OTHER_GROUP), ADMIN
    )
    wednesday = date(2026, 10, 14)  # week 7, odd
    recorded = await handlers.lessons.record(
        RecordLesson(GROUP, None, MATH, wednesday, 2, "Пределы", lessons.LessonKind.LECTURE), AS_TEACHER
    )
    day = await handlers.timetable.teacher_day(GetTeacherDay(TEACHER, wednesday), AS_TEACHER)
    assert day.placement is not None and (day.placement.semester, day.placement.week) == (1, 7)
    assert [
        (p.entry.group_id, p.entry.pair_number, p.starts_at, p.ends_at, p.entry.room) for p in day.pairs
    ] == [
        (GROUP, 2, 610, 700, "214"),
        (OTHER_GROUP, 3, 740, 830, ""),
    ]
    assert [p.lesson_id for p in day.pairs] == [recorded.lesson.id, None]
    assert store.audits == []


async def test_a_day_outside_the_semesters_or_in_the_holidays_is_empty(handlers: JournalHandlers) -> None:
    await handlers.timetable.set(set_cmd(entry(1, 1)), ADMIN)
    outside = await handlers.timetable.teacher_day(GetTeacherDay(TEACHER, date(2027, 1, 4)), AS_TEACHER)
    holiday = await handlers.timetable.teacher_day(GetTeacherDay(TEACHER, date(2026, 11, 2)), AS_TEACHER)
    assert (outside.placement, outside.pairs, holiday.pairs) == (None, [], [])


async def test_the_administration_reads_a_teacher_s_day_audited(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    await handlers.timetable.set(set_cmd(entry(1, 1)), ADMIN)
    day = await handlers.timetable.teacher_day(GetTeacherDay(TEACHER, date(2026, 10, 12)), ADMIN)
    assert len(day.pairs) == 1
    assert [(a.action, a.resource_id, a.actor_id) for a in store.audits] == [
        ("teacher_day.read", str(TEACHER), ADMIN.subject)
    ]


@pytest.mark.parametrize(
    "caller",
    [person("teacher", subject=LINGUIST), person("class_teacher"), person("student"), person("parent")],
    ids=lambda p: "+".join(sorted(p.roles)),
)
async def test_no_one_else_reads_a_teacher_s_day(handlers: JournalHandlers, caller: Principal) -> None:
    with pytest.raises(PermissionDenied) as refused:
        await handlers.timetable.teacher_day(GetTeacherDay(TEACHER, date(2026, 10, 12)), caller)
    assert refused.value.code == "role_required"


# --- a teaching load for a subgroup ---------------------------------------------------------------


async def test_a_load_for_a_subgroup_is_assigned_once_beside_the_whole_group_s(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    whole = await handlers.loads.assign(AssignTeachingLoad(SUB_TEACHER, GROUP, MATH), ADMIN)
    first = await handlers.loads.assign(AssignTeachingLoad(SUB_TEACHER, GROUP, ENGLISH, SUB1), ADMIN)
    again = await handlers.loads.assign(AssignTeachingLoad(SUB_TEACHER, GROUP, ENGLISH, SUB1), ADMIN)
    assert (first.subgroup_id, again.id, whole.subgroup_id) == (SUB1, first.id, None)
    assert [e.subgroup_id for e in store.events_of(events.TeachingLoadAssigned)] == ["", str(SUB1)]


@pytest.mark.parametrize(
    ("group", "discipline", "subgroup", "kind", "code"),
    [
        (GROUP, MATH, SUB1, FailedPrecondition, "subgroup_of_other_group"),
        (OTHER_GROUP, ENGLISH, SUB1, FailedPrecondition, "subgroup_of_other_group"),
        (GROUP, ENGLISH, uuid.uuid4(), NotFound, "subgroup_not_found"),
    ],
)
async def test_a_load_s_subgroup_must_be_of_its_group_and_discipline(
    handlers: JournalHandlers,
    store: FakeStore,
    group: uuid.UUID,
    discipline: uuid.UUID,
    subgroup: uuid.UUID,
    kind: type[DomainError],
    code: str,
) -> None:
    before = list(store.loads.items)
    with pytest.raises(kind) as refused:
        await handlers.loads.assign(AssignTeachingLoad(SUB_TEACHER, group, discipline, subgroup), ADMIN)
    assert refused.value.code == code
    assert store.loads.items == before


def english_lesson(subgroup: uuid.UUID | None, pair: int) -> RecordLesson:
    return RecordLesson(
        GROUP, subgroup, ENGLISH, date(2026, 10, 14), pair, "Present Simple", lessons.LessonKind.PRACTICAL
    )


async def test_a_subgroup_s_teacher_records_that_subgroup_s_lessons_only(handlers: JournalHandlers) -> None:
    as_sub_teacher = person("teacher", subject=SUB_TEACHER)
    recorded = await handlers.lessons.record(english_lesson(SUB2, 1), as_sub_teacher)
    assert recorded.lesson.subgroup_id == SUB2
    for refused_lesson in (english_lesson(SUB1, 2), english_lesson(None, 3)):
        with pytest.raises(PermissionDenied) as refused:
            await handlers.lessons.record(refused_lesson, as_sub_teacher)
        assert refused.value.code == "not_teaching_this_group"
    # The whole group's load still covers every subgroup.
    linguist = person("teacher", subject=LINGUIST)
    assert (await handlers.lessons.record(english_lesson(SUB1, 2), linguist)).created


async def test_a_subgroup_s_teacher_writes_attendance_and_marks_of_that_subgroup_only(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    as_sub_teacher, linguist = person("teacher", subject=SUB_TEACHER), person("teacher", subject=LINGUIST)
    own = (await handlers.lessons.record(english_lesson(SUB2, 1), as_sub_teacher)).lesson
    other = (await handlers.lessons.record(english_lesson(SUB1, 1), linguist)).lesson
    whole = (await handlers.lessons.record(english_lesson(None, 2), linguist)).lesson
    present = (lessons.AttendanceEntry(STUDENTS[2], lessons.AttendanceStatus.PRESENT),)
    assert await handlers.lessons.record_attendance(RecordAttendance(own.id, present), as_sub_teacher)
    assert await handlers.marks.record(RecordMark(STUDENTS[2], None, None, None, "5", own.id), as_sub_teacher)
    refusals = [
        handlers.lessons.record_attendance(
            RecordAttendance(
                other.id, (lessons.AttendanceEntry(STUDENTS[0], lessons.AttendanceStatus.PRESENT),)
            ),
            as_sub_teacher,
        ),
        handlers.lessons.record_attendance(RecordAttendance(whole.id, present), as_sub_teacher),
        handlers.marks.record(RecordMark(STUDENTS[0], None, None, None, "5", other.id), as_sub_teacher),
        handlers.marks.record(RecordMark(STUDENTS[2], None, None, None, "5", whole.id), as_sub_teacher),
        # By date only a mark is the whole group's: a subgroup's load does not cover it.
        handlers.marks.record(
            RecordMark(STUDENTS[2], GROUP, ENGLISH, date(2026, 10, 14), "5"), as_sub_teacher
        ),
    ]
    for refused_call in refusals:
        with pytest.raises(PermissionDenied) as refused:
            await refused_call
        assert refused.value.code == "not_teaching_this_group"
    # The whole group's teacher still writes every subgroup's.
    assert await handlers.marks.record(RecordMark(STUDENTS[2], None, None, None, "4", own.id), linguist)


async def test_a_group_s_loads_are_listed_to_its_readers_with_their_subgroups(
    handlers: JournalHandlers,
) -> None:
    query = ListTeachingLoads(GROUP)
    for reader in (ADMIN, person("curator"), AS_TEACHER, person("class_teacher", subject=CLASS_TEACHER)):
        found = await handlers.loads.of_group(query, reader)
        assert {(load.teacher_id, load.discipline_id, load.subgroup_id) for load in found} == {
            (TEACHER, MATH, None),
            (LINGUIST, ENGLISH, None),
            (SUB_TEACHER, ENGLISH, SUB2),
        }
        english = [load for load in found if load.discipline_id == ENGLISH]
        assert [load.subgroup_id for load in english] == [None, SUB2], "the whole group's first"
    for stranger in (
        person("teacher"),
        person("student", subject=STUDENTS[0]),
        person("parent", subject=PARENT),
    ):
        with pytest.raises(NotFound) as refused:
            await handlers.loads.of_group(query, stranger)
        assert refused.value.code == "group_not_found"
    with pytest.raises(NotFound):
        await handlers.loads.of_group(ListTeachingLoads(uuid.uuid4()), ADMIN)
