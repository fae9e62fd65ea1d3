"""The journal's writes with idempotency keys, over real gRPC and PostgreSQL (the server wired as
`kit.idempotent_writes()` wires it): a repeated mark is one mark, one event and one audit record;
twins at once likewise; the key with another mark is refused."""

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
from chassis.idempotency import KEY_METADATA, IdempotentWrites
from chassis.outbox import OUTBOX
from chassis.testing import LocalIssuer
from ejournal.common.v1.common_pb2 import LocalDate
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
TODAY = date(2026, 10, 15)
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

    def md(self, subject: str, role: str, key: str | None = None) -> tuple[tuple[str, str], ...]:
        extra = ((KEY_METADATA, key),) if key else ()
        return (*call_metadata(self.issuer.token(subject, (role,))), *extra)

    async def count(self, what: object) -> int:
        async with self.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(what)) or 0)  # type: ignore[arg-type]


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
        host="127.0.0.1",
        port=0,
        verifier=issuer.verifier(),
        service_names=[],
        health_checks=[],
        idempotency=IdempotentWrites(sessions),
    )
    pb_grpc.add_JournalServiceServicer_to_server(JournalServicer(handlers), server.server)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    yield Journal(pb_grpc.JournalServiceStub(channel), sessions, issuer, people)
    await channel.close()
    await server.stop(0)
    await engine.dispose()


async def a_class(journal: Journal) -> tuple[str, str, str, str]:
    """A group with a student, a discipline and its teacher; return their ids."""
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
    return group.group_id, discipline.discipline_id, teacher_id, student_id


def mark(group_id: str, discipline_id: str, student_id: str, value: str = "5") -> pb.RecordMarkRequest:
    return pb.RecordMarkRequest(
        student_id=student_id,
        group_id=group_id,
        discipline_id=discipline_id,
        lesson_date=LocalDate(year=2026, month=10, day=14),
        value=value,
    )


async def test_a_repeated_mark_with_its_key_is_one_mark_one_event_one_audit(journal: Journal) -> None:
    group_id, discipline_id, teacher_id, student_id = await a_class(journal)
    events_before = await journal.count(OUTBOX)
    md = journal.md(teacher_id, "teacher", key="mark-1")

    first = await journal.stub.RecordMark(mark(group_id, discipline_id, student_id), metadata=md)
    again = await journal.stub.RecordMark(mark(group_id, discipline_id, student_id), metadata=md)

    assert again == first
    assert await journal.count(orm.marks) == 1
    assert await journal.count(OUTBOX) - events_before == 2  # MarkRecorded and its audit record
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await journal.stub.RecordMark(mark(group_id, discipline_id, student_id, "4"), metadata=md)
    assert (reused.value.code(), error_code_of(reused.value)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "idempotency_key_reused",
    )
    # Without a key a teacher may put a second mark for the lesson, as always.
    await journal.stub.RecordMark(
        mark(group_id, discipline_id, student_id), metadata=journal.md(teacher_id, "teacher")
    )
    assert await journal.count(orm.marks) == 2


async def test_twin_marks_at_once_are_one_mark_and_the_same_answer(journal: Journal) -> None:
    group_id, discipline_id, teacher_id, student_id = await a_class(journal)
    md = journal.md(teacher_id, "teacher", key="twin")

    answers = await asyncio.gather(
        *(journal.stub.RecordMark(mark(group_id, discipline_id, student_id), metadata=md) for _ in range(6))
    )

    assert len({a.mark.mark_id for a in answers}) == 1
    assert await journal.count(orm.marks) == 1
