"""Student movement over real gRPC and PostgreSQL: enrolment dates, a transfer with its event, history
and order, ListGroupStudents on a date, marks refused outside the enrolment, refusals that write
nothing, two movements of one student at once; a transfer in the middle of a semester leaving both
groups' pages, averages and absences right and the diary showing both; enrolment and graduation as
movements, a whole group graduated, the histories read back."""

from __future__ import annotations

import asyncio
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
from journal_service.adapters import orm
from sqlalchemy import select

from .served import Journal as Served

pytestmark = pytest.mark.integration
TODAY = date(2026, 11, 30)
ADMIN = str(uuid.uuid4())


class Journal(Served):
    async def group(self, name: str) -> str:
        return (
            await self.stub.CreateGroup(pb.CreateGroupRequest(name=name), metadata=self.admin)
        ).group.group_id

    async def students(self, group_id: str, day: date | None = None) -> list[str]:
        request = pb.ListGroupStudentsRequest(group_id=group_id)
        if day is not None:
            request.on_date.CopyFrom(local(day))
        return list((await self.stub.ListGroupStudents(request, metadata=self.admin)).student_ids)

    async def move(self, student: str, kind: int, day: date, **groups: str) -> pb.MoveStudentResponse:
        request = pb.MoveStudentRequest(
            student_id=student, kind=kind, on_date=local(day), order_number="№ 12-к", **groups
        )
        return await self.stub.MoveStudent(request, metadata=self.admin)


def local(day: date) -> LocalDate:
    return LocalDate(year=day.year, month=day.month, day=day.day)


@pytest.fixture
async def journal(fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer) -> AsyncIterator[Journal]:
    async with Journal.served(
        await fresh_db("journal"), issuer, today=TODAY, pool_size=4, admin_id=ADMIN
    ) as journal:
        yield journal


async def test_a_transfer_on_a_date_moves_membership_keeps_history_and_tells_by_event(
    journal: Journal,
) -> None:
    is21, is22 = await journal.group("ИС-21"), await journal.group("ИС-22")
    student, late = journal.people.new("student"), journal.people.new("student")
    await journal.stub.EnrollStudent(
        pb.EnrollStudentRequest(group_id=is21, student_id=student), metadata=journal.admin
    )
    late_request = pb.EnrollStudentRequest(
        group_id=is21, student_id=late, enrolled_on=local(date(2026, 10, 1))
    )
    await journal.stub.EnrollStudent(late_request, metadata=journal.admin)
    # Without a date the enrolment starts on 1 September of the academic year.
    assert await journal.students(is21, date(2026, 9, 1)) == [student]
    assert sorted(await journal.students(is21)) == sorted([student, late])

    outbox_before = await journal.count(OUTBOX)
    reply = await journal.move(student, jpb.MOVEMENT_KIND_TRANSFER, date(2026, 11, 2), to_group_id=is22)

    moved = reply.movement
    assert (moved.kind, moved.from_group_id, moved.to_group_id, moved.order_number) == (
        jpb.MOVEMENT_KIND_TRANSFER,
        is21,
        is22,
        "№ 12-к",
    )
    assert await journal.students(is21, date(2026, 11, 1)) == sorted([student, late])
    assert await journal.students(is21, date(2026, 11, 2)) == [late]
    assert await journal.students(is22, date(2026, 11, 1)) == []
    assert await journal.students(is22, date(2026, 11, 2)) == [student]
    assert await journal.students(is22) == [student]  # today
    # History: both rows stay, the old one closed on the date; the movement keeps its order.
    async with journal.sessions() as s:
        e = orm.enrollments.c
        rows = (
            await s.execute(
                select(e.group_id, e.enrolled_on, e.left_on)
                .where(e.student_id == uuid.UUID(student))
                .order_by(e.enrolled_on)
            )
        ).all()
        assert [(str(g), a, b) for g, a, b in rows] == [
            (is21, date(2026, 9, 1), date(2026, 11, 2)),
            (is22, date(2026, 11, 2), None),
        ]
        assert await s.scalar(select(orm.student_movements.c.order_number)) == "№ 12-к"
        published = (
            await s.execute(select(OUTBOX.c.subject, OUTBOX.c.payload).order_by(OUTBOX.c.created_at))
        ).all()[outbox_before:]
    assert sorted(subject for subject, _ in published) == [
        "audit.journal.recorded.v1",
        "journal.student.moved.v1",
    ]
    event = next(events_pb2.StudentMoved.FromString(p) for sub, p in published if sub.startswith("journal."))
    assert (event.movement_id, event.student_id, event.from_group_id, event.to_group_id) == (
        moved.movement_id,
        student,
        is21,
        is22,
    )
    audit = next(AuditRecorded.FromString(p) for sub, p in published if sub.startswith("audit."))
    assert (audit.actor_id, audit.action, audit.subject_person_id) == (
        ADMIN,
        "student.moved:transfer",
        student,
    )


