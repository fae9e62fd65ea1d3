"""Student movement over real gRPC and PostgreSQL: enrolment dates, a transfer with its event, history
and order, ListGroupStudents on a date, marks refused outside the enrolment, refusals that write
nothing, and two movements of one student at once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date

import grpc
import pytest
from chassis.db import make_engine, make_session_factory
from chassis.grpc_client import call_metadata, error_code_of
from chassis.grpc_server import GrpcServer
from chassis.outbox import OUTBOX
from chassis.testing import LocalIssuer
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc
from journal_service.adapters import orm
from journal_service.adapters.uow import JournalUnitOfWork
from journal_service.api.grpc import JournalServicer
from journal_service.application.handlers import JournalHandlers
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .people import KnownPeople

pytestmark = pytest.mark.integration
TODAY = date(2026, 11, 30)
ADMIN = str(uuid.uuid4())


class NoGuardians:
    async def is_guardian(self, *, token: str, parent_id: str, student_id: str) -> bool:
        return False


@dataclass
class Journal:
    stub: pb_grpc.JournalServiceStub
    sessions: async_sessionmaker[AsyncSession]
    issuer: LocalIssuer
    people: KnownPeople

    def md(self, subject: str, role: str) -> tuple[tuple[str, str], ...]:
        return call_metadata(self.issuer.token(subject, (role,)))

    @property
    def admin(self) -> tuple[tuple[str, str], ...]:
        return self.md(ADMIN, "admin")

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

    async def count(self, table: object) -> int:
        async with self.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def local(day: date) -> LocalDate:
    return LocalDate(year=day.year, month=day.month, day=day.day)


@pytest.fixture
async def journal(fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer) -> AsyncIterator[Journal]:
    orm.start_mappers()
    engine = make_engine(await fresh_db("journal"), pool_size=4)
    sessions = make_session_factory(engine)
    people = KnownPeople()
    handlers = JournalHandlers(
        uow=lambda: JournalUnitOfWork(sessions, service="journal"),
        guardians=NoGuardians(),
        today=lambda: TODAY,
        people=people,
    )
    server = GrpcServer(
        host="127.0.0.1", port=0, verifier=issuer.verifier(), service_names=[], health_checks=[]
    )
    pb_grpc.add_JournalServiceServicer_to_server(JournalServicer(handlers), server.server)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    yield Journal(pb_grpc.JournalServiceStub(channel), sessions, issuer, people)
    await channel.close()
    await server.stop(0)
    await engine.dispose()


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
                student_id=student, kind=jpb.MOVEMENT_KIND_EXPULSION, on_date=local(TODAY), order_number="1"
            ),
            "student_not_in_group",
        ),
        (
            pb.MoveStudentRequest(
                student_id=student,
                kind=jpb.MOVEMENT_KIND_RETURN,
                to_group_id=is21,
                on_date=local(date(2026, 10, 1)),
                order_number="1",
            ),
            "student_still_enrolled",
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
    # The second, after the first under the student's lock, finds them in the new group from that very day.
    assert len(refused) == 1 and error_code_of(refused[0]) == "movement_before_enrolment"
    assert await journal.count(orm.student_movements) == 1
    assert len(await journal.students(is22) + await journal.students(is23)) == 1
