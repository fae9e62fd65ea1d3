"""Substitutions in the reports over real NATS and PostgreSQL (slice L, issue 7 item 7): the journal's
events on JetStream feed the projection once, a cancellation takes the pair out, and the report is
read through the real gRPC servicer."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from chassis.consumer import Subscription
from chassis.db import make_engine, make_session_factory
from chassis.events import subject_of
from chassis.grpc_client import call_metadata, error_code_of
from chassis.testing import LocalIssuer, serve_in_process
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1.events_pb2 import SubstitutionCancelled, SubstitutionRecorded
from ejournal.reports.v1 import reports_service_pb2 as pb
from ejournal.reports.v1 import reports_service_pb2_grpc as pb_grpc
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from reports_service.adapters import orm
from reports_service.adapters.uow import ReportsUnitOfWork
from reports_service.api.consumers import (
    SUBSTITUTION_CANCELLATIONS,
    SUBSTITUTIONS,
    substitutions_cancelled,
    substitutions_recorded,
)
from reports_service.api.grpc import ReportsServicer
from reports_service.application.handlers import ReportsHandlers

pytestmark = pytest.mark.integration
TEACHER, SUBSTITUTE = str(uuid.uuid4()), str(uuid.uuid4())
NOVEMBER = (LocalDate(year=2026, month=11, day=1), LocalDate(year=2026, month=11, day=30))


@dataclass
class Reports:
    stream: Any
    stub: pb_grpc.ReportsServiceStub
    token: tuple[tuple[str, str], ...]

    async def publish(self, event: Message, msg_id: str) -> None:
        subject = self.stream.subject(subject_of(type(event)))
        await self.stream.js.publish(subject, event.SerializeToString(), headers={"Nats-Msg-Id": msg_id})

    async def report(self) -> pb.GetSubstitutionReportResponse:
        request = pb.GetSubstitutionReportRequest(date_from=NOVEMBER[0], date_to=NOVEMBER[1])
        reply: pb.GetSubstitutionReportResponse = await self.stub.GetSubstitutionReport(
            request, metadata=self.token
        )
        return reply


def private(subscription: Subscription[Any], stream: Any, durable: str) -> Subscription[Any]:
    return replace(
        subscription,
        durable=stream.durable(durable),
        subjects=(stream.subject(subject_of(subscription.event_type)),),
        stream_name=stream.name,
    )


@pytest.fixture
async def reports(
    fresh_db: Callable[[str], Awaitable[str]], private_stream: Any, issuer: LocalIssuer
) -> AsyncIterator[Reports]:
    orm.start_mappers()
    engine = make_engine(await fresh_db("reports"), pool_size=2)
    handlers = ReportsHandlers(uow=lambda: ReportsUnitOfWork(make_session_factory(engine), service="reports"))
    consumers = [
        private(substitutions_recorded(handlers), private_stream, SUBSTITUTIONS),
        private(substitutions_cancelled(handlers), private_stream, SUBSTITUTION_CANCELLATIONS),
    ]
    tasks = [asyncio.create_task(s.consumer(private_stream.js, service="reports").run()) for s in consumers]
    try:
        async with serve_in_process(
            pb_grpc.add_ReportsServiceServicer_to_server, ReportsServicer(handlers), issuer.verifier()
        ) as channel:
            token = call_metadata(issuer.token(str(uuid.uuid4()), ("deputy",)))
            yield Reports(private_stream, pb_grpc.ReportsServiceStub(channel), token)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await engine.dispose()


def recorded(day: int, pair: int) -> SubstitutionRecorded:
    occurred = Timestamp()
    occurred.FromDatetime(datetime(2026, 11, day, 8, 0, tzinfo=UTC))
    return SubstitutionRecorded(
        event_id=str(uuid.uuid4()),
        occurred_at=occurred,
        substitution_id=str(uuid.uuid4()),
        group_id=str(uuid.uuid4()),
        discipline_id=str(uuid.uuid4()),
        lesson_date=LocalDate(year=2026, month=11, day=day),
        pair_number=pair,
        teacher_id=TEACHER,
        substitute_teacher_id=SUBSTITUTE,
        recorded_by=str(uuid.uuid4()),
    )


def cancellation(of: SubstitutionRecorded) -> SubstitutionCancelled:
    return SubstitutionCancelled(
        event_id=str(uuid.uuid4()),
        occurred_at=of.occurred_at,
        substitution_id=of.substitution_id,
        group_id=of.group_id,
        discipline_id=of.discipline_id,
        lesson_date=of.lesson_date,
        pair_number=of.pair_number,
        teacher_id=of.teacher_id,
        substitute_teacher_id=of.substitute_teacher_id,
        cancelled_by=str(uuid.uuid4()),
    )


async def test_published_substitutions_reach_the_report_once_and_a_cancellation_leaves_it(
    reports: Reports, eventually: Callable[..., Awaitable[Any]]
) -> None:
    kept, cancelled = recorded(10, 2), recorded(11, 1)
    for event in (kept, cancelled):
        await reports.publish(event, event.event_id)
    # A republish under a new message id (outside JetStream's deduplication) is the same event.
    await reports.publish(kept, f"republished-{kept.event_id}")

    async def both() -> pb.GetSubstitutionReportResponse | None:
        reply = await reports.report()
        return reply if len(reply.substitutions) == 2 else None

    reply = await eventually(both)
    counts = {t.teacher_id: (t.pairs_substituted, t.pairs_replaced) for t in reply.teachers}
    assert counts == {TEACHER: (0, 2), SUBSTITUTE: (2, 0)}

    await reports.publish(cancellation(cancelled), str(uuid.uuid4()))

    async def cancelled_out() -> pb.GetSubstitutionReportResponse | None:
        reply = await reports.report()
        return reply if len(reply.substitutions) == 1 else None

    reply = await eventually(cancelled_out)
    [line] = reply.substitutions
    assert (line.substitution_id, line.pair_number, line.teacher_id, line.substitute_teacher_id) == (
        kept.substitution_id,
        2,
        TEACHER,
        SUBSTITUTE,
    )
    counts = {t.teacher_id: (t.pairs_substituted, t.pairs_replaced) for t in reply.teachers}
    assert counts == {TEACHER: (0, 1), SUBSTITUTE: (1, 0)}


@pytest.mark.parametrize(
    ("date_from", "date_to", "code"),
    [
        (NOVEMBER[1], NOVEMBER[0], "invalid_period"),
        (LocalDate(), NOVEMBER[1], "invalid_date_from"),
        (NOVEMBER[0], LocalDate(year=2026, month=2, day=30), "invalid_date_to"),
    ],
)
async def test_a_bad_period_is_refused_with_its_code(
    reports: Reports, date_from: LocalDate, date_to: LocalDate, code: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await reports.stub.GetSubstitutionReport(
            pb.GetSubstitutionReportRequest(date_from=date_from, date_to=date_to), metadata=reports.token
        )
    assert (refused.value.code(), error_code_of(refused.value)) == (grpc.StatusCode.INVALID_ARGUMENT, code)