async def test_a_mark_follows_the_membership_on_the_lesson_date(journal: Journal) -> None:
    is21, is22 = await journal.group("ИС-21"), await journal.group("ИС-22")
    student, teacher = journal.people.new("student"), journal.people.new("teacher")
    await journal.stub.EnrollStudent(
        pb.EnrollStudentRequest(group_id=is21, student_id=student), metadata=journal.admin
    )
    discipline = (
        await journal.stub.CreateDiscipline(
            pb.CreateDisciplineRequest(code="ОП.01", name="Математика", kind=jpb.DISCIPLINE_KIND_DISCIPLINE),
            metadata=journal.admin,
        )
    ).discipline.discipline_id
    for group in (is21, is22):
        await journal.stub.AssignTeachingLoad(
            pb.AssignTeachingLoadRequest(teacher_id=teacher, group_id=group, discipline_id=discipline),
            metadata=journal.admin,
        )
    await journal.move(student, jpb.MOVEMENT_KIND_TRANSFER, date(2026, 11, 2), to_group_id=is22)

    def mark(group: str, day: date) -> Awaitable[pb.RecordMarkResponse]:
        request = pb.RecordMarkRequest(
            student_id=student, group_id=group, discipline_id=discipline, lesson_date=local(day), value="5"
        )
        return journal.stub.RecordMark(request, metadata=journal.md(teacher, "teacher"))

    await mark(is21, date(2026, 11, 1))
    await mark(is22, date(2026, 11, 2))
    for group, day in ((is21, date(2026, 11, 2)), (is22, date(2026, 11, 1))):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await mark(group, day)
        assert (refused.value.code(), error_code_of(refused.value)) == (
            grpc.StatusCode.FAILED_PRECONDITION,
            "student_not_in_group",
        )
    assert await journal.count(orm.marks) == 2


async def test_refused_movements_write_nothing(journal: Journal) -> None:
    is21 = await journal.group("ИС-21")
    student = journal.people.new("student")
    await journal.stub.EnrollStudent(
        pb.EnrollStudentRequest(group_id=is21, student_id=student), metadata=journal.admin
    )
    await journal.move(student, jpb.MOVEMENT_KIND_ACADEMIC_LEAVE, date(2026, 11, 2))
    cases = [
        (pb.MoveStudentRequest(student_id=student, on_date=local(TODAY), order_number="1"), "missing_kind"),
        (
            pb.MoveStudentRequest(
                student_id=student, kind=jpb.MOVEMENT_KIND_EXPULSION, on_date=local(TODAY), order_number=""
            ),
            "invalid_order_number",
        ),
        (
            pb.MoveStudentRequest(
                student_id=student,
                kind=jpb.MOVEMENT_KIND_EXPULSION,
                on_date=LocalDate(year=2026, month=2, day=30),
                order_number="1",
            ),
            "invalid_on_date",
        ),
        (
            pb.MoveStudentRequest(
                student_id=student,
                kind=jpb.MOVEMENT_KIND_TRANSFER,
                to_group_id=is21,
                on_date=local(TODAY),
                order_number="1",
            ),
            "student_on_leave",
        ),
        (
            pb.MoveStudentRequest(
                student_id=student,
                kind=jpb.MOVEMENT_KIND_RETURN,
                to_group_id=is21,
                on_date=local(date(2026, 10, 1)),
                order_number="1",
            ),
            "movement_out_of_order",
        ),
        (
            pb.MoveStudentRequest(
                student_id=student,
                kind=jpb.MOVEMENT_KIND_RETURN,
                to_group_id=is21,
                on_date=local(date(2026, 11, 2)),
                order_number="1",
            ),
            "movement_same_day",
        ),
    ]
    before = (await journal.count(orm.student_movements), await journal.count(OUTBOX))
    for request, code in cases:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await journal.stub.MoveStudent(request, metadata=journal.admin)
        assert error_code_of(refused.value) == code, code
    assert (await journal.count(orm.student_movements), await journal.count(OUTBOX)) == before
    # Return after the leave works and the student is back from that day.
    await journal.move(student, jpb.MOVEMENT_KIND_RETURN, date(2026, 11, 20), to_group_id=is21)
    assert await journal.students(is21, date(2026, 11, 19)) == []
    assert await journal.students(is21, date(2026, 11, 20)) == [student]


