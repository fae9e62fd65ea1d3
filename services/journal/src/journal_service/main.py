"""Composition root of the journal service: settings → engine → NATS → gRPC, relay and consumers."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from chassis.auth import JwtVerifier
from chassis.db import database_answers, make_engine, make_session_factory
from chassis.grpc_client import make_channel
from chassis.grpc_server import GrpcServer
from chassis.logging import configure_logging
from chassis.outbox import OutboxRelay
from chassis.runtime import serve_until_stopped
from chassis.streams import (
    AUDIT_STREAM,
    DLQ_STREAM,
    connect_nats,
    ensure_streams,
    nats_answers,
    service_stream,
)
from ejournal.journal.v1 import journal_service_pb2, journal_service_pb2_grpc

from journal_service.adapters.identity_client import IdentityGuardianDirectory
from journal_service.adapters.orm import start_mappers
from journal_service.adapters.uow import JournalUnitOfWork
from journal_service.api.grpc import JournalServicer
from journal_service.application.handlers import JournalHandlers
from journal_service.config import JournalSettings

SERVICE = "journal"
JOURNAL_STREAM = service_stream(SERVICE)
log = logging.getLogger(__name__)


async def serve(settings: JournalSettings) -> None:
    """Build every component and serve until a stop signal."""
    start_mappers()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    sessions = make_session_factory(engine)
    nc, js = await connect_nats(settings.nats_url, name=SERVICE)
    await ensure_streams(js, [JOURNAL_STREAM, AUDIT_STREAM, DLQ_STREAM])
    relay = OutboxRelay(sessions, js, poll_seconds=settings.outbox_poll_seconds)
    identity_channel = make_channel(settings.identity_addr)
    zone = ZoneInfo(settings.college_timezone)

    def today() -> date:
        return datetime.now(zone).date()

    handlers = JournalHandlers(
        uow=lambda: JournalUnitOfWork(sessions, service=SERVICE, on_commit=relay.wake),
        guardians=IdentityGuardianDirectory(identity_channel),
        today=today,
    )
    server = GrpcServer(
        host=settings.grpc_host,
        port=settings.grpc_port,
        verifier=JwtVerifier(settings.oidc_issuer, settings.oidc_audience),
        service_names=[journal_service_pb2.DESCRIPTOR.services_by_name["JournalService"].full_name],
        health_checks=[lambda: database_answers(engine), lambda: nats_answers(nc)],
    )
    journal_service_pb2_grpc.add_JournalServiceServicer_to_server(JournalServicer(handlers), server.server)
    await serve_until_stopped(
        server,
        background=[relay.run()],
        cleanup=[identity_channel.close, nc.drain, engine.dispose],
    )


def run() -> None:
    """Entry point of `ejournal-journal`."""
    settings = JournalSettings()  # type: ignore[call-arg]
    configure_logging(SERVICE, settings.log_level)
    asyncio.run(serve(settings))
