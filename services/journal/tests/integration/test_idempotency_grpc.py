"""The journal's writes with idempotency keys, over real gRPC and PostgreSQL (the server wired as
`kit.idempotent_writes()` wires it): a repeated mark is one mark, one event and one audit record;
twins at once likewise; the key with another mark is refused."""

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
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm

from .served import Journal

pytestmark = pytest.mark.integration
TODAY = date(2026, 10, 15)
ADMIN = str(uuid.uuid4())


@pytest.fixture
async def journal(fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer) -> AsyncIterator[Journal]:
    async with Journal.served(
        await fresh_db("journal"), issuer, today=TODAY, pool_size=4, admin_id=ADMIN, idempotent=True
    ) as journal:
        yield journal


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