async def test_two_movements_of_one_student_at_once_apply_one(journal: Journal) -> None:
    is21, is22, is23 = (
        await journal.group("ИС-21"),
        await journal.group("ИС-22"),
        await journal.group("ИС-23"),
    )
    student = journal.people.new("student")
    await journal.stub.EnrollStudent(
        pb.EnrollStudentRequest(group_id=is21, student_id=student), metadata=journal.admin
    )

    results = await asyncio.gather(
        journal.move(student, jpb.MOVEMENT_KIND_TRANSFER, date(2026, 11, 2), to_group_id=is22),
        journal.move(student, jpb.MOVEMENT_KIND_TRANSFER, date(2026, 11, 2), to_group_id=is23),
        return_exceptions=True,
    )

    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    # The second, after the first under the student's lock, finds a movement on that very day.
    assert len(refused) == 1 and error_code_of(refused[0]) == "movement_same_day"
    assert await journal.count(orm.student_movements) == 1
    assert len(await journal.students(is22) + await journal.students(is23)) == 1


def span(first: date, last: date) -> dict[str, LocalDate]:
    return {"date_from": local(first), "date_to": local(last)}


async def test_a_transfer_in_the_middle_of_the_semester_splits_pages_averages_and_absences_by_date(
    journal: Journal,
) -> None:
    is21, is22 = await journal.group("ИС-21"), await journal.group("ИС-22")
    moved, stays, teacher = (
        journal.people.new("student"),
        journal.people.new("student"),
        journal.people.new("teacher"),
    )
    math = (
        await journal.stub.CreateDiscipline(
            pb.CreateDisciplineRequest(code="ОП.01", name="Математика", kind=jpb.DISCIPLINE_KIND_DISCIPLINE),
            metadata=journal.admin,
        )
    ).discipline.discipline_id
    for group in (is21, is22):
        await journal.stub.AssignTeachingLoad(
            pb.AssignTeachingLoadRequest(teacher_id=teacher, group_id=group, discipline_id=math),
            metadata=journal.admin,
        )
    for student in (moved, stays):
        await journal.move(student, jpb.MOVEMENT_KIND_ENROLMENT, date(2026, 9, 1), to_group_id=is21)
    as_teacher = journal.md(teacher, "teacher")

    async def lesson(group: str, day: date) -> str:
        request = pb.RecordLessonRequest(
            group_id=group,
            discipline_id=math,
            lesson_date=local(day),
            pair_number=1,
            topic="Тема",
            kind=jpb.LESSON_KIND_PRACTICAL,
        )
        return str((await journal.stub.RecordLesson(request, metadata=as_teacher)).lesson.lesson_id)

    async def mark(student: str, lesson_id: str, value: str) -> None:
        request = pb.RecordMarkRequest(student_id=student, lesson_id=lesson_id, value=value)
        await journal.stub.RecordMark(request, metadata=as_teacher)

    async def absent(lesson_id: str, *students: str) -> None:
        entries = [jpb.AttendanceEntry(student_id=s, status=jpb.ATTENDANCE_STATUS_ABSENT) for s in students]
        await journal.stub.RecordAttendance(
            pb.RecordAttendanceRequest(lesson_id=lesson_id, entries=entries), metadata=as_teacher
        )

    # Before the transfer (16 November) in ИС-21: 5 and 4, one absence.
    old_first, old_second = await lesson(is21, date(2026, 11, 9)), await lesson(is21, date(2026, 11, 10))
    await mark(moved, old_first, "5")
    await mark(moved, old_second, "4")
    await absent(old_second, moved)
    # A backdated transfer would leave those records behind in the old group: refused.
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await journal.move(moved, jpb.MOVEMENT_KIND_TRANSFER, date(2026, 11, 10), to_group_id=is22)
    assert error_code_of(refused.value) == "records_after_movement"
    assert "10.11.2026" in (refused.value.details() or "")

    await journal.move(moved, jpb.MOVEMENT_KIND_TRANSFER, date(2026, 11, 16), to_group_id=is22)

    # After it: ИС-21 goes on without them; in ИС-22 a 2 and an absence.
    old_after = await lesson(is21, date(2026, 11, 17))
    await mark(stays, old_after, "3")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await mark(moved, old_after, "5")
    assert error_code_of(refused.value) == "student_not_in_group"
    new_first, new_second = await lesson(is22, date(2026, 11, 16)), await lesson(is22, date(2026, 11, 18))
    await mark(moved, new_first, "2")
    await absent(new_second, moved)
    semester = span(date(2026, 9, 1), date(2026, 12, 31))

    async def page(group: str) -> pb.GetJournalPageResponse:
        request = pb.GetJournalPageRequest(group_id=group, discipline_id=math, **semester)
        return await journal.stub.GetJournalPage(request, metadata=as_teacher)

    def cells(got: pb.GetJournalPageResponse) -> set[tuple[str, str, tuple[str, ...], int]]:
        values: dict[int, list[str]] = {}
        for cell, value in zip(got.marks.cell, got.marks.value, strict=True):
            values.setdefault(cell, []).append(value)
        return {
            (
                got.student_ids[got.cells.student[i]],
                got.lessons[got.cells.lesson[i]].lesson_id,
                tuple(values.get(i, [])),
                got.cells.status[i],
            )
            for i in range(len(got.cells.student))
        }

    absent_status = jpb.ATTENDANCE_STATUS_ABSENT
    old_page, new_page = await page(is21), await page(is22)
    assert sorted(old_page.student_ids) == sorted([moved, stays])
    assert {c for c in cells(old_page) if c[0] == moved} == {
        (moved, old_first, ("5",), jpb.ATTENDANCE_STATUS_UNSPECIFIED),
        (moved, old_second, ("4",), absent_status),
    }
    assert list(new_page.student_ids) == [moved]
    assert cells(new_page) == {
        (moved, new_first, ("2",), jpb.ATTENDANCE_STATUS_UNSPECIFIED),
        (moved, new_second, (), absent_status),
    }
    # Each group's average counts only the marks of the days the student belonged to it.
    old_mean = dict(zip(old_page.student_ids, old_page.averages.mean, strict=True))
    assert (old_mean[moved], old_mean[stays]) == ("4.50", "3.00")
    assert list(new_page.averages.mean) == ["2.00"]

    async def overview(group: str) -> dict[str, tuple[str, int, int]]:
        request = pb.GetGroupOverviewRequest(group_id=group, **semester)
        got = await journal.stub.GetGroupOverview(request, metadata=as_teacher)
        return {
            c.student_id: (c.mean, c.mark_count, c.absences) for c in got.cells if c.discipline_id == math
        }

    assert (await overview(is21))[moved] == ("4.50", 2, 1)
    assert (await overview(is22)) == {moved: ("2.00", 1, 1)}

    # The diary shows both groups' lessons, each for its own days, and the mean over all three marks.
    diary = await journal.stub.GetStudentDiary(
        pb.GetStudentDiaryRequest(student_id=moved, **semester), metadata=journal.md(moved, "student")
    )
    assert [x.lesson_id for d in diary.days for x in d.lessons] == [
        old_first,
        old_second,
        new_first,
        new_second,
    ]
    assert [(a.discipline_id, a.mean) for a in diary.averages] == [(math, "3.67")]

    # The history of the student and of each group.
    history = await journal.stub.GetStudentMovements(
        pb.GetStudentMovementsRequest(student_id=moved), metadata=journal.md(moved, "student")
    )
    assert [(m.kind, m.from_group_id, m.to_group_id) for m in history.movements] == [
        (jpb.MOVEMENT_KIND_ENROLMENT, "", is21),
        (jpb.MOVEMENT_KIND_TRANSFER, is21, is22),
    ]
    listed = await journal.stub.ListGroupMovements(
        pb.ListGroupMovementsRequest(group_id=is22), metadata=journal.admin
    )
    assert [(m.student_id, m.kind) for m in listed.movements] == [(moved, jpb.MOVEMENT_KIND_TRANSFER)]


