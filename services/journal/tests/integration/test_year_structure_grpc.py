"""The academic year's structure (R2.1) over real gRPC and PostgreSQL: years and semesters, the
groups' calendars, the bell schedule seeded by the migration, group attributes, subgroups; every bad
input is refused with its code and writes nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any

import grpc
import pytest
from chassis.grpc_client import error_code_of
from chassis.testing import LocalIssuer
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm

from .served import Journal

pytestmark = pytest.mark.integration


@pytest.fixture
async def journal(fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer) -> AsyncIterator[Journal]:
    async with Journal.served(await fresh_db("journal"), issuer) as journal:
        yield journal


def day(value: str) -> LocalDate:
    found = date.fromisoformat(value)
    return LocalDate(year=found.year, month=found.month, day=found.day)


def span(start: str, end: str) -> jpb.DateSpan:
    return jpb.DateSpan(starts_on=day(start), ends_on=day(end))


def cal(kind: jpb.CalendarSpanKind.ValueType, start: str, end: str) -> jpb.CalendarSpan:
    return jpb.CalendarSpan(kind=kind, span=span(start, end))


def open_request(name: str = "2026/2027", **changes: Any) -> pb.OpenAcademicYearRequest:
    fields: dict[str, Any] = {
        "name": name,
        "span": span("2026-09-01", "2027-08-31"),
        "semester1": span("2026-09-01", "2026-12-31"),
        "semester2": span("2027-01-12", "2027-06-30"),
    }
    fields.update(changes)
    return pb.OpenAcademicYearRequest(**fields)


THEORY = cal(jpb.CALENDAR_SPAN_KIND_THEORY, "2026-09-01", "2026-12-20")
SESSION = cal(jpb.CALENDAR_SPAN_KIND_SESSION, "2026-12-21", "2026-12-30")
WINTER = cal(jpb.CALENDAR_SPAN_KIND_HOLIDAYS, "2026-12-31", "2027-01-11")
PRACTICE = cal(jpb.CALENDAR_SPAN_KIND_INDUSTRIAL_PRACTICE, "2027-05-03", "2027-05-30")
INVALID = grpc.StatusCode.INVALID_ARGUMENT


async def test_a_year_opens_once_with_its_semesters_and_bad_ones_write_nothing(journal: Journal) -> None:
    opened = (await journal.stub.OpenAcademicYear(open_request(), metadata=journal.admin)).year
    assert (opened.name, opened.semester2) == ("2026/2027", span("2027-01-12", "2027-06-30"))
    subjects = [s for s, _ in await journal.outbox()]
    assert subjects == ["journal.year.opened.v1"]
    event = events_pb2.AcademicYearOpened.FromString((await journal.outbox())[0][1])
    assert (event.year_id, event.starts_on) == (opened.year_id, day("2026-09-01"))
    years = await journal.stub.ListAcademicYears(
        pb.ListAcademicYearsRequest(), metadata=journal.md(journal.people.new("teacher"), "teacher")
    )
    assert list(years.years) == [opened]

    stub, admin = journal.stub, journal.admin
    for request, status, code in [
        (open_request(), grpc.StatusCode.ALREADY_EXISTS, "academic_year_exists"),
        (open_request("2027/2029"), INVALID, "invalid_year_name"),
        (open_request("2027/2028"), INVALID, "invalid_year_span"),  # the span is 2026's
        (open_request("2027/2028\x00"), INVALID, "invalid_text"),
        (open_request(semester1=span("2026-09-01", "2027-02-01")), INVALID, "semesters_out_of_order"),
        (open_request(semester2=span("2027-01-12", "2027-09-01")), INVALID, "semesters_out_of_order"),
        (open_request(span=span("2026-09-01", "2027-09-01")), INVALID, "invalid_year_span"),
        (
            open_request(semester1=jpb.DateSpan(starts_on=day("2026-09-01"))),
            INVALID,
            "invalid_semester1_ends_on",
        ),
    ]:
        await journal.refused(stub.OpenAcademicYear(request, metadata=admin), status, code)
    assert (await journal.count(orm.academic_years), await journal.count(orm.academic_periods)) == (1, 2)


async def test_a_groups_calendar_is_replaced_whole_or_not_at_all(journal: Journal) -> None:
    stub, admin = journal.stub, journal.admin
    year_id = (await stub.OpenAcademicYear(open_request(), metadata=admin)).year.year_id
    group_id = (await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-21"), metadata=admin)).group.group_id
    other_id = (await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-22"), metadata=admin)).group.group_id

    def put(group: str, *spans: jpb.CalendarSpan) -> Awaitable[pb.SetGroupCalendarResponse]:
        request = pb.SetGroupCalendarRequest(group_id=group, year_id=year_id, spans=list(spans))
        return stub.SetGroupCalendar(request, metadata=admin)

    assert list((await put(group_id, WINTER, THEORY, SESSION)).spans) == [THEORY, SESSION, WINTER]
    await put(other_id, THEORY)
    assert list((await put(group_id, THEORY, PRACTICE)).spans) == [THEORY, PRACTICE]
    event = events_pb2.GroupCalendarSet.FromString((await journal.outbox())[-1][1])
    assert (event.group_id, event.year_id, event.span_count) == (group_id, year_id, 2)

    overlapping = cal(jpb.CALENDAR_SPAN_KIND_HOLIDAYS, "2026-12-20", "2027-01-10")
    for spans, status, code in [
        ((THEORY, overlapping), INVALID, "spans_overlap"),
        ((cal(jpb.CALENDAR_SPAN_KIND_GIA, "2027-06-01", "2027-09-02"),), INVALID, "span_outside_year"),
        ((cal(jpb.CALENDAR_SPAN_KIND_THEORY, "2026-10-02", "2026-10-01"),), INVALID, "invalid_span_dates"),
        (
            (cal(jpb.CALENDAR_SPAN_KIND_UNSPECIFIED, "2026-09-01", "2026-09-02"),),
            INVALID,
            "invalid_span_kind",
        ),
        ((THEORY,) * 101, INVALID, "too_many_spans"),
    ]:
        await journal.refused(put(group_id, *spans), status, code)
    unknown = "00000000-0000-4000-8000-000000000000"
    await journal.refused(put(unknown, THEORY), grpc.StatusCode.NOT_FOUND, "group_not_found")
    request = pb.SetGroupCalendarRequest(group_id=group_id, year_id=unknown, spans=[THEORY])
    await journal.refused(
        stub.SetGroupCalendar(request, metadata=admin), grpc.StatusCode.NOT_FOUND, "academic_year_not_found"
    )
    read = await stub.GetGroupCalendar(
        pb.GetGroupCalendarRequest(group_id=group_id, year_id=year_id),
        metadata=journal.md(journal.people.new("deputy"), "deputy"),
    )
    assert (read.year.year_id, list(read.spans)) == (year_id, [THEORY, PRACTICE])
    assert await journal.count(orm.calendar_spans) == 3


async def test_the_bells_are_seeded_replaced_whole_and_read_by_anyone(journal: Journal) -> None:
    student = journal.md(journal.people.new("student"), "student")
    seeded = (await journal.stub.GetBellSchedule(pb.GetBellScheduleRequest(), metadata=student)).pairs
    clock = [
        (p.number, f"{p.starts_at_minute // 60}:{p.starts_at_minute % 60:02d}", p.ends_at_minute)
        for p in seeded
    ]
    assert clock == [
        (1, "8:30", 600),
        (2, "10:10", 700),
        (3, "12:20", 830),
        (4, "14:00", 930),
        (5, "15:40", 1030),
        (6, "17:20", 1130),
    ]
    pairs = [
        jpb.BellPair(number=2, starts_at_minute=610, ends_at_minute=700),
        jpb.BellPair(number=1, starts_at_minute=510, ends_at_minute=600),
    ]
    stored = await journal.stub.SetBellSchedule(
        pb.SetBellScheduleRequest(pairs=pairs), metadata=journal.admin
    )
    assert [p.number for p in stored.pairs] == [1, 2]
    assert events_pb2.BellScheduleSet.FromString((await journal.outbox())[-1][1]).pair_count == 2
    for bad, code in [
        (
            [
                jpb.BellPair(number=1, starts_at_minute=510, ends_at_minute=600),
                jpb.BellPair(number=2, starts_at_minute=590, ends_at_minute=680),
            ],
            "pairs_overlap",
        ),
        ([jpb.BellPair(number=9, starts_at_minute=510, ends_at_minute=600)], "invalid_bell_schedule"),
        ([jpb.BellPair(number=1, starts_at_minute=600, ends_at_minute=510)], "invalid_bell_schedule"),
        ([], "invalid_bell_schedule"),
    ]:
        request = pb.SetBellScheduleRequest(pairs=bad)
        await journal.refused(journal.stub.SetBellSchedule(request, metadata=journal.admin), INVALID, code)
    after = (await journal.stub.GetBellSchedule(pb.GetBellScheduleRequest(), metadata=student)).pairs
    assert list(after) == list(stored.pairs)


async def test_group_attributes_and_the_class_teacher_reading_their_groups_diaries(journal: Journal) -> None:
    stub, admin = journal.stub, journal.admin
    klassruk, student, other = (journal.people.new(r) for r in ("class_teacher", "student", "student"))
    created = await stub.CreateGroup(
        pb.CreateGroupRequest(name="ИС-21", attributes=pb.GroupAttributes(course_year=1)), metadata=admin
    )
    group_id = created.group.group_id
    assert (created.group.course_year, created.group.class_teacher_id) == (1, "")
    elsewhere = (await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-22"), metadata=admin)).group.group_id
    await stub.EnrollStudent(pb.EnrollStudentRequest(group_id=group_id, student_id=student), metadata=admin)
    await stub.EnrollStudent(pb.EnrollStudentRequest(group_id=elsewhere, student_id=other), metadata=admin)
    as_klassruk = journal.md(klassruk, "class_teacher")
    await journal.refused(
        stub.ListStudentMarks(pb.ListStudentMarksRequest(student_id=student), metadata=as_klassruk),
        grpc.StatusCode.NOT_FOUND,
        "student_not_found",
    )

    attributes = pb.GroupAttributes(
        course_year=2,
        specialty_code="09.02.07",
        specialty_name="Информационные системы и программирование",
        study_form=jpb.STUDY_FORM_FULL_TIME,
        class_teacher_id=klassruk,
    )
    updated = (
        await stub.UpdateGroup(
            pb.UpdateGroupRequest(group_id=group_id, attributes=attributes), metadata=admin
        )
    ).group
    assert (
        updated.name,
        updated.course_year,
        updated.specialty_code,
        updated.study_form,
        updated.class_teacher_id,
    ) == (
        "ИС-21",
        2,
        "09.02.07",
        jpb.STUDY_FORM_FULL_TIME,
        klassruk,
    )
    event = events_pb2.GroupUpdated.FromString((await journal.outbox())[-1][1])
    assert (event.group_id, event.study_form, event.class_teacher_id) == (
        group_id,
        jpb.STUDY_FORM_FULL_TIME,
        klassruk,
    )

    before = len(await journal.outbox())
    await stub.ListStudentMarks(pb.ListStudentMarksRequest(student_id=student), metadata=as_klassruk)
    audit = AuditRecorded.FromString((await journal.outbox())[before][1])
    assert (audit.action, audit.actor_id, audit.subject_person_id) == ("diary.read", klassruk, student)
    await journal.refused(
        stub.ListStudentMarks(pb.ListStudentMarksRequest(student_id=other), metadata=as_klassruk),
        grpc.StatusCode.NOT_FOUND,
        "student_not_found",
    )

    for bad, code in [
        (pb.GroupAttributes(specialty_code="09.2.07"), "invalid_specialty_code"),
        (pb.GroupAttributes(course_year=6), "invalid_course_year"),
        (pb.GroupAttributes(class_teacher_id="не-ид"), "invalid_class_teacher_id"),
        (pb.GroupAttributes(specialty_name="x" * 201), "too_long_specialty_name"),
        (pb.GroupAttributes(specialty_name="a\x00"), "invalid_text"),
    ]:
        request = pb.UpdateGroupRequest(group_id=group_id, attributes=bad)
        await journal.refused(stub.UpdateGroup(request, metadata=admin), INVALID, code)
    for teacher, code in [(other, "person_not_teacher"), (str(uuid.uuid4()), "person_not_found")]:
        request = pb.UpdateGroupRequest(
            group_id=group_id, attributes=pb.GroupAttributes(class_teacher_id=teacher)
        )
        status = (
            grpc.StatusCode.FAILED_PRECONDITION if code == "person_not_teacher" else grpc.StatusCode.NOT_FOUND
        )
        await journal.refused(stub.UpdateGroup(request, metadata=admin), status, code)
    request = pb.UpdateGroupRequest(group_id="00000000-0000-4000-8000-000000000000", attributes=attributes)
    await journal.refused(
        stub.UpdateGroup(request, metadata=admin), grpc.StatusCode.NOT_FOUND, "group_not_found"
    )

    cleared = await stub.UpdateGroup(
        pb.UpdateGroupRequest(group_id=group_id, attributes=pb.GroupAttributes(class_teacher_id="")),
        metadata=admin,
    )
    assert (cleared.group.class_teacher_id, cleared.group.specialty_code) == ("", "09.02.07")
    await journal.refused(
        stub.ListStudentMarks(pb.ListStudentMarksRequest(student_id=student), metadata=as_klassruk),
        grpc.StatusCode.NOT_FOUND,
        "student_not_found",
    )


async def test_subgroups_take_enrolled_students_once_per_discipline(journal: Journal) -> None:
    stub, admin = journal.stub, journal.admin
    group_id = (await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-21"), metadata=admin)).group.group_id
    english = (
        await stub.CreateDiscipline(
            pb.CreateDisciplineRequest(
                code="ОГСЭ.03", name="Иностранный язык", kind=jpb.DISCIPLINE_KIND_DISCIPLINE
            ),
            metadata=admin,
        )
    ).discipline.discipline_id
    a, b, stranger = (journal.people.new("student") for _ in range(3))
    for student in (a, b):
        await stub.EnrollStudent(
            pb.EnrollStudentRequest(group_id=group_id, student_id=student), metadata=admin
        )

    def create(name: str, *students: str, discipline: str = english) -> Awaitable[pb.CreateSubgroupResponse]:
        request = pb.CreateSubgroupRequest(
            group_id=group_id, discipline_id=discipline, name=name, student_ids=list(students)
        )
        return stub.CreateSubgroup(request, metadata=admin)

    first = (await create("подгруппа 1", a)).subgroup
    assert (first.name, list(first.student_ids)) == ("подгруппа 1", [a])
    event = events_pb2.SubgroupCreated.FromString((await journal.outbox())[-1][1])
    assert (event.subgroup_id, event.group_id, list(event.student_ids)) == (first.subgroup_id, group_id, [a])
    failed = grpc.StatusCode.FAILED_PRECONDITION
    for call, status, code in [
        (create("подгруппа 2", b, a), failed, "student_in_another_subgroup"),
        (create("подгруппа 2", b, stranger), failed, "student_not_in_group"),
        (create("подгруппа 1", b), grpc.StatusCode.ALREADY_EXISTS, "subgroup_name_taken"),
        (create("подгруппа\x00", b), INVALID, "invalid_text"),
        (create("  ", b), INVALID, "missing_name"),
        (create("п", "не-ид"), INVALID, "invalid_student_ids"),
        (
            create("п", b, discipline="00000000-0000-4000-8000-000000000000"),
            grpc.StatusCode.NOT_FOUND,
            "discipline_not_found",
        ),
    ]:
        await journal.refused(call, status, code)
    assert (await journal.count(orm.subgroups), await journal.count(orm.subgroup_members)) == (1, 1)
    second = (await create("подгруппа 2", b)).subgroup
    listed = await stub.ListSubgroups(
        pb.ListSubgroupsRequest(group_id=group_id),
        metadata=journal.md(journal.people.new("curator"), "curator"),
    )
    assert sorted(s.subgroup_id for s in listed.subgroups) == sorted([first.subgroup_id, second.subgroup_id])


async def test_writers_at_once_leave_one_whole_answer(journal: Journal) -> None:
    """Concurrent writes: one year per name, one calendar never mixed with another, one subgroup a student."""
    stub, admin = journal.stub, journal.admin
    opened = await asyncio.gather(
        *(stub.OpenAcademicYear(open_request(), metadata=admin) for _ in range(4)), return_exceptions=True
    )
    years = [r for r in opened if isinstance(r, pb.OpenAcademicYearResponse)]
    refusals = [error_code_of(r) for r in opened if isinstance(r, grpc.aio.AioRpcError)]
    assert (len(years), refusals) == (1, ["academic_year_exists"] * 3)
    assert (await journal.count(orm.academic_years), await journal.count(orm.academic_periods)) == (1, 2)

    year_id = years[0].year.year_id
    group_id = (await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-21"), metadata=admin)).group.group_id
    first, second = [THEORY, SESSION], [WINTER, PRACTICE]
    await asyncio.gather(
        *(
            stub.SetGroupCalendar(
                pb.SetGroupCalendarRequest(
                    group_id=group_id, year_id=year_id, spans=first if i % 2 else second
                ),
                metadata=admin,
            )
            for i in range(6)
        )
    )
    read = await stub.GetGroupCalendar(
        pb.GetGroupCalendarRequest(group_id=group_id, year_id=year_id), metadata=admin
    )
    assert list(read.spans) in (first, second)

    english = (
        await stub.CreateDiscipline(
            pb.CreateDisciplineRequest(
                code="ОГСЭ.03", name="Иностранный язык", kind=jpb.DISCIPLINE_KIND_DISCIPLINE
            ),
            metadata=admin,
        )
    ).discipline.discipline_id
    student = journal.people.new("student")
    await stub.EnrollStudent(pb.EnrollStudentRequest(group_id=group_id, student_id=student), metadata=admin)
    created = await asyncio.gather(
        *(
            stub.CreateSubgroup(
                pb.CreateSubgroupRequest(
                    group_id=group_id, discipline_id=english, name=f"подгруппа {i}", student_ids=[student]
                ),
                metadata=admin,
            )
            for i in range(4)
        ),
        return_exceptions=True,
    )
    made = [r for r in created if isinstance(r, pb.CreateSubgroupResponse)]
    refusals = [error_code_of(r) for r in created if isinstance(r, grpc.aio.AioRpcError)]
    assert (len(made), refusals) == (1, ["student_in_another_subgroup"] * 3)


async def test_groups_are_found_by_name_with_their_attributes_each_reader_their_own(journal: Journal) -> None:
    stub, admin = journal.stub, journal.admin
    teacher, klassruk = journal.people.new("teacher"), journal.people.new("class_teacher")

    async def group(name: str, **attributes: Any) -> str:
        request = pb.CreateGroupRequest(name=name, attributes=pb.GroupAttributes(**attributes))
        return (await stub.CreateGroup(request, metadata=admin)).group.group_id

    taught = await group(
        "ИС-21",
        course_year=2,
        specialty_code="09.02.07",
        specialty_name="Информационные системы и программирование",
        study_form=jpb.STUDY_FORM_FULL_TIME,
    )
    led = await group("ИС-22%", class_teacher_id=klassruk)
    other = await group("ТМ-11")
    discipline = (
        await stub.CreateDiscipline(
            pb.CreateDisciplineRequest(code="ОП.01", name="Математика", kind=jpb.DISCIPLINE_KIND_DISCIPLINE),
            metadata=admin,
        )
    ).discipline.discipline_id
    for teacher_id in (teacher, klassruk):
        await stub.AssignTeachingLoad(
            pb.AssignTeachingLoadRequest(teacher_id=teacher_id, group_id=taught, discipline_id=discipline),
            metadata=admin,
        )

    async def names(md: tuple[tuple[str, str], ...], prefix: str = "", size: int = 0) -> list[str]:
        request = pb.ListGroupsRequest(name_prefix=prefix, page_size=size)
        return [g.name for g in (await stub.ListGroups(request, metadata=md)).groups]

    for role in ("admin", "director", "deputy", "curator"):
        assert await names(journal.md(str(uuid.uuid4()), role)) == ["ИС-21", "ИС-22%", "ТМ-11"]
    assert await names(admin, " ИС ") == ["ИС-21", "ИС-22%"]
    assert await names(admin, "ИС-22%") == ["ИС-22%"]
    assert await names(admin, "ИС-2_") == []  # LIKE's wildcards are plain characters here
    assert await names(admin, size=1) == ["ИС-21"]
    assert await names(journal.md(teacher, "teacher")) == ["ИС-21"]
    assert await names(journal.md(klassruk, "class_teacher")) == ["ИС-21", "ИС-22%"]
    assert await names(journal.md(str(uuid.uuid4()), "teacher")) == []

    listed = (await stub.ListGroups(pb.ListGroupsRequest(name_prefix="ИС-21"), metadata=admin)).groups[0]
    got = (
        await stub.GetGroup(pb.GetGroupRequest(group_id=taught), metadata=journal.md(teacher, "teacher"))
    ).group
    assert got == listed
    assert (got.group_id, got.course_year, got.specialty_code, got.study_form) == (
        taught,
        2,
        "09.02.07",
        jpb.STUDY_FORM_FULL_TIME,
    )
    led_group = (
        await stub.GetGroup(pb.GetGroupRequest(group_id=led), metadata=journal.md(klassruk, "class_teacher"))
    ).group
    assert led_group.class_teacher_id == klassruk
    for refused in (other, str(uuid.uuid4())):
        await journal.refused(
            stub.GetGroup(pb.GetGroupRequest(group_id=refused), metadata=journal.md(teacher, "teacher")),
            grpc.StatusCode.NOT_FOUND,
            "group_not_found",
        )
    await journal.refused(
        stub.GetGroup(pb.GetGroupRequest(group_id="не-ид"), metadata=admin), INVALID, "invalid_group_id"
    )
    for bad, code in (
        (pb.ListGroupsRequest(page_size=501), "invalid_page_size"),
        (pb.ListGroupsRequest(name_prefix="И" * 33), "too_long_name_prefix"),
    ):
        await journal.refused(stub.ListGroups(bad, metadata=admin), INVALID, code)
    await journal.refused(
        stub.ListGroups(pb.ListGroupsRequest(), metadata=journal.md(str(uuid.uuid4()), "student")),
        grpc.StatusCode.PERMISSION_DENIED,
        "role_required",
    )
