"""ListAuditRecordsAboutMe over real gRPC and PostgreSQL (identity's links faked at the port): the
subject reads only their own records, a foreign person's are not found, a linked parent reads their
child's and a parent of another child is refused; the read itself lands in the outbox."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from archive_service.adapters.uow import ArchiveUnitOfWork
from archive_service.api.grpc import ArchiveServicer
from archive_service.application import commands
from archive_service.application.handlers import ArchiveHandlers
from chassis.db import make_engine, make_session_factory
from chassis.events import Delivery
from chassis.grpc_client import call_metadata, error_code_of
from chassis.outbox import OUTBOX
from chassis.testing import LocalIssuer, serve_in_process
from chassis.uow import audit_subject
from ejournal.archive.v1 import archive_service_pb2 as pb
from ejournal.archive.v1 import archive_service_pb2_grpc as pb_grpc
from ejournal.audit.v1.events_pb2 import AuditRecorded
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration


@dataclass
class Archive:
    stub: pb_grpc.ArchiveServiceStub
    handlers: ArchiveHandlers
    sessions: async_sessionmaker[AsyncSession]
    issuer: LocalIssuer

    def md(self, subject: str, *roles: str) -> tuple[tuple[str, str], ...]:
        return call_metadata(self.issuer.token(subject, roles))

    async def about(self, subject: str, action: str = "diary.read") -> None:
        event_id = str(uuid.uuid4())
        await self.handlers.append_audit_record(
            commands.AppendAuditRecord(
                event_id=event_id,
                occurred_at=datetime(2026, 10, 14, 9, 0, tzinfo=UTC),
                actor_id=str(uuid.uuid4()),
                actor_roles=("teacher",),
                action=action,
                resource_type="student",
                resource_id=subject,
                subject_person_id=subject,
                service="journal",
                correlation_id=str(uuid.uuid4()),
            ),
            Delivery(event_id, "archive-audit-log", audit_subject("journal")),
        )


@pytest.fixture
async def archive(
    fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer, guardians: Any
) -> AsyncIterator[Archive]:
    engine = make_engine(await fresh_db("archive"), pool_size=2)
    sessions = make_session_factory(engine)
    handlers = ArchiveHandlers(
        uow=lambda: ArchiveUnitOfWork(sessions, service="archive"), guardians=guardians
    )
    try:
        async with serve_in_process(
            pb_grpc.add_ArchiveServiceServicer_to_server, ArchiveServicer(handlers), issuer.verifier()
        ) as channel:
            yield Archive(pb_grpc.ArchiveServiceStub(channel), handlers, sessions, issuer)
    finally:
        await engine.dispose()


async def outbox_audits(archive: Archive) -> list[AuditRecorded]:
    async with archive.sessions() as session:
        rows = (await session.execute(select(OUTBOX.c.payload, OUTBOX.c.subject))).all()
    found = []
    for payload, subject in rows:
        if subject.startswith("audit."):
            found.append(AuditRecorded.FromString(payload))
    return found


async def test_the_subject_reads_only_their_own_records_and_the_read_is_audited(archive: Archive) -> None:
    student, other = str(uuid.uuid4()), str(uuid.uuid4())
    await archive.about(student, "diary.read")
    await archive.about(other)
    await archive.about(student, "mark.recorded")
    reply = await archive.stub.ListAuditRecordsAboutMe(
        pb.ListAuditRecordsAboutMeRequest(), metadata=archive.md(student, "student")
    )
    assert [(r.action, r.subject_person_id) for r in reply.records] == [
        ("mark.recorded", student),
        ("diary.read", student),
    ]
    first = await archive.stub.ListAuditRecordsAboutMe(
        pb.ListAuditRecordsAboutMeRequest(subject_person_id=student, page_size=1),
        metadata=archive.md(student, "student"),
    )
    rest = await archive.stub.ListAuditRecordsAboutMe(
        pb.ListAuditRecordsAboutMeRequest(before_sequence=first.records[0].sequence),
        metadata=archive.md(student, "student"),
    )
    assert [r.action for r in [*first.records, *rest.records]] == ["mark.recorded", "diary.read"]
    audits = await outbox_audits(archive)
    assert {(a.action, a.actor_id, a.subject_person_id) for a in audits} == {
        ("audit_log.read", student, student)
    }


@pytest.mark.parametrize("roles", [("student",), ("teacher",), ("admin",), ("parent",)])
async def test_a_foreign_persons_records_are_not_found(archive: Archive, roles: tuple[str, ...]) -> None:
    student = str(uuid.uuid4())
    await archive.about(student)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await archive.stub.ListAuditRecordsAboutMe(
            pb.ListAuditRecordsAboutMeRequest(subject_person_id=student),
            metadata=archive.md(str(uuid.uuid4()), *roles),
        )
    assert (refused.value.code(), error_code_of(refused.value)) == (
        grpc.StatusCode.NOT_FOUND,
        "subject_not_found",
    )
    assert await outbox_audits(archive) == []


async def test_a_linked_parent_reads_the_childs_records_and_a_parent_of_another_child_is_refused(
    archive: Archive, guardians: Any
) -> None:
    child, other_child = str(uuid.uuid4()), str(uuid.uuid4())
    parent, other_parent = str(uuid.uuid4()), str(uuid.uuid4())
    guardians.links |= {(parent, child), (other_parent, other_child)}
    await archive.about(child)
    reply = await archive.stub.ListAuditRecordsAboutMe(
        pb.ListAuditRecordsAboutMeRequest(subject_person_id=child, export=True),
        metadata=archive.md(parent, "parent"),
    )
    assert [r.subject_person_id for r in reply.records] == [child]
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await archive.stub.ListAuditRecordsAboutMe(
            pb.ListAuditRecordsAboutMeRequest(subject_person_id=child),
            metadata=archive.md(other_parent, "parent"),
        )
    assert error_code_of(refused.value) == "subject_not_found"
    audits = await outbox_audits(archive)
    assert [(a.action, a.actor_id, a.subject_person_id) for a in audits] == [
        ("subject_export.downloaded", parent, child)
    ]


async def test_identity_down_is_unavailable_and_a_bad_id_is_invalid(archive: Archive, guardians: Any) -> None:
    guardians.down = True
    with pytest.raises(grpc.aio.AioRpcError) as down:
        await archive.stub.ListAuditRecordsAboutMe(
            pb.ListAuditRecordsAboutMeRequest(subject_person_id=str(uuid.uuid4())),
            metadata=archive.md(str(uuid.uuid4()), "parent"),
        )
    assert (down.value.code(), error_code_of(down.value)) == (
        grpc.StatusCode.UNAVAILABLE,
        "identity_unavailable",
    )
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await archive.stub.ListAuditRecordsAboutMe(
            pb.ListAuditRecordsAboutMeRequest(subject_person_id="не-uuid"),
            metadata=archive.md(str(uuid.uuid4()), "student"),
        )
    assert (bad.value.code(), error_code_of(bad.value)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "invalid_subject_person_id",
    )