async def test_a_group_graduates_by_one_order_and_nothing_follows(journal: Journal) -> None:
    is41 = await journal.group("ИС-41")
    students = sorted(journal.people.new("student") for _ in range(3))
    for student in students:
        await journal.move(student, jpb.MOVEMENT_KIND_ENROLMENT, date(2026, 9, 1), to_group_id=is41)
    await journal.move(students[0], jpb.MOVEMENT_KIND_EXPULSION, date(2026, 10, 1))
    outbox_before = await journal.count(OUTBOX)

    reply = await journal.stub.GraduateGroup(
        pb.GraduateGroupRequest(group_id=is41, on_date=local(date(2026, 11, 27)), order_number="№ 300-в"),
        metadata=journal.admin,
    )

    assert sorted(m.student_id for m in reply.movements) == students[1:]
    assert {(m.kind, m.from_group_id, m.order_number) for m in reply.movements} == {
        (jpb.MOVEMENT_KIND_GRADUATION, is41, "№ 300-в")
    }
    assert await journal.students(is41, date(2026, 11, 26)) == students[1:]
    assert await journal.students(is41, date(2026, 11, 27)) == []
    async with journal.sessions() as s:
        published = (
            await s.execute(select(OUTBOX.c.subject, OUTBOX.c.payload).order_by(OUTBOX.c.created_at))
        ).all()[outbox_before:]
    moved = [
        events_pb2.StudentMoved.FromString(p) for sub, p in published if sub == "journal.student.moved.v1"
    ]
    assert sorted((e.student_id, e.kind) for e in moved) == [
        (s, jpb.MOVEMENT_KIND_GRADUATION) for s in students[1:]
    ]
    # Neither a graduate nor an expelled student moves again, except the expelled student's return.
    for student, code in ((students[1], "student_graduated"), (students[0], "student_expelled")):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await journal.move(student, jpb.MOVEMENT_KIND_EXPULSION, TODAY)
        assert error_code_of(refused.value) == code
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await journal.stub.GraduateGroup(
            pb.GraduateGroupRequest(group_id=is41, on_date=local(TODAY), order_number="№ 301-в"),
            metadata=journal.admin,
        )
    assert error_code_of(refused.value) == "group_has_no_students"
    await journal.move(students[0], jpb.MOVEMENT_KIND_RETURN, TODAY, to_group_id=is41)
    assert await journal.students(is41, TODAY) == [students[0]]


async def test_a_graduation_one_student_may_not_take_is_refused_as_a_whole(journal: Journal) -> None:
    is41, is42 = await journal.group("ИС-41"), await journal.group("ИС-42")
    students = sorted(journal.people.new("student") for _ in range(3))
    for student in students:
        await journal.move(student, jpb.MOVEMENT_KIND_ENROLMENT, date(2026, 9, 1), to_group_id=is41)
    # The last student (by id, so graduated last) has a movement dated after the graduation.
    await journal.move(students[-1], jpb.MOVEMENT_KIND_TRANSFER, date(2026, 11, 28), to_group_id=is42)
    before = (await journal.count(orm.student_movements), await journal.count(OUTBOX))

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await journal.stub.GraduateGroup(
            pb.GraduateGroupRequest(group_id=is41, on_date=local(date(2026, 11, 27)), order_number="№ 300-в"),
            metadata=journal.admin,
        )

    assert (refused.value.code(), error_code_of(refused.value)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "movement_out_of_order",
    )
    assert (await journal.count(orm.student_movements), await journal.count(OUTBOX)) == before
    assert await journal.students(is41, date(2026, 11, 27)) == students
