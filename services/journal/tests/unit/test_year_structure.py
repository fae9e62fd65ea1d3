"""The academic year's structure (R2.1) against in-memory fakes: the domain's rules, access, events."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.auth import Principal
from chassis.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb
from journal_service.application.academic_year import GetGroupCalendar, OpenAcademicYear, SetGroupCalendar
from journal_service.application.bell_schedule import SetBellSchedule
from journal_service.application.disciplines import CreateDiscipline
from journal_service.application.groups import CreateGroup, EnrollStudent, UpdateGroup
from journal_service.application.handlers import JournalHandlers
from journal_service.application.marks import ListStudentMarks
from journal_service.application.subgroups import CreateSubgroup, ListSubgroups
from journal_service.application.teaching_load import AssignTeachingLoad
from journal_service.domain import model, year
from journal_service.domain.year import BellPair, CalendarSpan, CalendarSpanKind, DateSpan

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")
YEAR = DateSpan(date(2026, 9, 1), date(2027, 8, 31))
SEM1 = DateSpan(date(2026, 9, 1), date(2026, 12, 31))
SEM2 = DateSpan(date(2027, 1, 12), date(2027, 6, 30))


def person(*roles: str, subject: uuid.UUID | None = None) -> Principal:
    return Principal(subject=str(subject or uuid.uuid4()), roles=frozenset(roles), token="t")


def span(kind: CalendarSpanKind, start: str, end: str) -> CalendarSpan:
    return CalendarSpan(kind, DateSpan(date.fromisoformat(start), date.fromisoformat(end)))


THEORY_1 = span(CalendarSpanKind.THEORY, "2026-09-01", "2026-12-20")
SESSION_1 = span(CalendarSpanKind.SESSION, "2026-12-21", "2026-12-30")
WINTER = span(CalendarSpanKind.HOLIDAYS, "2026-12-31", "2027-01-11")
PRACTICE = span(CalendarSpanKind.STUDY_PRACTICE, "2027-05-01", "2027-05-28")


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def directory() -> FakePersonDirectory:
    return FakePersonDirectory()


@pytest.fixture
def handlers(store: FakeStore, directory: FakePersonDirectory) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=date.today,
        people=person_directory(directory),
    )


def known(directory: FakePersonDirectory, role: str) -> uuid.UUID:
    """A person identity knows with this role."""
    person_id = uuid.uuid4()
    directory.roles[person_id] = role
    return person_id


def opened() -> year.AcademicYear:
    return year.new_academic_year("2026/2027", YEAR, SEM1, SEM2)


# -- the year ---------------------------------------------------------------------------------------


def test_a_year_opens_with_its_two_semesters() -> None:
    found = opened()
    assert (found.name, found.span, found.semester1, found.semester2) == ("2026/2027", YEAR, SEM1, SEM2)


@pytest.mark.parametrize(
    ("name", "span_", "sem1", "sem2", "code"),
    [
        ("2026/2028", YEAR, SEM1, SEM2, "invalid_year_name"),
        ("2026-2027", YEAR, SEM1, SEM2, "invalid_year_name"),
        ("2025/2026", YEAR, SEM1, SEM2, "invalid_year_span"),
        ("2026/2027", DateSpan(YEAR.starts_on, date(2027, 9, 1)), SEM1, SEM2, "invalid_year_span"),
        ("2026/2027", DateSpan(YEAR.starts_on, date(2026, 8, 1)), SEM1, SEM2, "invalid_year_span"),
        ("2026/2027", YEAR, SEM2, SEM1, "semesters_out_of_order"),
        ("2026/2027", YEAR, DateSpan(date(2026, 8, 31), SEM1.ends_on), SEM2, "semesters_out_of_order"),
        ("2026/2027", YEAR, SEM1, DateSpan(SEM2.starts_on, date(2027, 9, 1)), "semesters_out_of_order"),
        ("2026/2027", YEAR, SEM1, DateSpan(date(2026, 12, 31), SEM2.ends_on), "semesters_out_of_order"),
        ("2026/2027", YEAR, DateSpan(SEM1.ends_on, SEM1.starts_on), SEM2, "semesters_out_of_order"),
    ],
)
def test_a_year_refuses_bad_names_spans_and_semesters(
    name: str, span_: DateSpan, sem1: DateSpan, sem2: DateSpan, code: str
) -> None:
    with pytest.raises(InvalidArgument) as refused:
        year.new_academic_year(name, span_, sem1, sem2)
    assert refused.value.code == code


def test_a_calendar_is_ordered_by_start_date() -> None:
    assert year.check_calendar(opened(), [PRACTICE, WINTER, THEORY_1, SESSION_1]) == [
        THEORY_1,
        SESSION_1,
        WINTER,
        PRACTICE,
    ]


@pytest.mark.parametrize(
    ("spans", "code"),
    [
        ([THEORY_1, span(CalendarSpanKind.HOLIDAYS, "2026-12-20", "2027-01-10")], "spans_overlap"),
        ([THEORY_1, span(CalendarSpanKind.GIA, "2026-10-01", "2026-10-02")], "spans_overlap"),
        ([span(CalendarSpanKind.THEORY, "2026-08-31", "2026-09-10")], "span_outside_year"),
        ([span(CalendarSpanKind.GIA, "2027-06-01", "2027-09-01")], "span_outside_year"),
        ([span(CalendarSpanKind.THEORY, "2026-09-10", "2026-09-01")], "invalid_span_dates"),
        ([THEORY_1] * 101, "too_many_spans"),
    ],
)
def test_a_calendar_refuses_overlaps_and_spans_outside_the_year(spans: list[CalendarSpan], code: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        year.check_calendar(opened(), spans)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("day", "teaching"),
    [
        (date(2026, 9, 1), True),  # theory
        (date(2026, 12, 20), True),  # the last day of theory
        (date(2026, 12, 21), False),  # session
        (date(2027, 1, 5), False),  # winter holidays
        (date(2027, 5, 15), True),  # study practice
        (date(2027, 3, 1), False),  # no span at all
    ],
)
def test_is_teaching_day(day: date, teaching: bool) -> None:
    calendar = [THEORY_1, SESSION_1, WINTER, PRACTICE]
    assert year.is_teaching_day(calendar, day) is teaching


def test_industrial_practice_is_teaching_and_gia_is_not() -> None:
    calendar = [
        span(CalendarSpanKind.INDUSTRIAL_PRACTICE, "2027-05-01", "2027-05-31"),
        span(CalendarSpanKind.GIA, "2027-06-01", "2027-06-28"),
    ]
    assert year.is_teaching_day(calendar, date(2027, 5, 31))
    assert not year.is_teaching_day(calendar, date(2027, 6, 1))


# -- the bells and the group ------------------------------------------------------------------------


def test_bells_are_ordered_by_number() -> None:
    pairs = [BellPair(2, 610, 700), BellPair(1, 510, 600)]
    assert year.check_bell_schedule(pairs) == [BellPair(1, 510, 600), BellPair(2, 610, 700)]


@pytest.mark.parametrize(
    ("pairs", "code"),
    [
        ([], "invalid_bell_schedule"),
        ([BellPair(1, 510, 600), BellPair(1, 610, 700)], "invalid_bell_schedule"),
        ([BellPair(9, 510, 600)], "invalid_bell_schedule"),
        ([BellPair(0, 510, 600)], "invalid_bell_schedule"),
        ([BellPair(1, 600, 600)], "invalid_bell_schedule"),
        ([BellPair(1, 1400, 1500)], "invalid_bell_schedule"),
        ([BellPair(n, 60 * n, 60 * n + 50) for n in range(1, 10)], "invalid_bell_schedule"),
        ([BellPair(1, 510, 600), BellPair(2, 590, 680)], "pairs_overlap"),
        ([BellPair(1, 610, 700), BellPair(2, 510, 600)], "pairs_overlap"),
    ],
)
def test_bells_refuse_bad_numbers_and_overlapping_times(pairs: list[BellPair], code: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        year.check_bell_schedule(pairs)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("attributes", "code"),
    [
        (year.GroupAttributes(specialty_code="09.02.7"), "invalid_specialty_code"),
        (year.GroupAttributes(specialty_code="09020 7"), "invalid_specialty_code"),
        (year.GroupAttributes(specialty_code="ab.cd.ef"), "invalid_specialty_code"),
        (year.GroupAttributes(course_year=0), "invalid_course_year"),
        (year.GroupAttributes(course_year=6), "invalid_course_year"),
    ],
)
def test_group_attributes_refuse_bad_codes_and_courses(attributes: year.GroupAttributes, code: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        year.check_group_attributes(attributes)
    assert refused.value.code == code


def test_the_domain_enums_mirror_the_proto() -> None:
    spans = {n.removeprefix("CALENDAR_SPAN_KIND_") for n, _ in jpb.CalendarSpanKind.items()} - {"UNSPECIFIED"}
    forms = {n.removeprefix("STUDY_FORM_") for n, _ in jpb.StudyForm.items()} - {"UNSPECIFIED"}
    assert spans == {k.name for k in year.CalendarSpanKind}
    assert forms == {f.name for f in year.StudyForm}


# -- handlers ---------------------------------------------------------------------------------------


async def test_opening_a_year_is_the_admins_and_emits_ids_only(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    cmd = OpenAcademicYear("2026/2027", YEAR, SEM1, SEM2)
    for role in ("director", "deputy", "curator", "teacher", "class_teacher", "student", "parent"):
        with pytest.raises(PermissionDenied):
            await handlers.years.open(cmd, person(role))
    found = await handlers.years.open(cmd, ADMIN)
    event = store.events_of(events.AcademicYearOpened)[-1]
    assert (event.year_id, event.starts_on.year, event.ends_on.month) == (str(found.id), 2026, 8)
    with pytest.raises(AlreadyExists) as again:
        await handlers.years.open(cmd, ADMIN)
    assert again.value.code == "academic_year_exists"
    assert await handlers.years.all(person("teacher")) == [found]
    for role in ("student", "parent", "service"):
        with pytest.raises(PermissionDenied):
            await handlers.years.all(person(role))


async def test_a_calendar_replaces_the_groups_spans_and_is_read_by_who_may(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    group = await handlers.groups.create(CreateGroup(name="ИС-21"), ADMIN)
    found = await handlers.years.open(OpenAcademicYear("2026/2027", YEAR, SEM1, SEM2), ADMIN)
    cmd = SetGroupCalendar(group.id, found.id, (WINTER, THEORY_1))
    with pytest.raises(PermissionDenied):
        await handlers.years.set_calendar(cmd, person("director"))
    assert await handlers.years.set_calendar(cmd, ADMIN) == [THEORY_1, WINTER]
    await handlers.years.set_calendar(SetGroupCalendar(group.id, found.id, (PRACTICE,)), ADMIN)
    assert store.events_of(events.GroupCalendarSet)[-1].span_count == 1
    query = GetGroupCalendar(group.id, found.id)
    assert (await handlers.years.calendar(query, person("curator"))).spans == [PRACTICE]
    for role in ("teacher", "class_teacher", "student", "parent"):
        with pytest.raises(NotFound):
            await handlers.years.calendar(query, person(role))
    with pytest.raises(NotFound) as no_group:
        await handlers.years.set_calendar(SetGroupCalendar(uuid.uuid4(), found.id, ()), ADMIN)
    assert no_group.value.code == "group_not_found"
    with pytest.raises(NotFound) as no_year:
        await handlers.years.set_calendar(SetGroupCalendar(group.id, uuid.uuid4(), ()), ADMIN)
    assert no_year.value.code == "academic_year_not_found"
    commits = store.commits
    with pytest.raises(InvalidArgument):
        await handlers.years.set_calendar(SetGroupCalendar(group.id, found.id, (THEORY_1, THEORY_1)), ADMIN)
    assert store.commits == commits
    assert (await handlers.years.calendar(query, ADMIN)).spans == [PRACTICE]


async def test_the_bells_are_set_by_the_admin_and_read_by_anyone(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    cmd = SetBellSchedule((BellPair(1, 500, 590),))
    with pytest.raises(PermissionDenied):
        await handlers.bells.set(cmd, person("director"))
    assert await handlers.bells.set(cmd, ADMIN) == [BellPair(1, 500, 590)]
    assert store.events_of(events.BellScheduleSet)[-1].pair_count == 1
    assert await handlers.bells.get(person("student")) == [BellPair(1, 500, 590)]


async def test_the_class_teacher_reads_the_diaries_of_their_group_only(
    handlers: JournalHandlers, store: FakeStore, directory: FakePersonDirectory
) -> None:
    klassruk = known(directory, "class_teacher")
    student, other = known(directory, "student"), known(directory, "student")
    group = await handlers.groups.create(CreateGroup(name="ИС-21"), ADMIN)
    elsewhere = await handlers.groups.create(CreateGroup(name="ИС-22"), ADMIN)
    await handlers.groups.enroll_student(EnrollStudent(group.id, student), ADMIN)
    await handlers.groups.enroll_student(EnrollStudent(elsewhere.id, other), ADMIN)
    with pytest.raises(NotFound):
        await handlers.marks.diary(ListStudentMarks(student), person("class_teacher", subject=klassruk))
    cmd = UpdateGroup(group.id, year.GroupAttributes(class_teacher_id=klassruk, specialty_code="09.02.07"))
    with pytest.raises(PermissionDenied):
        await handlers.groups.update(cmd, person("director"))
    updated = await handlers.groups.update(cmd, ADMIN)
    assert (updated.class_teacher_id, updated.specialty_code, updated.name) == (klassruk, "09.02.07", "ИС-21")
    event = store.events_of(events.GroupUpdated)[-1]
    assert (event.group_id, event.class_teacher_id, event.specialty_code) == (
        str(group.id),
        str(klassruk),
        "09.02.07",
    )
    for roles in (("class_teacher",), ("teacher",)):
        await handlers.marks.diary(ListStudentMarks(student), person(*roles, subject=klassruk))
        assert (store.audits[-1].action, store.audits[-1].actor_id) == ("diary.read", str(klassruk))
    with pytest.raises(NotFound):
        await handlers.marks.diary(ListStudentMarks(other), person("class_teacher", subject=klassruk))
    with pytest.raises(NotFound):  # the role alone is not enough
        await handlers.marks.diary(ListStudentMarks(student), person("student", subject=klassruk))
    # The class teacher reads the group's calendar and subgroups too; an empty id removes them.
    found = await handlers.years.open(OpenAcademicYear("2026/2027", YEAR, SEM1, SEM2), ADMIN)
    await handlers.years.calendar(
        GetGroupCalendar(group.id, found.id), person("class_teacher", subject=klassruk)
    )
    await handlers.groups.update(UpdateGroup(group.id, year.GroupAttributes(clear_class_teacher=True)), ADMIN)
    assert store.groups.items[group.id].specialty_code == "09.02.07"
    with pytest.raises(NotFound):
        await handlers.marks.diary(ListStudentMarks(student), person("class_teacher", subject=klassruk))


async def test_a_bad_update_writes_nothing(handlers: JournalHandlers, store: FakeStore) -> None:
    group = await handlers.groups.create(
        CreateGroup(name="ИС-21", attributes=year.GroupAttributes(course_year=2)), ADMIN
    )
    commits = store.commits
    with pytest.raises(InvalidArgument):
        await handlers.groups.update(UpdateGroup(group.id, year.GroupAttributes(course_year=7)), ADMIN)
    with pytest.raises(NotFound):
        await handlers.groups.update(UpdateGroup(uuid.uuid4(), year.GroupAttributes(course_year=1)), ADMIN)
    assert store.commits == commits and store.groups.items[group.id].course_year == 2


async def test_subgroups_take_enrolled_students_once_per_discipline(
    handlers: JournalHandlers, store: FakeStore, directory: FakePersonDirectory
) -> None:
    a, b, stranger = (known(directory, "student") for _ in range(3))
    teacher = person("teacher", subject=known(directory, "teacher"))
    group = await handlers.groups.create(CreateGroup(name="ИС-21"), ADMIN)
    english = await handlers.disciplines.create(
        CreateDiscipline(code="ОГСЭ.03", name="Иностранный язык", kind=model.DisciplineKind.DISCIPLINE), ADMIN
    )
    for student in (a, b):
        await handlers.groups.enroll_student(EnrollStudent(group.id, student), ADMIN)
    await handlers.loads.assign(AssignTeachingLoad(uuid.UUID(teacher.subject), group.id, english.id), ADMIN)

    def cmd(name: str, *students: uuid.UUID) -> CreateSubgroup:
        return CreateSubgroup(group.id, english.id, name, students)

    with pytest.raises(PermissionDenied):
        await handlers.subgroups.create(cmd("подгруппа 1", a), person("curator"))
    first = await handlers.subgroups.create(cmd("подгруппа 1", a, a), ADMIN)
    assert first.student_ids == (a,)
    event = store.events_of(events.SubgroupCreated)[-1]
    assert (event.subgroup_id, list(event.student_ids)) == (str(first.id), [str(a)])
    commits = store.commits
    for bad, code, kind in [
        (cmd("подгруппа 2", a), "student_in_another_subgroup", FailedPrecondition),
        (cmd("подгруппа 2", stranger), "student_not_in_group", FailedPrecondition),
        (cmd("подгруппа 1", b), "subgroup_name_taken", AlreadyExists),
        (CreateSubgroup(group.id, uuid.uuid4(), "п", (b,)), "discipline_not_found", NotFound),
        (CreateSubgroup(uuid.uuid4(), english.id, "п", (b,)), "group_not_found", NotFound),
    ]:
        with pytest.raises(kind) as refused:
            await handlers.subgroups.create(bad, ADMIN)
        assert refused.value.code == code
    assert store.commits == commits
    second = await handlers.subgroups.create(cmd("подгруппа 2", b), ADMIN)
    listed = await handlers.subgroups.of_group(ListSubgroups(group.id), teacher)
    assert [s.id for s in listed] == [first.id, second.id]
    for role in ("teacher", "class_teacher", "student", "parent"):
        with pytest.raises(NotFound):
            await handlers.subgroups.of_group(ListSubgroups(group.id), person(role))
