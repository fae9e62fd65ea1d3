"""Composition root of reports: settings → engine → NATS → gRPC, relay and consumers."""

from __future__ import annotations

import asyncio

from chassis.auth import JwtVerifier
from chassis.db import database_answers, make_engine, make_session_factory
from chassis.grpc_server import GrpcServer
from chassis.logging import configure_logging
from chassis.outbox import OutboxRelay
from chassis.runtime import serve_until_stopped
from chassis.streams import AUDIT_STREAM, DLQ_STREAM, connect_nats, ensure_streams, nats_answers
from ejournal.reports.v1 import reports_service_pb2, reports_service_pb2_grpc

from reports_service.adapters.orm import start_mappers
from reports_service.adapters.uow import ReportsUnitOfWork
from reports_service.api.consumers import JOURNAL_STREAM, SERVICE, mark_facts_consumer
from reports_service.api.grpc import ReportsServicer
from reports_service.application.handlers import ReportsHandlers
from reports_service.config import ReportsSettings


async def serve(settings: ReportsSettings) -> None:
    """Build every component and serve until a stop signal."""
    start_mappers()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    sessions = make_session_factory(engine)
    nc, js = await connect_nats(settings.nats_url, name=SERVICE)
    await ensure_streams(js, [JOURNAL_STREAM, AUDIT_STREAM, DLQ_STREAM])
    relay = OutboxRelay(sessions, js, poll_seconds=settings.outbox_poll_seconds)
    handlers = ReportsHandlers(uow=lambda: ReportsUnitOfWork(sessions, service=SERVICE, on_commit=relay.wake))
    server = GrpcServer(
        host=settings.grpc_host,
        port=settings.grpc_port,
        verifier=JwtVerifier(settings.oidc_issuer, settings.oidc_audience),
        service_names=[reports_service_pb2.DESCRIPTOR.services_by_name["ReportsService"].full_name],
        health_checks=[lambda: database_answers(engine), lambda: nats_answers(nc)],
    )
    reports_service_pb2_grpc.add_ReportsServiceServicer_to_server(ReportsServicer(handlers), server.server)
    await serve_until_stopped(
        server,
        background=[relay.run(), mark_facts_consumer(js, handlers).run()],
        cleanup=[nc.drain, engine.dispose],
    )


def run() -> None:
    """Entry point of `ejournal-reports`."""
    settings = ReportsSettings()  # type: ignore[call-arg]
    configure_logging(SERVICE, settings.log_level)
    asyncio.run(serve(settings))
