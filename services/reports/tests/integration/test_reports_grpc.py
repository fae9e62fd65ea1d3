"""GetGroupMarkSummary over real gRPC and PostgreSQL: counts, zeros for unknown groups, refusals."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import grpc
import pytest
from chassis.db import make_engine, make_session_factory
from chassis.events import Delivery
from chassis.grpc_client import call_metadata, error_code_of
from chassis.grpc_server import GrpcServer
from chassis.testing import LocalIssuer
from ejournal.reports.v1 import reports_service_pb2 as pb
from ejournal.reports.v1 import reports_service_pb2_grpc as pb_grpc
from reports_service.adapters import orm
from reports_service.adapters.uow import ReportsUnitOfWork
from reports_service.api.grpc import ReportsServicer
from reports_service.application import commands
from reports_service.application.handlers import ReportsHandlers

pytestmark = pytest.mark.integration
GROUP = uuid.uuid4()


@dataclass
class Service:
    stub: pb_grpc.ReportsServiceStub
    handlers: ReportsHandlers
    issuer: LocalIssuer

    def md(self, *roles: str) -> tuple[tuple[str, str], ...]:
        return call_metadata(self.issuer.token(str(uuid.uuid4()), roles))

    async def mark_recorded(self, value: str, day: int, group: uuid.UUID = GROUP) -> None:
        await self.handlers.project_mark_recorded(
            commands.ProjectMarkRecorded(
                mark_id=uuid.uuid4(),
                group_id=group,
                discipline_id=uuid.uuid4(),
                student_id=uuid.uuid4(),
                value=value,
                lesson_date=date(2026, 10, day),
                recorded_at=datetime(2026, 10, day, 9, 0, tzinfo=UTC),
            ),
            Delivery(str(uuid.uuid4()), "reports-mark-facts", "journal.mark.recorded.v1"),
        )


@pytest.fixture
async def service(fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer) -> AsyncIterator[Service]:
    orm.start_mappers()
    engine = make_engine(await fresh_db("reports"), pool_size=2)
    sessions = make_session_factory(engine)
    handlers = ReportsHandlers(uow=lambda: ReportsUnitOfWork(sessions, service="reports"))
    server = GrpcServer(
        host="127.0.0.1", port=0, verifier=issuer.verifier(), service_names=[], health_checks=[]
    )
    pb_grpc.add_ReportsServiceServicer_to_server(ReportsServicer(handlers), server.server)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    yield Service(pb_grpc.ReportsServiceStub(channel), handlers, issuer)
    await channel.close()
    await server.stop(0)
    await engine.dispose()


async def test_staff_read_a_groups_marks_counted_by_value(service: Service) -> None:
    for value, day in [("5", 12), ("4", 13), ("5", 14), ("н", 11)]:
        await service.mark_recorded(value, day)
    await service.mark_recorded("2", 15, group=uuid.uuid4())

    reply = await service.stub.GetGroupMarkSummary(
        pb.GetGroupMarkSummaryRequest(group_id=str(GROUP)), metadata=service.md("curator")
    )
    assert reply.group_id == str(GROUP) and reply.marks_count == 4
    assert [(c.value, c.count) for c in reply.counts] == [("4", 1), ("5", 2), ("н", 1)]
    assert reply.last_recorded_at.ToDatetime(tzinfo=UTC) == datetime(2026, 10, 14, 9, 0, tzinfo=UTC)


async def test_a_group_the_projection_has_not_seen_has_zero_counts(service: Service) -> None:
    reply = await service.stub.GetGroupMarkSummary(
        pb.GetGroupMarkSummaryRequest(group_id=str(uuid.uuid4())), metadata=service.md("curator")
    )
    assert reply.marks_count == 0 and list(reply.counts) == []
    assert not reply.HasField("last_recorded_at")


@pytest.mark.parametrize(
    ("group_id", "roles", "status", "code"),
    [
        (str(GROUP), ("student",), grpc.StatusCode.PERMISSION_DENIED, "role_required"),
        (str(GROUP), ("parent",), grpc.StatusCode.PERMISSION_DENIED, "role_required"),
        (str(GROUP), ("teacher",), grpc.StatusCode.PERMISSION_DENIED, "role_required"),
        (str(GROUP), ("class_teacher",), grpc.StatusCode.PERMISSION_DENIED, "role_required"),
        ("", ("director",), grpc.StatusCode.INVALID_ARGUMENT, "invalid_group_id"),
        ("ИС-21", ("director",), grpc.StatusCode.INVALID_ARGUMENT, "invalid_group_id"),
    ],
)
async def test_refusals_have_stable_codes(
    service: Service, group_id: str, roles: tuple[str, ...], status: grpc.StatusCode, code: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await service.stub.GetGroupMarkSummary(
            pb.GetGroupMarkSummaryRequest(group_id=group_id), metadata=service.md(*roles)
        )
    assert caught.value.code() == status
    assert error_code_of(caught.value) == code
