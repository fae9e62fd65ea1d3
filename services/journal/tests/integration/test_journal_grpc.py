"""The journal over real gRPC and real PostgreSQL: writes, their outbox rows, and bad input."""

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
from journal_service.adapters import orm
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .served import Journal

pytestmark = pytest.mark.integration
TODAY = date(2026, 10, 15)
ADMIN = str(uuid.uuid4())


@pytest.fixture
async def journal(fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer) -> AsyncIterator[Journal]:
    async with Journal.served(await fresh_db("journal"), issuer, today=TODAY, admin_id=ADMIN) as journal:
        yield journal


async def outbox(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, bytes]]:
    async with sessions() as s:
        rows = await s.execute(select(OUTBOX.c.subject, OUTBOX.c.payload).order_by(OUTBOX.c.created_at))
        return [(r.subject, r.payload) for r in rows]


async def marks_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(orm.marks)) or 0)


async def test_mark_its_event_and_its_audit_are_written_together(journal: Journal) -> None:
    admin = journal.md(ADMIN, "admin")
    teacher_id, student_id = journal.people.new("teacher"), journal.people.new("student")
    group = (await journal.stub.CreateGroup(pb.CreateGroupRequest(name="ИС-21"), metadata=admin)).group
    discipline = (
        await journal.stub.CreateDiscipline(
            pb.CreateDisciplineRequest(code="ОП.01", name="Математика", kind=jpb.DISCIPLINE_KIND_DISCIPLINE),
            metadata=admin,
        )
    ).discipline
    await journal.stub.EnrollStudent(
        pb.EnrollStudentRequest(group_id=group.group_id, student_id=student_id), metadata=admin
    )
    await journal.stub.AssignTeachingLoad(
        pb.AssignTeachingLoadRequest(
            teacher_id=teacher_id, group_id=group.group_id, discipline_id=discipline.discipline_id
        ),
        metadata=admin,
    )
    before = len(await outbox(journal.sessions))
    reply = await journal.stub.RecordMark(
        pb.RecordMarkRequest(
            student_id=student_id,
            group_id=group.group_id,
            discipline_id=discipline.discipline_id,
            lesson_date=LocalDate(year=2026, month=10, day=14),
            value="4",
        ),
        metadata=journal.md(teacher_id, "teacher"),
    )
    assert reply.mark.value == "4" and reply.mark.recorded_at.seconds > 0
    rows = (await outbox(journal.sessions))[before:]
    assert [s for s, _ in rows] == ["journal.mark.recorded.v1", "audit.journal.recorded.v1"]
    event = events_pb2.MarkRecorded.FromString(rows[0][1])
    assert (event.mark_id, event.student_id, event.value) == (reply.mark.mark_id, student_id, "4")
    audit = AuditRecorded.FromString(rows[1][1])
    assert (audit.actor_id, audit.action, audit.subject_person_id) == (
        teacher_id,
        "mark.recorded",
        student_id,
    )

    diary = await journal.stub.ListStudentMarks(
        pb.ListStudentMarksRequest(student_id=student_id), metadata=journal.md(student_id, "student")
    )
    assert [m.value for m in diary.marks] == ["4"]
    assert list(diary.disciplines) == [discipline]
    # The diary's averages come from the one domain function: «н» and «зач» do not count, 13/3 → 4.33.
    for value in ("5", "н", "4", "зач"):
        await journal.stub.RecordMark(
            pb.RecordMarkRequest(
                student_id=student_id,
                group_id=group.group_id,
                discipline_id=discipline.discipline_id,
                lesson_date=LocalDate(year=2026, month=10, day=15),
                value=value,
            ),
            metadata=journal.md(teacher_id, "teacher"),
        )
    diary = await journal.stub.ListStudentMarks(
        pb.ListStudentMarksRequest(student_id=student_id), metadata=journal.md(student_id, "student")
    )
    assert len(diary.marks) == 5
    assert list(diary.averages) == [
        pb.DisciplineAverage(discipline_id=discipline.discipline_id, mean="4.33", weighted_mean="4.33")
    ]


async def test_list_disciplines_by_id_for_any_caller(journal: Journal) -> None:
    admin = journal.md(ADMIN, "admin")
    created = [
        (
            await journal.stub.CreateDiscipline(
                pb.CreateDisciplineRequest(code=code, name=name, kind=kind), metadata=admin
            )
        ).discipline
        for code, name, kind in [
            ("МДК.01.01", "Технология разработки ПО", jpb.DISCIPLINE_KIND_MDK),
            ("ОП.01", "Математика", jpb.DISCIPLINE_KIND_DISCIPLINE),
            ("ОП.02", "Физика", jpb.DISCIPLINE_KIND_DISCIPLINE),
        ]
    ]
    mdk, maths, _ = created
    wanted = [maths.discipline_id, str(uuid.uuid4()), mdk.discipline_id, maths.discipline_id]

    reply = await journal.stub.ListDisciplines(
        pb.ListDisciplinesRequest(discipline_ids=wanted), metadata=journal.md(str(uuid.uuid4()), "parent")
    )

    assert list(reply.disciplines) == [mdk, maths]  # by code, unknown ids left out, repeats once
    empty = await journal.stub.ListDisciplines(pb.ListDisciplinesRequest(), metadata=admin)
    assert list(empty.disciplines) == []
    for ids, code in [
        (["ОП.01"], "invalid_discipline_ids"),
        ([str(uuid.uuid4()) for _ in range(501)], "too_many_discipline_ids"),
    ]:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await journal.stub.ListDisciplines(pb.ListDisciplinesRequest(discipline_ids=ids), metadata=admin)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert error_code_of(caught.value) == code
    with pytest.raises(grpc.aio.AioRpcError) as anonymous:
        await journal.stub.ListDisciplines(pb.ListDisciplinesRequest(discipline_ids=wanted))
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert await outbox(journal.sessions) == []  # names of disciplines are not audited


