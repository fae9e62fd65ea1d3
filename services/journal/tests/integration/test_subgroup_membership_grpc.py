"""Dated subgroup membership over real gRPC and PostgreSQL (slice J, issue 7 item 8, R2.6): a transfer
between subgroups of a group's discipline on a date — its refusals writing nothing, its event (ids and
the date) and audit; marks and attendance at each subgroup's lessons by the membership on the lesson's
date; the subgroups' journal pages listing the student on the days they belonged, with the date and
kind of joining and leaving, and averages counting only their own marks; the group's page naming a
transfer between groups; the dated memberships read back."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date

import grpc
import pytest
from chassis.grpc_client import error_code_of
from chassis.outbox import OUTBOX
from chassis.testing import LocalIssuer
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc
from ejournal.journal.v1 import period_locks_pb2 as lpb
from journal_service.adapters import orm
from sqlalchemy import select

from .served import Journal

pytestmark = pytest.mark.integration
TODAY = date(2026, 11, 30)
ADMIN = str(uuid.uuid4())


def local(day: date) -> LocalDate:
    return LocalDate(year=day.year, month=day.month, day=day.day)


def day_of(value: LocalDate) -> date | None:
    return date(value.year, value.month, value.day) if value.year else None


@pytest.fixture
async def journal(fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer) -> AsyncIterator[Journal]:
    async with Journal.served(
        await fresh_db("journal"), issuer, today=TODAY, pool_size=4, admin_id=ADMIN
    ) as journal:
        yield journal


async def test_a_transfer_between_subgroups_on_a_date_keeps_each_subgroups_pages_and_writes_right(
    journal: Journal,
) -> None:
    stub, admin = journal.stub, journal.admin
    group = (await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-31"), metadata=admin)).group.group_id
    english = (
        await stub.CreateDiscipline(
            pb.CreateDisciplineRequest(
                code="ОГСЭ.03", name="Иностранный язык", kind=jpb.DISCIPLINE_KIND_DISCIPLINE
            ),
            metadata=admin,
        )
    ).discipline.discipline_id
    moved, stays = journal.people.new("student"), journal.people.new("student")
    for student in (moved, stays):
        await stub.EnrollStudent(pb.EnrollStudentRequest(group_id=group, student_id=student), metadata=admin)
    teacher = journal.people.new("teacher")
    await stub.AssignTeachingLoad(
        pb.AssignTeachingLoadRequest(teacher_id=teacher, group_id=group, discipline_id=english),
        metadata=admin,
    )

    async def subgroup(name: str, students: list[str]) -> str:
        request = pb.CreateSubgroupRequest(
            group_id=group, discipline_id=english, name=name, student_ids=students
        )
        return (await stub.CreateSubgroup(request, metadata=admin)).subgroup.subgroup_id

    first, second = await subgroup("подгруппа 1", [moved, stays]), await subgroup("подгруппа 2", [])
    as_teacher = journal.md(teacher, "teacher")

    async def lesson(subgroup_id: str, day: date) -> str:
        request = pb.RecordLessonRequest(
            group_id=group,
            subgroup_id=subgroup_id,
            discipline_id=english,
            lesson_date=local(day),
            pair_number=1,
            topic="Present Simple",
            kind=jpb.LESSON_KIND_PRACTICAL,
        )
        return str((await stub.RecordLesson(request, metadata=as_teacher)).lesson.lesson_id)

    async def mark(student: str, lesson_id: str, value: str) -> None:
        request = pb.RecordMarkRequest(student_id=student, lesson_id=lesson_id, value=value)
        await stub.RecordMark(request, metadata=as_teacher)

    async def attendance(lesson_id: str, *students: str) -> None:
        entries = [jpb.AttendanceEntry(student_id=s, status=jpb.ATTENDANCE_STATUS_ABSENT) for s in students]
        await stub.RecordAttendance(
            pb.RecordAttendanceRequest(lesson_id=lesson_id, entries=entries), metadata=as_teacher
        )

    def transfer(student: str, source: str, target: str, day: date) -> pb.MoveStudentBetweenSubgroupsRequest:
        return pb.MoveStudentBetweenSubgroupsRequest(
            student_id=student, from_subgroup_id=source, to_subgroup_id=target, on_date=local(day)
        )

    # In подгруппа 1 before the transfer: a 5 on 2 November.
    before = await lesson(first, date(2026, 11, 2))
    await mark(moved, before, "5")
    await mark(stays, before, "4")

    # Refusals, each writing nothing: rows, outbox (events and audit) unchanged.
    rows_before, outbox_before = await journal.count(orm.subgroup_members), await journal.count(OUTBOX)
    refusals = [
        (transfer(moved, first, second, date(2026, 11, 2)), admin, "records_after_movement"),
        (transfer(moved, first, first, date(2026, 11, 10)), admin, "transfer_to_same_subgroup"),
        (transfer(moved, second, first, date(2026, 11, 10)), admin, "student_not_in_subgroup"),
        (transfer(moved, first, str(uuid.uuid4()), date(2026, 11, 10)), admin, "subgroup_not_found"),
        (transfer(moved, first, second, date(2026, 11, 10)), as_teacher, "role_required"),
        (
            transfer(journal.people.new("student"), first, second, date(2026, 11, 10)),
            admin,
            "student_not_in_group",
        ),
    ]
    for request, caller, code in refusals:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.MoveStudentBetweenSubgroups(request, metadata=caller)
        assert error_code_of(refused.value) == code, request
    assert "02.11.2026" in (await _details(stub, refusals[0][0], admin))
    assert (await journal.count(orm.subgroup_members), await journal.count(OUTBOX)) == (
        rows_before,
        outbox_before,
    )

    # The transfer: подгруппа 1 up to 9 November, подгруппа 2 from 10 November (the deputy may too).
    reply = await stub.MoveStudentBetweenSubgroups(
        transfer(moved, first, second, date(2026, 11, 10)), metadata=journal.md(str(uuid.uuid4()), "deputy")
    )
    assert (reply.closed.subgroup_id, day_of(reply.closed.from_date), day_of(reply.closed.to_date)) == (
        first,
        date(2026, 9, 1),
        date(2026, 11, 10),
    )
    assert (reply.opened.subgroup_id, day_of(reply.opened.from_date), reply.opened.HasField("to_date")) == (
        second,
        date(2026, 11, 10),
        False,
    )
    async with journal.sessions() as s:
        published = (
            await s.execute(select(OUTBOX.c.subject, OUTBOX.c.payload).order_by(OUTBOX.c.created_at))
        ).all()[outbox_before:]
    assert sorted(subject for subject, _ in published) == [
        "audit.journal.recorded.v1",
        "journal.subgroup_member.moved.v1",
    ]
    event = next(
        events_pb2.StudentMovedBetweenSubgroups.FromString(p)
        for sub, p in published
        if sub.startswith("journal.")
    )
    assert (event.student_id, event.group_id, event.from_subgroup_id, event.to_subgroup_id) == (
        moved,
        group,
        first,
        second,
    )
    assert day_of(event.on_date) == date(2026, 11, 10)
    # Transfers go in date order: one dated on or before the last is refused.
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.MoveStudentBetweenSubgroups(
            transfer(moved, second, first, date(2026, 11, 5)), metadata=admin
        )
    assert error_code_of(refused.value) == "movement_overlaps"

    # Writes follow the membership on the lesson's date.
    old_after, new_after = await lesson(first, date(2026, 11, 16)), await lesson(second, date(2026, 11, 16))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await mark(moved, old_after, "5")
    assert error_code_of(refused.value) == "student_not_in_subgroup"
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await attendance(old_after, moved)
    assert error_code_of(refused.value) == "student_not_in_subgroup"
    await mark(moved, new_after, "3")
    await attendance(new_after, moved)
    await mark(stays, old_after, "5")
    # A lesson of подгруппа 2 before the transfer: not theirs yet.
    new_before = await lesson(second, date(2026, 11, 3))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await mark(moved, new_before, "4")
    assert error_code_of(refused.value) == "student_not_in_subgroup"

    async def page(subgroup_id: str, start: date, end: date) -> pb.GetJournalPageResponse:
        request = pb.GetJournalPageRequest(
            group_id=group, discipline_id=english, date_from=local(start), date_to=local(end)
        )
        if subgroup_id:
            request.subgroup_id = subgroup_id
        return await stub.GetJournalPage(request, metadata=as_teacher)

    def membership(got: pb.GetJournalPageResponse, student: str) -> tuple[date | None, date | None, str, str]:
        m = got.memberships[list(got.student_ids).index(student)]
        return day_of(m.joined_on), day_of(m.left_on), m.joined_by, m.left_by

    def mean(got: pb.GetJournalPageResponse, student: str) -> str:
        return got.averages.mean[list(got.student_ids).index(student)]

    november = (date(2026, 11, 1), date(2026, 11, 30))
    old_page, new_page = await page(first, *november), await page(second, *november)
    assert sorted(old_page.student_ids) == sorted([moved, stays])
    assert membership(old_page, moved) == (None, date(2026, 11, 10), "", "subgroup_transfer")
    assert membership(old_page, stays) == (None, None, "", "")
    assert (mean(old_page, moved), mean(old_page, stays)) == ("5.00", "4.50")
    assert list(new_page.student_ids) == [moved]
    assert membership(new_page, moved) == (date(2026, 11, 10), None, "subgroup_transfer", "")
    assert mean(new_page, moved) == "3.00"
    # A page of подгруппа 1 from the transfer on no longer lists them; one of подгруппа 2 before it, not yet.
    assert list((await page(first, date(2026, 11, 10), date(2026, 11, 30))).student_ids) == [stays]
    assert list((await page(second, date(2026, 11, 1), date(2026, 11, 9))).student_ids) == []
    # The group's page: in the group the whole month.
    whole = await page("", *november)
    assert membership(whole, moved) == (None, None, "", "")

    # Who was where, read back; ListSubgroups shows the members in force.
    listed = await stub.ListSubgroupMemberships(
        pb.ListSubgroupMembershipsRequest(group_id=group), metadata=admin
    )
    assert sorted(
        (m.subgroup_id == first, m.student_id == moved, day_of(m.from_date), day_of(m.to_date))
        for m in listed.memberships
    ) == sorted(
        [
            (True, True, date(2026, 9, 1), date(2026, 11, 10)),
            (False, True, date(2026, 11, 10), None),
            (True, False, date(2026, 9, 1), None),
        ]
    )
    subgroups = (await stub.ListSubgroups(pb.ListSubgroupsRequest(group_id=group), metadata=admin)).subgroups
    assert {s.subgroup_id: list(s.student_ids) for s in subgroups} == {first: [stays], second: [moved]}


async def test_the_group_page_names_a_transfer_between_groups_and_an_enrolment_in_its_dates(
    journal: Journal,
) -> None:
    stub, admin = journal.stub, journal.admin
    old = (await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-41"), metadata=admin)).group.group_id
    new = (await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-42"), metadata=admin)).group.group_id
    math = (
        await stub.CreateDiscipline(
            pb.CreateDisciplineRequest(code="ЕН.01", name="Математика", kind=jpb.DISCIPLINE_KIND_DISCIPLINE),
            metadata=admin,
        )
    ).discipline.discipline_id
    teacher = journal.people.new("teacher")
    for g in (old, new):
        await stub.AssignTeachingLoad(
            pb.AssignTeachingLoadRequest(teacher_id=teacher, group_id=g, discipline_id=math), metadata=admin
        )
    moved, late = journal.people.new("student"), journal.people.new("student")
    await stub.EnrollStudent(pb.EnrollStudentRequest(group_id=old, student_id=moved), metadata=admin)
    await stub.EnrollStudent(
        pb.EnrollStudentRequest(group_id=new, student_id=late, enrolled_on=local(date(2026, 11, 5))),
        metadata=admin,
    )
    await stub.MoveStudent(
        pb.MoveStudentRequest(
            student_id=moved,
            kind=jpb.MOVEMENT_KIND_TRANSFER,
            on_date=local(date(2026, 11, 16)),
            order_number="№ 40-к",
            to_group_id=new,
        ),
        metadata=admin,
    )

    async def page(group: str) -> pb.GetJournalPageResponse:
        request = pb.GetJournalPageRequest(
            group_id=group,
            discipline_id=math,
            date_from=local(date(2026, 11, 1)),
            date_to=local(date(2026, 11, 30)),
        )
        return await stub.GetJournalPage(request, metadata=journal.md(teacher, "teacher"))

    def membership(got: pb.GetJournalPageResponse, student: str) -> tuple[date | None, date | None, str, str]:
        m = got.memberships[list(got.student_ids).index(student)]
        return day_of(m.joined_on), day_of(m.left_on), m.joined_by, m.left_by

    old_page, new_page = await page(old), await page(new)
    assert membership(old_page, moved) == (None, date(2026, 11, 16), "", "transfer")
    assert membership(new_page, moved) == (date(2026, 11, 16), None, "transfer", "")
    assert membership(new_page, late) == (date(2026, 11, 5), None, "enrolment", "")


async def _details(stub: pb_grpc.JournalServiceStub, request: pb.MoveStudentBetweenSubgroupsRequest,
                   md: tuple[tuple[str, str], ...]) -> str:  # fmt: skip
    try:
        await stub.MoveStudentBetweenSubgroups(request, metadata=md)
    except grpc.aio.AioRpcError as refused:
        return refused.details() or ""
    return ""


async def test_a_new_lesson_on_a_day_of_a_closed_period_is_refused_and_a_transfer_into_it_too(
    journal: Journal,
) -> None:
    """R1.5 (slice J): once a period is closed, no lesson is recorded on its days and no transfer between
    subgroups is dated in it — each refused `period_closed`, audited, nothing written."""
    stub, admin = journal.stub, journal.admin

    def span(start: date, end: date) -> jpb.DateSpan:
        return jpb.DateSpan(starts_on=local(start), ends_on=local(end))

    year = (
        await stub.OpenAcademicYear(
            pb.OpenAcademicYearRequest(
                name="2026/2027",
                span=span(date(2026, 9, 1), date(2027, 8, 31)),
                semester1=span(date(2026, 9, 1), date(2026, 12, 31)),
                semester2=span(date(2027, 1, 12), date(2027, 6, 30)),
            ),
            metadata=admin,
        )
    ).year.year_id
    group = (await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-51"), metadata=admin)).group.group_id
    english = (
        await stub.CreateDiscipline(
            pb.CreateDisciplineRequest(
                code="ОГСЭ.03", name="Иностранный язык", kind=jpb.DISCIPLINE_KIND_DISCIPLINE
            ),
            metadata=admin,
        )
    ).discipline.discipline_id
    student, teacher = journal.people.new("student"), journal.people.new("teacher")
    await stub.EnrollStudent(pb.EnrollStudentRequest(group_id=group, student_id=student), metadata=admin)
    await stub.AssignTeachingLoad(
        pb.AssignTeachingLoadRequest(teacher_id=teacher, group_id=group, discipline_id=english),
        metadata=admin,
    )
    subgroups = [
        (
            await stub.CreateSubgroup(
                pb.CreateSubgroupRequest(
                    group_id=group, discipline_id=english, name=name, student_ids=students
                ),
                metadata=admin,
            )
        ).subgroup.subgroup_id
        for name, students in (("подгруппа 1", [student]), ("подгруппа 2", []))
    ]
    await stub.ClosePeriod(
        lpb.ClosePeriodRequest(group_id=group, discipline_id=english, year_id=year, semester=1),
        metadata=admin,
    )
    before = (await journal.count(orm.lessons), await journal.count(orm.subgroup_members))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.RecordLesson(
            pb.RecordLessonRequest(
                group_id=group,
                discipline_id=english,
                lesson_date=local(date(2026, 11, 16)),
                pair_number=1,
                topic="Past Simple",
                kind=jpb.LESSON_KIND_PRACTICAL,
            ),
            metadata=journal.md(teacher, "teacher"),
        )
    assert error_code_of(refused.value) == "period_closed"
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.MoveStudentBetweenSubgroups(
            pb.MoveStudentBetweenSubgroupsRequest(
                student_id=student,
                from_subgroup_id=subgroups[0],
                to_subgroup_id=subgroups[1],
                on_date=local(date(2026, 11, 16)),
            ),
            metadata=admin,
        )
    assert error_code_of(refused.value) == "period_closed"
    assert (await journal.count(orm.lessons), await journal.count(orm.subgroup_members)) == before
    async with journal.sessions() as s:
        subjects = (
            await s.execute(select(OUTBOX.c.payload).where(OUTBOX.c.subject == "audit.journal.recorded.v1"))
        ).all()
    actions = {AuditRecorded.FromString(payload).action for (payload,) in subjects}
    assert {"lesson.record.refused:period_closed", "subgroup_member.move.refused:period_closed"} <= actions
