"""Composition root of the archive: settings → engine → NATS → gRPC, relay and consumers."""

from __future__ import annotations

import asyncio

from chassis.auth import JwtVerifier
from chassis.db import database_answers, make_engine, make_session_factory
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
from ejournal.archive.v1 import archive_service_pb2, archive_service_pb2_grpc

from archive_service.adapters.uow import ArchiveUnitOfWork
from archive_service.api.consumers import SERVICE, audit_log_consumer
from archive_service.api.grpc import ArchiveServicer
from archive_service.application.handlers import ArchiveHandlers
from archive_service.config import ArchiveSettings

# The archive's own stream, for the seal events of semester archives to come.
ARCHIVE_STREAM = service_stream(SERVICE)


async def serve(settings: ArchiveSettings) -> None:
    """Build every component and serve until a stop signal."""
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    sessions = make_session_factory(engine)
    nc, js = await connect_nats(settings.nats_url, name=SERVICE)
    await ensure_streams(js, [ARCHIVE_STREAM, AUDIT_STREAM, DLQ_STREAM])
    relay = OutboxRelay(sessions, js, poll_seconds=settings.outbox_poll_seconds)
    handlers = ArchiveHandlers(uow=lambda: ArchiveUnitOfWork(sessions, service=SERVICE, on_commit=relay.wake))
    server = GrpcServer(
        host=settings.grpc_host,
        port=settings.grpc_port,
        verifier=JwtVerifier(settings.oidc_issuer, settings.oidc_audience),
        service_names=[archive_service_pb2.DESCRIPTOR.services_by_name["ArchiveService"].full_name],
        health_checks=[lambda: database_answers(engine), lambda: nats_answers(nc)],
    )
    archive_service_pb2_grpc.add_ArchiveServiceServicer_to_server(ArchiveServicer(handlers), server.server)
    await serve_until_stopped(
        server,
        background=[relay.run(), audit_log_consumer(js, handlers).run()],
        cleanup=[nc.drain, engine.dispose],
    )


def run() -> None:
    """Entry point of `ejournal-archive`."""
    settings = ArchiveSettings()  # type: ignore[call-arg]
    configure_logging(SERVICE, settings.log_level)
    asyncio.run(serve(settings))