async def test_group_students_over_grpc_for_staff_and_the_groups_teacher(journal: Journal) -> None:
    admin = journal.md(ADMIN, "admin")
    group = (await journal.stub.CreateGroup(pb.CreateGroupRequest(name="ИС-51"), metadata=admin)).group
    discipline = (
        await journal.stub.CreateDiscipline(
            pb.CreateDisciplineRequest(code="ОП.05", name="История", kind=jpb.DISCIPLINE_KIND_DISCIPLINE),
            metadata=admin,
        )
    ).discipline
    students = sorted(journal.people.new("student") for _ in range(3))
    for student in students:
        await journal.stub.EnrollStudent(
            pb.EnrollStudentRequest(group_id=group.group_id, student_id=student), metadata=admin
        )
    teacher = journal.people.new("class_teacher")
    await journal.stub.AssignTeachingLoad(
        pb.AssignTeachingLoadRequest(
            teacher_id=teacher, group_id=group.group_id, discipline_id=discipline.discipline_id
        ),
        metadata=admin,
    )
    request = pb.ListGroupStudentsRequest(group_id=group.group_id)
    for md in (admin, journal.md(str(uuid.uuid4()), "curator"), journal.md(teacher, "teacher")):
        assert list((await journal.stub.ListGroupStudents(request, metadata=md)).student_ids) == students
    for md in (journal.md(str(uuid.uuid4()), "teacher"), journal.md(students[0], "student")):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await journal.stub.ListGroupStudents(request, metadata=md)
        assert (refused.value.code(), error_code_of(refused.value)) == (
            grpc.StatusCode.NOT_FOUND,
            "group_not_found",
        )


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (pb.RecordMarkRequest(student_id="x"), "invalid_student_id"),
        (
            pb.RecordMarkRequest(
                student_id=str(uuid.uuid4()),
                group_id=str(uuid.uuid4()),
                discipline_id=str(uuid.uuid4()),
                lesson_date=LocalDate(year=2026, month=2, day=30),
                value="5",
            ),
            "invalid_lesson_date",
        ),
        (
            pb.RecordMarkRequest(
                student_id=str(uuid.uuid4()),
                group_id=str(uuid.uuid4()),
                discipline_id=str(uuid.uuid4()),
                lesson_date=LocalDate(year=2026, month=10, day=1),
                value="",
            ),
            "missing_value",
        ),
    ],
)
async def test_bad_input_is_invalid_argument_and_writes_nothing(
    journal: Journal, request_: pb.RecordMarkRequest, code: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await journal.stub.RecordMark(request_, metadata=journal.md(str(uuid.uuid4()), "teacher"))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_code_of(caught.value) == code
    assert await marks_count(journal.sessions) == 0
    assert await outbox(journal.sessions) == []


async def test_refusals_have_stable_codes(journal: Journal) -> None:
    admin = journal.md(ADMIN, "admin")
    await journal.stub.CreateGroup(pb.CreateGroupRequest(name="ТМ-11"), metadata=admin)
    cases = [
        (journal.stub.CreateGroup(pb.CreateGroupRequest(name="ТМ-11"), metadata=admin), "ALREADY_EXISTS"),
        (
            journal.stub.CreateGroup(pb.CreateGroupRequest(name="X"), metadata=journal.md(ADMIN, "teacher")),
            "PERMISSION_DENIED",
        ),
        (
            journal.stub.CreateDiscipline(pb.CreateDisciplineRequest(name="Физика"), metadata=admin),
            "INVALID_ARGUMENT",
        ),
        (
            journal.stub.EnrollStudent(
                pb.EnrollStudentRequest(group_id=str(uuid.uuid4()), student_id=str(uuid.uuid4())),
                metadata=admin,
            ),
            "NOT_FOUND",
        ),
        (
            journal.stub.ListStudentMarks(
                pb.ListStudentMarksRequest(student_id=str(uuid.uuid4())),
                metadata=journal.md(str(uuid.uuid4()), "parent"),
            ),
            "NOT_FOUND",
        ),
    ]
    for call, status in cases:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call
        assert caught.value.code().name == status
