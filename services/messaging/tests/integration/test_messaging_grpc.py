"""ListNotifications over real gRPC and PostgreSQL: own notifications only, bad input, refusals."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import grpc
import pytest
from chassis.db import make_engine, make_session_factory
from chassis.events import Delivery, subject_of
from chassis.grpc_client import call_metadata, error_code_of
from chassis.grpc_server import GrpcServer
from chassis.testing import LocalIssuer
from ejournal.journal.v1.events_pb2 import MarkRecorded
from ejournal.messaging.v1 import messaging_pb2
from ejournal.messaging.v1 import messaging_service_pb2 as pb
from ejournal.messaging.v1 import messaging_service_pb2_grpc as pb_grpc
from messaging_service.adapters import orm
from messaging_service.adapters.uow import MessagingUnitOfWork
from messaging_service.api.grpc import MessagingServicer
from messaging_service.application import commands
from messaging_service.application.handlers import MessagingHandlers

pytestmark = pytest.mark.integration
STUDENT, MOTHER, FATHER, DISCIPLINE = (uuid.uuid4() for _ in range(4))


@dataclass
class Service:
    stub: pb_grpc.MessagingServiceStub
    handlers: MessagingHandlers
    issuer: LocalIssuer

    def md(self, subject: str, *roles: str) -> tuple[tuple[str, str], ...]:
        return call_metadata(self.issuer.token(subject, roles))

    async def mark_recorded(self, lesson_day: int) -> str:
        event_id = str(uuid.uuid4())
        await self.handlers.notify_guardians_of_mark(
            commands.NotifyGuardiansOfMark(
                student_id=STUDENT,
                discipline_id=DISCIPLINE,
                mark_value="5",
                lesson_date=date(2026, 10, lesson_day),
            ),
            Delivery(event_id, "messaging-mark-notifications", subject_of(MarkRecorded)),
        )
        return event_id


@pytest.fixture
async def service(
    fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer, guardians: Any
) -> AsyncIterator[Service]:
    orm.start_mappers()
    guardians.links[STUDENT] = [MOTHER, FATHER]
    engine = make_engine(await fresh_db("messaging"), pool_size=2)
    sessions = make_session_factory(engine)
    handlers = MessagingHandlers(
        uow=lambda: MessagingUnitOfWork(sessions, service="messaging"),
        guardians=guardians,
    )
    server = GrpcServer(
        host="127.0.0.1", port=0, verifier=issuer.verifier(), service_names=[], health_checks=[]
    )
    pb_grpc.add_MessagingServiceServicer_to_server(MessagingServicer(handlers), server.server)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    yield Service(pb_grpc.MessagingServiceStub(channel), handlers, issuer)
    await channel.close()
    await server.stop(0)
    await engine.dispose()


async def test_a_parent_reads_their_own_notifications_newest_first(service: Service) -> None:
    older = await service.mark_recorded(13)
    newer = await service.mark_recorded(14)

    reply = await service.stub.ListNotifications(
        pb.ListNotificationsRequest(), metadata=service.md(str(MOTHER), "parent")
    )
    assert [n.source_event_id for n in reply.notifications] == [newer, older]
    first = reply.notifications[0]
    assert (first.recipient_id, first.student_id, first.discipline_id, first.mark_value) == (
        str(MOTHER),
        str(STUDENT),
        str(DISCIPLINE),
        "5",
    )
    assert first.kind == messaging_pb2.NOTIFICATION_KIND_MARK_RECORDED
    assert (first.lesson_date.year, first.lesson_date.month, first.lesson_date.day) == (2026, 10, 14)
    assert first.created_at.seconds > 0

    page = await service.stub.ListNotifications(
        pb.ListNotificationsRequest(page_size=1), metadata=service.md(str(FATHER), "parent")
    )
    assert [n.source_event_id for n in page.notifications] == [newer]
    assert {n.recipient_id for n in page.notifications} == {str(FATHER)}

    stranger = await service.stub.ListNotifications(
        pb.ListNotificationsRequest(), metadata=service.md(str(uuid.uuid4()), "parent")
    )
    assert list(stranger.notifications) == []


@pytest.mark.parametrize(
    ("page_size", "subject", "status", "code"),
    [
        (201, str(MOTHER), grpc.StatusCode.INVALID_ARGUMENT, "invalid_page_size"),
        (-1, str(MOTHER), grpc.StatusCode.INVALID_ARGUMENT, "invalid_page_size"),
        (0, "service-account-ejournal-journal", grpc.StatusCode.PERMISSION_DENIED, "person_required"),
    ],
)
async def test_refusals_have_stable_codes(
    service: Service, page_size: int, subject: str, status: grpc.StatusCode, code: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await service.stub.ListNotifications(
            pb.ListNotificationsRequest(page_size=page_size), metadata=service.md(subject, "parent")
        )
    assert caught.value.code() == status
    assert error_code_of(caught.value) == code


async def test_a_call_without_a_token_is_unauthenticated(service: Service) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await service.stub.ListNotifications(pb.ListNotificationsRequest())
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
