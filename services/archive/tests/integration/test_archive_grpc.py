"""The archive's RPCs over real gRPC and PostgreSQL: queries, verification, tampering, refusals."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import grpc
import pytest
from archive_service.adapters.uow import ArchiveUnitOfWork
from archive_service.api.grpc import ArchiveServicer
from archive_service.application import commands
from archive_service.application.handlers import ArchiveHandlers
from chassis.db import make_engine, make_session_factory
from chassis.events import Delivery
from chassis.grpc_client import call_metadata, error_code_of
from chassis.grpc_server import GrpcServer
from chassis.outbox import OUTBOX
from chassis.testing import LocalIssuer
from chassis.uow import audit_subject
from ejournal.archive.v1 import archive_service_pb2 as pb
from ejournal.archive.v1 import archive_service_pb2_grpc as pb_grpc
from ejournal.audit.v1.events_pb2 import AuditRecorded
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration
STUDENT = str(uuid.uuid4())
ADMIN = str(uuid.uuid4())


@dataclass
class Service:
    stub: pb_grpc.ArchiveServiceStub
    handlers: ArchiveHandlers
    sessions: async_sessionmaker[AsyncSession]
    issuer: LocalIssuer

    def md(self, *roles: str, subject: str | None = None) -> tuple[tuple[str, str], ...]:
        return call_metadata(self.issuer.token(subject or str(uuid.uuid4()), roles))

    async def append(self, action: str, resource_type: str, resource_id: str, subject_person_id: str) -> str:
        event_id = str(uuid.uuid4())
        await self.handlers.append_audit_record(
            commands.AppendAuditRecord(
                event_id=event_id,
                occurred_at=datetime(2026, 10, 14, 9, 0, 0, 123456, tzinfo=UTC),
                actor_id=str(uuid.uuid4()),
                actor_roles=("teacher",),
                action=action,
                resource_type=resource_type,
                resource_id=resource_id,
                subject_person_id=subject_person_id,
                service="journal",
                correlation_id=str(uuid.uuid4()),
            ),
            Delivery(event_id, "archive-audit-log", audit_subject("journal")),
        )
        return event_id


@pytest.fixture
async def service(fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer) -> AsyncIterator[Service]:
    engine = make_engine(await fresh_db("archive"), pool_size=2)
    sessions = make_session_factory(engine)
    handlers = ArchiveHandlers(uow=lambda: ArchiveUnitOfWork(sessions, service="archive"))
    server = GrpcServer(
        host="127.0.0.1", port=0, verifier=issuer.verifier(), service_names=[], health_checks=[]
    )
    pb_grpc.add_ArchiveServiceServicer_to_server(ArchiveServicer(handlers), server.server)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    yield Service(pb_grpc.ArchiveServiceStub(channel), handlers, sessions, issuer)
    await channel.close()
    await server.stop(0)
    await engine.dispose()


async def test_records_are_listed_newest_first_with_filters_and_the_read_is_audited(service: Service) -> None:
    mark_id = str(uuid.uuid4())
    recorded = await service.append("mark.recorded", "mark", mark_id, STUDENT)
    await service.append("mark.recorded", "mark", str(uuid.uuid4()), str(uuid.uuid4()))
    read = await service.append("diary.read", "student", STUDENT, STUDENT)

    reply = await service.stub.ListAuditRecords(
        pb.ListAuditRecordsRequest(subject_person_id=STUDENT), metadata=service.md("director", subject=ADMIN)
    )
    assert [r.event_id for r in reply.records] == [read, recorded]
    newest = reply.records[0]
    assert (newest.sequence, newest.action, newest.service, list(newest.actor_roles)) == (
        3,
        "diary.read",
        "journal",
        ["teacher"],
    )
    assert newest.occurred_at.ToDatetime(tzinfo=UTC) == datetime(2026, 10, 14, 9, 0, 0, 123456, tzinfo=UTC)

    by_mark = await service.stub.ListAuditRecords(
        pb.ListAuditRecordsRequest(resource_type="mark", resource_id=mark_id), metadata=service.md("admin")
    )
    assert [r.event_id for r in by_mark.records] == [recorded]

    page = await service.stub.ListAuditRecords(
        pb.ListAuditRecordsRequest(page_size=2, before_sequence=3), metadata=service.md("admin")
    )
    assert [r.sequence for r in page.records] == [2, 1]

    # The listing carries everything an outside auditor needs to follow the links.
    everything = (
        await service.stub.ListAuditRecords(pb.ListAuditRecordsRequest(), metadata=service.md("admin"))
    ).records
    assert [r.prev_hash for r in everything] == [r.chain_hash for r in everything[1:]] + ["0" * 64]

    async with service.sessions() as s:
        rows = (await s.execute(select(OUTBOX.c.subject, OUTBOX.c.payload))).all()
    audits = [AuditRecorded.FromString(p) for subject, p in rows if subject == audit_subject("archive")]
    assert (audits[0].action, audits[0].actor_id, audits[0].subject_person_id, audits[0].service) == (
        "audit_log.read",
        ADMIN,
        STUDENT,
        "archive",
    )


async def test_verification_finds_a_record_changed_behind_the_triggers_back(service: Service) -> None:
    for n in range(4):
        await service.append("mark.recorded", "mark", str(n), STUDENT)
    admin = service.md("admin")
    intact = await service.stub.VerifyAuditChain(pb.VerifyAuditChainRequest(), metadata=admin)
    assert (intact.intact, intact.records_checked, intact.first_broken_sequence) == (True, 4, 0)

    # Someone with the owner's rights switches the trigger off and edits a record.
    async with service.sessions() as s, s.begin():
        await s.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        await s.execute(text("UPDATE audit_log SET actor_id = 'someone-else' WHERE sequence = 3"))
        await s.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))

    broken = await service.stub.VerifyAuditChain(pb.VerifyAuditChainRequest(), metadata=admin)
    assert (broken.intact, broken.records_checked, broken.first_broken_sequence) == (False, 3, 3)


async def test_an_empty_log_is_intact(service: Service) -> None:
    reply = await service.stub.VerifyAuditChain(pb.VerifyAuditChainRequest(), metadata=service.md("admin"))
    assert (reply.intact, reply.records_checked) == (True, 0)


@pytest.mark.parametrize(
    ("call", "roles", "status", "code"),
    [
        ("list", ("teacher",), grpc.StatusCode.PERMISSION_DENIED, "role_required"),
        ("list", ("parent",), grpc.StatusCode.PERMISSION_DENIED, "role_required"),
        ("verify", ("director",), grpc.StatusCode.PERMISSION_DENIED, "role_required"),
        ("list_page_501", ("admin",), grpc.StatusCode.INVALID_ARGUMENT, "invalid_page_size"),
        ("list_page_negative", ("admin",), grpc.StatusCode.INVALID_ARGUMENT, "invalid_page_size"),
        ("list_before_negative", ("admin",), grpc.StatusCode.INVALID_ARGUMENT, "invalid_before_sequence"),
        ("list_long_filter", ("admin",), grpc.StatusCode.INVALID_ARGUMENT, "too_long_resource_id"),
    ],
)
async def test_refusals_have_stable_codes(
    service: Service, call: str, roles: tuple[str, ...], status: grpc.StatusCode, code: str
) -> None:
    requests = {
        "list": pb.ListAuditRecordsRequest(),
        "list_page_501": pb.ListAuditRecordsRequest(page_size=501),
        "list_page_negative": pb.ListAuditRecordsRequest(page_size=-1),
        "list_before_negative": pb.ListAuditRecordsRequest(before_sequence=-1),
        "list_long_filter": pb.ListAuditRecordsRequest(resource_id="x" * 201),
    }
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        if call == "verify":
            await service.stub.VerifyAuditChain(pb.VerifyAuditChainRequest(), metadata=service.md(*roles))
        else:
            await service.stub.ListAuditRecords(requests[call], metadata=service.md(*roles))
    assert caught.value.code() == status
    assert error_code_of(caught.value) == code
