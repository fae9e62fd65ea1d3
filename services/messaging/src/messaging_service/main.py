"""Composition root of messaging: settings → engine → NATS → gRPC, relay and consumers."""

from __future__ import annotations

import asyncio

from chassis.auth import JwtVerifier, ServiceTokenProvider
from chassis.db import database_answers, make_engine, make_session_factory
from chassis.grpc_client import make_channel
from chassis.grpc_server import GrpcServer
from chassis.logging import configure_logging
from chassis.outbox import OutboxRelay
from chassis.runtime import serve_until_stopped
from chassis.streams import AUDIT_STREAM, DLQ_STREAM, connect_nats, ensure_streams, nats_answers
from ejournal.messaging.v1 import messaging_service_pb2, messaging_service_pb2_grpc

from messaging_service.adapters.identity_client import IdentityGuardianDirectory
from messaging_service.adapters.orm import start_mappers
from messaging_service.adapters.uow import MessagingUnitOfWork
from messaging_service.api.consumers import JOURNAL_STREAM, SERVICE, mark_notifications_consumer
from messaging_service.api.grpc import MessagingServicer
from messaging_service.application.handlers import MessagingHandlers
from messaging_service.config import MessagingSettings


async def serve(settings: MessagingSettings) -> None:
    """Build every component and serve until a stop signal."""
    start_mappers()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    sessions = make_session_factory(engine)
    nc, js = await connect_nats(settings.nats_url, name=SERVICE)
    await ensure_streams(js, [JOURNAL_STREAM, AUDIT_STREAM, DLQ_STREAM])
    relay = OutboxRelay(sessions, js, poll_seconds=settings.outbox_poll_seconds)
    identity_channel = make_channel(settings.identity_addr)
    tokens = ServiceTokenProvider(
        settings.oidc_issuer, settings.service_client_id, settings.service_client_secret
    )
    handlers = MessagingHandlers(
        uow=lambda: MessagingUnitOfWork(sessions, service=SERVICE, on_commit=relay.wake),
        guardians=IdentityGuardianDirectory(identity_channel, tokens),
    )
    server = GrpcServer(
        host=settings.grpc_host,
        port=settings.grpc_port,
        verifier=JwtVerifier(settings.oidc_issuer, settings.oidc_audience),
        service_names=[messaging_service_pb2.DESCRIPTOR.services_by_name["MessagingService"].full_name],
        health_checks=[lambda: database_answers(engine), lambda: nats_answers(nc)],
    )
    messaging_service_pb2_grpc.add_MessagingServiceServicer_to_server(
        MessagingServicer(handlers), server.server
    )
    await serve_until_stopped(
        server,
        background=[relay.run(), mark_notifications_consumer(js, handlers).run()],
        cleanup=[identity_channel.close, nc.drain, engine.dispose],
    )


def run() -> None:
    """Entry point of `ejournal-messaging`."""
    settings = MessagingSettings()  # type: ignore[call-arg]
    configure_logging(SERVICE, settings.log_level)
    asyncio.run(serve(settings))
