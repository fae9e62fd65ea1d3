"""Who may call what, RPC by RPC and role by role, through the real gRPC servicer and PostgreSQL.

Every refusal the archive's rules make is a row here, so that deleting any access check fails a
test; the allowed rows beside them keep the refusals honest. Each case appends its own audit record,
so a refused call would answer with real records were it not for the check.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
import pytest_asyncio
from archive_service.adapters.uow import ArchiveUnitOfWork
from archive_service.api.grpc import ArchiveServicer
from archive_service.application import commands
from archive_service.application.handlers import ArchiveHandlers
from chassis.db import make_engine, make_session_factory
from chassis.events import Delivery
from chassis.grpc_client import call_metadata, error_code_of
from chassis.testing import LocalIssuer, serve_in_process
from chassis.uow import audit_subject
from devstack.testing import assert_every_rpc_decided_for_every_caller, cloned_database, realm_roles
from ejournal.archive.v1 import archive_service_pb2 as pb
from ejournal.archive.v1 import archive_service_pb2_grpc as pb_grpc

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]
REALM_ROLES = realm_roles()
READERS = ("admin", "director")
VERIFIERS = ("admin",)
DENIED, UNAUTHENTICATED = grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED


@dataclass
class Archive:
    stub: pb_grpc.ArchiveServiceStub
    handlers: ArchiveHandlers
    issuer: LocalIssuer


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def archive(
    stack_infra: Any, database_templates: dict[str, str], issuer: LocalIssuer
) -> AsyncIterator[Archive]:
    """One archive server for the module on its own database; every case appends its own record."""
    async with cloned_database(
        stack_infra.superuser_dsn, database_templates["archive"], "t_archive_access"
    ) as url:
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        handlers = ArchiveHandlers(uow=lambda: ArchiveUnitOfWork(sessions, service="archive"))
        servicer = ArchiveServicer(handlers)
        try:
            async with serve_in_process(
                pb_grpc.add_ArchiveServiceServicer_to_server, servicer, issuer.verifier()
            ) as channel:
                yield Archive(pb_grpc.ArchiveServiceStub(channel), handlers, issuer)
        finally:
            await engine.dispose()


@dataclass
class World:
    """One case's audit record, about one student."""

    student_id: str


async def build_world(archive: Archive) -> World:
    student, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    await archive.handlers.append_audit_record(
        commands.AppendAuditRecord(
            event_id=event_id,
            occurred_at=datetime(2026, 10, 14, 9, 0, tzinfo=UTC),
            actor_id=str(uuid.uuid4()),
            actor_roles=("teacher",),
            action="mark.recorded",
            resource_type="mark",
            resource_id=str(uuid.uuid4()),
            subject_person_id=student,
            service="journal",
            correlation_id=str(uuid.uuid4()),
        ),
        Delivery(event_id, "archive-audit-log", audit_subject("journal")),
    )
    return World(student)


Call = Callable[[pb_grpc.ArchiveServiceStub, World, tuple[tuple[str, str], ...]], Awaitable[object]]

# Every RPC with a request that is valid in the case's world: only access stands between it and success.
CALLS: dict[str, Call] = {
    "ListAuditRecords": lambda s, w, md: s.ListAuditRecords(
        pb.ListAuditRecordsRequest(subject_person_id=w.student_id), metadata=md
    ),
    "VerifyAuditChain": lambda s, w, md: s.VerifyAuditChain(pb.VerifyAuditChainRequest(), metadata=md),
    # The caller's own records: every person may read them (another's: test_subject_access_grpc.py).
    "ListAuditRecordsAboutMe": lambda s, w, md: s.ListAuditRecordsAboutMe(
        pb.ListAuditRecordsAboutMeRequest(), metadata=md
    ),
}

Row = tuple[str, str, grpc.StatusCode, str]

# (rpc, caller role, status, error code): every refusal the archive's rules make.
REFUSED: list[Row] = [
    *[("ListAuditRecords", role, DENIED, "role_required") for role in REALM_ROLES if role not in READERS],
    *[("VerifyAuditChain", role, DENIED, "role_required") for role in REALM_ROLES if role not in VERIFIERS],
    *[(rpc, "nobody", UNAUTHENTICATED, "unauthenticated") for rpc in CALLS],
]

# (rpc, caller role): calls that succeed, next to the refusals of the same RPC.
ALLOWED: list[tuple[str, str]] = [
    *[("ListAuditRecords", role) for role in READERS],
    *[("VerifyAuditChain", role) for role in VERIFIERS],
    *[("ListAuditRecordsAboutMe", role) for role in REALM_ROLES],
]


def metadata(archive: Archive, caller: str) -> tuple[tuple[str, str], ...]:
    return () if caller == "nobody" else call_metadata(archive.issuer.token(str(uuid.uuid4()), (caller,)))


async def test_the_tables_cover_every_rpc_and_every_role() -> None:
    rpcs = set(pb.DESCRIPTOR.services_by_name["ArchiveService"].methods_by_name)
    assert set(CALLS) == rpcs
    assert_every_rpc_decided_for_every_caller(rpcs, REFUSED, ALLOWED, {*REALM_ROLES, "nobody"})


@pytest.mark.parametrize(
    ("rpc", "caller", "status", "code"), REFUSED, ids=[f"{r}-{c}" for r, c, *_ in REFUSED]
)
async def test_refused(archive: Archive, rpc: str, caller: str, status: grpc.StatusCode, code: str) -> None:
    world = await build_world(archive)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await CALLS[rpc](archive.stub, world, metadata(archive, caller))
    assert (refused.value.code(), error_code_of(refused.value)) == (status, code)


@pytest.mark.parametrize(("rpc", "caller"), ALLOWED, ids=[f"{r}-{c}" for r, c in ALLOWED])
async def test_allowed(archive: Archive, rpc: str, caller: str) -> None:
    world = await build_world(archive)
    reply = await CALLS[rpc](archive.stub, world, metadata(archive, caller))
    if rpc == "ListAuditRecordsAboutMe":
        assert list(reply.records) == []  # the caller is not the world's student
    elif rpc == "ListAuditRecords":
        assert [r.subject_person_id for r in reply.records] == [world.student_id]
    else:
        assert reply.intact and reply.records_checked >= 1
